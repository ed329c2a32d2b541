import Logging
import ServiceLifecycle
import VestnikStore

/// On SQLite, notices writes by other processes (`vestnik import`, `vestnik setting` while the server runs), which
/// cannot announce their changes to this process, and then drops every cached page here and in the shared caches.
/// It looks once a `interval`; on PostgreSQL it is not needed (changes travel by LISTEN/NOTIFY).
struct ExternalWriteWatcher: Service {
    let database: Database
    var interval: Duration = .seconds(1)
    let logger: Logger

    func run() async throws {
        var seen = try? await database.externalWriteVersion()
        while !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            do {
                let version = try await database.externalWriteVersion()
                if let version, let previous = seen, version != previous {
                    logger.info("another process wrote to the database; dropping every cached page")
                    await database.announce(.everythingAndSettings)
                }
                seen = version
            } catch {
                logger.warning("cannot check for writes by other processes: \(error)")
            }
        }
    }
}
