import Foundation
import Hummingbird
import Logging
import VestnikCore
import VestnikStore

/// Turns every failure into a themed page in the site's language: 404 for what does not exist, 400 for bad input,
/// 503 with `Retry-After` while the database cannot be reached, and a logged 500 for our own faults, so that no
/// request ever gets a bare stack trace or a dropped connection.
///
/// The 503 page is made without the database (no navigation), and a newsroom form sent meanwhile is told that
/// nothing was saved and that the editor's browser keeps the text (`newsroom.js` copies every keystroke to
/// `localStorage` and offers it back when the article is opened again; going back also shows the form as typed).
/// Cached public pages are not affected: `PageCacheMiddleware` answers them before anything here runs.
struct ErrorPageMiddleware<Context: RequestContext>: RouterMiddleware {
    let site: Site
    /// Seconds a client is asked to wait before trying again while the database is away.
    static var retryAfter: Int { 5 }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPResponseError {
            let status = error.status
            guard status.code >= 400 else { throw error }
            return try await page(status: status, request: request)
        } catch let error as DatabaseUnavailableError {
            context.logger.error(
                "request failed: the database is unavailable",
                metadata: [
                    "path": .string(request.uri.path), "method": .string(request.method.rawValue), "error": .string(error.description),
                ])
            let form = request.method == .post && request.uri.path.hasPrefix("/newsroom")
            var response = try await page(
                status: .serviceUnavailable, request: request, extra: form ? "error_503_form" : nil, database: false)
            response.headers[.retryAfter] = String(Self.retryAfter)
            response.headers[.cacheControl] = "no-store"
            return response
        } catch {
            context.logger.error("request failed", metadata: ["path": .string(request.uri.path), "error": .string("\(error)")])
            return try await page(status: .internalServerError, request: request)
        }
    }

    /// The themed page for `status`; `extra` names a further sentence; `database: false` leaves out what needs it.
    private func page(status: HTTPResponse.Status, request: Request, extra: String? = nil, database: Bool = true) async throws -> Response {
        let key: String
        switch status.code {
        case 503: key = "error_503"
        case 404: key = "error_404"
        case 400: key = "error_400"
        case 403: key = "error_403"
        case 413: key = "error_413"
        case 405: key = "error_405"
        default: key = "error_500"
        }
        let views = site.views
        let sections = database ? ((try? await site.lists.sections(now: site.now())) ?? []) : []
        let banner: BreakingNews? = database ? (try? await site.lists.banner(now: site.now())) ?? nil : nil
        let message = [site.locale[key + "_text"], extra.map { site.locale[$0] }].compactMap { $0 }.joined(separator: " ")
        let view = ErrorView(
            layout: views.layout(title: site.locale[key + "_title"], canonical: nil, sections: sections, banner: banner, now: site.now()),
            status: status.code, heading: site.locale[key + "_title"], message: message)
        let html: ByteBuffer = (try? site.theme.render("error", view)) ?? ByteBuffer(string: site.locale[key + "_title"])
        return .html(html, status: status)
    }
}
