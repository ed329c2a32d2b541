import Foundation
import SQLKit
import VestnikCore

/// One file made from a library picture (`RenditionSpec`), stored like the originals under its own content address.
public struct Rendition: Sendable, Equatable {
    /// nil for the whole picture.
    public var crop: CropRatio?
    public var width: Int
    public var height: Int
    public var address: MediaAddress
    public var bytes: Int

    public init(crop: CropRatio?, width: Int, height: Int, address: MediaAddress, bytes: Int) {
        self.crop = crop
        self.width = width
        self.height = height
        self.address = address
        self.bytes = bytes
    }

    public var format: ImageFormat { address.format }
}

extension [Rendition] {
    /// The crops shared with Open Graph and JSON-LD, 16×9 first: the widest of each shape (the cards' small crops
    /// of `RenditionPlan.cardRatio` are narrower).
    public var shareCrops: [Rendition] {
        CropRatio.allCases.compactMap { ratio in filter { $0.crop == ratio }.max { $0.width < $1.width } }
    }

    /// What a card draws: every crop of the cards' shape, the shared one included, smallest first.
    public var cardCrops: [Rendition] {
        filter { $0.crop == RenditionPlan.cardRatio }.sorted { $0.width < $1.width }
    }
}

/// Where the making of a picture's renditions stands.
public struct RenditionJob: Sendable, Equatable {
    public enum State: String, Sendable {
        /// Waiting for a node; `working`: one has claimed it (until its lease runs out); `done`; `skipped`: nothing
        /// to make (an animation, which a rendition would stop); `failed`: libvips refused the file (`error` says why).
        case pending, working, done, skipped, failed
    }

    public var state: State
    public var attempts: Int
    /// Why it failed (libvips' words) or was skipped (`skippedGIF`, `skippedAnimation`); empty otherwise.
    public var error: String

    /// A GIF is served as uploaded (a rendition would stop its animation); so is any other animation.
    public static let skippedGIF = "gif"
    public static let skippedAnimation = "animated"

    /// Whether libvips' words say the file itself is broken (cut short, corrupt), rather than the server.
    public var fileIsDamaged: Bool {
        ["premature end", "corrupt", "truncated", "crc error", "not a known file format", "invalid", "bad "].contains {
            error.lowercased().contains($0)
        }
    }
}

/// The media library's renditions (`media_renditions`) and the durable queue of work that makes them (`media_jobs`).
/// An upload queues its picture; a worker on any node claims it in the database (only one node gets it), makes the
/// files with libvips (`RenditionMaker`) off the server's threads and records them. A node that dies mid-job leaves
/// its claim to run out (`lease`); the next claim takes the job again, up to `maxAttempts` times in all.
public struct MediaRenditions: Sendable {
    let database: Database
    let files: MediaFiles
    /// How long a claim holds: longer than any one picture takes.
    public var lease: TimeInterval
    public static let maxAttempts = 3
    /// Whether libvips is here (`Vips.availability`); tests set it to `.missing` to see the site without it.
    public var availability: Vips.Availability

    public init(database: Database, files: MediaFiles, lease: TimeInterval = 300, availability: Vips.Availability = Vips.availability) {
        self.database = database
        self.files = files
        self.lease = lease
        self.availability = availability
    }

    // MARK: The queue

    /// Queues `hash` (again, if it was done: its focal point moved, or a run of `vestnik media renditions`).
    public func enqueue(_ hash: String, now: Date) async throws {
        try await database.write { db in try await Self.enqueue(hash, now: now, in: db) }
    }

    /// The same inside a transaction of the caller's (a focal point moved).
    static func enqueue(_ hash: String, now: Date, in db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO media_jobs (media_hash, state, queued_at) VALUES (\(bind: hash), 'pending', \(bind: now.unixSeconds))
            ON CONFLICT (media_hash) DO UPDATE SET state = 'pending', attempts = 0, error = '', claimed_by = NULL,
                lease_until = NULL, queued_at = EXCLUDED.queued_at, finished_at = NULL
            """
        ).run()
    }

    /// Queues every picture that has no job yet (a library from before renditions) or whose renditions were made
    /// before the cards' small crops (`RenditionPlan.cardWidths`: it lacks the smallest though it is wide enough), and
    /// with `retry` those whose job failed too. Returns how many it queued.
    public func enqueueMissing(retry: Bool, now: Date) async throws -> Int {
        let ratio = RenditionPlan.cardRatio
        let smallest = RenditionPlan.cardWidths[0]
        return try await database.write { db in
            var queued = try await db.raw(
                """
                INSERT INTO media_jobs (media_hash, state, queued_at)
                SELECT hash, 'pending', \(bind: now.unixSeconds) FROM media WHERE hash NOT IN (SELECT media_hash FROM media_jobs)
                RETURNING media_hash
                """
            ).all().count
            // The width of the picture's largest rectangle of the cards' shape (`RenditionPlan.crop`) is above it.
            queued += try await db.raw(
                """
                UPDATE media_jobs SET state = 'pending', attempts = 0, error = '', queued_at = \(bind: now.unixSeconds)
                WHERE state = 'done' AND media_hash IN (
                    SELECT m.hash FROM media m
                    WHERE (CASE WHEN m.width * \(literal: ratio.height) <= m.height * \(literal: ratio.width) THEN m.width
                               ELSE m.height * \(literal: ratio.width) / \(literal: ratio.height) END) > \(literal: smallest)
                        AND NOT EXISTS (SELECT 1 FROM media_renditions r WHERE r.media_hash = m.hash
                            AND r.crop = \(bind: ratio.rawValue) AND r.width = \(literal: smallest)))
                RETURNING media_hash
                """
            ).all().count
            if retry {
                queued += try await db.raw(
                    """
                    UPDATE media_jobs SET state = 'pending', attempts = 0, error = '', queued_at = \(bind: now.unixSeconds)
                    WHERE state = 'failed' RETURNING media_hash
                    """
                ).all().count
            }
            return queued
        }
    }

    /// This machine's name as claims carry it (its dashes made underscores, so a claim splits on `-`).
    public static let host = ProcessInfo.processInfo.hostName.replacingOccurrences(of: "-", with: "_")

    /// A claim's name for this process: `host-pid-tag`.
    public static func nodeName(_ tag: String) -> String { "\(host)-\(ProcessInfo.processInfo.processIdentifier)-\(tag)" }

    /// Puts back the jobs that processes of this host held and that are gone (a restart, a crash): claims are
    /// `host-pid-random`, and a claim whose process is dead, or is this process's pid under another name (a
    /// container restarted as the same pid), need not wait for its lease. Returns how many it put back; their
    /// attempts still count, so a picture that kills the process fails after `maxAttempts`.
    @discardableResult
    public func releaseClaims(ofDeadProcessesOn host: String, node: String, isAlive: (Int32) -> Bool) async throws -> Int {
        let prefix = host + "-"
        let held = try await database.read { db in
            try await db.raw("SELECT media_hash, claimed_by FROM media_jobs WHERE state = 'working'").all().map {
                (try $0.string("media_hash"), try $0.decode(column: "claimed_by", as: String?.self) ?? "")
            }
        }
        let own = ProcessInfo.processInfo.processIdentifier
        let dead = held.filter { _, claim in
            guard claim != node, claim.hasPrefix(prefix) else { return false }
            let rest = claim.dropFirst(prefix.count)
            guard let pid = rest.split(separator: "-").first.flatMap({ Int32($0) }) else { return false }
            return pid == own || !isAlive(pid)
        }
        for (hash, claim) in dead {
            try await database.write { db in
                try await db.raw(
                    """
                    UPDATE media_jobs SET state = 'pending', claimed_by = NULL, lease_until = NULL
                    WHERE media_hash = \(bind: hash) AND state = 'working' AND claimed_by = \(bind: claim)
                    """
                ).run()
            }
        }
        return dead.count
    }

    /// Whether any job waits for a node (a read, so looking often writes nothing).
    public func hasWork(now: Date) async throws -> Bool {
        try await database.read { db in
            try await db.raw(
                """
                SELECT 1 AS waiting FROM media_jobs
                WHERE state = 'pending' OR (state = 'working' AND lease_until < \(bind: now.unixSeconds)) LIMIT 1
                """
            ).first() != nil
        }
    }

    /// Claims the oldest job no node holds (pending, or claimed by a node whose lease ran out) for `node`, and returns
    /// its picture; nil when there is none. Two nodes asking at once never get the same job: the update checks the
    /// job's state again on the row it locks. A job whose lease ran out `maxAttempts` times fails instead.
    public func claim(node: String, now: Date) async throws -> MediaItem? {
        let time = now.unixSeconds
        let hash = try await database.write { db -> String? in
            try await db.raw(
                """
                UPDATE media_jobs SET state = 'failed', error = \(bind: Self.gaveUp), finished_at = \(bind: time)
                WHERE state = 'working' AND lease_until < \(bind: time) AND attempts >= \(bind: Self.maxAttempts)
                """
            ).run()
            return try await db.raw(
                """
                UPDATE media_jobs SET state = 'working', claimed_by = \(bind: node), attempts = attempts + 1,
                    lease_until = \(bind: time + Int(lease))
                WHERE media_hash = (
                    SELECT media_hash FROM media_jobs WHERE state = 'pending' OR (state = 'working' AND lease_until < \(bind: time))
                    ORDER BY queued_at, media_hash LIMIT 1)
                AND (state = 'pending' OR (state = 'working' AND lease_until < \(bind: time)))
                RETURNING media_hash
                """
            ).first().map { try $0.string("media_hash") }
        }
        guard let hash else { return nil }
        return try await MediaRepository(database: database).item(hash: hash)
    }

    /// What a job left behind when its node stopped answering.
    static let gaveUp = "the work stopped \(maxAttempts) times without finishing (the process died or was stopped on this picture)"

    /// Makes `item`'s renditions (on a thread of its own: libvips blocks it) and records them, or records why not.
    /// Only the node that holds the claim records anything.
    @discardableResult
    public func process(_ item: MediaItem, node: String, now: @Sendable () -> Date) async throws -> RenditionJob.State {
        let files = self.files
        let avif = if case .ready(_, let avif) = availability { avif } else { false }
        // Without a point set by an editor, the crops follow what libvips' attention finder sees (and the point is
        // stored, so the picture's page shows it); if it finds nothing, the centre.
        let made = await Self.offThread {
            Result { () throws -> (RenditionMaker.Outcome, FocalPoint?) in
                var item = item
                var found: FocalPoint?
                if !item.focusSet, item.address.format != .gif, let point = try? Vips.attention(of: files.url(of: item.address)) {
                    item.focus = point
                    found = point
                }
                return (try RenditionMaker(files: files).make(item, avif: avif), found)
            }
        }
        let (state, error, renditions): (RenditionJob.State, String, [Rendition]) =
            switch made {
            case .success((.made(let list), _)): (.done, "", list)
            case .success((.skipped(let reason), _)): (.skipped, reason, [])
            case .failure(let failure): (.failed, String(describing: failure), [])
            }
        let found: FocalPoint? = if case .success((.made, let point?)) = made { point } else { nil }
        let finished = now().unixSeconds
        let (change, stale) = try await database.write { db -> (ContentChange?, [MediaAddress]) in
            let held =
                try await db.raw(
                    """
                    UPDATE media_jobs SET state = \(bind: state.rawValue), error = \(bind: error), finished_at = \(bind: finished),
                        lease_until = NULL
                    WHERE media_hash = \(bind: item.address.hash) AND state = 'working' AND claimed_by = \(bind: node)
                    RETURNING media_hash
                    """
                ).first() != nil
            guard held else { return (nil, []) }  // another node took it over meanwhile: its record stands
            let before = try await db.raw(
                "SELECT file_hash, format FROM media_renditions WHERE media_hash = \(bind: item.address.hash)"
            ).all().compactMap { row -> MediaAddress? in
                guard let format = ImageFormat(rawValue: try row.string("format")) else { return nil }
                let hash = try row.string("file_hash")
                return MediaAddress.isHash(hash) ? MediaAddress(hash: hash, format: format) : nil
            }
            try await db.raw("DELETE FROM media_renditions WHERE media_hash = \(bind: item.address.hash)").run()
            for r in renditions {
                try await db.raw(
                    """
                    INSERT INTO media_renditions (media_hash, crop, format, width, height, file_hash, bytes)
                    VALUES (\(bind: item.address.hash), \(bind: r.crop?.rawValue ?? ""), \(bind: r.format.rawValue),
                        \(bind: r.width), \(bind: r.height), \(bind: r.address.hash), \(bind: r.bytes))
                    """
                ).run()
            }
            if let found {
                try await db.raw(
                    """
                    UPDATE media SET focus_x = \(bind: Int((found.x * 10_000).rounded())), focus_y = \(bind: Int((found.y * 10_000).rounded()))
                    WHERE hash = \(bind: item.address.hash) AND focus_set = 0
                    """
                ).run()
            }
            // The files it no longer has (crops around an old focal point) go, unless something else is the same bytes.
            let kept = Set(renditions.map(\.address))
            var stale: [MediaAddress] = []
            for old in Set(before).subtracting(kept) {
                let used = try await db.raw(
                    """
                    SELECT 1 AS used FROM media_renditions WHERE file_hash = \(bind: old.hash)
                    UNION ALL SELECT 1 AS used FROM media WHERE hash = \(bind: old.hash)
                    """
                ).first()
                if used == nil { stale.append(old) }
            }
            // Pages that show the picture (leading the article, on its share card, or in its body) can now offer the
            // renditions.
            let ids = try await db.raw(
                """
                SELECT id FROM articles
                WHERE (featured_media = \(bind: item.address.hash) OR social_media = \(bind: item.address.hash)
                    OR body_html LIKE \(bind: "%" + item.address.hash + "%"))
                    AND status = \(bind: ArticleStatus.published.rawValue)
                """
            ).all().map { try $0.int("id") }
            return (ContentChange(keys: Set(ids.flatMap { [CacheKey.articlePage($0), CacheKey.article($0)] })), stale)
        }
        if let change, !change.isEmpty { await database.announce(change) }
        for old in stale { try? files.remove(old) }
        return state
    }

    /// Runs `body` on a Dispatch thread, so a long encode holds none of the server's or Swift's cooperative threads.
    static func offThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .utility).async { continuation.resume(returning: body()) }
        }
    }

    // MARK: Reading

    public func job(_ hash: String) async throws -> RenditionJob? {
        try await database.read { db in
            try await db.raw("SELECT state, attempts, error FROM media_jobs WHERE media_hash = \(bind: hash)").first().map { row in
                RenditionJob(
                    state: RenditionJob.State(rawValue: try row.string("state")) ?? .pending, attempts: try row.int("attempts"),
                    error: try row.string("error"))
            }
        }
    }

    /// The renditions of each picture, smallest first.
    public func renditions(of hashes: [String]) async throws -> [String: [Rendition]] {
        let wanted = Array(Set(hashes.filter(MediaAddress.isHash)))
        if wanted.isEmpty { return [:] }
        let binds: [any Encodable & Sendable] = wanted
        let rows = try await database.read { db in
            try await db.raw(
                """
                SELECT media_hash, crop, format, width, height, file_hash, bytes FROM media_renditions
                WHERE media_hash IN (\(binds: binds))
                ORDER BY media_hash, crop, format, width
                """
            ).all().compactMap { row -> (String, Rendition)? in
                guard let format = ImageFormat(rawValue: try row.string("format")), MediaAddress.isHash(try row.string("file_hash"))
                else { return nil }
                let crop = try row.string("crop")
                return (
                    try row.string("media_hash"),
                    Rendition(
                        crop: crop.isEmpty ? nil : CropRatio(rawValue: crop), width: try row.int("width"),
                        height: try row.int("height"), address: MediaAddress(hash: try row.string("file_hash"), format: format),
                        bytes: try row.int("bytes"))
                )
            }
        }
        return Dictionary(grouping: rows, by: \.0).mapValues { $0.map(\.1) }
    }

    public func renditions(of hash: String) async throws -> [Rendition] {
        try await renditions(of: [hash])[hash] ?? []
    }

    /// Whether `address` is a rendition's file (what the public `/media/` route may serve besides originals).
    public func isRendition(_ address: MediaAddress) async throws -> Bool {
        try await database.read { db in
            try await db.raw(
                """
                SELECT 1 AS found FROM media_renditions WHERE file_hash = \(bind: address.hash) AND format = \(bind: address.format.rawValue)
                LIMIT 1
                """
            ).first() != nil
        }
    }
}
