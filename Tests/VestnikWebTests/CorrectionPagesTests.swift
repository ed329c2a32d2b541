import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport
@testable import VestnikWeb

/// Corrections as readers, machines and the newsroom see them: the article's foot and mark, JSON-LD
/// `CorrectionComment`, `/popravki` and its feeds, the editor's form, and exactly the pages that show a note dropped.
@Suite struct CorrectionPagesTests {
    static let content = [
        article("Кметът откри моста", kicker: "Русе", hoursAgo: 2), article("Друга новина", hoursAgo: 3),
        article("Спортна новина", section: "Спорт", hoursAgo: 4),
    ]
    static let articleURL = "/svyat/kmetat-otkri-mosta"

    @Test("an editor adds a correction in the newsroom; it shows on the article, /popravki and its feeds", arguments: TestDatabase.all)
    func correctionFromTheNewsroom(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, site in
            // Every public page cached first: only the article's page and the corrections pages may drop.
            let others = ["/", "/svyat", "/sport", "/svyat/druga-novina", "/rss.xml"]
            for url in others + [Self.articleURL, SiteURLs.corrections, "/popravki/rss.xml"] {
                #expect(try await client.get(url).status == .ok, "\(url)")
                #expect(try await client.get(url).headers[.xCache] == "HIT", "\(url)")
            }
            #expect(try await client.get(SiteURLs.corrections).body.contains("Все още няма поправки."))
            let id = try #require(try await site.articles.article(slug: "kmetat-otkri-mosta")?.id)

            try await createUser(site, "editor@vestnik.bg", role: .editor)
            try await createUser(site, "author@vestnik.bg", role: .author)
            let author = NewsroomBrowser(client)
            try await author.logIn("author@vestnik.bg")
            // An author sees no form and may not post one.
            #expect(try await author.get(NewsroomURLs.article(id)).status == .forbidden)
            #expect(try await author.post(NewsroomURLs.corrections(id), [("kind", "correction"), ("text", "Не.")]).status == .forbidden)

            let editor = NewsroomBrowser(client)
            try await editor.logIn("editor@vestnik.bg")
            let page = try await editor.get(NewsroomURLs.article(id))
            #expect(page.body.contains("id=\"nr-correction-form\""))
            // No text: refused with a message, the choice kept, nothing stored.
            let empty = try await editor.post(NewsroomURLs.corrections(id), [("kind", "clarification"), ("text", "  ")])
            #expect(empty.status == .unprocessableContent)
            #expect(empty.body.contains("Не е добавено"))
            #expect(empty.body.contains("value=\"clarification\" checked"))
            #expect(try await editor.post(NewsroomURLs.corrections(id), [("kind", "typo"), ("text", "Х")]).status == .badRequest)
            // Without the CSRF token: refused.
            #expect(
                try await editor.post(NewsroomURLs.corrections(id), [("kind", "correction"), ("text", "Х")], csrf: "wrong").status
                    == .forbidden)

            let text = "Мостът е открит в 11 ч., а не в 10 ч. <script>alert(1)</script>"
            let added = try await editor.post(NewsroomURLs.corrections(id), [("kind", "correction"), ("text", text)])
            #expect(added.status == .seeOther)
            #expect(added.location == NewsroomURLs.article(id) + "?corrected=1#nr-corrections")
            #expect(try await editor.get(NewsroomURLs.article(id)).body.contains("Мостът е открит в 11 ч."))
            let audit = try await site.drafts.auditLog(limit: 5)
            #expect(audit.first?.action == "correction" && audit.first?.articleID == id)

            // Exactly the pages that show a note were dropped.
            for url in others { #expect(try await client.get(url).headers[.xCache] == "HIT", "\(url)") }
            let shown = try await client.get(Self.articleURL)
            #expect(shown.headers[.xCache] == "MISS")
            #expect(shown.body.contains("class=\"corrected-note\""))
            #expect(shown.body.contains("id=\"popravka-1\""))
            #expect(shown.body.contains("Мостът е открит в 11 ч., а не в 10 ч. &lt;script&gt;"))
            #expect(!shown.body.contains("<script>alert(1)"))
            let data = try #require(try jsonLD(shown.body, type: "NewsArticle"))
            let notes = try #require(data["correction"] as? [[String: Any]])
            #expect(notes.count == 1)
            #expect(notes[0]["@type"] as? String == "CorrectionComment")
            #expect(notes[0]["text"] as? String == text)
            #expect(notes[0]["url"] as? String == "http://127.0.0.1:8080\(Self.articleURL)#popravka-1")
            #expect(data["dateModified"] as? String == notes[0]["datePublished"] as? String)
            #expect(data["datePublished"] as? String != data["dateModified"] as? String)

            let list = try await client.get(SiteURLs.corrections)
            #expect(list.headers[.xCache] == "MISS")
            #expect(list.body.contains("href=\"\(Self.articleURL)#popravka-1\""))
            #expect(list.body.contains("Русе: Кметът откри моста"))
            #expect(list.body.contains("href=\"/popravki/atom.xml\""))
            let keys = Set((list.headers[.surrogateKey] ?? "").split(separator: " ").map(String.init))
            #expect(keys == ["site", "corrections", "a\(id)"])

            let rss = try await client.get("/popravki/rss.xml")
            #expect(rss.headers[.contentType] == "application/rss+xml; charset=utf-8")
            #expect(xmlTexts(rss.body, "title")?.last == "Поправка: Русе: Кметът откри моста")
            #expect(xmlTexts(rss.body, "description")?.last == text)
            #expect(xmlTexts(rss.body, "link")?.last == "http://127.0.0.1:8080\(Self.articleURL)#popravka-1")
            #expect(xmlElements(rss.body, named: "enclosure")?.isEmpty == true)
            let atom = try await client.get("/popravki/atom.xml")
            #expect(xmlTexts(atom.body, "summary") == [text])
            let json = try await client.get("/popravki/feed.json")
            let feed = try #require(try JSONSerialization.jsonObject(with: Data(json.body.utf8)) as? [String: Any])
            let items = try #require(feed["items"] as? [[String: Any]])
            #expect(items.count == 1 && items[0]["summary"] as? String == text && items[0]["image"] == nil)
        }
    }

    @Test("a draft takes no correction: no form, and a post is refused", arguments: TestDatabase.all)
    func onlyPublishedArticles(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content + [article("Чернова", status: .draft)]) { client, site in
            try await createUser(site, "editor@vestnik.bg", role: .editor)
            let editor = NewsroomBrowser(client)
            try await editor.logIn("editor@vestnik.bg")
            let draft = try #require(try await site.articles.article(slug: "chernova")?.id)
            #expect(!(try await editor.get(NewsroomURLs.article(draft)).body.contains("nr-correction-form")))
            let refused = try await editor.post(NewsroomURLs.corrections(draft), [("kind", "correction"), ("text", "Грешка.")])
            #expect(refused.status == .unprocessableContent)
            #expect(try await CorrectionRepository(database: site.database).latest(limit: 5, now: testNow).isEmpty)
        }
    }
}
