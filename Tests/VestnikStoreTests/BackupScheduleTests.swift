import Foundation
import Testing
import VestnikCore
import VestnikTestSupport
@testable import VestnikStore

/// Scheduled backups: one round per interval, taken by one node when several look at once, the oldest removed
/// beyond `backup.keep`, nothing done while `backup.folder` is not set.
@Suite struct BackupScheduleTests {
    @Test("a backup every interval, one node per round, and only the newest kept", arguments: TestDatabase.all)
    func scheduledRounds(_ kind: TestDatabase) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vestnik-scheduled-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try await kind.with { database in
            _ = try await ArticleWriteService(database: database).importArticle(input("Архивирана статия"), now: testNow)
            let settings = SettingsRepository(database: database)
            let media = root.appendingPathComponent("library")
            let node = BackupSchedule(database: database, mediaFolder: media)
            let otherNode = BackupSchedule(database: database, mediaFolder: media)
            // Not configured: nothing happens.
            #expect(try await node.runIfDue(now: testNow) == nil)

            let backups = root.appendingPathComponent("backups")
            try await settings.set(BackupSchedule.folderKey, to: backups.path)
            try await settings.set(BackupSchedule.everyHoursKey, to: "1")
            try await settings.set(BackupSchedule.keepKey, to: "2")
            await #expect(throws: InvalidInput.self) { try await settings.set(BackupSchedule.keepKey, to: "0") }
            await #expect(throws: InvalidInput.self) { try await settings.set(BackupSchedule.folderKey, to: "relative/path") }

            // Two nodes look at the same moment: one takes the round.
            async let first = node.runIfDue(now: testNow)
            async let second = otherNode.runIfDue(now: testNow)
            let taken = [try await first, try await second].compactMap { $0 }
            #expect(taken.count == 1)
            // Not due again within the hour.
            #expect(try await node.runIfDue(now: testNow.addingTimeInterval(1800)) == nil)
            let later = try #require(try await node.runIfDue(now: testNow.addingTimeInterval(3600)))
            #expect(later.removed.isEmpty)
            let third = try #require(try await otherNode.runIfDue(now: testNow.addingTimeInterval(7300)))
            // Three taken, two kept: the first is gone.
            #expect(third.removed == [taken[0].folder.lastPathComponent])
            let left = try FileManager.default.contentsOfDirectory(atPath: backups.path).sorted()
            #expect(left == [later.folder.lastPathComponent, third.folder.lastPathComponent])
            let file = database.dialect == .sqlite ? Backup.sqliteName : Backup.postgresName
            for name in left {
                let size = try FileManager.default.attributesOfItem(
                    atPath: backups.appendingPathComponent(name).appendingPathComponent(file).path)[.size]
                #expect(((size as? NSNumber)?.intValue ?? 0) > 1_000)
            }
        }
    }
}
