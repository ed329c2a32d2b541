import Foundation
import Logging
import ServiceLifecycle
import VestnikStore

/// The in-process scheduler: beside the HTTP server, it publishes scheduled articles when their time comes (and
/// anything overdue at start-up), never waiting for a visitor. Safe on many nodes (see `ArticleWriteService.publishDue`).
public struct PublicationScheduler: Service {
    let publisher: ArticleWriteService
    let now: @Sendable () -> Date
    let interval: Duration
    let logger: Logger

    public init(site: Site, interval: Duration = .seconds(15), logger: Logger) {
        publisher = ArticleWriteService(database: site.database)
        now = site.now
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await repeatUntilShutdown(every: interval, logger: logger, failure: "the scheduler failed") {
            let published: [Int]
            do {
                published = try await publisher.publishDue(now: now())
                Instruments.jobRun("scheduler", failed: false)
                Instruments.jobItems("scheduler", published.count)
            } catch {
                Instruments.jobRun("scheduler", failed: true)
                throw error
            }
            if !published.isEmpty { logger.info("scheduled articles published", metadata: ["ids": "\(published)"]) }
        }
    }
}
