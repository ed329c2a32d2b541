import Logging
import NIOCore
import PostgresKit
import SQLKit

/// A PostgreSQL connection whose statements fail at once when the connection has closed, instead of waiting forever.
///
/// Why: postgres-nio writes each statement to the connection's channel without a write promise. Once the channel has
/// closed and NIO has taken its handlers down (the server ended the backend, the network dropped it), such a write is
/// dropped without a word and the statement's own promise is never completed: the caller waits for ever. The pool
/// can hand out a connection in that state — it learns of the close a moment after it happens — and a lease taken in
/// that moment hung `Database.read`/`write` with every thread idle (the test suite's rare hang, in
/// `aServerThatRefusesConnectionsIsUnavailableWithinTheLeaseTimeout`, which ends a pooled connection's backend and
/// writes at once).
///
/// Each statement is handed to postgres-nio on the connection's own event loop after checking that the channel is
/// still open. On that loop the channel cannot close between the check and the write (NIO then runs the write
/// inline), so the statement either reaches postgres-nio's handler, which fails it properly if the connection goes
/// later, or fails here with `DatabaseUnavailableError`.
struct LiveConnection: PostgresDatabase {
    let connection: PostgresConnection

    var logger: Logger { connection.logger }
    var eventLoop: any EventLoop { connection.eventLoop }

    func send(_ request: any PostgresRequest, logger: Logger) -> EventLoopFuture<Void> {
        onOpenConnection { $0.send(request, logger: logger) }
    }

    func withConnection<T>(_ closure: @escaping (PostgresConnection) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        onOpenConnection(closure)
    }

    private func onOpenConnection<T>(_ body: @escaping (PostgresConnection) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        let connection = self.connection
        let eventLoop = connection.eventLoop
        func run() -> EventLoopFuture<T> {
            guard !connection.isClosed else {
                return eventLoop.makeFailedFuture(
                    DatabaseUnavailableError(description: "the PostgreSQL connection closed before the statement was sent"))
            }
            return body(connection)
        }
        if eventLoop.inEventLoop { return run() }
        // `run` is only called on the event loop, once.
        nonisolated(unsafe) let run = run
        let promise = eventLoop.makePromise(of: T.self)
        eventLoop.execute { run().cascade(to: promise) }
        return promise.futureResult
    }
}
