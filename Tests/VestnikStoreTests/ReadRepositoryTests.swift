import Foundation
import SQLKit
import Testing
import VestnikCore
import VestnikTestSupport
@testable import VestnikStore

@Suite struct ReadRepositoryTests {
    /// The UTC hour that holds `testNow`, and `n` hours before it.
    static func hour(_ back: Int = 0) -> Date { ReadIncrement.hour(containing: testNow).addingTimeInterval(Double(-back) * 3600) }

    @Test func hoursStartOnTheUTCHour() {
        #expect(ReadIncrement.hour(containing: Date(timeIntervalSince1970: 7_199)) == Date(timeIntervalSince1970: 3_600))
        #expect(ReadIncrement.hour(containing: Date(timeIntervalSince1970: 7_200)) == Date(timeIntervalSince1970: 7_200))
        #expect(ReadIncrement.hour(containing: Date(timeIntervalSince1970: -1)) == Date(timeIntervalSince1970: -3_600))
    }

    @Test(arguments: TestDatabase.all)
    func addsToTotalsAndHourlyBuckets(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            let reads = ReadRepository(database: database)
            let a = try await articles.save(input("Първа"), now: testNow).id  // starts with 10 reads
            let b = try await articles.save(input("Втора"), now: testNow).id
            try await reads.add([
                ReadIncrement(articleID: a, hour: Self.hour(1), count: 3), ReadIncrement(articleID: a, hour: Self.hour(), count: 4),
                ReadIncrement(articleID: b, hour: Self.hour(), count: 1), ReadIncrement(articleID: a, hour: Self.hour(), count: 2),
            ])
            try await reads.add([
                ReadIncrement(articleID: a, hour: Self.hour(), count: 5), ReadIncrement(articleID: b, hour: Self.hour(), count: 0),
            ])
            #expect(try await articles.summary(id: a, now: testNow)?.reads == 10 + 3 + 4 + 2 + 5)
            #expect(try await articles.summary(id: b, now: testNow)?.reads == 10 + 1)
            let hourly = try await reads.hourly(articleID: a, from: Self.hour(5), through: testNow)
            #expect(hourly == [HourlyReads(hour: Self.hour(1), count: 3), HourlyReads(hour: Self.hour(), count: 11)])
            // An empty batch touches nothing.
            try await reads.add([])
        }
    }

    @Test(arguments: TestDatabase.all)
    func readsOfADeletedArticleAreDroppedWithoutFailingTheBatch(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            let reads = ReadRepository(database: database)
            let kept = try await articles.save(input("Остава"), now: testNow).id
            let gone = try await articles.save(input("Изтрита"), now: testNow).id
            try await database.write { db in try await db.raw("DELETE FROM articles WHERE id = \(bind: gone)").run() }
            try await reads.add([
                ReadIncrement(articleID: gone, hour: Self.hour(), count: 7), ReadIncrement(articleID: kept, hour: Self.hour(), count: 2),
            ])
            #expect(try await articles.summary(id: kept, now: testNow)?.reads == 12)
            #expect(try await reads.hourly(articleID: gone, from: Self.hour(2), through: testNow).isEmpty)
        }
    }

    /// Several nodes flushing into one database at the same moment: every read lands, none twice.
    @Test(arguments: TestDatabase.all)
    func concurrentFlushesFromManyNodesSumExactly(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            var ids: [Int] = []
            for n in 1...5 { ids.append(try await articles.save(input("Статия \(n)"), now: testNow).id) }
            let reads = ReadRepository(database: database)
            let nodes = 4
            let flushes = 10
            let articleIDs = ids
            try await withThrowingTaskGroup(of: Void.self) { group in
                for node in 0..<nodes {
                    group.addTask {
                        for flush in 0..<flushes {
                            // Each node touches the articles in its own order; the repository orders the rows.
                            let order = (node + flush) % 2 == 0 ? articleIDs : articleIDs.reversed()
                            try await reads.add(order.map { ReadIncrement(articleID: $0, hour: Self.hour(flush % 3), count: 1 + node) })
                        }
                    }
                }
                try await group.waitForAll()
            }
            let perArticle = (1...nodes).reduce(0, +) * flushes
            for id in ids {
                #expect(try await articles.summary(id: id, now: testNow)?.reads == 10 + perArticle)
                let hourly = try await reads.hourly(articleID: id, from: Self.hour(5), through: testNow)
                #expect(hourly.reduce(0) { $0 + $1.count } == perArticle)
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func mostReadRanksVisibleArticlesWithinTheWindow(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            let reads = ReadRepository(database: database)
            let recent = try await articles.save(input("Днешна"), now: testNow).id
            let older = try await articles.save(input("Миналоседмична", hoursAgo: 100), now: testNow).id
            let draft = try await articles.save(input("Чернова", status: .draft), now: testNow).id
            let quiet = try await articles.save(input("Тиха"), now: testNow).id
            try await reads.add([
                ReadIncrement(articleID: recent, hour: Self.hour(), count: 5),
                ReadIncrement(articleID: recent, hour: Self.hour(30), count: 1),
                ReadIncrement(articleID: older, hour: Self.hour(2), count: 3),
                ReadIncrement(articleID: older, hour: Self.hour(90), count: 40),
                ReadIncrement(articleID: older, hour: Self.hour(200), count: 1_000),
                ReadIncrement(articleID: draft, hour: Self.hour(), count: 99),
            ])
            let day = try await reads.mostRead(since: testNow.addingTimeInterval(-23 * 3600), limit: 10, now: testNow)
            #expect(day.map(\.summary.id) == [recent, older])
            #expect(day.map(\.reads) == [5, 3])
            #expect(day.first?.summary.title == "Днешна")
            let week = try await reads.mostRead(since: testNow.addingTimeInterval(-167 * 3600), limit: 10, now: testNow)
            #expect(week.map(\.summary.id) == [older, recent])
            #expect(week.map(\.reads) == [43, 6])
            #expect(!week.contains { $0.summary.id == quiet })
            #expect(try await reads.mostRead(since: testNow.addingTimeInterval(-167 * 3600), limit: 1, now: testNow).count == 1)
        }
    }
}
