import Foundation
import HTTPTypes
import Hummingbird
import VestnikStore

/// The headers every answer carries: a Content-Security-Policy (scripts, styles, fonts and connections from this
/// site only; frames from YouTube's no-cookie player, which article embeds use; pictures from anywhere https; no
/// plug-ins; framed by this site alone), `X-Content-Type-Options: nosniff`, a `Referrer-Policy`, and HSTS when the
/// site's address is https (so never on a plain-http development server). The pages have no inline scripts (JSON-LD
/// is data, not script): no nonces are needed, and cached pages stay byte-identical. A header an answer set itself
/// is kept.
struct SecurityHeadersResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context: RequestContext {
    typealias Context = Inner.Context
    let inner: Inner
    /// The site's address now (the `site.url` setting may change while the site runs).
    let publicURL: @Sendable () -> String
    private let plain = Self.headers(https: false)
    private let secure = Self.headers(https: true)

    init(inner: Inner, publicURL: @escaping @Sendable () -> String) {
        self.inner = inner
        self.publicURL = publicURL
    }

    static func headers(https: Bool) -> HTTPFields {
        var fields: HTTPFields = [
            .contentSecurityPolicy: SecurityPolicy.content, .xContentTypeOptions: "nosniff",
            .referrerPolicy: "strict-origin-when-cross-origin", .xFrameOptions: "SAMEORIGIN",
        ]
        if https { fields[.strictTransportSecurity] = "max-age=31536000; includeSubDomains" }
        return fields
    }

    @Sendable func respond(to request: Request, context: Context) async throws -> Response {
        var response = try await inner.respond(to: request, context: context)
        let headers = publicURL().lowercased().hasPrefix("https://") ? secure : plain
        for field in headers where response.headers[field.name] == nil { response.headers.append(field) }
        return response
    }
}

enum SecurityPolicy {
    static let content =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; font-src 'self'; "
        + "connect-src 'self'; frame-src https://www.youtube-nocookie.com; object-src 'none'; base-uri 'self'; "
        + "form-action 'self'; frame-ancestors 'self'"
}

/// `/.well-known/security.txt` (RFC 9116) from the `security.contact` setting (a mailto: or https: address, several
/// comma-separated); 404 while it is not set. Expires a year from the day it is asked for.
struct SecurityTxtController: Sendable {
    let settings: SettingsRepository
    let publicURL: @Sendable () -> String
    let now: @Sendable () -> Date

    func addRoutes(to router: Router<VestnikRequestContext>) {
        router.get("/.well-known/security.txt") { _, _ in try await answer() }
    }

    func answer() async throws -> Response {
        guard let value = try await settings.value(SettingRules.securityContactKey), !value.isEmpty else {
            throw HTTPError(.notFound)
        }
        let day = Calendar(identifier: .gregorian).startOfDay(for: now().addingTimeInterval(365 * 86_400))
        var lines = value.split(separator: ",").map { "Contact: \($0.trimmingCharacters(in: .whitespaces))" }
        lines.append("Expires: \(day.formatted(Date.ISO8601FormatStyle()))")
        lines.append("Preferred-Languages: bg, en")
        lines.append("Canonical: \(publicURL())/.well-known/security.txt")
        return Response(
            status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "max-age=86400"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: lines.joined(separator: "\n") + "\n")))
    }
}

extension HTTPField.Name {
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
}
