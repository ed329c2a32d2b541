import Foundation
import SQLKit
import SQLiteKit
import Testing
@testable import VestnikStore
import VestnikTestSupport

/// SQLite's reader connections keep statements prepared and run them on the calling thread; what they return must
/// be what the statement says, whatever ran on the connection before.
@Suite struct SQLiteReaderTests {
    struct Row: Decodable, Equatable {
        var id: Int
        var name: String
        var share: Double? = nil
        var note: String? = nil
    }

    /// Binds are encoded as sqlite-kit encodes them, texts and integers taken directly included.
    @Test func bindsAreEncodedAsSQLiteKitEncodesThem() throws {
        let encoder = SQLiteDataEncoder()
        let none: String? = nil
        let values: [any Encodable & Sendable] = [
            "Първа", "", 42, -7, Int.max, Int64(9), Int32(-3), 2.5, true, Optional("бележка"), none, Date(timeIntervalSince1970: 86_400),
            ["a", "b"],
        ]
        for value in values {
            #expect(try SQLiteReadDatabase.encode(value) == encoder.encode(value), "\(value)")
        }
    }

    @Test func aKeptStatementAnswersEachCallWithItsOwnBinds() async throws {
        try await TestDatabase.sqlite.with { database in
            try await database.write { db in
                try await db.raw("CREATE TABLE reader_check (id INTEGER PRIMARY KEY, name TEXT NOT NULL, share REAL, note TEXT)").run()
                try await db.raw("INSERT INTO reader_check VALUES (1, 'Първа', 0.5, NULL), (2, 'Втора', NULL, 'бележка'), (3, '', 2, '')")
                    .run()
            }
            for _ in 0..<3 {
                for id in [2, 1, 3, 4] {
                    let rows = try await database.read { db in
                        try await db.raw("SELECT id, name, share, note FROM reader_check WHERE id = \(bind: id)").all(decoding: Row.self)
                    }
                    let expected: [Row] =
                        switch id {
                        case 1: [Row(id: 1, name: "Първа", share: 0.5, note: nil)]
                        case 2: [Row(id: 2, name: "Втора", share: nil, note: "бележка")]
                        case 3: [Row(id: 3, name: "", share: 2, note: "")]
                        default: []
                        }
                    #expect(rows == expected)
                }
            }
            // A statement that stopped after its first row (`first()` reads one) leaves nothing behind for the next call.
            let first = try await database.read { db in
                try await db.raw("SELECT id, name, share, note FROM reader_check ORDER BY id").first(decoding: Row.self)
            }
            #expect(first?.id == 1)
            let all = try await database.read { db in
                try await db.raw("SELECT id, name, share, note FROM reader_check ORDER BY id").all(decoding: Row.self)
            }
            #expect(all.map(\.id) == [1, 2, 3])
        }
    }

    /// Columns are found by name through a table of their own (`SQLiteReadRow.Columns`): every name must find its own
    /// column, names alike in length and first, middle and last byte included; a name given twice finds the first.
    @Test func everyColumnIsFoundByItsName() async throws {
        try await TestDatabase.sqlite.with { database in
            var names = ["id", "slug", "title", "section_slug", "section_name", "section_description", "topic_slug", "заглавие", ""]
            names += ["aXmYb", "aYmXb", "aZmZb", "a_m_b"]  // same length, first, middle and last byte
            names += (0..<40).map { "column_\($0)" }
            let select = names.enumerated().map { "\($0.offset) AS \"\($0.element)\"" }.joined(separator: ", ")
            let row = try await database.read { db in
                try await db.raw("SELECT \(unsafeRaw: select), 99 AS \"id\"").first()
            }
            let found = try #require(row)
            for (position, name) in names.enumerated() {
                #expect(try found.decode(column: name, as: Int.self) == position, "column \(name)")
                #expect(found.contains(column: name))
            }
            for missing in ["Id", "ID ", "aXmXb", "column_40", "заглави", "section"] {
                #expect(!found.contains(column: missing))
                #expect(try found.decodeNil(column: missing))
                #expect(throws: DecodingError.self) { try found.decode(column: missing, as: Int.self) }
            }
        }
    }

    @Test func moreDistinctStatementsThanAreKeptStillRun() async throws {
        try await TestDatabase.sqlite.with { database in
            let answers = try await database.read { db in
                var answers: [Int] = []
                for number in 0..<300 {
                    let row = try await db.raw("SELECT \(unsafeRaw: String(number)) + \(bind: 1) AS n").first()
                    answers.append(try row?.decode(column: "n", as: Int.self) ?? -1)
                }
                return answers
            }
            #expect(answers == Array(1...300))
        }
    }

    @Test func aSchemaChangeIsSeenByAKeptStatement() async throws {
        try await TestDatabase.sqlite.with { database in
            try await database.write { db in try await db.raw("CREATE TABLE reader_schema (a INTEGER)").run() }
            try await database.write { db in try await db.raw("INSERT INTO reader_schema VALUES (1)").run() }
            let before = try await database.read { db in try await db.raw("SELECT * FROM reader_schema").all() }
            #expect(before.first?.allColumns == ["a"])
            try await database.write { db in try await db.raw("ALTER TABLE reader_schema ADD COLUMN b TEXT DEFAULT 'x'").run() }
            let after = try await database.read { db in try await db.raw("SELECT * FROM reader_schema").all() }
            #expect(after.first?.allColumns == ["a", "b"])
            #expect(try after.first?.decode(column: "b", as: String.self) == "x")
        }
    }

    @Test func aWriteSentToAReaderIsRefusedAndChangesNothing() async throws {
        try await TestDatabase.sqlite.with { database in
            try await database.write { db in
                try await db.raw("CREATE TABLE reader_guard (a INTEGER)").run()
                try await db.raw("INSERT INTO reader_guard VALUES (1)").run()
            }
            await #expect(throws: (any Error).self) {
                try await database.read { db in try await db.raw("UPDATE reader_guard SET a = 2").run() }
            }
            let value = try await database.read { db in
                try await db.raw("SELECT a FROM reader_guard").first()?.decode(column: "a", as: Int.self)
            }
            #expect(value == 1)
            // A bad statement is an error, and the connection goes on working.
            await #expect(throws: (any Error).self) {
                try await database.read { db in try await db.raw("SELECT no_such_column FROM reader_guard").all() }
            }
            #expect(try await database.read { db in try await db.raw("SELECT a FROM reader_guard").all() }.count == 1)
        }
    }

    @Test func aReadSeesOneSnapshotAndTheNextReadSeesWhatWasWrittenMeanwhile() async throws {
        try await TestDatabase.sqlite.with { database in
            try await database.write { db in
                try await db.raw("CREATE TABLE reader_snapshot (a INTEGER)").run()
                try await db.raw("INSERT INTO reader_snapshot VALUES (1)").run()
            }
            let value: @Sendable (any SQLDatabase) async throws -> Int? = { db in
                try await db.raw("SELECT a FROM reader_snapshot").first()?.decode(column: "a", as: Int.self)
            }
            let (before, during) = try await database.read { db in
                let before = try await value(db)
                try await database.write { db in try await db.raw("UPDATE reader_snapshot SET a = 2").run() }
                return (before, try await value(db))
            }
            #expect(before == 1 && during == 1)
            #expect(try await database.read(value) == 2)
            // A read that failed half way ends its transaction too: the next one on any reader sees the next write.
            for _ in 0..<8 {
                await #expect(throws: (any Error).self) {
                    try await database.read { db in
                        _ = try await value(db)
                        try await db.raw("SELECT no_such_column FROM reader_snapshot").run()
                    }
                }
            }
            try await database.write { db in try await db.raw("UPDATE reader_snapshot SET a = 3").run() }
            for _ in 0..<8 { #expect(try await database.read(value) == 3) }
            #expect(try await database.readAside(value) == 3)
        }
    }

    @Test func readsAsideAnswerAsReadsDo() async throws {
        try await TestDatabase.sqlite.with { database in
            try await database.write { db in
                try await db.raw("CREATE TABLE reader_aside (id INTEGER PRIMARY KEY, name TEXT NOT NULL)").run()
                try await db.raw("INSERT INTO reader_aside VALUES (1, 'Едно'), (2, 'Две')").run()
            }
            let query: SQLQueryString = "SELECT id, name FROM reader_aside WHERE id >= \(bind: 1) ORDER BY id"
            let inline = try await database.read { db in try await db.raw(query).all(decoding: Row.self) }
            let aside = try await database.readAside { db in try await db.raw(query).all(decoding: Row.self) }
            #expect(!inline.isEmpty && aside == inline)
            await #expect(throws: (any Error).self) {
                try await database.readAside { db in try await db.raw("SELECT nothing FROM reader_aside").all() }
            }
        }
    }

    /// The quick conversions of the common column types answer what sqlite-kit's decoder answers, errors included.
    @Test func columnsDecodeAsSQLiteKitDecodesThem() async throws {
        try await TestDatabase.sqlite.with { database in
            let row = try #require(
                try await database.read { db in
                    try await db.raw("SELECT 42 AS n, 'текст' AS t, NULL AS z, 2.5 AS f, '17' AS s").first()
                })
            #expect(try row.decode(column: "n", as: Int.self) == 42)
            #expect(try row.decode(column: "n", as: String.self) == "42")
            #expect(try row.decode(column: "t", as: String.self) == "текст")
            #expect(try row.decode(column: "f", as: String.self) == "2.5")
            #expect(try row.decode(column: "z", as: Int?.self) == nil)
            #expect(try row.decode(column: "n", as: Int?.self) == 42)
            #expect(try row.decode(column: "f", as: Double.self) == 2.5)
            #expect(throws: (any Error).self) { try row.decode(column: "s", as: Int.self) }
            #expect(throws: (any Error).self) { try row.decode(column: "f", as: Int.self) }
            #expect(throws: (any Error).self) { try row.decode(column: "z", as: String.self) }
            #expect(throws: (any Error).self) { try row.decode(column: "t", as: Int?.self) }
        }
    }

    /// Text longer than `SQLiteReadConnection.longText` stays SQLite's bytes until decoded: as a string it is what it
    /// was (repaired, if it is not UTF-8), and `utf8` hands the bytes over as stored.
    @Test func longTextIsKeptAsItsBytes() async throws {
        try await TestDatabase.sqlite.with { database in
            let long = String(repeating: "Дълъг текст. ", count: 60)
            let invalid = Array(long.utf8) + [0xFF, 0xC3]
            let hex = invalid.map { String(format: "%02X", $0) }.joined()
            let row = try #require(
                try await database.read { db in
                    try await db.raw(
                        "SELECT \(bind: long) AS t, CAST(X'\(unsafeRaw: hex)' AS TEXT) AS bad, 'кратък' AS short, NULL AS z, 7 AS n"
                    ).first()
                })
            #expect(row is SQLiteReadRow)
            #expect(long.utf8.count > SQLiteReadConnection.longText)
            #expect(try row.decode(column: "t", as: String.self) == long)
            #expect(try row.utf8("t") == Array(long.utf8))
            #expect(try row.decode(column: "bad", as: String.self) == long + "\u{FFFD}\u{FFFD}")
            #expect(try row.utf8("bad") == invalid)
            #expect(try row.utf8("short") == Array("кратък".utf8))
            #expect(try row.utf8("n") == Array("7".utf8))
            #expect(try row.decodeNil(column: "t") == false)
            #expect(try row.decodeNil(column: "z"))
            #expect(throws: (any Error).self) { try row.utf8("z") }
            #expect(throws: (any Error).self) { try row.utf8("missing") }
        }
    }
}
