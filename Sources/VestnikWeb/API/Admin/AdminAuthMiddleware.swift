import Foundation
import Hummingbird
import VestnikStore

/// In front of every admin API route: the `Authorization: Bearer vst_…` token is checked before any byte of the
/// body is read (401 otherwise), each token gets a token bucket (429 with `Retry-After` when it is empty), and every
/// call, answered or refused for its role, goes to the audit log with the token's name. No CORS: a token belongs in
/// a server, never in a web page.
struct AdminAuthMiddleware: RouterMiddleware {
    typealias Context = VestnikRequestContext
    let tokens: APITokenRepository
    let limiter: AddressRateLimiter
    let now: @Sendable () -> Date

    /// Calls per second a token may make, in bursts of up to `burst`.
    static let rate = ReadSettings.RateLimit(perSecond: 10, burst: 100)

    init(tokens: APITokenRepository, now: @escaping @Sendable () -> Date, rate: ReadSettings.RateLimit = Self.rate) {
        self.tokens = tokens
        self.now = now
        limiter = AddressRateLimiter(rate, capacity: 10_000, now: now)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = Self.bearer(request.headers[.authorization]), let caller = try await tokens.caller(token: token, now: now())
        else {
            throw APIProblem(
                .unauthorized, "send a valid, unrevoked token as Authorization: Bearer vst_…",
                headers: [.wwwAuthenticate: #"Bearer realm="vestnik-admin""#])
        }
        guard limiter.allow(String(caller.tokenID)) else {
            throw APIProblem(.tooManyRequests, "this token made too many calls; slow down", headers: [.retryAfter: "1"])
        }
        var context = context
        context.apiCaller = caller
        let call = "\(request.method.rawValue) \(request.uri.path.prefix(200))"
        do {
            let response = try await next(request, context)
            try await tokens.audit(caller, call: "\(call) \(response.status.code)", articleID: nil, now: now())
            return response
        } catch {
            let status = (error as? APIProblem)?.status.code ?? (error as? any HTTPResponseError)?.status.code ?? 500
            try await tokens.audit(caller, call: "\(call) \(status)", articleID: nil, now: now())
            throw error
        }
    }

    /// The token of an `Authorization: Bearer …` header, if it has the form of one of ours.
    static func bearer(_ header: String?) -> String? {
        guard let header, header.utf8.count <= 200 else { return nil }
        let parts = header.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer", parts[1].hasPrefix(APITokenRepository.prefix) else { return nil }
        let secret = parts[1].dropFirst(APITokenRepository.prefix.count)
        guard SecureToken.isWellFormed(String(secret)) else { return nil }
        return String(parts[1])
    }
}

extension APICaller {
    /// Refuses a call outside the token's scopes (403).
    func require(_ scope: APIScope) throws {
        guard scopes.contains(scope) else { throw APIProblem(.forbidden, "this token lacks the \(scope.rawValue) scope") }
    }
}
