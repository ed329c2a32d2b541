import Foundation
import HTTPTypes
import Hummingbird
import VestnikCore
import VestnikStore

/// The newsroom's accounts, for the chief editor: the list and a new account.
struct UsersController: Sendable {
    typealias Context = VestnikRequestContext
    let pages: NewsroomPages
    let accounts: Accounts

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("users", use: users)
        group.post("users", use: createUser)
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

    private func usersPage(
        session: NewsroomSession, info: String? = nil, message: String? = nil, name: String = "", email: String = "",
        role: Role = .contributor, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let page = UsersPage(
            layout: pages.layout(t["nr_users_title"], session), csrf: session.csrf,
            users: try await accounts.repository.users().map {
                UserRowView(name: $0.name, email: $0.email, role: t["nr_role_" + $0.role.rawValue])
            },
            roles: Role.allCases.map { NewsroomOption(value: $0.rawValue, label: t["nr_role_" + $0.rawValue], selected: $0 == role) },
            name: name, email: email, message: message, info: info)
        return try pages.render("nr-users", page, status: status)
    }
}
