import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport
@testable import VestnikWeb

/// What search engines and social sites read from every page: JSON-LD, Open Graph, Twitter cards, feed links.
@Suite struct StructuredDataTests {
    static let base = "http://127.0.0.1:8080"
    static let content: [ArticleInput] =
        [
            article(
                "Ким Чен-ун се среща с Путин", kicker: "САЩ", topic: "Войната в Украйна", tags: ["Русия", "Украйна"],
                hoursAgo: 1,
                authors: [.init(name: "Мария Петрова", role: "Отговорен редактор"), .init(name: "Иван Колев")])
        ] + (1...24).map { article("Новина \($0)", section: "България", tags: ["времето"], hoursAgo: Double($0) + 1) }

    @Test(arguments: TestDatabase.all)
    func articlePagesCarryACompleteNewsArticle(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, _ in
            let html = try await client.get("/svyat/kim-chen-un-se-sreshta-s-putin").body
            let url = "\(Self.base)/svyat/kim-chen-un-se-sreshta-s-putin"
            let news = try #require(try jsonLD(html, type: "NewsArticle"))
            #expect(news["@context"] as? String == "https://schema.org")
            #expect(news["headline"] as? String == "САЩ: Ким Чен-ун се среща с Путин")
            #expect(news["url"] as? String == url)
            #expect((news["mainEntityOfPage"] as? [String: Any])?["@id"] as? String == url)
            #expect(news["datePublished"] as? String == "2026-11-25T11:00:00+02:00")
            // Saved at 12:00, but never marked updated ("Покажи като обновена"): the page says it has not changed.
            #expect(news["dateModified"] as? String == "2026-11-25T11:00:00+02:00")
            #expect(news["articleSection"] as? String == "Свят")
            #expect(news["keywords"] as? String == "Русия, Украйна")
            #expect(news["inLanguage"] as? String == "bg")
            #expect(news["description"] as? String == "Резюме: Ким Чен-ун се среща с Путин")
            let authors = try #require(news["author"] as? [[String: Any]])
            #expect(authors.map { $0["@type"] as? String } == ["Person", "Person"])
            #expect(authors.map { $0["name"] as? String } == ["Мария Петрова", "Иван Колев"])
            #expect(authors.map { $0["url"] as? String } == ["\(Self.base)/avtor/maria-petrova", "\(Self.base)/avtor/ivan-kolev"])
            let publisher = try #require(news["publisher"] as? [String: Any])
            #expect(publisher["@type"] as? String == "Organization")
            #expect(publisher["name"] as? String == "Вестник")
            let logo = try #require(publisher["logo"] as? [String: Any])
            #expect((logo["url"] as? String)?.hasPrefix("\(Self.base)/static/logo.png?v=") == true)
            #expect(logo["width"] as? Int == 512 && logo["height"] as? Int == 512)
            // Google: several ratios (16:9, 4:3, 1:1), each at least 50,000 pixels.
            let images = try #require(news["image"] as? [[String: Any]])
            let sizes = images.compactMap { image -> (Int, Int)? in
                guard let width = image["width"] as? Int, let height = image["height"] as? Int else { return nil }
                return (width, height)
            }
            #expect(sizes.count == 3)
            #expect(Set(sizes.map { Double($0.0) / Double($0.1) }.map { ($0 * 100).rounded() }) == [178, 133, 100])
            #expect(sizes.allSatisfy { $0.0 * $0.1 >= 50_000 })
            // Every image is served.
            for image in images {
                let path = String(try #require(image["url"] as? String).dropFirst(Self.base.count))
                let response = try await client.get(path)
                #expect(response.status == .ok && response.headers[.contentType] == "image/png", "\(path)")
            }

            let crumbs = try #require(try jsonLD(html, type: "BreadcrumbList")?["itemListElement"] as? [[String: Any]])
            #expect(crumbs.map { $0["name"] as? String } == ["Начало", "Свят", "САЩ: Ким Чен-ун се среща с Путин"])
            #expect(crumbs.map { $0["item"] as? String } == ["\(Self.base)/", "\(Self.base)/svyat", url])
            #expect(crumbs.map { $0["position"] as? Int } == [1, 2, 3])

            // Open Graph and Twitter cards.
            #expect(html.contains("<meta property=\"og:type\" content=\"article\">"))
            #expect(html.contains("<meta property=\"og:image\" content=\"\(Self.base)/static/share-16x9.png?v="))
            #expect(html.contains("<meta property=\"og:image:width\" content=\"1200\">"))
            #expect(html.contains("<meta property=\"og:image:height\" content=\"675\">"))
            #expect(html.contains("<meta name=\"twitter:card\" content=\"summary_large_image\">"))
            #expect(html.contains("<meta name=\"twitter:image\" content=\"\(Self.base)/static/share-16x9.png?v="))
            #expect(html.contains("<meta property=\"article:author\" content=\"\(Self.base)/avtor/maria-petrova\">"))
            #expect(html.contains("<meta property=\"article:author\" content=\"\(Self.base)/avtor/ivan-kolev\">"))
            #expect(html.contains("<meta property=\"og:locale\" content=\"bg_BG\">"))
            #expect(html.contains("<meta name=\"robots\" content=\"max-image-preview:large\">"))
            // The site's feeds and the article's section's.
            #expect(html.contains("<link rel=\"alternate\" type=\"application/rss+xml\" title=\"Вестник – RSS\" href=\"/rss.xml\">"))
            #expect(html.contains("<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Свят – Atom\" href=\"/svyat/atom.xml\">"))
        }
    }

    @Test(arguments: TestDatabase.all)
    func anArticleWithAPictureShowsIt(_ kind: TestDatabase) async throws {
        var pictured = article("Със снимка", authors: [])
        pictured.bodyHTML = "<p>Текст.</p>\n<figure><img src=\"https://cdn.example/снимка.jpg\" alt=\"\" loading=\"lazy\"></figure>"
        try await withSite(kind, articles: [pictured]) { client, _ in
            let html = try await client.get("/svyat/sas-snimka").body
            let encoded = "https://cdn.example/%D1%81%D0%BD%D0%B8%D0%BC%D0%BA%D0%B0.jpg"
            let news = try #require(try jsonLD(html, type: "NewsArticle"))
            #expect(news["image"] as? [String] == [encoded])
            #expect(html.contains("<meta property=\"og:image\" content=\"\(encoded)\">"))
            #expect(!html.contains("og:image:width"))
            // No byline: the publisher stands as the author.
            #expect((news["author"] as? [[String: Any]])?.first?["@type"] as? String == "Organization")
        }
        // Relative addresses resolve against the article's own.
        for (src, expected) in [
            ("snimki/a.png", "\(Self.base)/svyat/snimki/a.png"), ("/media/b.webp", "\(Self.base)/media/b.webp"),
            ("//cdn.example/c.jpg", "http://cdn.example/c.jpg"),
        ] {
            var relative = article("Относителна", authors: [])
            relative.bodyHTML = "<figure><img src=\"\(src)\" alt=\"\" loading=\"lazy\"></figure>"
            try await withSite(kind, articles: [relative]) { client, _ in
                let html = try await client.get("/svyat/otnositelna").body
                #expect(try jsonLD(html, type: "NewsArticle")?["image"] as? [String] == [expected], "\(src)")
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func theHomePageIntroducesThePublisherAndTheSearch(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, _ in
            let html = try await client.get("/").body
            let organization = try #require(try jsonLD(html, type: "Organization"))
            #expect(organization["name"] as? String == "Вестник")
            #expect(organization["url"] as? String == "\(Self.base)/")
            #expect((organization["logo"] as? [String: Any])?["@type"] as? String == "ImageObject")
            let website = try #require(try jsonLD(html, type: "WebSite"))
            #expect(website["url"] as? String == "\(Self.base)/")
            let action = try #require(website["potentialAction"] as? [String: Any])
            #expect(action["@type"] as? String == "SearchAction")
            #expect(
                (action["target"] as? [String: Any])?["urlTemplate"] as? String == "\(Self.base)\(SiteURLs.search)?q={search_term_string}")
            #expect(action["query-input"] as? String == "required name=search_term_string")
            let list = try #require(try jsonLD(html, type: "ItemList")?["itemListElement"] as? [[String: Any]])
            #expect(list.first?["url"] as? String == "\(Self.base)/svyat/kim-chen-un-se-sreshta-s-putin")
            #expect(list.first?["position"] as? Int == 1)
            #expect(html.contains("<meta property=\"og:type\" content=\"website\">"))
        }
    }

    @Test(arguments: TestDatabase.all)
    func listPagesCarryBreadcrumbsItemListsAndTheirFeeds(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, _ in
            let lists: [(String, String)] = [
                ("/bulgaria", "България"), ("/tema/voynata-v-ukrayna", "Войната в Украйна"), ("/tag/vremeto", "времето"),
                ("/avtor/maria-petrova", "Мария Петрова"),
            ]
            for (path, name) in lists {
                let html = try await client.get(path).body
                let crumbs = try #require(try jsonLD(html, type: "BreadcrumbList")?["itemListElement"] as? [[String: Any]], "\(path)")
                #expect(crumbs.map { $0["name"] as? String } == ["Начало", name], "\(path)")
                #expect(crumbs.last?["item"] as? String == Self.base + path, "\(path)")
                let items = try #require(try jsonLD(html, type: "ItemList")?["itemListElement"] as? [[String: Any]], "\(path)")
                #expect(!items.isEmpty && items.count <= 20, "\(path)")
                #expect(items.map { $0["position"] as? Int } == Array(1...items.count), "\(path)")
                for format in FeedFormat.allCases {
                    #expect(
                        html.contains(
                            "type=\"\(format.mediaType)\" title=\"\(name) – \(format.displayName)\" href=\"\(path)/\(format.fileName)\">"),
                        "\(path)")
                    #expect(html.contains("href=\"/\(format.fileName)\">"), "\(path)")
                }
            }
            // A second page goes on counting.
            let second = try await client.get("/bulgaria?page=2").body
            let items = try #require(try jsonLD(second, type: "ItemList")?["itemListElement"] as? [[String: Any]])
            #expect(items.first?["position"] as? Int == 21)
            #expect(items.first?["url"] as? String == "\(Self.base)/bulgaria/novina-21")
            // Even a 404 page offers the site's feeds.
            let missing = try await client.get("/nyama-takava")
            #expect(missing.status == .notFound)
            #expect(
                missing.body.contains(
                    "<link rel=\"alternate\" type=\"application/feed+json\" title=\"Вестник – JSON Feed\" href=\"/feed.json\">"))
            #expect(try jsonLD(missing.body).isEmpty)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aHostileTitleCannotLeaveTheJSONLDScript(_ kind: TestDatabase) async throws {
        let title = "</script><script>alert(1)</script> <!-- \"x\" & 'y' \u{2028}"
        var hostile = article(title, kicker: "</SCRIPT>", tags: ["</script><b>"])
        hostile.slug = "hostile"
        hostile.lead = "<!--<script>"
        hostile.authors = [.init(name: "</script>Зъл", role: "\"><script>alert(2)</script>")]
        try await withSite(kind, articles: [hostile]) { client, _ in
            for path in ["/svyat/hostile", "/", "/svyat", "/tag/script-b", "/avtor/script-zal"] {
                let html = try await client.get(path).body
                #expect(!html.contains("<script>alert"), "\(path)")
                #expect(!html.lowercased().contains("</script><"), "\(path)")
                #expect(!html.contains("<!--"), "\(path)")
                // Every script element ends where it should: as many openings as closings.
                #expect(html.components(separatedBy: "<script").count == html.components(separatedBy: "</script>").count, "\(path)")
            }
            let html = try await client.get("/svyat/hostile").body
            let news = try #require(try jsonLD(html, type: "NewsArticle"))
            #expect(news["headline"] as? String == "</SCRIPT>: " + title)
            #expect(news["description"] as? String == "<!--<script>")
            #expect(news["keywords"] as? String == "</script><b>")
            #expect((news["author"] as? [[String: Any]])?.first?["jobTitle"] as? String == "\"><script>alert(2)</script>")
            let crumbs = try #require(try jsonLD(html, type: "BreadcrumbList")?["itemListElement"] as? [[String: Any]])
            #expect(crumbs.last?["name"] as? String == "</SCRIPT>: " + title)
        }
    }
}
