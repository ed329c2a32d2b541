import Foundation
import Logging
import ServiceLifecycle
import VestnikStore

/// Keeps this node's caches exact when other nodes write: on PostgreSQL, every node `NOTIFY`s its changes
/// (`Database.announce`) and this service, running beside the server, `LISTEN`s on a connection of its own and hands
/// each change to this node's subscribers (the page cache drops the pages it names).
///
/// When the connection is lost it logs, tries again after 0.1 s, doubling up to `maxBackoff`, and after every
/// reconnection drops every cache (`ContentChange.everything`): whatever other nodes announced while it was away is
/// lost. A graceful shutdown ends it at once.
public struct ChangeListener: Service {
    let database: Database
    let firstBackoff: Duration
    let maxBackoff: Duration
    let heartbeat: Duration
    let logger: Logger
    /// Called each time the `LISTEN` is in place, with its count (1 for the first): for tests and logs.
    let onListening: @Sendable (Int) -> Void

    public init(
        database: Database, firstBackoff: Duration = .milliseconds(100), maxBackoff: Duration = .seconds(5),
        heartbeat: Duration = .seconds(10), logger: Logger, onListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        self.database = database
        self.firstBackoff = firstBackoff
        self.maxBackoff = maxBackoff
        self.heartbeat = heartbeat
        self.logger = logger
        self.onListening = onListening
    }

    /// The origin given to the `.everything` delivered after a reconnection: no node's name (those are base-36
    /// numbers), so it is neither our own announcement nor skipped as an echo.
    static let missedChanges = "listener-reconnected"

    public func run() async throws {
        await cancelWhenGracefulShutdown { await listen() }
    }

    /// Listens until cancelled, reconnecting with a capped backoff.
    func listen() async {
        let feed = database.changes
        let connections = Counter()
        var backoff = firstBackoff
        while !Task.isCancelled {
            do {
                try await database.listenForChanges(
                    heartbeat: heartbeat,
                    listening: {
                        let (count, missed) = connections.increment()
                        if missed {
                            // Changes announced while we were away never reached us: forget every page. Not as
                            // our own announcement (origin nil): the nodes that made those changes purged the CDN
                            // already, so `localOnly` subscribers (the purger) must not hear this.
                            feed.deliver(.everythingAndSettings, fromNode: Self.missedChanges)
                            logger.notice("listening for changes of other nodes again; dropped every cached page")
                        } else {
                            logger.debug("listening for changes of other nodes", metadata: ["channel": "\(feed.channel)"])
                        }
                        onListening(count)
                    },
                    received: { node, change in
                        Instruments.changeDelivered()
                        feed.deliver(change, fromNode: node)
                    })
                if Task.isCancelled { return }
            } catch {
                if Task.isCancelled { return }
                logger.error("change listener: \(error); trying again in \(backoff)")
            }
            // After a connection that was listening, start again at the first backoff; one that keeps failing waits
            // longer each time.
            connections.failed()
            if connections.takeFreshConnection() { backoff = firstBackoff }
            do { try await Task.sleep(for: backoff) } catch { return }
            backoff = min(backoff * 2, maxBackoff)
        }
    }
}

/// How many times the listener got its `LISTEN` in place, whether it did since last asked, and whether it ever
/// failed (from then on every `LISTEN` comes after a time without one, when changes may have been missed).
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var fresh = false
    private var hasFailed = false

    func increment() -> (count: Int, missedChanges: Bool) {
        lock.withLock {
            count += 1
            fresh = true
            return (count, hasFailed || count > 1)
        }
    }

    func failed() { lock.withLock { hasFailed = true } }

    func takeFreshConnection() -> Bool {
        lock.withLock {
            defer { fresh = false }
            return fresh
        }
    }
}
