import HTTPTypes
import Hummingbird
import Logging
import Synchronization
import VestnikCore

/// Gives every request an id: the `X-Request-Id` a proxy in front sent, when it looks like one (1 to 128 letters,
/// digits, `-`, `_`, `.`, `:`), else a new random one. It is in the response's `X-Request-Id` and in the metadata of
/// every line logged for the request (`hb.request.id`, the key Hummingbird itself logs under), and at the debug level
/// each request gets a line of its own (method, path, status, milliseconds).
struct RequestIDResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context: RequestContext {
    typealias Context = Inner.Context
    let inner: Inner

    @Sendable func respond(to request: Request, context: Context) async throws -> Response {
        let id = RequestIDs.id(of: request.headers)
        var context = context
        context.logger[metadataKey: "hb.request.id"] = .string(id)
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await inner.respond(to: request, context: context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[.requestID] = id
        context.logger.debug(
            "request",
            metadata: [
                "method": .string(request.method.rawValue), "path": .string(request.uri.path),
                "status": .stringConvertible(response.status.code),
                "ms": .stringConvertible((ContinuousClock.now - start).milliseconds),
            ])
        return response
    }

}

/// The ids of `RequestIDResponder` (also given by the event loop's answers, `EventLoopHits`).
enum RequestIDs {
    /// The request's id: the one the proxy in front sent if it is `sane`, else a new one.
    static func id(of headers: HTTPFields) -> String { headers[.requestID].flatMap(Self.sane) ?? Self.make() }

    /// `text` if it may stand in log lines and headers as it is.
    static func sane(_ text: String) -> String? {
        guard (1...128).contains(text.utf8.count) else { return nil }
        let allowed = text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"):
                true
            default: false
            }
        }
        return allowed ? text : nil
    }

    /// 16 hex digits, never the same twice in a process: a counter scrambled by a bijection (SplitMix64's finaliser)
    /// keyed by a random number drawn once. An id is not a secret (a client may send its own); a random number per
    /// request cost a `getrandom` system call (`RequestIDs.id`, with it, was 2.5 % of the CPU of a page the event loop
    /// answers from the cache).
    static func make() -> String {
        var value = counter.wrappingAdd(1, ordering: .relaxed).newValue &+ key
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        value ^= value >> 31
        return Hex.encode(value)
    }

    private static let key = UInt64.random(in: .min ... .max)
    private static let counter = Atomic<UInt64>(0)
}

extension Duration {
    /// Whole milliseconds.
    fileprivate var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}

extension HTTPField.Name {
    static let requestID = HTTPField.Name("X-Request-Id")!
}
