import Foundation

/// Threads of their own that run the jobs of tasks preferring them (`withTaskExecutorPreference`), first come first
/// served. Why: Swift's cooperative pool has one thread per core, and under readers its queue holds their cache-miss
/// renders; a task resuming after each database statement queued behind them every time (a publish under readers at
/// c64 waited 0.1-1.5 s for 30 ms of work). Work that must answer whatever the readers do (the newsroom, the SQLite
/// writer) runs here instead.
public final class ThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    /// Jobs not yet started, oldest first from `head` (the array is emptied whenever it drains).
    private var jobs: [UnownedJob] = []
    private var head = 0
    private var stopping = false
    private var alive: Int
    public let name: String

    /// Starts `threads` threads named `name` (at most 15 bytes with the number Linux allows, else the name is lost).
    public init(name: String, threads: Int) {
        self.name = name
        alive = max(1, threads)
        for number in 0..<alive {
            let thread = Thread { [self] in work() }
            thread.name = alive > 1 ? "\(name)-\(number)" : name
            thread.start()
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        guard alive > 0 else {
            // Stopped: a late job (a task still holding the preference) runs on a thread of its own, never lost.
            condition.unlock()
            Thread { [self] in job.runSynchronously(on: asUnownedTaskExecutor()) }.start()
            return
        }
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the threads end once the jobs queued so far have run (a closed database's writer).
    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        let me = asUnownedTaskExecutor()
        while true {
            condition.lock()
            while head == jobs.count {
                if stopping {
                    alive -= 1
                    condition.unlock()
                    return
                }
                condition.wait()
            }
            let job = jobs[head]
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            }
            condition.unlock()
            job.runSynchronously(on: me)
        }
    }

    /// Runs `body` with this executor preferred: its code, and whatever it awaits that is not isolated to an actor,
    /// runs on these threads.
    public func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await withTaskExecutorPreference(self) { try await body() }
    }

    /// `run` for work that cannot fail.
    public func run<T: Sendable>(_ body: () async -> T) async -> T {
        await withTaskExecutorPreference(self) { await body() }
    }
}
