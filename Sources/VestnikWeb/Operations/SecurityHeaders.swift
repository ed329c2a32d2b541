import Foundation
import HTTPTypes
import Hummingbird
import VestnikCore
import VestnikStore

/// The headers every answer carries: a Content-Security-Policy (scripts, styles, fonts and connections from this
/// site only; frames from the embed providers' players (`Embed.frameHosts`), which a reader loads by clicking an
/// embed's facade; pictures from anywhere https; no
/// plug-ins; framed by this site alone), `X-Content-Type-Options: nosniff`, a `Referrer-Policy`, and HSTS when the
/// site's address is https (so never on a plain-http development server). The pages have no inline scripts (JSON-LD
/// is data, not script): no nonces are needed, and cached pages stay byte-identical. A header an answer set itself
/// is kept.
struct SecurityHeadersResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context: RequestContext {
    typealias Context = Inner.Context
    let inner: Inner
    /// The site's address now (the `site.url` setting may change while the site runs).
    let publicURL: @Sendable () -> String
    private let plain = SecurityHeaders.fields(https: false)
    private let secure = SecurityHeaders.fields(https: true)

    init(inner: Inner, publicURL: @escaping @Sendable () -> String) {
        self.inner = inner
        self.publicURL = publicURL
    }

    @Sendable func respond(to request: Request, context: Context) async throws -> Response {
        var response = try await inner.respond(to: request, context: context)
        SecurityHeaders.add(SecurityHeaders.isHTTPS(publicURL()) ? secure : plain, to: &response.headers)
        return response
    }
}

/// What `SecurityHeadersResponder` adds (also to the event loop's answers, `EventLoopHits`).
enum SecurityHeaders {
    static func fields(https: Bool) -> HTTPFields {
        var fields: HTTPFields = [
            .contentSecurityPolicy: SecurityPolicy.content, .xContentTypeOptions: "nosniff",
            .referrerPolicy: "strict-origin-when-cross-origin", .xFrameOptions: "SAMEORIGIN",
        ]
        if https { fields[.strictTransportSecurity] = "max-age=31536000; includeSubDomains" }
        return fields
    }

    /// Appends each of `security` that `headers` does not have (an answer's own is kept).
    static func add(_ security: HTTPFields, to headers: inout HTTPFields) {
        for field in security where headers[field.name] == nil { headers.append(field) }
    }

    /// Whether the site's address is https (in any letter case), without making a lowercased copy.
    static func isHTTPS(_ address: String) -> Bool {
        let scheme = "https://".utf8
        return address.utf8.count >= scheme.count
            && zip(address.utf8, scheme).allSatisfy { byte, expected in
                (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 == expected : byte == expected
            }
    }
}

enum SecurityPolicy {
    static let content =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; font-src 'self'; "
        + "connect-src 'self'; frame-src \(Embed.frameHosts.joined(separator: " ")); object-src 'none'; base-uri 'self'; "
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
