import Foundation
import Hummingbird
import Logging
import Metrics
import NIOConcurrencyHelpers
import Prometheus
import ServiceLifecycle

/// The process's Prometheus registry; reading it the first time bootstraps swift-metrics with it, so every
/// `Instruments` call and Hummingbird's `MetricsMiddleware` record into it. Once per process (swift-metrics allows
/// one bootstrap): `vestnik serve --metrics-port` reads it before it opens the database.
public enum PrometheusMetrics {
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}

/// `/metrics`: the recorded events plus what is read at scrape time (page caches, reads not yet written, the
/// process's memory and open files), in Prometheus's text format.
public final class MetricsEndpoint: Sendable {
    let registry: PrometheusCollectorRegistry
    let caches: [(name: String, cache: PageCache)]
    let readCounter: ReadCounter?
    /// The page caches' statistics at the last scrape: their counters move by the difference.
    private let seen = NIOLockedValueBox([String: PageCache.Statistics]())

    public init(registry: PrometheusCollectorRegistry, caches: [(name: String, cache: PageCache)], readCounter: ReadCounter?) {
        self.registry = registry
        self.caches = caches
        self.readCounter = readCounter
    }

    /// The text a scrape answers.
    public func scrape() -> [UInt8] {
        seen.withLockedValue { seen in
            for (name, cache) in caches {
                let now = cache.stats
                let before = seen[name] ?? PageCache.Statistics()
                let labels = [("cache", name)]
                func count(_ metric: String, _ delta: Int) {
                    let counter = registry.makeCounter(name: "vestnik_page_cache_\(metric)_total", labels: labels)
                    if delta > 0 { counter.increment(by: Int64(delta)) }
                }
                count("hits", now.hits - before.hits)
                count("event_loop_hits", now.eventLoopHits - before.eventLoopHits)
                count("misses", now.misses - before.misses)
                count("evictions", now.evictions - before.evictions)
                count("admissions", now.admitted - before.admitted)
                count("rejections", now.rejected - before.rejected)
                count("stale_hits", now.staleHits - before.staleHits)
                count("collapsed_misses", now.collapsed - before.collapsed)
                registry.makeGauge(name: "vestnik_page_cache_bytes", labels: labels).set(Double(now.bytes))
                registry.makeGauge(name: "vestnik_page_cache_pages", labels: labels).set(Double(now.pages))
                registry.makeGauge(name: "vestnik_page_cache_capacity_bytes", labels: labels).set(Double(cache.capacity))
                seen[name] = now
            }
        }
        if let readCounter { registry.makeGauge(name: "vestnik_read_beacons_queued").set(Double(readCounter.unflushed)) }
        let process = ProcessFigures.current()
        if let rss = process.residentBytes { registry.makeGauge(name: "process_resident_memory_bytes").set(Double(rss)) }
        if let files = process.openFiles { registry.makeGauge(name: "process_open_fds").set(Double(files)) }
        return registry.emitToBuffer()
    }

    /// The router of the metrics listener: `/metrics` and nothing else.
    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: self.scrape())))
        }
        return router
    }

    /// The second listener that serves `/metrics`, a service beside the site's server.
    func application(hostname: String, port: Int, logger: Logger) -> some Service {
        Application(
            router: router(), configuration: .init(address: .hostname(hostname, port: port), serverName: "Vestnik metrics"), logger: logger)
    }
}

/// The process's resident memory and open files, from /proc (nil where there is no /proc).
struct ProcessFigures {
    var residentBytes: Int?
    var openFiles: Int?

    static func current() -> ProcessFigures {
        var figures = ProcessFigures()
        // statm: size resident shared ... in pages.
        if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) {
            let fields = statm.split(separator: " ")
            if fields.count > 1, let pages = Int(fields[1]) { figures.residentBytes = pages * Int(sysconf(Int32(_SC_PAGESIZE))) }
        }
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            figures.openFiles = entries.count - 1  // less the directory listing's own descriptor
        }
        return figures
    }
}
