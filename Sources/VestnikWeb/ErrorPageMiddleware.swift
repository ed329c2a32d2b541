import Foundation
import Hummingbird
import Logging

/// Turns every failure into a themed page in the site's language: 404 for what does not exist, 400 for bad input,
/// and a logged 500 for our own faults, so that no request ever gets a bare stack trace or a dropped connection.
struct ErrorPageMiddleware<Context: RequestContext>: RouterMiddleware {
    let site: Site

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPResponseError {
            let status = error.status
            guard status.code >= 400 else { throw error }
            return try await page(status: status, request: request)
        } catch {
            context.logger.error("request failed", metadata: ["path": .string(request.uri.path), "error": .string("\(error)")])
            return try await page(status: .internalServerError, request: request)
        }
    }

    private func page(status: HTTPResponse.Status, request: Request) async throws -> Response {
        let key: String
        switch status.code {
        case 404: key = "error_404"
        case 400: key = "error_400"
        case 403: key = "error_403"
        case 413: key = "error_413"
        case 405: key = "error_405"
        default: key = "error_500"
        }
        let views = site.views
        let sections = (try? await site.lists.sections(now: site.now())) ?? []
        let view = ErrorView(
            layout: views.layout(title: site.locale[key + "_title"], canonical: nil, sections: sections, now: site.now()),
            status: status.code, heading: site.locale[key + "_title"], message: site.locale[key + "_text"])
        let html = (try? site.theme.render("error", view)) ?? site.locale[key + "_title"]
        return .html(html, status: status)
    }
}
