import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import VestnikStore

/// Where article pages report a read: `POST /api/reads/{id}` from the page's script (`navigator.sendBeacon`), and
/// `GET /api/reads/{id}.gif` from a 1×1 image for readers without JavaScript.
///
/// Pages cached by Vestnik or by a CDN still count, because the count never depends on rendering the page. Each
/// answer is immediate and never cached: 204 (or the image) whether or not the read counted (a repeat, a bot, a read
/// past the address's or network's cap for the article), 404 for an article a reader cannot see, 400 for an id that
/// is not one, 429 for a flood from one address, 413 for a body over `ReadSettings.maxBeaconBodyBytes` (a beacon carries none). A beacon sent with
/// `?total=1` (as `reads.js` sends it) also gets the article's reads as of this read in `Vestnik-Reads`, for the
/// page to show instead of the count it was cached with.
struct ReadBeaconController<Context: RemoteAddressRequestContext>: Sendable {
    let gate: ReadGate
    let counter: ReadCounter
    let totals: ReadTotals
    let trustedProxies: Int

    func addRoutes(to router: Router<Context>) {
        router.post("/api/reads/{article}", use: beacon)
        router.get("/api/reads/{article}.gif", use: pixel)
    }

    @Sendable func beacon(_ request: Request, context: Context) async throws -> Response {
        var response = try await count(request, context: context) {
            Response(status: .noContent, headers: [.cacheControl: "no-store"])
        }
        if response.status == .noContent, request.uri.queryParameters.get("total") != nil,
            let articleID = ReadGate.articleID(context.parameters.get("article")),
            let total = try await totals.total(articleID: articleID)
        {
            response.headers[readsTotal] = String(total)
        }
        return response
    }

    @Sendable func pixel(_ request: Request, context: Context) async throws -> Response {
        try await count(request, context: context) {
            Response(
                status: .ok, headers: [.contentType: "image/gif", .cacheControl: "no-store"],
                body: ResponseBody(byteBuffer: transparentGIF))
        }
    }

    private func count(_ request: Request, context: Context, answer: () -> Response) async throws -> Response {
        _ = try await request.body.collect(upTo: ReadSettings.maxBeaconBodyBytes)  // 413 past the limit
        guard let articleID = ReadGate.articleID(context.parameters.get("article")) else {
            Instruments.readBeacon("invalid")
            return Response(status: .badRequest, headers: [.cacheControl: "no-store"])
        }
        let outcome = try await gate.admit(
            articleID: articleID, address: address(request, context: context), headers: request.headers,
            counts: request.method == .post || request.method == .get)
        Instruments.readBeacon(outcome.metricName)
        switch outcome {
        case .rateLimited:
            return Response(status: .tooManyRequests, headers: [.cacheControl: "no-store", .retryAfter: "1"])
        case .unknownArticle:
            return Response(status: .notFound, headers: [.cacheControl: "no-store"])
        case .counted:
            counter.record(articleID: articleID)
            return answer()
        case .notCounted, .repeated, .overCap:
            return answer()
        }
    }

    /// The reader's address (`ClientAddress`).
    private func address(_ request: Request, context: Context) -> String {
        ClientAddress.of(request, connection: context.remoteAddress?.ipAddress, trustedProxies: trustedProxies)
    }
}
private let readsTotal = HTTPField.Name("Vestnik-Reads")!

/// A transparent 1×1 GIF (43 bytes).
private let transparentGIF = ByteBuffer(bytes: [
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x21,
    0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44,
    0x01, 0x00, 0x3B,
])
