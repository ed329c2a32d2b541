import Foundation
import Logging
import ServiceLifecycle
import VestnikCore
import VestnikStore

/// Beside the HTTP server: runs a due rebuild of the search index (after migration 10, or when the index was built
/// by another analyser than this binary's), a batch at a time as heavy work, so readers keep being served; logs its
/// progress. Safe on many nodes (see `SearchRebuild`).
public struct SearchRebuilder: Service {
    let rebuild: SearchRebuild
    let logger: Logger

    public init(site: Site, logger: Logger) {
        rebuild = SearchRebuild(database: site.database)
        self.logger = logger
    }

    public func run() async throws {
        do {
            if try await rebuild.scheduleIfStale() {
                logger.notice("the search index was built with another analyser: rebuilding it")
            }
        } catch {
            logger.error("cannot read the search index's state", metadata: ["error": "\(error)"])
        }
        // It looks for due work (a rebuild another node or `vestnik search reindex` asked for) every minute; a round
        // that failed goes on where it stopped the next time.
        await repeatUntilShutdown(every: .seconds(60), logger: logger, failure: "the search index rebuild stopped") {
            do {
                try await rebuildWhileDue()
                Instruments.jobRun("search_rebuild", failed: false)
            } catch {
                Instruments.jobRun("search_rebuild", failed: true)
                throw error
            }
        }
    }

    private func rebuildWhileDue() async throws {
        var lastLogged = Date.distantPast
        while let progress = try await HeavyWork.shared.run({ try await rebuild.step() }) {
            if progress.finished || Date().timeIntervalSince(lastLogged) > 10 {
                logger.info("search index rebuild: \(progress.done) of \(progress.total) articles")
                lastLogged = Date()
            }
            if progress.finished { return }
            await Task.yield()
        }
    }
}
