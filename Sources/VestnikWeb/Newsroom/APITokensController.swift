import Foundation
import HTTPTypes
import Hummingbird
import VestnikCore
import VestnikStore

/// The admin API's tokens, for the chief editor: the list (name, user, scopes, last use, revoked), a new token
/// (shown once, on the answer to the form, and never again: only its digest is stored) and revoking one. The rules
/// and audit rows are `APITokenRepository`'s; this page translates forms (CSRF-checked by `NewsroomMiddleware`).
struct APITokensController: Sendable {
    typealias Context = VestnikRequestContext
    let pages: NewsroomPages
    let tokens: APITokenRepository
    let staff: StaffService

    static let path = "/newsroom/api-tokens"

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("api-tokens", use: list)
        group.post("api-tokens", use: create)
        group.post("api-tokens/{id}/revoke", use: revoke)
    }

    private var t: SiteLocale { pages.t }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        guard context.newsroom.session != nil else { return try await pages.signInFirst() }
        return try await page(session: try await chief(context))
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        let session = try await chief(context)
        let form = context.newsroom.form ?? FormQuery(nil)
        let name = form.all("name").first ?? ""
        let scopes = Set(form.all("scope").compactMap(APIScope.init(rawValue:)))
        guard let userID = form.all("user").first.flatMap({ Int($0) }) else {
            return try await page(session: session, message: t["nr_tokens_error_user"], status: .unprocessableContent)
        }
        let token = APITokenRepository.prefix + SecureToken.make()
        do {
            _ = try await tokens.create(
                name: name, userID: userID, scopes: scopes, by: ArticleWriter(userID: session.user.id, role: session.user.role),
                now: pages.now(), token: token)
        } catch APITokenError.notAllowed {
            throw HTTPError(.forbidden)
        } catch let error as APITokenError {
            let key: String
            switch error {
            case .noScopes: key = "nr_tokens_error_scopes"
            case .badName: key = "nr_tokens_error_name"
            default: key = "nr_tokens_error_user"
            }
            return try await page(session: session, message: t[key], status: .unprocessableContent)
        }
        var response = try await page(session: session, newToken: token)
        // The token is on this page only: no cache, no history copy.
        response.headers[.cacheControl] = "no-store"
        return response
    }

    @Sendable func revoke(_ request: Request, context: Context) async throws -> Response {
        let session = try await chief(context)
        guard let id = context.parameters.get("id", as: Int.self) else { throw HTTPError(.notFound) }
        do {
            try await tokens.revoke(id: id, by: ArticleWriter(userID: session.user.id, role: session.user.role), now: pages.now())
        } catch APITokenError.notAllowed {
            throw HTTPError(.forbidden)
        } catch APITokenError.noSuchToken {
            throw HTTPError(.notFound)
        }
        return try await page(session: session, info: t["nr_tokens_revoked"])
    }

    private func chief(_ context: Context) async throws -> NewsroomSession {
        guard let session = context.newsroom.session else { throw HTTPError(.unauthorized) }
        guard session.user.role == .chief else { throw HTTPError(.forbidden) }
        return session
    }

    private func page(
        session: NewsroomSession, newToken: String? = nil, info: String? = nil, message: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let members = try await staff.members().filter { !$0.suspended }
        let dates = pages.dates
        let view = APITokensPage(
            layout: pages.layout(t["nr_tokens_title"], session), csrf: session.csrf, newToken: newToken,
            tokens: try await tokens.list().map { token in
                APITokenRowView(
                    name: token.name, user: token.userName, scopes: token.scopes.sorted().map(\.rawValue).joined(separator: ", "),
                    hint: "…" + token.hint, created: dates.dateLine(token.createdAt),
                    lastUsed: token.lastUsedAt.map { dates.dateLine($0) } ?? t["nr_tokens_never"],
                    revoked: token.revokedAt.map { dates.dateLine($0) }, revokeURL: "\(Self.path)/\(token.id)/revoke")
            },
            users: members.map {
                NewsroomOption(
                    value: String($0.user.id), label: "\($0.user.name) (\(t["nr_role_" + $0.user.role.rawValue]))", selected: false)
            },
            scopes: APIScope.allCases.map {
                NewsroomOption(value: $0.rawValue, label: t["nr_tokens_scope_" + $0.rawValue], selected: $0 == .read)
            },
            message: message, info: info)
        return try pages.render("nr-api-tokens", view, status: status)
    }
}
