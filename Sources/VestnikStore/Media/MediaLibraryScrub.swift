import Foundation
import VestnikCore

/// `vestnik media scrub`: takes location and camera metadata out of the pictures stored before uploads were
/// scrubbed (`ImageScrubber`). A rewritten file has a new content address; its row, the articles and revisions that
/// name it and author portraits move to it, the old address answers 301, and the old file (which held the metadata)
/// is deleted. A clean file is left as it is, so a second run changes nothing.
public struct MediaLibraryScrub: Sendable {
    let database: Database
    let files: MediaFiles

    public init(database: Database, files: MediaFiles) {
        self.database = database
        self.files = files
    }

    /// One rewritten picture.
    public struct Change: Sendable, Equatable {
        public var old: MediaAddress
        public var new: MediaAddress
        public var removed: Set<MetadataKind>
        public var bytesBefore: Int
        public var bytesAfter: Int
        /// The articles that named the old address (featured picture, body or a revision).
        public var articles: [Int]
    }

    public struct Report: Sendable, Equatable {
        public var changed: [Change] = []
        public var clean = 0
        /// Rows whose file is not in the folder.
        public var missing: [MediaAddress] = []
        /// Files the scrubber refuses (cut short or malformed): left as they are, to be replaced by hand.
        public var damaged: [MediaAddress] = []
    }

    /// With `dryRun`, only says what it would do.
    public func run(dryRun: Bool, now: Date) async throws -> Report {
        let repository = MediaRepository(database: database)
        var report = Report()
        for old in try await repository.allAddresses() {
            guard let data = files.read(old) else {
                report.missing.append(old)
                continue
            }
            let bytes = [UInt8](data)
            guard case .success(let scrubbed) = ImageScrubber.scrub(bytes, format: old.format),
                case .success(let info) = ImageFile.inspect(scrubbed.bytes)
            else {
                report.damaged.append(old)
                continue
            }
            if scrubbed.removed.isEmpty {
                report.clean += 1
                continue
            }
            let new = MediaAddress(bytes: scrubbed.bytes, format: old.format)
            let articles = try await repository.articles(naming: old.hash)
            report.changed.append(
                Change(
                    old: old, new: new, removed: scrubbed.removed, bytesBefore: bytes.count, bytesAfter: scrubbed.bytes.count,
                    articles: articles))
            if dryRun { continue }
            // The new file first, so no row ever names a missing one; the old file last, once nothing names it.
            try files.store(scrubbed.bytes, at: new)
            let shown = scrubbed.displayed(width: info.width, height: info.height)
            try await repository.move(
                old, to: new, width: shown.width, height: shown.height, bytes: scrubbed.bytes.count, removed: scrubbed.removed, now: now)
            try files.remove(old)
            // The old renditions went with the old row; the new file gets its own.
            try await MediaRenditions(database: database, files: files).enqueue(new.hash, now: now)
        }
        // Pages, lists, feeds and Open Graph tags print picture addresses: every cache drops what it holds.
        if !dryRun, !report.changed.isEmpty { await database.announce(.everything) }
        return report
    }
}
