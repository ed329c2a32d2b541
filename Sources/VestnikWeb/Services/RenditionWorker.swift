import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif
import ServiceLifecycle
import VestnikStore

/// Makes the renditions of uploaded pictures in the background (`MediaRenditions`): it looks for waiting work once
/// an `interval` (a read; it writes only to claim a job it saw), and takes one job at a time through `HeavyWork`,
/// so pictures take turns with searches and previews and a thread stays free for cached pages. libvips itself runs
/// on a Dispatch thread, one thread per job. Every node runs one; the claim in the database gives each job to one.
/// Without libvips it says so once at start-up and does nothing: pages then serve the originals.
struct RenditionWorker: Service {
    let renditions: MediaRenditions
    var interval: Duration = .seconds(1)
    let now: @Sendable () -> Date
    let logger: Logger
    /// This process, in the claim (`MediaRenditions.nodeName`), so a job's row says which node holds it.
    let node = MediaRenditions.nodeName(String(UUID().uuidString.prefix(8)))

    func run() async throws {
        switch renditions.availability {
        case .missing(let why):
            logger.warning("picture renditions are off: libvips is not available (\(why)); pages serve the pictures as uploaded")
            // A service that returns stops the whole application: this one waits for the end like the others.
            try? await gracefulShutdown()
            return
        case .ready(let version, let avif):
            logger.info("picture renditions on: libvips \(version), WebP\(avif ? " and AVIF" : " (no AVIF encoder here)")")
        }
        // A restart resumes at once what this host's previous process was making.
        do {
            let released = try await renditions.releaseClaims(ofDeadProcessesOn: MediaRenditions.host, node: node) {
                kill($0, 0) == 0 || errno == EPERM
            }
            if released > 0 { logger.info("picture renditions: resuming \(released) job(s) a stopped process left") }
        } catch {
            logger.warning("picture renditions: \(error)")
        }
        while !Task.isShuttingDownGracefully {
            do {
                while !Task.isShuttingDownGracefully, try await renditions.hasWork(now: now()),
                    let item = try await renditions.claim(node: node, now: now())
                {
                    let state = try await HeavyWork.shared.run { try await renditions.process(item, node: node, now: now) }
                    Instruments.jobItems("renditions", 1)
                    logger.info("renditions of \(item.address.fileName): \(state.rawValue)")
                }
                Instruments.jobRun("renditions", failed: false)
            } catch {
                Instruments.jobRun("renditions", failed: true)
                logger.warning("picture renditions: \(error)")
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
        }
    }
}
