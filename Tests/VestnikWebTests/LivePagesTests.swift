import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport
@testable import VestnikWeb

/// A live blog from the desk to the page: server-rendered entries, the polling address cached under the page's
/// key, LiveBlogPosting with each entry's anchor, `dateModified` moving, and a frozen page once it ends.
@Suite struct LivePagesTests {
    static let url = "/svyat/izborite-na-zhivo"

    @Test("posted from two desks, shown on the page and its polling address, then frozen", arguments: TestDatabase.all)
    func liveBlog(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: [article("Изборите на живо"), article("Друга новина", hoursAgo: 2)]) { client, site in
            let id = try #require(try await site.articles.article(slug: "izborite-na-zhivo")?.id)
            try await createUser(site, "editor@vestnik.bg", role: .editor, name: "Ана Редакторова")
            try await createUser(site, "author@vestnik.bg", role: .author, name: "Борис Авторов")
            let editor = NewsroomBrowser(client)
            try await editor.logIn("editor@vestnik.bg")
            let author = NewsroomBrowser(client)
            try await author.logIn("author@vestnik.bg")
            // Before the coverage runs, an author who did not write the article cannot open its desk.
            #expect(try await author.get(NewsroomURLs.live(id)).status == .forbidden)
            #expect(try await editor.get(NewsroomURLs.article(id)).body.contains("href=\"\(NewsroomURLs.live(id))\""))
            #expect(try await editor.get(NewsroomURLs.live(id)).body.contains("id=\"nr-live-start\""))
            #expect(try await client.get(SiteURLs.liveEntries(id)).status == .notFound)
            let plain = try await client.get(Self.url)
            #expect(!plain.body.contains("LiveBlogPosting"))

            #expect(try await editor.post(NewsroomURLs.live(id, "start"), []).location == NewsroomURLs.live(id) + "?done=started")
            _ = try await editor.get(NewsroomURLs.live(id))
            _ = try await author.get(NewsroomURLs.live(id))
            let first = try await editor.post(
                NewsroomURLs.live(id, "entries"), [("text", "Секциите отвориха в 7 ч.\r\n\r\nИзбирателите чакат."), ("key", "1")])
            #expect(first.status == .seeOther)
            let second = try await author.post(NewsroomURLs.live(id, "entries"), [("text", "Активност <b>12%</b> към 10 ч.")])
            #expect(second.status == .seeOther)
            let empty = try await author.post(NewsroomURLs.live(id, "entries"), [("text", " "), ("picture", "")])
            #expect(empty.status == .unprocessableContent)

            let page = try await client.get(Self.url)
            #expect(page.headers[.xCache] == "MISS")
            #expect(page.body.contains("data-live=\"/na-zhivo/\(id)\""))
            #expect(page.body.contains("<p>Секциите отвориха в 7 ч.</p>\n<p>Избирателите чакат.</p>"))
            #expect(page.body.contains("Активност &lt;b&gt;12%&lt;/b&gt; към 10 ч."))
            let newest = try #require(page.body.range(of: "<p>Активност"))
            let older = try #require(page.body.range(of: "<p>Избирателите чакат.</p>"))
            #expect(newest.lowerBound < older.lowerBound)
            #expect(page.body.contains("· Ана Редакторова") && page.body.contains("· Борис Авторов"))

            let blog = try #require(try jsonLD(page.body, type: "LiveBlogPosting"))
            let updates = try #require(blog["liveBlogUpdate"] as? [[String: Any]])
            #expect(updates.count == 2)
            #expect((updates[0]["url"] as? String)?.hasPrefix("http://127.0.0.1:8080\(Self.url)#zapis-") == true)
            #expect(updates[0]["articleBody"] as? String == "Активност <b>12%</b> към 10 ч.")
            #expect(blog["coverageStartTime"] as? String != nil && blog["coverageEndTime"] as? String != nil)
            let news = try #require(try jsonLD(page.body, type: "NewsArticle"))
            #expect(news["datePublished"] as? String == blog["datePublished"] as? String)
            #expect(news["datePublished"] as? String != news["dateModified"] as? String)
            for update in updates {
                let anchor = try #require((update["url"] as? String)?.split(separator: "#").last)
                #expect(page.body.contains("id=\"\(anchor)\""))
            }

            // The polling address: the live part alone, cached under the page's key, dropped by the next entry.
            let poll = try await client.get(SiteURLs.liveEntries(id) + "?t=1")
            #expect(poll.status == .ok)
            #expect(poll.headers[.surrogateKey] == "p\(id) site")
            #expect(poll.body.hasPrefix("<section class=\"live live-running\""))
            #expect(try await client.get(SiteURLs.liveEntries(id) + "?t=2").headers[.xCache] == "HIT")
            _ = try await editor.post(NewsroomURLs.live(id, "entries"), [("text", "Третият запис.")])
            let after = try await client.get(SiteURLs.liveEntries(id) + "?t=3")
            #expect(after.headers[.xCache] == "MISS")
            #expect(after.body.contains("Третият запис."))

            // The author may not end it; the editor does, and the page freezes: no polling, no form, no more entries.
            #expect(try await author.post(NewsroomURLs.live(id, "end"), []).status == .forbidden)
            #expect(try await editor.post(NewsroomURLs.live(id, "end"), []).status == .seeOther)
            let frozen = try await client.get(Self.url)
            #expect(!frozen.body.contains("data-live="))
            #expect(!frozen.body.contains("live.js"))
            #expect(frozen.body.contains("Отразяването на живо приключи"))
            #expect(frozen.body.contains("Третият запис."))
            #expect(!(try await editor.get(NewsroomURLs.live(id)).body.contains("id=\"nr-live-form\"")))
            let late = try await editor.post(NewsroomURLs.live(id, "entries"), [("text", "Късно.")])
            #expect(late.status == .unprocessableContent)
        }
    }
}
