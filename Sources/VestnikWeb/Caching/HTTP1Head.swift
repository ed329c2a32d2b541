import HTTPTypes
import NIOCore
import NIOHTTP1

/// A response head as HTTP/1.1 bytes, written as NIO's `HTTPResponseEncoder` writes the head Hummingbird hands it
/// (status line, each field as `name: value` in order, an empty line), with the encoder's framing: a status that has
/// no body (1xx, 204, 304) loses `Content-Length` and `Transfer-Encoding`. The event loop's hits are written so
/// (`EventLoopHits`), with no `HTTPResponseHead`, `HTTPHeaders` or encoder between the page and the socket.
enum HTTP1Head {
    static func write(_ status: HTTPResponse.Status, _ fields: HTTPFields, to buffer: inout ByteBuffer, ending: Bool = true) {
        buffer.writeStaticString("HTTP/1.1 ")
        buffer.writeString(String(status.code))
        buffer.writeStaticString(" ")
        buffer.writeString(status.reasonPhrase)
        buffer.writeStaticString("\r\n")
        let bodiless = status.kind == .informational || status == .noContent || status == .notModified
        for field in fields where !(bodiless && (field.name == .contentLength || field.name == .transferEncoding)) {
            write(field.name, field.value, to: &buffer)
        }
        if ending { buffer.writeStaticString("\r\n") }
    }

    static func write(_ name: HTTPField.Name, _ value: String, to buffer: inout ByteBuffer) {
        buffer.writeString(name.rawName)
        buffer.writeStaticString(": ")
        buffer.writeString(value)
        buffer.writeStaticString("\r\n")
    }

    /// The head of a 200 answer with `fields` and a body of `length` bytes (`Content-Length` last, as `CachedAnswer`
    /// adds it), without its empty line: what a kept page's hits start with (`PageCache.Page`, `SplicedHits`). Nil
    /// when `fields` has a header the responder chain sets (it would replace or keep it in place).
    static func ok(_ fields: HTTPFields, length: Int) -> ByteBuffer? {
        guard !fields.contains(where: { chainNames.contains($0.name) }), !fields.contains(.contentLength) else { return nil }
        var buffer = ByteBufferAllocator().buffer(capacity: 1024)
        write(.ok, fields, to: &buffer, ending: false)
        write(.contentLength, String(length), to: &buffer)
        return buffer
    }

    /// The headers the responder chain adds to an answer after the page cache (`EventLoopHits.answer`).
    static let chainNames = [HTTPField.Name.requestID, .date, .server] + SecurityHeaders.fields(https: true).map(\.name)

    /// `fields` as header lines, for a head that goes on after them.
    static func lines(_ fields: HTTPFields) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: 512)
        for field in fields { write(field.name, field.value, to: &buffer) }
        return buffer
    }
}

/// Sits between the socket and NIO's `HTTPResponseEncoder` and writes a connection's pre-encoded answers there, past
/// the encoder. Each such answer still sends a stand-in head (a bare 304) and an end through Hummingbird's
/// connection-state handler and the encoder, so that both count one response for the request, as they count every
/// other: the state handler its requests in progress (idle time-out, graceful shutdown), the encoder its queue of
/// request methods, fed by NIO's decoder, by which it frames the answers to HEAD requests. The stand-in's bytes,
/// which the encoder writes as one buffer (a 304 has no body, so its end writes nothing), are dropped here.
final class EncodedAnswerWriter: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    /// The head every pre-encoded answer sends through the encoder.
    static let standIn = HTTPResponse(status: .notModified)
    private var context: ChannelHandlerContext?
    /// Set while a stand-in head goes through the encoder: its one write is dropped.
    private var droppingStandIn = false

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard droppingStandIn else { return context.write(data, promise: promise) }
        droppingStandIn = false
        promise?.succeed()
    }

    /// Sends the stand-in head through `through` (a handler's context after the encoder), dropping its bytes.
    func writeStandIn(through: ChannelHandlerContext, wrapped: NIOAny) {
        droppingStandIn = true
        through.write(wrapped, promise: nil)
        // The encoder writes a head at once; should it not have, nothing else is dropped.
        droppingStandIn = false
    }

    /// Writes `bytes` to the socket, past the encoder.
    func write(_ bytes: ByteBuffer, promise: EventLoopPromise<Void>? = nil) {
        guard let context else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        context.write(NIOAny(IOData.byteBuffer(bytes)), promise: promise)
    }
}

@available(*, unavailable)
extension EncodedAnswerWriter: Sendable {}
