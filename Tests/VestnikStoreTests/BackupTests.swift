import Foundation
import Logging
import SQLKit
import Testing
import VestnikCore
import VestnikTestSupport
@testable import VestnikStore

/// `vestnik backup` and `vestnik restore`: a consistent copy taken while writes go on.
@Suite struct BackupTests {
    /// Every row that matters, as text: articles (with read counts), revisions, media rows.
    static func snapshot(_ database: Database) async throws -> [String] {
        try await database.read { db in
            let articles = try await db.raw("SELECT id, slug, title, body_html, status, reads FROM articles ORDER BY id").all().map {
                "a \(try $0.int("id")) \(try $0.string("slug")) \(try $0.string("title")) \(try $0.string("status")) \(try $0.int("reads")) \(try $0.string("body_html").count)"
            }
            let revisions = try await db.raw("SELECT article_id, number, snapshot FROM article_revisions ORDER BY article_id, number").all()
                .map {
                    "r \(try $0.int("article_id")) \(try $0.int("number")) \(try $0.string("snapshot").count)"
                }
            let media = try await db.raw("SELECT hash, alt FROM media ORDER BY hash").all().map {
                "m \(try $0.string("hash")) \(try $0.string("alt"))"
            }
            return articles + revisions + media
        }
    }

    @Test("a client tool that fails is reported with its exit status and what it wrote to standard error")
    func failingToolIsReported() throws {
        #expect(throws: Never.self) { try Backup.runTool("sh", ["-c", "echo done; exit 0"]) }
        do {
            try Backup.runTool("sh", ["-c", "echo ignored; echo 'no such database' >&2; exit 3"])
            Issue.record("a failing tool must throw")
        } catch let failure as Backup.Failure {
            #expect(failure.description == "sh failed (exit status 3): no such database\n")
        }
        #expect(throws: Backup.Failure.self) { try Backup.runTool("no-such-vestnik-tool", []) }
    }

    @Test("a SQLite backup taken during writes is consistent; one taken after them restores every row and file")
    func sqliteBackupAndRestore() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vestnik-backup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await TestDatabase.sqlite.with { database in
            let media = folder.appendingPathComponent("library")
            let writes = ArticleWriteService(database: database)
            for n in 1...20 { _ = try await writes.importArticle(input("Статия \(n)"), now: testNow, refreshRelated: false) }
            let bytes = Array("картинка".utf8)
            let item = mediaItem("картинка", alt: "Снимка")
            try MediaFiles(folder: media).store(bytes, at: item.address)
            _ = try await MediaRepository(database: database).add(item, uploadedBy: nil)
            try await ReadRepository(database: database).add([ReadIncrement(articleID: 1, hour: testNow, count: 7)])

            // Writes go on while the first backup is taken.
            let during = folder.appendingPathComponent("during")
            async let writing: Void = {
                for n in 21...80 { _ = try await writes.importArticle(input("Статия \(n)"), now: testNow, refreshRelated: false) }
            }()
            let report = try await Backup(database: database, mediaFolder: media).write(to: during)
            try await writing
            #expect(report.mediaFiles == 1 && report.missingMedia.isEmpty)
            let copy = try await Database.open(.sqlite(path: report.databaseFile), logger: Logger(label: "test"))
            let rows = try await Self.snapshot(copy)
            let check = try await copy.read { db in
                try await db.raw("PRAGMA integrity_check").first()?.decode(column: "integrity_check", as: String.self)
            }
            await copy.close()
            #expect(check == "ok")
            // A snapshot: every article it has comes with its revision, and it holds a prefix of the writes.
            let articleCount = rows.filter { $0.hasPrefix("a ") }.count
            #expect(articleCount >= 20 && articleCount <= 80 && rows.filter { $0.hasPrefix("r ") }.count == articleCount)

            // Taken when the writes are over, restored into a new file: every row and the file are there.
            let after = folder.appendingPathComponent("after")
            _ = try await Backup(database: database, mediaFolder: media).write(to: after)
            await #expect(throws: Backup.Failure.self) { try await Backup(database: database, mediaFolder: media).write(to: after) }
            let restoredPath = folder.appendingPathComponent("restored.sqlite").path
            let restoredMedia = folder.appendingPathComponent("restored-media")
            #expect(try Backup.restore(from: after, into: .sqlite(path: restoredPath), mediaFolder: restoredMedia) == 1)
            #expect(throws: Backup.Failure.self) {
                try Backup.restore(from: after, into: .sqlite(path: restoredPath), mediaFolder: restoredMedia)
            }
            let restored = try await Database.open(.sqlite(path: restoredPath), logger: Logger(label: "test"))
            let restoredRows = try await Self.snapshot(restored)
            await restored.close()
            #expect(try await restoredRows == Self.snapshot(database))
            #expect(restoredRows.contains { $0.hasPrefix("a 1 ") && $0.contains(" published 17 ") })
            #expect(FileManager.default.contents(atPath: restoredMedia.appendingPathComponent(item.address.fileName).path) == Data(bytes))
        }
    }

    @Test(
        "on PostgreSQL, pg_dump writes the database in one snapshot, beside the media", .enabled(if: TestDatabase.all.contains(.postgres)))
    func postgresDump() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vestnik-pgbackup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await TestDatabase.postgres.with { database in
            _ = try await ArticleWriteService(database: database).importArticle(input("Запазена статия"), now: testNow)
            let report = try await Backup(database: database, mediaFolder: folder.appendingPathComponent("none")).write(
                to: folder.appendingPathComponent("b"))
            let dump = try #require(FileManager.default.contents(atPath: report.databaseFile))
            // pg_dump's custom format starts with PGDMP and carries the rows (compressed or not, the table is named).
            #expect(dump.prefix(5) == Data("PGDMP".utf8) && dump.count > 1_000)
        }
    }
}
