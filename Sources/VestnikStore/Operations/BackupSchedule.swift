import Foundation
import SQLKit

/// Scheduled backups (the `backup.folder`, `backup.every_hours` and `backup.keep` settings): every so many hours one
/// node (whichever claims the round first: the claim is a row written under a lock, so two nodes never both take it)
/// writes a `Backup` into a new folder `vestnik-YYYYMMDD-HHMMSS` inside `backup.folder`, then removes the oldest such
/// folders beyond `backup.keep`. A backup that fails leaves its folder out of the count and is tried again the next
/// round.
public struct BackupSchedule: Sendable {
    public static let folderKey = "backup.folder"
    public static let everyHoursKey = "backup.every_hours"
    public static let keepKey = "backup.keep"
    /// When the last round was claimed (Unix seconds); written by the schedule itself.
    static let lastStartedKey = "backup.last_started"
    static let prefix = "vestnik-"

    let database: Database
    let mediaFolder: URL

    public init(database: Database, mediaFolder: URL) {
        self.database = database
        self.mediaFolder = mediaFolder
    }

    /// What a round did.
    public struct Round: Sendable, Equatable {
        public var folder: URL
        public var removed: [String]
    }

    /// Takes a backup when one is due at `now` and this node claims the round; nil when none is configured or due.
    public func runIfDue(now: Date) async throws -> Round? {
        let settings = SettingsRepository(database: database)
        guard let path = try await settings.value(Self.folderKey), !path.isEmpty else { return nil }
        let hours = Double(try await settings.value(Self.everyHoursKey) ?? "") ?? 24
        let keep = max(1, Int(try await settings.value(Self.keepKey) ?? "") ?? 7)
        guard try await claim(now: now, every: hours * 3600) else { return nil }
        let root = URL(fileURLWithPath: path)
        let folder = root.appendingPathComponent(Self.prefix + Self.stamp(now))
        do {
            _ = try await Backup(database: database, mediaFolder: mediaFolder).write(to: folder)
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
        return Round(folder: folder, removed: try prune(root, keep: keep))
    }

    /// Marks the round at `now` as this node's when the last one began `interval` seconds ago or more.
    private func claim(now: Date, every interval: TimeInterval) async throws -> Bool {
        let dialect = database.dialect
        return try await database.write { db in
            try await Database.serialize(LockKeys.backups, dialect: dialect, in: db)
            let last = try await db.raw("SELECT value FROM settings WHERE key = \(bind: Self.lastStartedKey)").first()?.string("value")
            if let last, let seconds = Double(last), now.timeIntervalSince1970 - seconds < interval { return false }
            let value = String(Int(now.timeIntervalSince1970))
            try await db.raw(
                """
                INSERT INTO settings (key, value) VALUES (\(bind: Self.lastStartedKey), \(bind: value))
                ON CONFLICT (key) DO UPDATE SET value = \(bind: value)
                """
            ).run()
            return true
        }
    }

    /// Removes the oldest backup folders beyond `keep`; returns their names.
    private func prune(_ root: URL, keep: Int) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: root.path)
            .filter { $0.hasPrefix(Self.prefix) && $0.count == Self.prefix.count + 15 }.sorted()
        let old = Array(names.dropLast(keep))
        for name in old { try FileManager.default.removeItem(at: root.appendingPathComponent(name)) }
        return old
    }

    /// `YYYYMMDD-HHMMSS` in UTC: sorts by time.
    static func stamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ n: Int?) -> String { String(format: "%02d", n ?? 0) }
        return "\(c.year ?? 0)\(two(c.month))\(two(c.day))-\(two(c.hour))\(two(c.minute))\(two(c.second))"
    }
}
