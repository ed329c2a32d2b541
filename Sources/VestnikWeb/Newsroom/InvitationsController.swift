import Foundation
import Hummingbird
import VestnikCore
import VestnikStore

/// Invitations by e-mail: the chief invites from the staff page (the link goes through the outbox, on the site's
/// configured address) or takes an invitation back; the invitee opens the link, sets a password once, within a week,
/// and signs in with the name and role the chief gave.
struct InvitationsController: Sendable {
    typealias Context = VestnikRequestContext
    let pages: NewsroomPages
    let accounts: Accounts
    let staff: StaffService
    let settings: SettingsRepository
    let users: UsersController

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("users/invite", use: invite)
        group.post("users/invitations/{id}/revoke", use: revoke)
        group.get("invite/{token}", use: acceptPage)
        group.post("invite/{token}", use: accept)
    }

    private var t: SiteLocale { pages.t }

    @Sendable func invite(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await pages.signInFirst() }
        guard session.user.role == .chief else { throw HTTPError(.forbidden) }
        let form = try (context.newsroom.form ?? FormQuery(nil)).decode(InviteForm.self)
        let now = pages.now()
        do {
            guard var base = try await settings.value(SettingKeys.publicURL) ?? Optional(pages.publicURL), !base.isEmpty else {
                throw InvalidInput("no public address")
            }
            while base.hasSuffix("/") { base.removeLast() }
            let token = SecureToken.make()
            let link = base + NewsroomURLs.home + "/invite/" + token
            let mail = OutgoingMail(
                subject: t.format("nr_invite_mail_subject", ["site": pages.siteName]),
                body: t.format(
                    "nr_invite_mail_body",
                    [
                        "name": form.name, "inviter": session.user.name, "site": pages.siteName, "role": t["nr_role_" + form.role.rawValue],
                        "link": link,
                    ]))
            try await staff.invite(
                email: form.email, name: form.name, role: form.role, tokenHash: SHA256.hex(token), mail: mail,
                by: ArticleWriter(userID: session.user.id, role: session.user.role), now: now)
            return try await users.usersPage(session: session, info: t.format("nr_invite_sent", ["email": form.email]))
        } catch StaffError.notAllowed {
            throw HTTPError(.forbidden)
        } catch let error as StaffError {
            return try await users.usersPage(session: session, message: t[error.messageKey], status: .unprocessableContent)
        } catch let error as InvalidInput {
            return try await users.usersPage(
                session: session, message: t.format("nr_user_failed", ["reason": error.description]), status: .unprocessableContent)
        }
    }

    @Sendable func revoke(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await pages.signInFirst() }
        guard session.user.role == .chief else { throw HTTPError(.forbidden) }
        guard let id = context.parameters.get("id", as: Int.self) else { throw HTTPError(.notFound) }
        do {
            try await staff.revokeInvitation(id: id, by: ArticleWriter(userID: session.user.id, role: session.user.role), now: pages.now())
        } catch StaffError.noSuchUser {
            throw HTTPError(.notFound)
        } catch StaffError.notAllowed {
            throw HTTPError(.forbidden)
        }
        return try await users.usersPage(session: session, info: t["nr_invite_revoked"])
    }

    @Sendable func acceptPage(_ request: Request, context: Context) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        guard SecureToken.isWellFormed(token),
            let invitation = try await accounts.repository.invitation(tokenHash: SHA256.hex(token), now: pages.now())
        else {
            return try pages.formPage(
                "nr-invite", title: t["nr_invite_title"], request: request, message: t["nr_invite_invalid"], status: .notFound)
        }
        return try pages.formPage(
            "nr-invite", title: t["nr_invite_title"], request: request, email: invitation.email, name: invitation.name,
            action: NewsroomURLs.home + "/invite/" + token)
    }

    @Sendable func accept(_ request: Request, context: Context) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        let form = try (context.newsroom.form ?? FormQuery(nil)).decode(PasswordResetForm.self)
        let action = NewsroomURLs.home + "/invite/" + token
        let now = pages.now()
        guard SecureToken.isWellFormed(token),
            let invitation = try await accounts.repository.invitation(tokenHash: SHA256.hex(token), now: now)
        else {
            return try pages.formPage(
                "nr-invite", title: t["nr_invite_title"], request: request, message: t["nr_invite_invalid"], status: .notFound)
        }
        if let problem = pages.newPasswordProblem(form.password, repeated: form.password2) {
            return try pages.formPage(
                "nr-invite", title: t["nr_invite_title"], request: request, email: invitation.email, name: invitation.name,
                message: problem,
                action: action, status: .unprocessableContent)
        }
        guard
            try await accounts.repository.acceptInvitation(
                tokenHash: SHA256.hex(token), passwordHash: try await accounts.hasher.hash(form.password), now: now) != nil
        else {
            return try pages.formPage(
                "nr-invite", title: t["nr_invite_title"], request: request, message: t["nr_invite_invalid"], status: .notFound)
        }
        return pages.redirect(NewsroomURLs.login + "?done=1")
    }
}
