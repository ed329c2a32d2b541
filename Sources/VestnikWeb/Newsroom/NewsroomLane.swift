import Hummingbird
import ServiceLifecycle
import VestnikStore

/// The newsroom's own threads: its requests (`/newsroom`, the admin API) and the scheduler's publications run on
/// `ThreadExecutor.newsroom`, never on Swift's cooperative pool, where readers' cache-miss renders queue. Every
/// step of a publish that awaits (a statement, the form's body, the change announcement) resumed at the back of
/// that queue: under readers at c64 a publish of 30 ms took 0.1-1 s (issue 20: "the newsroom must never wait
/// behind readers"). What is left shared is the CPU, which the kernel divides between all threads.
enum NewsroomLane {
    /// Two threads: one long save (a whole body sanitised and indexed) must not hold up another editor's publish. (A
    /// sign-in's bcrypt runs on NIO's thread pool, not here.)
    static let executor = ThreadExecutor(name: "newsroom", threads: 2)

    /// Whether `path` is the newsroom's or the admin API's.
    static func serves(_ path: String) -> Bool {
        path == "/newsroom" || path.hasPrefix("/newsroom/") || path.hasPrefix(AdminArticlesController.prefix + "/")
            || path == AdminArticlesController.prefix
    }

    static func run<T: Sendable>(_ body: () async throws -> T) async throws -> T { try await executor.run(body) }
}

/// The server's own thread: its accept loop, and each connection's task until its first request says where it runs
/// (`EventLoopHits.HTTPChannel.handle`: the newsroom's on `NewsroomLane`, the rest on the cooperative pool). Neither
/// pool may hold it: on the newsroom's two threads, two long saves (or a flood of sign-in pages) kept every new
/// reader's connection waiting; on the cooperative pool, a newsroom connection's start queued behind readers' renders.
public enum AcceptLane {
    static let executor = ThreadExecutor(name: "accept", threads: 1)

    /// Runs `body` (what runs the server: `runDraining`'s service group) with its accept loop on this thread.
    public static func run<T: Sendable>(_ body: () async throws -> T) async throws -> T { try await executor.run(body) }
}

/// A service of the application, run on Swift's cooperative pool as if `runDraining` had not started the
/// application on the accept thread (renditions, mail, the read counter: work that is not the server's).
struct OnCooperativePool: Service {
    let inner: any Service

    func run() async throws { try await withTaskExecutorPreference(globalConcurrentExecutor) { try await inner.run() } }
}

/// Hands the newsroom's requests to `NewsroomLane`'s threads; every other request stays where it is.
struct NewsroomLaneResponder<Inner: HTTPResponder>: HTTPResponder {
    typealias Context = Inner.Context
    let inner: Inner

    @Sendable func respond(to request: Request, context: Context) async throws -> Response {
        guard NewsroomLane.serves(request.uri.path) else { return try await inner.respond(to: request, context: context) }
        return try await NewsroomLane.run { try await inner.respond(to: request, context: context) }
    }
}
