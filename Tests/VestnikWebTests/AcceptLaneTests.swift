import Dispatch
import Hummingbird
import HummingbirdTesting
import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle
import Testing
import VestnikStore
@testable import VestnikWeb

/// Where the server accepts and starts its connections (`AcceptLane`, as `runDraining` runs it): on a thread of its
/// own, so that the newsroom's two threads, held by two long saves, keep no reader's new connection waiting.
@Suite struct AcceptLaneTests {
    @Test func aReaderIsAnsweredWhileBothNewsroomThreadsAreHeld() async throws {
        try await withTestSite(.sqlite, articles: PageCacheTests.content) { site in
            let port = NIOLockedValueBox<Int?>(nil)
            let app = buildApplication(
                site: site, settings: ServerSettings(port: 0),
                onServerRunning: { channel in port.withLockedValue { $0 = channel.localAddress?.port } }, logger: Logger(label: "test"))
            let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: Logger(label: "test")))
            let server = Task { try await AcceptLane.run { try await group.run() } }
            let serverPort = try await Self.poll { port.withLockedValue { $0 } }
            // Both newsroom threads blocked, as two long saves (a whole body sanitised and indexed) hold them.
            let release = DispatchSemaphore(value: 0)
            let holding = NIOLockedValueBox(0)
            for _ in 0..<2 {
                Task.detached {
                    await NewsroomLane.executor.run {
                        holding.withLockedValue { $0 += 1 }
                        release.wait()
                    }
                }
            }
            // A new connection's first request, a page not yet in the cache: rendered on the cooperative pool.
            let client = TestClient(host: "127.0.0.1", port: serverPort, configuration: .init(timeout: .seconds(30)))
            let answer = await Self.within(.seconds(30)) {
                _ = try await Self.poll { holding.withLockedValue { $0 == 2 ? true : nil } }
                client.connect()
                return try await client.execute(.init("/", method: .get))
            }
            // Released and stopped whatever the answer; bounded, so that a failure ends the test instead of hanging it.
            for _ in 0..<2 { release.signal() }
            let stopped = await Self.within(.seconds(20)) {
                try? await client.shutdown()
                await group.triggerGracefulShutdown()
                try await server.value
            }
            #expect(try answer.get().status == .ok)
            try stopped.get()
        }
    }

    struct TimedOut: Error {}

    /// What `body` gives, or `TimedOut` after `limit`, without waiting for a body that hangs (left running).
    static func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async -> Result<T, any Error> {
        let outcome = NIOLockedValueBox<CheckedContinuation<Result<T, any Error>, Never>?>(nil)
        return await withCheckedContinuation { continuation in
            outcome.withLockedValue { $0 = continuation }
            let finish: @Sendable (Result<T, any Error>) -> Void = { result in
                outcome.withLockedValue { waiting in
                    waiting?.resume(returning: result)
                    waiting = nil
                }
            }
            Task {
                do { finish(.success(try await body())) } catch { finish(.failure(error)) }
            }
            Task {
                try? await Task.sleep(for: limit)
                finish(.failure(TimedOut()))
            }
        }
    }

    /// `value()` once it is not nil, looked at every 10 ms for up to 10 s.
    static func poll<T>(_ value: () -> T?) async throws -> T {
        for _ in 0..<1_000 {
            if let found = value() { return found }
            try await Task.sleep(for: .milliseconds(10))
        }
        return try #require(value())
    }
}
