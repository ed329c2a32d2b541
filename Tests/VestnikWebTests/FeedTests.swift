import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport
@testable import VestnikWeb

@Suite struct FeedTests {
    static let content: [ArticleInput] = {
        var lead = article(
            "Ким Чен-ун се среща с Путин", kicker: "САЩ", topic: "Войната в Украйна", tags: ["Русия", "Украйна"],
            hoursAgo: 1, authors: [.init(name: "Мария Петрова", role: "Отговорен редактор"), .init(name: "Иван Колев")])
        lead.bodyHTML = """
            <p>Виж <a href="/svyat/dronove-nad-kiev">дроновете</a> и <a href="https://example.org/a?b=1&amp;c=2">източника</a>.</p>
            <figure><img src="/media/срещата.jpg" alt="Срещата" loading="lazy"></figure>
            """
        return [
            lead,
            article("Дронове над Киев", topic: "Войната в Украйна", hoursAgo: 2),
            article("Санкции срещу Русия", section: "Икономика", tags: ["Русия"], hoursAgo: 3),
            article("Футболен мач", section: "Спорт", hoursAgo: 5, authors: [.init(name: "Иван Колев", role: "Репортер")]),
            article("Чернова за Русия", tags: ["Русия"], status: .draft),
            article("Бъдеща новина за Русия", tags: ["Русия"], hoursAgo: -2),
            article("Скрита чернова", tags: ["Скрит"], status: .draft),
        ]
    }()

    @Test(arguments: TestDatabase.all)
    func theSiteHasRSSAtomAndJSONFeeds(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, _ in
            let rss = try await client.get("/rss.xml")
            #expect(rss.status == .ok)
            #expect(rss.headers[.contentType] == "application/rss+xml; charset=utf-8")
            let titles = try #require(xmlTexts(rss.body, "title"))
            #expect(
                titles == [
                    "Вестник", "Вестник", "САЩ: Ким Чен-ун се среща с Путин", "Дронове над Киев", "Санкции срещу Русия", "Футболен мач",
                ])
            #expect(xmlTexts(rss.body, "link")?[2] == "http://127.0.0.1:8080/svyat/kim-chen-un-se-sreshta-s-putin")
            #expect(xmlTexts(rss.body, "pubDate")?.first == "Wed, 25 Nov 2026 09:00:00 +0000")
            #expect(xmlTexts(rss.body, "language") == ["bg"])
            let guids = try #require(xmlElements(rss.body, named: "guid"))
            #expect(guids.first?.text.hasPrefix("tag:127.0.0.1,2026-11-25:article-") == true)
            #expect(guids.first?.attributes["isPermaLink"] == "false")
            #expect(xmlTexts(rss.body, "dc:creator")?.prefix(2) == ["Мария Петрова", "Иван Колев"])
            #expect(xmlTexts(rss.body, "category")?.prefix(3) == ["Свят", "Русия", "Украйна"])
            // The featured image (the body's first) as the enclosure, absolute and percent-encoded; else the theme's.
            let enclosures = try #require(xmlElements(rss.body, named: "enclosure"))
            #expect(enclosures[0].attributes["url"] == "http://127.0.0.1:8080/media/%D1%81%D1%80%D0%B5%D1%89%D0%B0%D1%82%D0%B0.jpg")
            #expect(enclosures[0].attributes["type"] == "image/jpeg")
            #expect(enclosures[1].attributes["url"]?.contains("/static/share-16x9.png") == true)
            #expect(enclosures[1].attributes["type"] == "image/png")
            #expect(Int(enclosures[1].attributes["length"] ?? "") ?? 0 > 0)
            #expect(!rss.body.contains("Чернова") && !rss.body.contains("Бъдеща"))
            // Summary by default: no full text.
            #expect(!rss.body.contains("content:encoded>"))

            let atom = try await client.get("/atom.xml")
            #expect(atom.status == .ok)
            #expect(atom.headers[.contentType] == "application/atom+xml; charset=utf-8")
            #expect(xmlTexts(atom.body, "id")?.first == "http://127.0.0.1:8080/")
            #expect(xmlTexts(atom.body, "updated")?.first == "2026-11-25T10:00:00Z")
            #expect(xmlTexts(atom.body, "published")?.first == "2026-11-25T09:00:00Z")
            #expect(xmlTexts(atom.body, "title")?.dropFirst().first == "САЩ: Ким Чен-ун се среща с Путин")
            #expect(xmlTexts(atom.body, "entry")?.count == 4)
            #expect(
                xmlElements(atom.body, named: "link")?.contains {
                    $0.attributes["rel"] == "self" && $0.attributes["href"] == "http://127.0.0.1:8080/atom.xml"
                } == true)

            let json = try await client.get("/feed.json")
            #expect(json.status == .ok)
            #expect(json.headers[.contentType] == "application/feed+json; charset=utf-8")
            let feed = try #require(try JSONSerialization.jsonObject(with: Data(json.body.utf8)) as? [String: Any])
            #expect(feed["version"] as? String == "https://jsonfeed.org/version/1.1")
            #expect(feed["feed_url"] as? String == "http://127.0.0.1:8080/feed.json")
            #expect(feed["language"] as? String == "bg")
            let items = try #require(feed["items"] as? [[String: Any]])
            #expect(items.map { $0["title"] as? String } == titles.dropFirst(2).map { $0 })
            #expect(items[0]["content_html"] as? String == "<p>Резюме: Ким Чен-ун се среща с Путин</p>")
            #expect(items[0]["date_published"] as? String == "2026-11-25T09:00:00Z")
            #expect((items[0]["authors"] as? [[String: String]])?.first?["url"] == "http://127.0.0.1:8080/avtor/maria-petrova")
        }
    }

    @Test(arguments: TestDatabase.all)
    func everySectionTopicTagAndAuthorHasItsFeeds(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, _ in
            let expected: [(String, [String])] = [
                ("/svyat", ["САЩ: Ким Чен-ун се среща с Путин", "Дронове над Киев"]),
                ("/tema/voynata-v-ukrayna", ["САЩ: Ким Чен-ун се среща с Путин", "Дронове над Киев"]),
                ("/tag/rusia", ["САЩ: Ким Чен-ун се среща с Путин", "Санкции срещу Русия"]),
                ("/avtor/ivan-kolev", ["САЩ: Ким Чен-ун се среща с Путин", "Футболен мач"]),
            ]
            for (list, titles) in expected {
                for file in ["rss.xml", "atom.xml"] {
                    let response = try await client.get("\(list)/\(file)")
                    #expect(response.status == .ok, "\(list)/\(file)")
                    let entries = xmlTexts(response.body, file == "rss.xml" ? "item" : "entry")
                    #expect(entries?.count == titles.count, "\(list)/\(file)")
                    for title in titles { #expect(response.body.contains("<title>\(title)</title>"), "\(list)/\(file)") }
                }
                let json = try await client.get("\(list)/feed.json")
                let feed = try #require(try JSONSerialization.jsonObject(with: Data(json.body.utf8)) as? [String: Any])
                #expect((feed["items"] as? [[String: Any]])?.compactMap { $0["title"] as? String } == titles, "\(list)")
                #expect(feed["home_page_url"] as? String == "http://127.0.0.1:8080\(list)")
            }
            let section = try await client.get("/svyat/rss.xml").body
            #expect(xmlTexts(section, "title")?.first == "Свят | Вестник")
            #expect(xmlTexts(section, "description")?.first == "Най-новото от „Свят“.")
            #expect(
                try await client.get("/tema/voynata-v-ukrayna/rss.xml").body.contains(
                    "<link>http://127.0.0.1:8080/tema/voynata-v-ukrayna</link>"))
        }
    }

    @Test(arguments: TestDatabase.all)
    func feedsOfWhatDoesNotExistAreNotFound(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, site in
            for path in [
                "/nyama/rss.xml", "/tema/nyama/atom.xml", "/tag/nyama/feed.json", "/avtor/nyama/rss.xml",
                "/tag/Русия/rss.xml", "/tag/%D0%A0/rss.xml", "/svyat/rss.json", "/svyat/feed.xml", "/tag/rusia/rss.xml/x",
                "/svyat/kim-chen-un-se-sreshta-s-putin/rss.xml",
            ] {
                let response = try await client.get(path)
                #expect(response.status == .notFound, "\(path)")
                #expect(response.body.contains("<html lang=\"bg\">"), "\(path)")
            }
            // A tag only a draft carries is not public yet (nothing a draft holds is): no page, no feed.
            #expect(try await client.get("/tag/skrit/rss.xml").status == .notFound)
            #expect(try await client.get("/tag/skrit").status == .notFound)
            // A section with nothing published yet still has a feed: valid, empty, and without a Last-Modified.
            try await site.taxonomy.saveSection(name: "Празна", description: nil, position: nil)
            let empty = try await client.get("/prazna/rss.xml")
            #expect(empty.status == .ok)
            #expect(xmlTexts(empty.body, "item") == [])
            #expect(empty.headers[.lastModified] == nil)
            #expect(try await xmlTexts(client.get("/prazna/atom.xml").body, "entry") == [])
        }
    }

    @Test(arguments: TestDatabase.all)
    func fullTextIsASiteSetting(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content, settings: [SettingKeys.feedContent: "full"]) { client, _ in
            let rss = try await client.get("/rss.xml").body
            let content = try #require(xmlTexts(rss, "content:encoded")?.first)
            #expect(
                content.hasPrefix(
                    "<p>Резюме: Ким Чен-ун се среща с Путин</p>\n<p>Виж <a href=\"http://127.0.0.1:8080/svyat/dronove-nad-kiev\">"))
            #expect(content.contains("<a href=\"https://example.org/a?b=1&amp;c=2\">"))
            #expect(content.contains("<img src=\"http://127.0.0.1:8080/media/срещата.jpg\""))
            let atom = try await client.get("/atom.xml").body
            #expect(xmlElements(atom, named: "content")?.first?.attributes["type"] == "html")
            #expect(xmlTexts(atom, "content")?.first == content)
            let json = try await client.get("/feed.json").body
            let feed = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            #expect((feed["items"] as? [[String: Any]])?.first?["content_html"] as? String == content)
        }
        // A value feeds cannot use is refused when it is written (`SettingRules`: one of its choices).
        await #expect(throws: InvalidInput.self) {
            try await withSite(kind, articles: [], settings: [SettingKeys.feedContent: "everything"]) { _, _ in }
        }
    }

    @Test(arguments: TestDatabase.all)
    func hostileTextCannotBreakAFeed(_ kind: TestDatabase) async throws {
        var hostile = article("<script>alert(1)</script> ]]> & \"x\" \u{1}\u{8}\u{B}край", kicker: "<b>", tags: ["<img src=x>"])
        hostile.slug = "hostile"
        hostile.lead = "Резюме </description><item>"
        hostile.authors = [.init(name: "Зъл </dc:creator> автор")]
        try await withSite(kind, articles: [hostile], settings: [SettingKeys.feedContent: "full"]) { client, _ in
            for path in ["/rss.xml", "/atom.xml", "/tag/img-src-x/rss.xml", "/avtor/zal-dc-creator-avtor/atom.xml"] {
                let body = try await client.get(path).body
                let titles = try #require(xmlTexts(body, "title"), "\(path) is not well-formed XML")
                #expect(titles.contains("<b>: <script>alert(1)</script> ]]> & \"x\" край"), "\(path)")
                #expect(!body.contains("<script>") && !body.contains("\u{1}"), "\(path)")
            }
            let json = try await client.get("/feed.json").body
            let feed = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            let item = try #require((feed["items"] as? [[String: Any]])?.first)
            #expect((item["title"] as? String)?.hasPrefix("<b>: <script>alert(1)</script>") == true)
            #expect((item["content_html"] as? String)?.hasPrefix("<p>Резюме &lt;/description&gt;&lt;item&gt;</p>") == true)
        }
    }

    @Test(arguments: TestDatabase.all)
    func feedsAnswer304WhenTheClientHasThem(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, _ in
            let first = try await client.get("/rss.xml")
            let etag = try #require(first.headers[.eTag])
            // The newest change among the items: the articles were saved at testNow.
            #expect(first.headers[.lastModified] == "Wed, 25 Nov 2026 10:00:00 GMT")
            #expect(try await client.get("/rss.xml").headers[.eTag] == etag)

            let cases: [(HTTPFields, HTTPResponse.Status)] = [
                ([.ifNoneMatch: etag], .notModified),
                ([.ifNoneMatch: "W/\(etag)"], .notModified),
                ([.ifNoneMatch: "\"other\", \(etag)"], .notModified),
                ([.ifNoneMatch: "*"], .notModified),
                ([.ifNoneMatch: "\"other\""], .ok),
                ([.ifModifiedSince: "Wed, 25 Nov 2026 10:00:00 GMT"], .notModified),
                ([.ifModifiedSince: "Thu, 26 Nov 2026 10:00:00 GMT"], .notModified),
                ([.ifModifiedSince: "Wed, 25 Nov 2026 09:59:59 GMT"], .ok),
                ([.ifModifiedSince: "not a date"], .ok),
                // If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
                ([.ifNoneMatch: "\"other\"", .ifModifiedSince: "Thu, 26 Nov 2026 10:00:00 GMT"], .ok),
            ]
            for (headers, status) in cases {
                let response = try await client.get("/rss.xml", headers: headers)
                #expect(response.status == status, "\(headers)")
                if status == .notModified {
                    #expect(response.body.isEmpty)
                    #expect(response.headers[.eTag] == etag)
                }
            }
            // Each format and list has its own validator.
            let atom = try await client.get("/atom.xml").headers[.eTag]
            let section = try await client.get("/svyat/rss.xml").headers[.eTag]
            #expect(Set([etag, atom, section]).count == 3)
            #expect(try await client.get("/feed.json", headers: [.ifNoneMatch: etag]).status == .ok)
        }
    }
}
