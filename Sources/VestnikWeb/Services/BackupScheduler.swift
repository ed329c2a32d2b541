import Foundation
import Logging
import ServiceLifecycle
import VestnikStore

/// Takes the scheduled backups (`BackupSchedule`): looks every minute whether one is due; on many nodes one takes
/// each round.
struct BackupScheduler: Service {
    let schedule: BackupSchedule
    let now: @Sendable () -> Date
    var interval: Duration = .seconds(60)
    let logger: Logger

    init(site: Site, logger: Logger) {
        schedule = BackupSchedule(database: site.database, mediaFolder: site.mediaFiles.folder)
        now = site.now
        self.logger = logger
    }

    func run() async throws {
        await repeatUntilShutdown(every: interval, logger: logger, failure: "the scheduled backup failed") {
            do {
                if let round = try await HeavyWork.shared.run({ try await schedule.runIfDue(now: now()) }) {
                    Instruments.jobItems("backup", 1)
                    logger.info(
                        "scheduled backup written", metadata: ["folder": "\(round.folder.path)", "removed": "\(round.removed)"])
                }
                Instruments.jobRun("backup", failed: false)
            } catch {
                Instruments.jobRun("backup", failed: true)
                throw error
            }
        }
    }
}
