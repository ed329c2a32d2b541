import Foundation
import Hummingbird
import VestnikStore

/// An API error as RFC 9457 problem details (`application/problem+json`): a status, a short title and a sentence
/// that says what was wrong with this request. Thrown by the API controllers; `ProblemMiddleware` writes it.
struct APIProblem: Error, Sendable, Equatable {
    var status: HTTPResponse.Status
    var detail: String
    /// Extra members (`current_revision` on a 409).
    var extra: [String: JSONValue] = [:]
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ detail: String, extra: [String: JSONValue] = [:], headers: HTTPFields = [:]) {
        self.status = status
        self.detail = detail
        self.extra = extra
        self.headers = headers
    }

    var response: Response {
        var body = extra
        body["type"] = .string("about:blank")
        body["title"] = .string(status.reasonPhrase)
        body["status"] = .int(status.code)
        body["detail"] = .string(detail)
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONValue.object(body).bytes)))
    }
}

/// Answers every failure of an API route as problem details rather than the site's themed HTML error page: an
/// `APIProblem` as it is, Hummingbird's own errors (a malformed path parameter, a body over its limit) with their
/// status, and the database's absence as a 503 with `Retry-After`. Anything else is our fault and goes on to the
/// error page middleware, which logs it.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as APIProblem {
            return problem.response
        } catch let error as HTTPResponseError where error.status.code >= 400 && error.status.code < 500 {
            let detail = (error as? HTTPError)?.body ?? error.status.reasonPhrase
            return APIProblem(error.status, detail).response
        } catch is DatabaseUnavailableError {
            return APIProblem(
                .serviceUnavailable, "the database cannot be reached; try again shortly",
                headers: [.retryAfter: String(ErrorPageMiddleware<Context>.retryAfter)]
            ).response
        }
    }
}
