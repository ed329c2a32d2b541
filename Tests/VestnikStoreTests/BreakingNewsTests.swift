import Foundation
import Testing
import VestnikCore
import VestnikTestSupport
@testable import VestnikStore

/// The breaking-news banner: editors only, checked, audited, announced as everything, and down when its time is up.
@Suite struct BreakingNewsTests {
    static let banner = BreakingNews(
        text: "Земетресение в Софийско", url: "/balgaria/zemetresenie", until: testNow.addingTimeInterval(3600))

    @Test("set, replace, expire and clear: each announces everything and leaves an audit row", arguments: TestDatabase.all)
    func lifecycle(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let banners = BreakingNewsRepository(database: database)
            let editor = try await ArticleWriteServiceTests.user(database, "e@vestnik.bg", .editor)
            let heard = HeardChanges()
            database.changes.subscribe { heard.append($0) }
            #expect(try await banners.current(now: testNow) == nil)
            try await banners.set(Self.banner, by: editor, now: testNow)
            #expect(heard.take() == [CacheKey.site])
            #expect(try await banners.current(now: testNow) == Self.banner)
            var replaced = Self.banner
            replaced.text = "  Второ съобщение "
            replaced.until = testNow.addingTimeInterval(120)
            try await banners.set(replaced, by: editor, now: testNow)
            #expect(try await banners.current(now: testNow)?.text == "Второ съобщение")
            // Past its end it is not shown; the expiry takes it down once, and says so once.
            #expect(try await banners.current(now: testNow.addingTimeInterval(120)) == nil)
            _ = heard.take()
            #expect(try await banners.expireDue(now: testNow.addingTimeInterval(60)) == false)
            #expect(heard.take().isEmpty)
            #expect(try await banners.expireDue(now: testNow.addingTimeInterval(121)) == true)
            #expect(heard.take() == [CacheKey.site])
            #expect(try await banners.expireDue(now: testNow.addingTimeInterval(122)) == false)
            // Clearing when none is up does nothing.
            #expect(try await banners.clear(by: editor, now: testNow) == false)
            try await banners.set(Self.banner, by: editor, now: testNow)
            #expect(try await banners.clear(by: editor, now: testNow) == true)
            #expect(try await banners.current(now: testNow) == nil)
            let actions = try await ArticleWriteServiceTests.auditActions(database)
            #expect(actions == ["banner_set", "banner_set", "banner_set", "banner_cleared"])
        }
    }

    @Test("below editor, a hostile link, an end in the past or too far: refused, nothing stored", arguments: TestDatabase.all)
    func refusals(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let banners = BreakingNewsRepository(database: database)
            let author = try await ArticleWriteServiceTests.user(database, "a@vestnik.bg", .author)
            let editor = try await ArticleWriteServiceTests.user(database, "e@vestnik.bg", .editor)
            await #expect(throws: ArticleWriteError.notAllowed) { try await banners.set(Self.banner, by: author, now: testNow) }
            await #expect(throws: ArticleWriteError.notAllowed) { try await banners.clear(by: author, now: testNow) }
            let banner = Self.banner
            for url in ["javascript:alert(1)", "//evil.example/x", "data:text/html,x", "", "http://", "/a b"] {
                let bad = BreakingNews(text: banner.text, url: url, until: banner.until)
                await #expect(throws: InvalidInput.self, "\(url)") { try await banners.set(bad, by: editor, now: testNow) }
            }
            for text in ["", "   ", "два\nреда", String(repeating: "я", count: BreakingNews.maxText + 1)] {
                let bad = BreakingNews(text: text, url: banner.url, until: banner.until)
                await #expect(throws: InvalidInput.self) { try await banners.set(bad, by: editor, now: testNow) }
            }
            for until in [testNow, testNow.addingTimeInterval(-60), testNow.addingTimeInterval(BreakingNews.maxDuration + 60)] {
                let bad = BreakingNews(text: banner.text, url: banner.url, until: until)
                await #expect(throws: InvalidInput.self) { try await banners.set(bad, by: editor, now: testNow) }
            }
            let external = BreakingNews(text: banner.text, url: "https://example.org/live?x=1", until: banner.until)
            try await banners.set(external, by: editor, now: testNow)
            #expect(try await banners.current(now: testNow)?.url == "https://example.org/live?x=1")
            #expect(try await ArticleWriteServiceTests.auditActions(database) == ["banner_set"])
        }
    }
}
