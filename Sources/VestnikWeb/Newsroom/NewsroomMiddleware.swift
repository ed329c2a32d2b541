import Foundation
import HTTPTypes
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
    /// A sign-in whose password was right and whose TOTP code is asked next (`TwoFactor.challengeLifetime`).
    static let challenge = "vestnik_2fa"
}

/// In front of every `/newsroom` route: finds the session from its cookie, reads a POST's form, and refuses any
/// POST whose CSRF token does not match the session's (or, before login, the pre-session cookie's) with a 403.
///
/// Nothing of a body is read before we know who sends it: a POST without a session or pre-session cookie is refused
/// on its headers alone, an upload (multipart) needs a session, and a signed-out form (login, setup, reset) may be
/// small only. An upload's token travels in its first part (the form's hidden field comes before the file) or in
/// an `X-CSRF-Token` header; the file is read only once the token has matched. Every body must arrive within a
/// deadline, so a client that trickles bytes cannot hold a request open (the server's idle timeout closes one
/// that stops sending altogether).
struct NewsroomMiddleware: RouterMiddleware {
    typealias Context = VestnikRequestContext
    let site: Site
    /// The largest form accepted (the article body travels in it).
    static let maxFormBytes = 2_000_000
    /// The largest form accepted before sign-in: login, setup and reset forms are a few hundred bytes.
    static let maxSignedOutFormBytes = 16 * 1024
    /// How far into an upload its CSRF field must have come (it is the form's first field; the file is last).
    static let maxBytesBeforeToken = 64 * 1024
    /// How long a form's body may take to arrive.
    static let formDeadline: Duration = .seconds(60)
    /// How long an upload's body may take to arrive (10 MB at 300 kB/s).
    static let uploadDeadline: Duration = .seconds(300)
    /// The header a script may send the CSRF token in instead of a form field.
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    /// What a user the site requires to enrol in two-factor sign-in may still open before they have.
    static let pathsBeforeEnrolment: Set<String> = [
        NewsroomURLs.twoFactor, NewsroomURLs.twoFactor + "/confirm", NewsroomURLs.logout, NewsroomURLs.signOutEverywhere,
    ]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let token = request.cookies[NewsroomCookies.session]?.value, SecureToken.isWellFormed(token) {
            let hash = SHA256.hex(token)
            if let session = try await site.accounts.repository.session(tokenHash: hash, now: site.now()) {
                context.newsroom.session = session
                context.newsroom.tokenHash = hash
            }
        }
        if let session = context.newsroom.session, !session.twoFactor, session.user.role >= .editor,
            !Self.pathsBeforeEnrolment.contains(request.uri.path), site.twoFactor.isRequired(for: session.user.role)
        {
            // The site requires a code of editors and chiefs: until they enrol, every other page sends them there.
            return Response(status: .seeOther, headers: [.location: NewsroomURLs.twoFactor, .cacheControl: "no-store"])
        }
        guard request.method == .post else { return try await next(request, context) }
        let expected = context.newsroom.session?.csrf ?? request.cookies[NewsroomCookies.preSession]?.value ?? ""
        guard !expected.isEmpty else { throw HTTPError(.forbidden) }
        let headerToken = request.headers[Self.csrfHeader].map { SecureToken.equal($0, expected) }
        if headerToken == false { throw HTTPError(.forbidden) }
        let form: FormQuery
        if let boundary = request.headers[.contentType].flatMap(MultipartForm.boundary(contentType:)) {
            guard context.newsroom.session != nil else { throw HTTPError(.forbidden) }
            let (body, truncated) = try await Self.readUpload(
                request, boundary: boundary, tokenChecked: headerToken == true, expected: expected, settings: site.mediaSettings)
            guard let multipart = MultipartForm.parse(body, boundary: boundary, truncated: truncated) else { throw HTTPError(.badRequest) }
            form = FormQuery(fields: multipart.fields)
            context.newsroom.upload = multipart.files["file"]
        } else {
            let limit = context.newsroom.session == nil ? Self.maxSignedOutFormBytes : Self.maxFormBytes
            form = FormQuery(String(decoding: try await Self.collect(request.body, upTo: limit), as: UTF8.self))
        }
        context.newsroom.form = form
        if headerToken != true {
            guard SecureToken.equal(form.all("csrf").first ?? "", expected) else { throw HTTPError(.forbidden) }
        }
        return try await next(request, context)
    }

    /// A form's whole body: 413 past `limit` bytes, 408 when it has not all come within `formDeadline`.
    static func collect(_ body: RequestBody, upTo limit: Int) async throws -> [UInt8] {
        let deadline = ContinuousClock.now + formDeadline
        var bytes: [UInt8] = []
        for try await chunk in body {
            guard bytes.count + chunk.readableBytes <= limit else { throw HTTPError(.contentTooLarge) }
            guard ContinuousClock.now < deadline else { throw HTTPError(.requestTimeout) }
            bytes += chunk.readableBytesView
        }
        return bytes
    }

    /// Reads an upload's body, keeping at most `maxBodyBytes` of it. Until the CSRF token has matched (in a header,
    /// else in a field before the file), no more than `maxBytesBeforeToken` is read: a wrong or missing token is a
    /// 403 before the file. An oversize body is still read (and dropped) to its end, up to `drainLimit`, so the
    /// browser gets our "too large" page instead of a reset connection, and the text fields that came before the
    /// file are kept.
    static func readUpload(
        _ request: Request, boundary: String, tokenChecked: Bool, expected: String, settings: MediaSettings
    ) async throws -> (body: [UInt8], truncated: Bool) {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > settings.drainLimit {
            throw HTTPError(.contentTooLarge)
        }
        let deadline = ContinuousClock.now + uploadDeadline
        var checked = tokenChecked
        var kept: [UInt8] = []
        var total = 0
        // The prefix is parsed again only every few kilobytes, so a body sent a byte at a time costs no more.
        var nextCheck = 0
        for try await chunk in request.body {
            guard ContinuousClock.now < deadline else { throw HTTPError(.requestTimeout) }
            total += chunk.readableBytes
            if kept.count < settings.maxBodyBytes {
                kept += chunk.readableBytesView.prefix(settings.maxBodyBytes - kept.count)
            }
            if total > settings.drainLimit { throw HTTPError(.contentTooLarge) }
            if !checked, kept.count >= nextCheck {
                checked = try tokenBeforeFile(kept, boundary: boundary, expected: expected, complete: false)
                nextCheck = kept.count + 4096
            }
        }
        if !checked { _ = try tokenBeforeFile(kept, boundary: boundary, expected: expected, complete: true) }
        return (kept, total > kept.count)
    }

    /// Whether the start of an upload body carries the expected CSRF field: true once it has; false while it may
    /// still come; 403 when it is wrong, when a file part starts without it, or when it has not come within
    /// `maxBytesBeforeToken` bytes or by the end of the body (`complete`).
    static func tokenBeforeFile(_ prefix: [UInt8], boundary: String, expected: String, complete: Bool) throws -> Bool {
        // Too short yet to start with the boundary line.
        if !complete, prefix.count < boundary.utf8.count + 4 { return false }
        let form = MultipartForm.parse(prefix, boundary: boundary, truncated: !complete)
        if let form, form.fieldsBeforeFiles.contains("csrf"), let sent = form.fields["csrf"]?.first {
            guard SecureToken.equal(sent, expected) else { throw HTTPError(.forbidden) }
            return true
        }
        if complete || form == nil || form?.files.isEmpty == false || prefix.count > maxBytesBeforeToken {
            throw HTTPError(.forbidden)
        }
        return false
    }
}
