import Foundation
import Logging
import ServiceLifecycle
import VestnikStore

/// The in-process scheduler: beside the HTTP server, it publishes scheduled articles when their time comes (and
/// anything overdue at start-up), never waiting for a visitor; every second it takes the breaking-news banner down
/// when its time is up (every page that showed it is dropped, here, on the other nodes and in a shared cache, within a
/// second of its end instead of living out its page lifetime) and puts a scheduled front layout on the site at its
/// minute (its page dropped the same way); each of those ticks is one small read. Safe on many nodes (see
/// `ArticleWriteService.publishDue`, `BreakingNewsRepository.expireDue`, `FrontLayoutService.publishDue`: one node's
/// conditional write wins).
public struct PublicationScheduler: Service {
    let publisher: ArticleWriteService
    let banners: BreakingNewsRepository
    let fronts: FrontLayoutService
    let now: @Sendable () -> Date
    let interval: Duration
    let bannerInterval: Duration
    let logger: Logger

    public init(site: Site, interval: Duration = .seconds(15), bannerInterval: Duration = .seconds(1), logger: Logger) {
        publisher = ArticleWriteService(database: site.database)
        banners = BreakingNewsRepository(database: site.database)
        fronts = FrontLayoutService(database: site.database, zones: site.theme.zones)
        now = site.now
        self.interval = interval
        self.bannerInterval = bannerInterval
        self.logger = logger
    }

    public func run() async throws {
        async let banner: Void = repeatUntilShutdown(every: bannerInterval, logger: logger, failure: "the banner's expiry failed") {
            if try await banners.expireDue(now: now()) { logger.info("the breaking-news banner's time is up: taken down") }
            let fronts = try await fronts.publishDue(now: now())
            if !fronts.isEmpty { logger.info("scheduled front layouts published", metadata: ["ids": "\(fronts)"]) }
        }
        await repeatUntilShutdown(every: interval, logger: logger, failure: "the scheduler failed") {
            let published: [Int]
            do {
                // On the newsroom's threads, as a publish from the form: not behind readers' renders.
                published = try await NewsroomLane.run { try await publisher.publishDue(now: now()) }
                Instruments.jobRun("scheduler", failed: false)
                Instruments.jobItems("scheduler", published.count)
            } catch {
                Instruments.jobRun("scheduler", failed: true)
                throw error
            }
            if !published.isEmpty { logger.info("scheduled articles published", metadata: ["ids": "\(published)"]) }
        }
        await banner
    }
}
