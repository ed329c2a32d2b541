import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport
@testable import VestnikWeb

@Suite struct SitemapTests {
    /// Five articles this month (three in the last two days), two in October, one in August; a draft and a future
    /// one that no sitemap may list.
    static let content: [ArticleInput] = [
        article("Днешна", kicker: "София", tags: ["време"], hoursAgo: 1),
        article("Вчерашна", section: "Спорт", tags: ["време"], hoursAgo: 30),
        article("Завчерашна", topic: "Зимата", hoursAgo: 47),
        article("Отпреди три дни", hoursAgo: 72),
        article("Седмица", tags: ["мач"], hoursAgo: 24 * 7, authors: [.init(name: "Иван Колев")]),
        article("Октомври", topic: "Зимата", hoursAgo: 24 * 40),
        article("Октомври 2", hoursAgo: 24 * 41),
        article("Август", hoursAgo: 24 * 100),
        article("Чернова", tags: ["скрит"], status: .draft),
        article("Бъдеща", section: "Бъдеще", hoursAgo: -3),
    ]

    static let base = "http://127.0.0.1:8080"

    @Test(arguments: TestDatabase.all)
    func robotsNamesBothSitemaps(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, _ in
            let robots = try await client.get("/robots.txt")
            #expect(robots.status == .ok)
            #expect(robots.headers[.contentType] == "text/plain; charset=utf-8")
            #expect(robots.body.contains("User-agent: *\n"))
            #expect(robots.body.contains("Sitemap: \(Self.base)/sitemap.xml\n"))
            #expect(robots.body.contains("Sitemap: \(Self.base)/news-sitemap.xml\n"))
        }
    }

    @Test(arguments: TestDatabase.all)
    func theIndexListsEverySitemapAndTheyListEveryPageOnce(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, _ in
            let index = try await client.get("/sitemap.xml")
            #expect(index.status == .ok)
            #expect(index.headers[.contentType] == "application/xml; charset=utf-8")
            #expect(index.body.contains("<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"))
            let sitemaps = try #require(xmlTexts(index.body, "loc"))
            #expect(
                sitemaps
                    == [
                        "pages", "sections", "topics", "tags", "authors", "articles-2026-11", "articles-2026-10", "articles-2026-08",
                    ].map { "\(Self.base)/sitemaps/\($0).xml" })

            var urls: [String] = []
            for sitemap in sitemaps {
                let response = try await client.get(String(sitemap.dropFirst(Self.base.count)))
                #expect(response.status == .ok, "\(sitemap)")
                #expect(
                    response.body.hasPrefix(
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"))
                urls += try #require(xmlTexts(response.body, "loc"), "\(sitemap) is not well-formed")
            }
            #expect(Set(urls).count == urls.count)
            #expect(
                Set(urls)
                    == Set(
                        [
                            "/", "/svyat", "/sport", "/tema/zimata", "/tag/vreme", "/tag/mach", "/avtor/maria-petrova", "/avtor/ivan-kolev",
                            "/svyat/dneshna", "/sport/vcherashna", "/svyat/zavcherashna", "/svyat/otpredi-tri-dni", "/svyat/sedmitsa",
                            "/svyat/oktomvri", "/svyat/oktomvri-2", "/svyat/avgust",
                        ].map { Self.base + $0 }))

            let november = try await client.get("/sitemaps/articles-2026-11.xml").body
            // Oldest first, each with its last change in RFC 3339 UTC.
            #expect(xmlTexts(november, "loc")?.first == "\(Self.base)/svyat/sedmitsa")
            #expect(xmlTexts(november, "lastmod") == Array(repeating: "2026-11-25T10:00:00Z", count: 5))
        }
    }

    @Test(arguments: TestDatabase.all)
    func longListsArePagedAndEveryPageStaysUnderTheLimit(_ kind: TestDatabase) async throws {
        var limits = ReachLimits()
        limits.sitemapURLs = 2
        limits.chunk = 1
        let many = (1...5).map { article("Новина \($0)", tags: ["таг \($0)"], hoursAgo: Double($0)) }
        try await withSite(kind, articles: many, limits: limits) { client, _ in
            let sitemaps = try #require(xmlTexts(try await client.get("/sitemap.xml").body, "loc"))
            #expect(
                sitemaps.map { String($0.dropFirst(Self.base.count)) } == [
                    "/sitemaps/pages.xml", "/sitemaps/sections.xml", "/sitemaps/tags.xml", "/sitemaps/tags-2.xml",
                    "/sitemaps/tags-3.xml", "/sitemaps/authors.xml", "/sitemaps/articles-2026-11.xml",
                    "/sitemaps/articles-2026-11-2.xml", "/sitemaps/articles-2026-11-3.xml",
                ])
            var articles: [String] = []
            var tags: [String] = []
            for page in ["", "-2", "-3"] {
                let month = try #require(xmlTexts(try await client.get("/sitemaps/articles-2026-11\(page).xml").body, "loc"))
                let tagPage = try #require(xmlTexts(try await client.get("/sitemaps/tags\(page).xml").body, "loc"))
                #expect(month.count <= 2 && tagPage.count <= 2)
                articles += month
                tags += tagPage
            }
            #expect(articles == (1...5).reversed().map { "\(Self.base)/svyat/novina-\($0)" })
            #expect(tags == (1...5).map { "\(Self.base)/tag/tag-\($0)" })
            for past in ["/sitemaps/articles-2026-11-4.xml", "/sitemaps/tags-4.xml", "/sitemaps/sections-2.xml"] {
                #expect(try await client.get(past).status == .notFound, "\(past)")
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func unknownAndMalformedSitemapsAreNotFound(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, _ in
            for name in [
                "articles-2026-09", "articles-1999-01", "articles-2026-13", "articles-2026-00", "articles-2026-1",
                "articles-26-11", "articles-2026-11-1", "articles-2026-11-0", "articles-2026-11-02", "articles",
                "tags-1", "tags-0", "tags--1", "tags-99999999999999999999", "pages-2", "sitemap", "nyama", "tag",
                "categories", "articles-2026-11-2", "topics-2",
            ] {
                let response = try await client.get("/sitemaps/\(name).xml")
                #expect(response.status == .notFound, "\(name)")
            }
            for path in ["/sitemaps/tags", "/sitemaps/tags.txt", "/sitemaps", "/sitemaps/%2E%2E%2Fsitemap.xml", "/sitemaps/a/b.xml"] {
                #expect(try await client.get(path).status == .notFound, "\(path)")
            }
            // A trailing slash is sent to the one spelling of the path (which is not found either).
            #expect(try await client.get("/sitemaps/").headers[.location] == "/sitemaps")
        }
        // With nothing published, the index still lists the home page, and nothing else.
        try await withSite(kind, articles: [article("Чернова", status: .draft)]) { client, _ in
            let sitemaps = try #require(xmlTexts(try await client.get("/sitemap.xml").body, "loc"))
            #expect(sitemaps == ["\(Self.base)/sitemaps/pages.xml"])
            #expect(try await client.get("/sitemaps/sections.xml").status == .notFound)
        }
    }

    @Test(arguments: TestDatabase.all)
    func theNewsSitemapHasTheLastTwoDaysByGoogleNewsRules(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, _ in
            let news = try await client.get("/news-sitemap.xml")
            #expect(news.status == .ok)
            #expect(news.headers[.contentType] == "application/xml; charset=utf-8")
            #expect(
                news.body.contains(
                    "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">"
                ))
            #expect(xmlTexts(news.body, "loc") == ["/svyat/dneshna", "/sport/vcherashna", "/svyat/zavcherashna"].map { Self.base + $0 })
            #expect(xmlTexts(news.body, "news:name") == Array(repeating: "Вестник", count: 3))
            #expect(xmlTexts(news.body, "news:language") == ["bg", "bg", "bg"])
            #expect(xmlTexts(news.body, "news:publication_date")?.first == "2026-11-25T09:00:00Z")
            #expect(xmlTexts(news.body, "news:title")?.first == "София: Днешна")
        }
        var limits = ReachLimits()
        limits.newsURLs = 2
        try await withSite(kind, articles: Self.content, limits: limits) { client, _ in
            let news = try await client.get("/news-sitemap.xml").body
            #expect(xmlTexts(news, "loc")?.count == 2)
        }
    }

    @Test(arguments: TestDatabase.all)
    func addressesAreEscapedAndPercentEncoded(_ kind: TestDatabase) async throws {
        var hostile = article("<Заглавие> & \"кавички\" \u{1}", kicker: "]]>")
        hostile.slug = "hostile"
        let settings = [SettingKeys.publicURL: "https://вести.example/бг/", SettingKeys.siteName: "Вести & <Новини>"]
        try await withSite(kind, articles: [hostile], settings: settings) { client, _ in
            let base = "https://%D0%B2%D0%B5%D1%81%D1%82%D0%B8.example/%D0%B1%D0%B3"
            let news = try await client.get("/news-sitemap.xml").body
            #expect(xmlTexts(news, "loc") == ["\(base)/svyat/hostile"])
            #expect(xmlTexts(news, "news:title") == ["]]>: <Заглавие> & \"кавички\" "])
            #expect(xmlTexts(news, "news:name") == ["Вести & <Новини>"])
            #expect(try await xmlTexts(client.get("/sitemap.xml").body, "loc")?.first == "\(base)/sitemaps/pages.xml")
            #expect(try await xmlTexts(client.get("/sitemaps/articles-2026-11.xml").body, "loc") == ["\(base)/svyat/hostile"])
            #expect(try await client.get("/robots.txt").body.contains("Sitemap: \(base)/sitemap.xml"))
            let rss = try await client.get("/rss.xml").body
            #expect(xmlTexts(rss, "link")?.first == "\(base)/")
            // Pages use the same ASCII address in canonical links.
            #expect(try await client.get("/svyat/hostile").body.contains("<link rel=\"canonical\" href=\"\(base)/svyat/hostile\">"))
        }
    }

    @Test func sitemapNamesRoundTrip() throws {
        let november = try #require(ArchiveMonth(year: 2026, month: 11))
        let files: [SitemapFile] = [
            .pages, .lists(.section, page: 1), .lists(.tag, page: 12), .articles(november, page: 1), .articles(november, page: 3),
        ]
        #expect(files.map(\.name) == ["pages", "sections", "tags-12", "articles-2026-11", "articles-2026-11-3"])
        for file in files { #expect(SitemapFile(name: file.name) == file) }
    }
}
