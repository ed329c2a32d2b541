import Dispatch
import Metrics

/// The server's own measurements, recorded through swift-metrics (the executable bootstraps the Prometheus backend
/// when `--metrics-port` is given; otherwise they cost a no-op call). Handles are made on first use, so the backend
/// must be bootstrapped before the first database is opened (`vestnik serve` does it first thing).
/// Names follow Prometheus's conventions; `/metrics` lists them (README "Metrics").
public enum Instruments {
    // MARK: Database

    private static let readDuration = Timer(label: "vestnik_db_transaction_duration_seconds", dimensions: [("kind", "read")])
    private static let writeDuration = Timer(label: "vestnik_db_transaction_duration_seconds", dimensions: [("kind", "write")])
    private static let readWait = Timer(label: "vestnik_db_pool_wait_seconds", dimensions: [("kind", "read")])
    private static let writeWait = Timer(label: "vestnik_db_pool_wait_seconds", dimensions: [("kind", "write")])

    /// The time a read or write transaction took (waiting for its connection included).
    static func transaction(write: Bool, since start: UInt64) {
        (write ? writeDuration : readDuration).recordNanoseconds(elapsed(since: start))
    }

    /// The time a transaction waited for a connection: SQLite's writer lock or reader slot, PostgreSQL's pool.
    static func poolWait(write: Bool, since start: UInt64) {
        (write ? writeWait : readWait).recordNanoseconds(elapsed(since: start))
    }

    // MARK: Background work

    /// One round of a periodic service: `job` is scheduler, mail, webhooks, renditions or search_rebuild.
    public static func jobRun(_ job: String, failed: Bool) {
        Counter(label: "vestnik_job_runs_total", dimensions: [("job", job), ("result", failed ? "error" : "ok")]).increment()
    }

    /// Items a background job finished: articles published, e-mails sent, webhook deliveries made, renditions made, articles reindexed.
    public static func jobItems(_ job: String, _ count: Int) {
        guard count > 0 else { return }
        Counter(label: "vestnik_job_items_total", dimensions: [("job", job)]).increment(by: count)
    }

    // MARK: Reads

    /// A read beacon's verdict: counted, repeated, rate_limited, unknown_article, not_counted, over_cap, invalid.
    public static func readBeacon(_ result: String) {
        Counter(label: "vestnik_read_beacons_total", dimensions: [("result", result)]).increment()
    }

    private static let flushDuration = Timer(label: "vestnik_read_flush_duration_seconds")

    /// A flush of counted reads to the database, and whether it was written.
    public static func readFlush(since start: UInt64, failed: Bool) {
        flushDuration.recordNanoseconds(elapsed(since: start))
        Counter(label: "vestnik_read_flushes_total", dimensions: [("result", failed ? "error" : "ok")]).increment()
    }

    // MARK: Changes

    /// A change another node announced (PostgreSQL LISTEN/NOTIFY) that reached this node.
    public static func changeDelivered() {
        Counter(label: "vestnik_change_notifications_total").increment()
    }

    /// A purge request sent to a shared cache (Varnish), and whether it was taken.
    public static func purge(failed: Bool) {
        Counter(label: "vestnik_cache_purges_total", dimensions: [("result", failed ? "error" : "ok")]).increment()
    }

    /// Nanoseconds since `start` (a `DispatchTime.now().uptimeNanoseconds`).
    public static func elapsed(since start: UInt64) -> Int64 {
        Int64(clamping: DispatchTime.now().uptimeNanoseconds &- start)
    }

    public static var now: UInt64 { DispatchTime.now().uptimeNanoseconds }
}
