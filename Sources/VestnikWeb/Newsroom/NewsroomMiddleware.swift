import Foundation
import Hummingbird
import VestnikCore
import VestnikStore

/// What the newsroom middleware learned about a request.
struct NewsroomRequestState: Sendable {
    var session: NewsroomSession?
    /// The digest of the session cookie's token, to end the session at logout.
    var tokenHash: String?
    /// The posted form of a POST request, read once here.
    var form: FormQuery?
}

/// Cookie names and lifetimes of the newsroom.
enum NewsroomCookies {
    static let session = "vestnik_session"
    /// A token for the forms shown before anyone is signed in (login, setup, reset), checked against the form's copy.
    static let preSession = "vestnik_csrf"
    static let sessionLifetime: TimeInterval = 12 * 3600
}

/// In front of every `/newsroom` route: finds the session from its cookie, reads a POST's form, and refuses any
/// POST whose CSRF token does not match the session's (or, before login, the pre-session cookie's) with a 403.
struct NewsroomMiddleware: RouterMiddleware {
    typealias Context = VestnikRequestContext
    let site: Site
    /// The largest form accepted (the article body travels in it).
    static let maxFormBytes = 2_000_000

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let token = request.cookies[NewsroomCookies.session]?.value, SecureToken.isWellFormed(token) {
            let hash = SHA256.hex(token)
            if let session = try await site.accounts.repository.session(tokenHash: hash, now: site.now()) {
                context.newsroom.session = session
                context.newsroom.tokenHash = hash
            }
        }
        guard request.method == .post else { return try await next(request, context) }
        var request = request
        let buffer = try await request.collectBody(upTo: Self.maxFormBytes)
        let form = FormQuery(String(buffer: buffer))
        context.newsroom.form = form
        let sent = form.all("csrf").first ?? ""
        let expected = context.newsroom.session?.csrf ?? request.cookies[NewsroomCookies.preSession]?.value ?? ""
        guard !expected.isEmpty, SecureToken.equal(sent, expected) else { throw HTTPError(.forbidden) }
        return try await next(request, context)
    }
}
