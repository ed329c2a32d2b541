import Foundation
import Testing
import VestnikCore
import VestnikTestSupport
@testable import VestnikStore

/// The reads behind feeds and sitemaps: whole articles in bulk, the archive month by month in keyed chunks, and the
/// list pages worth listing.
@Suite struct ArchiveTests {
    /// Seven published articles over three Sofia months (and one day-boundary case), a draft and a future one.
    static func content() -> [ArticleInput] {
        var items: [ArticleInput] = [
            // 25 November 2026 and earlier that month
            input("Първа", tags: ["общ"], hoursAgo: 1),
            input("Втора", section: "Спорт", tags: ["общ"], hoursAgo: 2),
            input("Трета", topic: "Зимата", tags: ["общ"], hoursAgo: 24 * 10),
            // 31 October 2026, 23:30 UTC: already 1 November in Sofia
            input("Полунощ", hoursAgo: (testNow.timeIntervalSince1970 - 1_793_489_400) / 3600),
            // October
            input("Октомври", topic: "Зимата", hoursAgo: 24 * 40, authors: [.init(name: "Иван Колев")]),
            input("Октомври 2", hoursAgo: 24 * 41),
            // August: September stays empty
            input("Август", tags: ["лято"], hoursAgo: 24 * 100),
            input("Чернова", tags: ["скрит"], status: .draft),
            input("Бъдеща", section: "Бъдеще", tags: ["утре"], hoursAgo: -3),
        ]
        // Two articles at the same second, to see ties ordered by id.
        items.append(input("Близнак 1", hoursAgo: 24 * 12))
        items.append(input("Близнак 2", hoursAgo: 24 * 12))
        return items
    }

    @Test(arguments: TestDatabase.all)
    func latestReadsWholeArticlesInBulk(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            for item in Self.content() { try await articles.save(item, now: testNow) }
            let latest = try await articles.latest(.all, limit: 3, now: testNow)
            #expect(latest.map(\.title) == ["Първа", "Втора", "Трета"])
            #expect(latest[0].tags.map(\.name) == ["общ"])
            #expect(latest[0].authors.map(\.name) == ["Мария Петрова"])
            #expect(latest[0].bodyHTML == "<p>Текст.</p>")
            #expect(latest[2].topic?.name == "Зимата")
            #expect(latest[1].section.name == "Спорт")
            let one = try #require(try await articles.article(slug: "treta"))
            #expect(one == latest[2])
            let tag = try #require(try await TaxonomyRepository(database: database).tag(slug: "obsht"))
            #expect(try await articles.latest(.tag(tag.id), limit: 10, now: testNow).count == 3)
            #expect(try await articles.latest(.all, limit: 0, now: testNow).isEmpty)
        }
    }

    @Test(arguments: TestDatabase.all)
    func theArchiveIsCountedBySofiaMonthNewestFirst(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            for item in Self.content() { try await articles.save(item, now: testNow) }
            let months = try await articles.archiveMonths(now: testNow)
            #expect(months.map(\.month.description) == ["2026-11", "2026-10", "2026-08"])
            #expect(months.map(\.count) == [6, 2, 1])
            let november = try #require(ArchiveMonth(year: 2026, month: 11))
            #expect(try await articles.archiveCount(november, now: testNow) == 6)
            #expect(try await articles.archiveCount(try #require(ArchiveMonth(year: 2026, month: 9)), now: testNow) == 0)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aMonthReadsInKeyedChunksOldestFirst(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            for item in Self.content() { try await articles.save(item, now: testNow) }
            let november = try #require(ArchiveMonth(year: 2026, month: 11))
            let all = try await articles.archive(november, after: nil, limit: 100, now: testNow)
            #expect(all.map(\.slug) == ["polunosht", "bliznak-1", "bliznak-2", "treta", "vtora", "parva"])
            #expect(all.last?.sectionSlug == "svyat")
            #expect(all[4].sectionSlug == "sport")
            // Chunks of two, each read on from the last key, give the same list; ties at one second split cleanly.
            var chunked: [String] = []
            var key: ArchiveKey?
            while true {
                let chunk = try await articles.archive(november, after: key, limit: 2, now: testNow)
                guard let last = chunk.last else { break }
                chunked += chunk.map(\.slug)
                key = ArchiveKey(publishedAt: last.publishedAt, id: last.id)
            }
            #expect(chunked == all.map(\.slug))
            // The key of the n-th article starts a later page right after it.
            let third = try #require(try await articles.archiveKey(november, offset: 2, now: testNow))
            #expect(third.id == all[2].id)
            #expect(
                try await articles.archive(november, after: third, limit: 100, now: testNow).map(\.slug) == ["treta", "vtora", "parva"])
            #expect(try await articles.archiveKey(november, offset: 6, now: testNow) == nil)
        }
    }

    @Test(arguments: TestDatabase.all)
    func onlyListPagesWithAVisibleArticleAreListed(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            for item in Self.content() { try await articles.save(item, now: testNow) }
            let taxonomy = TaxonomyRepository(database: database)
            // "скрит" has only a draft, "утре" and the section "Бъдеще" only a future article.
            #expect(try await taxonomy.listedCount(.tag, now: testNow) == 2)
            #expect(try await taxonomy.listed(.tag, afterID: 0, limit: 10, now: testNow).map(\.slug) == ["obsht", "lyato"])
            #expect(try await taxonomy.listed(.section, afterID: 0, limit: 10, now: testNow).map(\.slug) == ["svyat", "sport"])
            #expect(try await taxonomy.listed(.topic, afterID: 0, limit: 10, now: testNow).map(\.slug) == ["zimata"])
            #expect(try await taxonomy.listedCount(.author, now: testNow) == 2)
            let first = try #require(try await taxonomy.listedKey(.tag, offset: 0, now: testNow))
            #expect(try await taxonomy.listed(.tag, afterID: first, limit: 10, now: testNow).map(\.slug) == ["lyato"])
            #expect(try await taxonomy.listedKey(.tag, offset: 2, now: testNow) == nil)
        }
    }
}
