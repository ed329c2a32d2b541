import Foundation
import HTTPTypes
import Hummingbird
import VestnikCore
import VestnikStore

/// The newsroom's staff, for the chief editor: the list, a new account, and per account a new role, suspension,
/// reactivation and deletion with the unfinished work handed over. The rules are `StaffService`'s, shared with the
/// `vestnik user` command; this page only translates forms into its calls and its refusals into messages.
struct UsersController: Sendable {
    typealias Context = VestnikRequestContext
    let pages: NewsroomPages
    let accounts: Accounts
    let staff: StaffService
    let outbox: MailOutbox
    let mail: MailTransport
    let settings: SettingsRepository

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("users", use: users)
        group.post("users", use: createUser)
        group.post("users/{id}/role", use: changeRole)
        group.post("users/{id}/suspend", use: suspend)
        group.post("users/{id}/reactivate", use: reactivate)
        group.post("users/{id}/delete", use: delete)
        group.post("users/{id}/two-factor/reset", use: resetTwoFactor)
    }

    private var t: SiteLocale { pages.t }

    @Sendable func users(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await pages.signInFirst() }
        guard session.user.role == .chief else { throw HTTPError(.forbidden) }
        return try await usersPage(session: session)
    }

    @Sendable func createUser(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await pages.signInFirst() }
        guard session.user.role == .chief else { throw HTTPError(.forbidden) }
        let form = try (context.newsroom.form ?? FormQuery(nil)).decode(NewUserForm.self)
        var problem = pages.newPasswordProblem(form.password, repeated: form.password2)
        if problem == nil {
            do {
                let user = try await accounts.createUser(
                    email: form.email, name: form.name, role: form.role, password: form.password, now: pages.now())
                return try await usersPage(session: session, info: t.format("nr_user_created", ["name": user.name]))
            } catch let error as InvalidInput {
                problem = t.format("nr_user_failed", ["reason": error.description])
            }
        }
        return try await usersPage(
            session: session, message: problem, name: form.name, email: form.email, role: form.role, status: .unprocessableContent)
    }

    @Sendable func changeRole(_ request: Request, context: Context) async throws -> Response {
        try await change(request, context: context, done: "nr_staff_role_changed") { id, form, actor, now in
            try await staff.setRole(userID: id, to: try form.decode(RoleChangeForm.self).role, by: actor, now: now)
        }
    }

    @Sendable func suspend(_ request: Request, context: Context) async throws -> Response {
        try await change(request, context: context, done: "nr_staff_suspended") { id, _, actor, now in
            try await staff.suspend(userID: id, by: actor, now: now)
        }
    }

    @Sendable func reactivate(_ request: Request, context: Context) async throws -> Response {
        try await change(request, context: context, done: "nr_staff_reactivated") { id, _, actor, now in
            try await staff.reactivate(userID: id, by: actor, now: now)
        }
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> Response {
        try await change(request, context: context, done: "nr_staff_deleted") { id, form, actor, now in
            try await staff.delete(userID: id, handingWorkTo: try form.decode(UserDeleteForm.self).successor, by: actor, now: now)
        }
    }

    /// A lost phone: the account signs in with its password again (and enrols anew where the site requires it).
    @Sendable func resetTwoFactor(_ request: Request, context: Context) async throws -> Response {
        try await change(request, context: context, done: "nr_staff_2fa_reset") { id, _, actor, now in
            try await staff.resetTwoFactor(userID: id, by: actor, now: now)
        }
    }

    /// One change to account `{id}` by the signed-in chief: the list again with what was done (`done`, a locale
    /// string with the account's `{name}`) or why not.
    private func change(
        _ request: Request, context: Context, done: String,
        _ body: (_ id: Int, _ form: FormQuery, _ actor: ArticleWriter, _ now: Date) async throws -> Void
    ) async throws -> Response {
        guard let session = context.newsroom.session else { return try await pages.signInFirst() }
        guard session.user.role == .chief else { throw HTTPError(.forbidden) }
        guard let id = context.parameters.get("id", as: Int.self),
            let target = try await staff.members().first(where: { $0.user.id == id })
        else { throw HTTPError(.notFound) }
        do {
            try await body(
                id, context.newsroom.form ?? FormQuery(nil), ArticleWriter(userID: session.user.id, role: session.user.role), pages.now())
            return try await usersPage(session: session, info: t.format(done, ["name": target.user.name]))
        } catch StaffError.notAllowed {
            throw HTTPError(.forbidden)
        } catch let error as StaffError {
            return try await usersPage(session: session, message: t[error.messageKey], status: .unprocessableContent)
        }
    }

    /// The staff page, with what was just done (`info`) or why not (`message`); the new-account and invitation forms
    /// keep what was typed.
    func usersPage(
        session: NewsroomSession, info: String? = nil, message: String? = nil, name: String = "", email: String = "",
        role: Role = .contributor, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let members = try await staff.members()
        let invitations = try await staff.openInvitations(now: pages.now()).map {
            InvitationView(
                name: $0.name, email: $0.email, role: t["nr_role_" + $0.role.rawValue], expires: pages.dates.dateLine($0.expiresAt),
                revokeURL: NewsroomURLs.users + "/invitations/\($0.id)/revoke")
        }
        let troubles = try await outbox.troubles().map { trouble in
            MailTroubleView(
                recipient: trouble.mail.recipient, subject: trouble.mail.subject, created: pages.dates.dateLine(trouble.mail.createdAt),
                state: t.format(trouble.givenUp ? "nr_mail_given_up" : "nr_mail_retrying", ["attempts": String(trouble.mail.attempts)]),
                error: trouble.mail.lastError ?? "")
        }
        let page = UsersPage(
            layout: pages.layout(t["nr_users_title"], session), csrf: session.csrf,
            users: members.map { member in
                let user = member.user
                return UserRowView(
                    id: user.id, name: user.name, email: user.email, role: t["nr_role_" + user.role.rawValue],
                    suspended: member.suspended, isSelf: user.id == session.user.id,
                    roles: Role.allCases.map {
                        NewsroomOption(value: $0.rawValue, label: t["nr_role_" + $0.rawValue], selected: $0 == user.role)
                    },
                    successors: members.filter { !$0.suspended && $0.user.id != user.id }.map {
                        NewsroomOption(value: String($0.user.id), label: $0.user.name, selected: $0.user.id == session.user.id)
                    },
                    roleURL: NewsroomURLs.user(user.id, "role"), suspendURL: NewsroomURLs.user(user.id, "suspend"),
                    reactivateURL: NewsroomURLs.user(user.id, "reactivate"), deleteURL: NewsroomURLs.user(user.id, "delete"),
                    twoFactor: member.twoFactor, twoFactorResetURL: NewsroomURLs.user(user.id, "two-factor/reset"))
            },
            roles: Role.allCases.map { NewsroomOption(value: $0.rawValue, label: t["nr_role_" + $0.rawValue], selected: $0 == role) },
            name: name, email: email, message: message, info: info,
            mailOff: try await mailOff(), mailTroubles: troubles, hasMailTroubles: !troubles.isEmpty, invitations: invitations,
            hasInvitations: !invitations.isEmpty)
        return try pages.render("nr-users", page, status: status)
    }

    /// The staff page says when mail cannot leave, since invitations and reset links depend on it.
    private func mailOff() async throws -> String? {
        guard case .failure(let reason) = try await mail.program(settings: settings) else { return nil }
        return t[reason.rawValue]
    }
}
