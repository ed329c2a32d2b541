import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import Synchronization
import VestnikCore

/// Page cache hits answered on the connection's event loop, as nginx answers a static file: no task, no hop to
/// Swift's cooperative threads and back, no request context. A GET or HEAD of a kept page is answered by
/// `PageCacheMiddleware.readyAnswer` (the same code that answers a hit in the responder chain) with the headers the
/// chain adds (`SecurityHeaders`, `RequestIDs`, the date, the server's name), its head as bytes (a 200 hit's as the
/// page keeps it, `HTTP1Head`) written with the body's buffers past NIO's encoder (`EncodedAnswerWriter`, which keeps
/// the encoder and the connection's state in step), the answers of one read in one flush; every other request, and
/// every one the cache cannot answer without waiting (a page not kept, its gzip copy not made yet, its shared block not
/// rendered), goes on to Hummingbird unchanged, where the middleware decides it as before. Hits are counted where the
/// middleware counts them (`PageCache.Statistics.hits`).
///
/// A request that says `Connection: close` is answered the same way, then the connection's output is shut, as
/// Hummingbird does. While a request passed on is still being answered, the requests after it on that connection are passed on too:
/// Hummingbird answers a connection's requests one after another, so answers leave in the order the requests came
/// (pipelining).
final class EventLoopHits: Sendable {
    let pages: PageCacheMiddleware<VestnikRequestContext>
    /// The site's address now (https sites get HSTS).
    let publicURL: @Sendable () -> String
    let serverName: String?
    /// Off with `--no-event-loop-hits`, and at the debug level, where every request gets its log line from
    /// `RequestIDResponder`: then nothing is answered here (connections are still sent where they run).
    let enabled: Bool
    private let plain = SecurityHeaders.fields(https: false)
    private let secure = SecurityHeaders.fields(https: true)
    /// The same, as header lines.
    private let plainBytes = HTTP1Head.lines(SecurityHeaders.fields(https: false))
    private let secureBytes = HTTP1Head.lines(SecurityHeaders.fields(https: true))
    private let dates = HTTPDateCache()

    init(
        pages: PageCacheMiddleware<VestnikRequestContext>, publicURL: @escaping @Sendable () -> String, serverName: String?,
        answering: Bool = true, logger: Logger
    ) {
        self.pages = pages
        self.publicURL = publicURL
        self.serverName = serverName
        enabled = answering && logger.logLevel > .debug
    }

    /// The answer to `request`: its head encoded as NIO's encoder would write it, its body's buffers, and whether the
    /// connection closes after it (the request said `Connection: close`, and Hummingbird closes such a connection once
    /// it answered); nil to pass it on.
    func answer(_ request: HTTPRequest, allocator: ByteBufferAllocator) -> (head: ByteBuffer, body: [ByteBuffer], closes: Bool)? {
        guard enabled, let answer = pages.readyAnswer(to: request, uri: URI(request.path ?? "/")) else { return nil }
        // What the responder chain adds, in its order: `Response`'s length, the security headers, the request's id,
        // then Hummingbird's date and server name.
        let https = SecurityHeaders.isHTTPS(publicURL())
        let id = RequestIDs.id(of: request.headerFields)
        var bytes = allocator.buffer(capacity: 2048)
        if let kept = answer.encodedHead {
            // A 200 hit: its head as the page keeps it, which has none of the chain's headers (`HTTP1Head.ok`).
            bytes.writeImmutableBuffer(kept)
            writeChainHeaders(https: https, id: id, to: &bytes)
            return (bytes, answer.body, request.headerFields[.connection] == "close")
        }
        let head = answer.head
        let own = head.headerFields
        if own.contains(where: { HTTP1Head.chainNames.contains($0.name) }) {
            // An answer with a header of its own where the chain sets one (none of the cache's do): built as the
            // chain builds it.
            var fields = own
            SecurityHeaders.add(https ? secure : plain, to: &fields)
            fields[.requestID] = id
            fields[.date] = dates.now
            if let serverName { fields[.server] = serverName }
            HTTP1Head.write(head.status, fields, to: &bytes)
        } else {
            HTTP1Head.write(head.status, own, to: &bytes, ending: false)
            writeChainHeaders(https: https, id: id, to: &bytes)
        }
        return (bytes, answer.body, request.headerFields[.connection] == "close")
    }

    /// The security headers, the request's id, the date and the server's name, and the head's empty line.
    private func writeChainHeaders(https: Bool, id: String, to bytes: inout ByteBuffer) {
        bytes.writeImmutableBuffer(https ? secureBytes : plainBytes)
        HTTP1Head.write(.requestID, id, to: &bytes)
        HTTP1Head.write(.date, dates.now, to: &bytes)
        if let serverName { HTTP1Head.write(.server, serverName, to: &bytes) }
        bytes.writeStaticString("\r\n")
    }

    /// Hummingbird's HTTP/1.1 server with these answers in front of its responder.
    func server(_ configuration: HTTP1Channel.Configuration) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            HTTPChannel(inner: HTTP1Channel(responder: responder, configuration: configuration), hits: self)
        }
    }

    /// Hummingbird's HTTP/1.1 channel with an `EventLoopHitHandler` right after its connection-state handler, which
    /// thus sees every request and answer (idle time-out, graceful shutdown). Added there rather than through
    /// `additionalChannelHandlers`, which go before it: the answers written here would then not pass it, and a
    /// connection served only from the cache would be closed as idle.
    struct HTTPChannel: ServerChildChannel {
        typealias Value = HTTP1Channel.Value
        let inner: HTTP1Channel
        let hits: EventLoopHits

        func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
            inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
                let operations = channel.pipeline.syncOperations
                let state = try operations.handler(type: HTTPConnectionStateHandler.self)
                let writer = EncodedAnswerWriter()
                try operations.addHandler(writer, position: .before(try operations.handler(type: HTTPResponseEncoder.self)))
                try operations.addHandler(
                    EventLoopHitHandler(hits: hits, writer: writer, eventLoop: channel.eventLoop),
                    position: ChannelPipeline.SynchronousOperations.Position.after(state))
                return value
            }
        }

        /// The connection's first request decides where its task runs: the newsroom's on `NewsroomLane`'s threads,
        /// every other one on Swift's cooperative pool (`runDraining` starts every connection on `AcceptLane`'s
        /// thread). So a newsroom request is read, answered and written without once queueing behind readers' renders.
        func handle(value: Value, logger: Logger) async {
            let first = value.channel.pipeline.handler(type: EventLoopHitHandler.self).flatMap { $0.firstPath.futureResult }
            if let path = try? await first.get(), NewsroomLane.serves(path) {
                await NewsroomLane.executor.run { await inner.handle(value: value, logger: logger) }
            } else {
                await withTaskExecutorPreference(globalConcurrentExecutor) { await inner.handle(value: value, logger: logger) }
            }
        }
    }
}

/// One connection's part of `EventLoopHits`.
final class EventLoopHitHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let hits: EventLoopHits
    /// Where the answers' bytes go, past NIO's encoder.
    private let writer: EncodedAnswerWriter
    /// Requests passed on whose answers have not ended yet.
    private var passedOn = 0
    /// Whether the request being read was passed on (its body and end follow it).
    private var passing = false
    /// The answer to the request being read, written once its end is read.
    private var answer: (head: ByteBuffer, body: [ByteBuffer], closes: Bool)?
    /// Set once an answer closes the connection: what the client sends after it is not read.
    private var closing = false
    /// Whether answers were written since the last flush.
    private var unflushed = false

    /// The path of the connection's first request, nil if it closes before one (`HTTPChannel.handle`).
    let firstPath: EventLoopPromise<String?>
    private var decided = false

    init(hits: EventLoopHits, writer: EncodedAnswerWriter, eventLoop: any EventLoop) {
        self.hits = hits
        self.writer = writer
        firstPath = eventLoop.makePromise()
    }

    private func decide(_ path: String?) {
        guard !decided else { return }
        decided = true
        firstPath.succeed(path)
    }

    func handlerRemoved(context: ChannelHandlerContext) { decide(nil) }

    func channelInactive(context: ChannelHandlerContext) {
        decide(nil)
        context.fireChannelInactive()
    }

    /// A connection whose first request cannot be read (a head over the size limit, bytes that are not HTTP) has no
    /// path: its task starts on the cooperative pool, where Hummingbird meets the error and answers or closes, as it
    /// did before connections were sent by their first request (else the connection waited for its idle time-out).
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        decide(nil)
        context.fireErrorCaught(error)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        switch unwrapInboundIn(data) {
        case .head(let request):
            if !decided { decide(request.path.map { String($0.prefix { $0 != "?" }) } ?? "/") }
            if passedOn == 0, let made = hits.answer(request, allocator: context.channel.allocator) {
                answer = made
                passing = false
                return
            }
            passedOn += 1
            passing = true
            context.fireChannelRead(data)
        case .body:
            // A body sent with a GET the cache answers is read and dropped, as the middleware does.
            if passing { context.fireChannelRead(data) }
        case .end:
            if passing {
                context.fireChannelRead(data)
                return
            }
            guard let made = answer else { return }
            answer = nil
            writer.writeStandIn(through: context, wrapped: wrapOutboundOut(.head(EncodedAnswerWriter.standIn)))
            writer.write(made.head)
            for part in made.body { writer.write(part) }
            guard made.closes else {
                context.write(wrapOutboundOut(.end(nil)), promise: nil)
                unflushed = true
                return
            }
            // As Hummingbird ends such a connection: its output is shut once the answer is written.
            closing = true
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(mode: .output, promise: nil) }
        }
    }

    /// The answers to every request of one read leave in one flush (one `writev`).
    func channelReadComplete(context: ChannelHandlerContext) {
        if unflushed {
            unflushed = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { passedOn = max(0, passedOn - 1) }
        context.write(data, promise: promise)
    }
}

@available(*, unavailable)
extension EventLoopHitHandler: Sendable {}

/// The `Date` header's value, made once a second (as Hummingbird's own date cache, which is not public).
final class HTTPDateCache: Sendable {
    private let current = Mutex<(second: Int, text: String)>((-1, ""))

    var now: String {
        let second = time(nil)
        return current.withLock { current in
            if current.second != second {
                current = (second, NewsDateFormatter.httpDate(Date(timeIntervalSince1970: TimeInterval(second))))
            }
            return current.text
        }
    }
}
