import Foundation
import Hummingbird
import VestnikStore

/// Which web origins may read the content API from a browser (the `api.cors_origins` setting: `*`, or
/// comma-separated origins such as `https://app.example.bg`). The admin API never answers CORS: a token belongs in
/// a server, not in a page.
public struct APIOrigins: Sendable, Equatable {
    public var any: Bool
    public var origins: Set<String>

    public static let none = APIOrigins(any: false, origins: [])

    public init(any: Bool, origins: Set<String>) {
        self.any = any
        self.origins = origins
    }

    /// The setting's value read, or nil when it is not `*` or a list of `http(s)://host[:port]` origins.
    public init?(setting: String) {
        guard SettingRules.isOriginList(setting) else { return nil }
        let items = setting.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        self.init(any: items == ["*"], origins: items == ["*"] ? [] : Set(items.map { $0.lowercased() }))
    }

    func allows(_ origin: String) -> Bool { any || origins.contains(origin.lowercased()) }
}

/// Adds the CORS headers to content API answers (cached ones too: it stands in front of the API cache) and answers
/// preflight requests. Only GET and HEAD are offered: the content API is read-only.
struct CORSMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The `api.cors_origins` setting now (it may change while the site runs).
    let current: @Sendable () -> APIOrigins

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let origins = current()
        let origin = request.headers[.origin]
        if request.method == .options {
            var headers: HTTPFields = [.allow: "GET, HEAD, OPTIONS"]
            if let origin, origins.allows(origin) {
                add(origin, origins, to: &headers)
                headers[.accessControlAllowMethods] = "GET, HEAD"
                headers[.accessControlAllowHeaders] = "If-None-Match, If-Modified-Since"
                headers[.accessControlMaxAge] = "86400"
            }
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        if let origin, origins.allows(origin) {
            add(origin, origins, to: &response.headers)
            response.headers[.accessControlExposeHeaders] = "ETag"
        }
        return response
    }

    private func add(_ origin: String, _ origins: APIOrigins, to headers: inout HTTPFields) {
        headers[.accessControlAllowOrigin] = origins.any ? "*" : origin
        // A cache between us and the browser must not give one origin's answer to another.
        if !origins.any { headers[values: .vary] = headers[values: .vary] + ["Origin"] }
    }
}
