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
    /// The file of a multipart POST (the media upload), possibly cut at the size limit.
    var upload: MultipartForm.File?
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
        let form: FormQuery
        if let boundary = request.headers[.contentType].flatMap(MultipartForm.boundary(contentType:)) {
            let (body, truncated) = try await Self.readUpload(&request, settings: site.mediaSettings)
            guard let multipart = MultipartForm.parse(body, boundary: boundary, truncated: truncated) else { throw HTTPError(.badRequest) }
            form = FormQuery(fields: multipart.fields)
            context.newsroom.upload = multipart.files["file"]
        } else {
            form = FormQuery(String(buffer: try await request.collectBody(upTo: Self.maxFormBytes)))
        }
        context.newsroom.form = form
        let sent = form.all("csrf").first ?? ""
        let expected = context.newsroom.session?.csrf ?? request.cookies[NewsroomCookies.preSession]?.value ?? ""
        guard !expected.isEmpty, SecureToken.equal(sent, expected) else { throw HTTPError(.forbidden) }
        return try await next(request, context)
    }

    /// Reads an upload's body, keeping at most `maxBodyBytes` of it. An oversize body is still read (and dropped)
    /// to its end, up to `drainLimit`, so the browser gets our "too large" page instead of a reset connection, and
    /// the text fields that came before the file are kept.
    static func readUpload(_ request: inout Request, settings: MediaSettings) async throws -> (body: [UInt8], truncated: Bool) {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > settings.drainLimit {
            throw HTTPError(.contentTooLarge)
        }
        var kept: [UInt8] = []
        var total = 0
        for try await chunk in request.body {
            total += chunk.readableBytes
            if kept.count < settings.maxBodyBytes {
                kept += chunk.readableBytesView.prefix(settings.maxBodyBytes - kept.count)
            }
            if total > settings.drainLimit { throw HTTPError(.contentTooLarge) }
        }
        return (kept, total > kept.count)
    }
}
