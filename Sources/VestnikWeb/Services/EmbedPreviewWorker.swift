import Foundation
import Logging
import ServiceLifecycle
import VestnikCore
import VestnikStore

/// Looks embedded posts up in the background (`EmbedLookup`: oEmbed and the thumbnail, through `Outbound`), never on
/// a request's path: a page that shows a post without a finished look-up asks for one (`EmbedPreviewRepository.request`)
/// and shows the provider's name meanwhile; once the look-up ends, the pages that showed it are dropped from the caches
/// and show its title and thumbnail. Every node runs one; the claim in the database gives each look-up to one. Without
/// curl it says so once at start-up and does nothing.
struct EmbedPreviewWorker: Service {
    let previews: EmbedPreviewRepository
    let lookup: EmbedLookup
    let database: Database
    var interval: Duration = .seconds(2)
    let now: @Sendable () -> Date
    let logger: Logger

    func run() async throws {
        guard Outbound.isAvailable else {
            logger.warning("embed previews are off: \(Outbound.curl) is not installed; embeds show their provider's name only")
            try? await gracefulShutdown()
            return
        }
        while !Task.isShuttingDownGracefully {
            do {
                while !Task.isShuttingDownGracefully, try await previews.hasWork(now: now()) {
                    guard try await lookUpOne() else { break }
                }
            } catch {
                logger.warning("embed previews: \(error)")
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
        }
    }

    /// Claims one due look-up and does it; false when none was due.
    @discardableResult
    func lookUpOne() async throws -> Bool {
        guard let (embed, tries) = try await previews.claim(now: now()) else { return false }
        let pages: [Int]
        do {
            let preview = try await lookup.preview(of: embed)
            pages = try await previews.store(preview, of: embed)
            logger.info("embed preview of \(embed.postURL): \(preview.thumbnail == nil ? "no thumbnail" : "with a thumbnail")")
        } catch {
            pages = try await previews.failed(embed, tries: tries, problem: "\(error)", now: now())
            logger.info("embed preview of \(embed.postURL) failed (try \(tries + 1)): \(error)")
        }
        if !pages.isEmpty { await database.announce(ContentChange(keys: Set(pages.map(CacheKey.articlePage)))) }
        return true
    }
}
