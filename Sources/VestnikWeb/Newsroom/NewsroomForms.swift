import Foundation
import VestnikCore

// The newsroom's forms as typed values: each controller decodes the posted form into one (`FormQuery.decode`), so
// a missing or malformed field is a 400 before any handler logic runs. The article form is `ArticleForm`.

/// The first-run form that creates the chief editor.
struct SetupForm: Decodable {
    /// The one-time token of the link the server printed.
    var token: String
    var name: String
    var email: String
    var password: String
    var password2: String
}

struct LoginForm: Decodable {
    var email: String
    var password: String
    /// The newsroom page to go back to after sign-in.
    var next: String?

    /// The address as accounts store it.
    var normalizedEmail: String { email.trimmingCharacters(in: .whitespaces).lowercased() }
}

/// A signed-in user's own password change.
struct PasswordChangeForm: Decodable {
    var current: String
    var password: String
    var password2: String
}

/// A TOTP code (or a recovery code at sign-in).
struct TwoFactorCodeForm: Decodable {
    var code: String
}

/// Turning one's own two-factor sign-in off takes the password.
struct TwoFactorDisableForm: Decodable {
    var current: String
}

/// A new password through a one-time reset link.
struct PasswordResetForm: Decodable {
    var password: String
    var password2: String
}

/// The chief editor's form for a new newsroom account.
struct NewUserForm: Decodable {
    var name: String
    var email: String
    var role: Role
    var password: String
    var password2: String
}

/// The chief editor's change of an account's role.
struct RoleChangeForm: Decodable {
    var role: Role
}

/// The chief editor's deletion of an account: whose the account's drafts, articles in review and scheduled
/// articles become.
struct UserDeleteForm: Decodable {
    var successor: Int
}

/// A user's own profile; `role` and `bio` (their byline's) are posted only when they have a byline.
struct ProfileForm: Decodable {
    var name: String
    var role: String?
    var bio: String?
}

/// "Forgot password?": the address to send a reset link to.
struct ForgotPasswordForm: Decodable {
    var email: String

    var normalizedEmail: String { email.trimmingCharacters(in: .whitespaces).lowercased() }
}

/// A chief's invitation: who, at which address, in which role.
struct InviteForm: Decodable {
    var name: String
    var email: String
    var role: Role
}
