import Dispatch
import Foundation
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// The graceful stop: at SIGTERM `/readyz` answers 503 at once while the site goes on serving for the drain time, so
/// that load balancers take the node out before it stops accepting; then the server finishes the requests under way,
/// the read counter writes its last reads, and the process exits. SIGINT (Ctrl-C) stops at once, as gracefully.
public final class Drain: Sendable {
    private let started = NIOLockedValueBox(false)

    public init() {}

    /// Whether a SIGTERM came: readiness is off.
    public var isDraining: Bool { started.withLockedValue { $0 } }

    /// Turns readiness off; false when it already was.
    @discardableResult
    func begin() -> Bool {
        started.withLockedValue { started in
            defer { started = true }
            return !started
        }
    }
}

/// Runs `app` until SIGINT, or until the drain time after SIGTERM (`drain` answers readiness meanwhile).
public func runDraining(_ app: some ApplicationProtocol, drain: Drain, seconds: Double, logger: Logger) async throws {
    let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [.sigint], logger: logger))
    signal(SIGTERM, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: SIGTERM, queue: .global())
    source.setEventHandler {
        guard drain.begin() else { return }
        logger.notice("SIGTERM: not ready any more; stopping in \(seconds) s, after the requests under way")
        Task {
            try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            await group.triggerGracefulShutdown()
        }
    }
    source.resume()
    defer { source.cancel() }
    // The server accepts and starts every connection on a thread of its own (`AcceptLane`); `EventLoopHits` sends
    // each connection to the newsroom's threads or the cooperative pool after its first request, and
    // `buildApplication` runs its other services on the pool (`OnCooperativePool`). A newsroom connection thus never
    // waits in that pool's queue, and a reader's never waits for the newsroom's threads.
    try await AcceptLane.run { try await group.run() }
}
