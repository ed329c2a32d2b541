import Foundation
import Logging
import ServiceLifecycle
import VestnikCore
import VestnikStore

/// Copies the outside pictures article bodies show into the media library, in the background, when the operator
/// turned `media.copy_external` on (`BodyPictureCopies`): one address at a time per node, claimed in the database so
/// each is copied once, downloaded through `Outbound` with `policy` (its size cap the library's), and brought in
/// through `MediaIntake`. Once a copy is made, the pages that show the address are dropped from the caches; they then
/// show the copy. Without curl it says so once and copies nothing (the pictures stay at their addresses).
struct BodyPictureCopier: Service {
    let site: Site
    let policy: Outbound.Policy
    var interval: Duration = .seconds(2)
    let logger: Logger

    func run() async throws {
        let warned = Flag()
        await repeatUntilShutdown(every: interval, logger: logger, failure: "copies of outside pictures failed") {
            try await round(warned: warned)
        }
    }

    /// Copies what is waiting; returns how many addresses it handled.
    @discardableResult
    func round(warned: Flag = Flag()) async throws -> Int {
        let copies = BodyPictureCopies(database: site.database)
        guard try await copies.isOn() else { return 0 }
        guard Outbound.isAvailable else {
            if warned.set() { logger.warning("copies of outside pictures are on, but \(Outbound.curl) is missing: none is made") }
            return 0
        }
        var policy = self.policy
        policy.maxResponseBytes = site.mediaSettings.maxBytes
        let intake = MediaIntake(
            repository: site.media, files: site.mediaFiles, renditions: site.renditions, maxBytes: site.mediaSettings.maxBytes)
        var handled = 0
        while !Task.isShuttingDownGracefully, let picture = try await copies.claim(now: site.now()) {
            handled += 1
            switch await BodyPictureCopies.copy(picture, policy: policy, intake: intake, now: site.now()) {
            case .copied(let address):
                let ids = try await copies.finish(picture.url, copy: address)
                await site.database.announce(ContentChange(keys: Set(ids.flatMap { [CacheKey.articlePage($0), CacheKey.article($0)] })))
                logger.info("outside picture copied", metadata: ["url": "\(picture.url)", "copy": "\(address.fileName)"])
            case .retry(let reason):
                try await copies.fail(picture.url, reason: reason, retry: true, now: site.now())
                logger.info("outside picture not copied yet", metadata: ["url": "\(picture.url)", "reason": "\(reason)"])
            case .refused(let reason):
                try await copies.fail(picture.url, reason: reason, retry: false, now: site.now())
                logger.warning("outside picture not copied", metadata: ["url": "\(picture.url)", "reason": "\(reason)"])
            }
        }
        return handled
    }

    /// A one-time switch shared by the rounds (the missing-curl warning is said once).
    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var done = false
        /// True the first time.
        func set() -> Bool {
            lock.lock()
            defer { lock.unlock() }
            if done { return false }
            done = true
            return true
        }
    }
}
