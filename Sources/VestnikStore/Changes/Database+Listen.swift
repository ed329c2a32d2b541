import Foundation
import Logging
import PostgresKit

/// Why `Database.listenForChanges` stopped without being asked to.
public struct ChangeListenerError: Error, CustomStringConvertible {
    public var description: String
}

extension Database {
    /// The `application_name` of this node's listener connection, so that it can be found in `pg_stat_activity`.
    public var listenerApplicationName: String { "vestnik-listener-\(changes.node)" }

    /// The other half of `announce(_:)` on PostgreSQL: opens a connection of its own (outside the pool, so a busy
    /// pool never delays a notification and a lost listener never costs a request its connection), `LISTEN`s on
    /// `changes.channel`, calls `listening` once the `LISTEN` is in place, then hands every change another node
    /// announces to `received` (with the announcing node's name; our own echoes come too, `ChangeFeed.deliver`
    /// skips them).
    ///
    /// Returns when the calling task is cancelled. Throws when the connection cannot be made or is lost (a
    /// `SELECT 1` every `heartbeat` notices a connection that died silently); the caller reconnects, and should
    /// assume it missed changes meanwhile. Throws at once on SQLite, which has one node only.
    public func listenForChanges(
        heartbeat: Duration = .seconds(10), listening: @Sendable () -> Void,
        received: @Sendable (_ node: String, _ change: ContentChange) -> Void
    ) async throws {
        try checkOpen()
        guard var configuration = directConfiguration else {
            throw ChangeListenerError(description: "change notifications need PostgreSQL")
        }
        configuration.options.additionalStartupParameters.append(("application_name", listenerApplicationName))
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        } catch {
            throw ChangeListenerError(description: "cannot connect to PostgreSQL to listen for changes: \(String(reflecting: error))")
        }
        let channel = changes.channel
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                // The heartbeat: a dead connection fails its query, and closing it ends the notification stream.
                group.addTask {
                    while true {
                        try await Task.sleep(for: heartbeat)
                        do {
                            // Through `LiveConnection`: on a connection that has already closed, postgres-nio
                            // would never answer, and this task group could then never end.
                            try await LiveConnection(connection: connection).sql().raw("SELECT 1").run()
                        } catch {
                            try? await connection.close()
                            throw error
                        }
                    }
                }
                try await connection.listen(on: channel) { notifications in
                    listening()
                    for try await notification in notifications {
                        if let (node, change) = ChangeFeed.parse(payload: notification.payload) { received(node, change) }
                    }
                }
                // The stream ends without an error when the task is cancelled; otherwise the connection ended.
                try Task.checkCancellation()
                throw ChangeListenerError(description: "the PostgreSQL connection stopped delivering notifications")
            }
        } catch {
            try? await connection.close()
            if Task.isCancelled { return }
            if let error = error as? ChangeListenerError { throw error }
            throw ChangeListenerError(description: "lost the PostgreSQL connection that listens for changes: \(String(reflecting: error))")
        }
        try? await connection.close()
    }
}
