import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport
@testable import VestnikWeb

@Suite struct ArticlePageTests {
    static let content: [ArticleInput] = [
        article(
            "Ким Чен-ун се среща с Путин", kicker: "САЩ", topic: "Войната в Украйна", tags: ["Русия", "Украйна"],
            hoursAgo: 1, media: MediaMarkers(video: true),
            authors: [.init(name: "Мария Петрова", role: "Отговорен редактор"), .init(name: "Иван Колев", role: "Репортер")],
            reads: 6550),
        article("Дронове над Киев", topic: "Войната в Украйна", hoursAgo: 2, media: MediaMarkers(gallery: true)),
        article("Санкции срещу Русия", section: "Икономика", tags: ["Русия"], hoursAgo: 3),
        article("Среща в Брюксел", hoursAgo: 4),
        article("Футболен мач", section: "Спорт", hoursAgo: 0.5),
        article("Вчерашна новина", section: "Спорт", hoursAgo: 13),
        article("Чернова за Русия", topic: "Войната в Украйна", status: .draft),
        article("Бъдеща новина за Русия", topic: "Войната в Украйна", hoursAgo: -2),
    ]

    @Test(arguments: TestDatabase.all)
    func showsEveryElementOfTheReferencePage(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, _ in
            let page = try await client.get("/svyat/kim-chen-un-se-sreshta-s-putin")
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            let html = page.body
            #expect(html.contains("<html lang=\"bg\">"))
            // 1. kicker and headline, with the media marker
            #expect(
                html.contains(
                    "<h1 class=\"headline\"><span class=\"kicker\">САЩ:</span> Ким Чен-ун се среща с Путин <span class=\"marker\">(ВИДЕО)</span></h1>"
                ))
            // 2. the Sofia date line and the read counter
            #expect(html.contains("<time datetime=\"2026-11-25T11:00:00+02:00\">25 ноември 2026, 11:00 часа</time>"))
            #expect(html.contains("<span class=\"reads-count\">6550</span> | прочитания"))
            // 3. lead, 4. body
            #expect(html.contains("<p class=\"lead\">Резюме: Ким Чен-ун се среща с Путин</p>"))
            #expect(html.contains("<p>Абзац 5 от „Ким Чен-ун се среща с Путин“.</p>"))
            // 5. "Още:" blocks with related articles, never the article itself, drafts or future articles
            let more = html.components(separatedBy: "<aside class=\"more\"").count - 1
            #expect(more >= 2)
            // a related article without a kicker must not borrow this article's kicker
            #expect(
                html.contains("Още:</span> <a href=\"/svyat/dronove-nad-kiev\">Дронове над Киев</a> <span class=\"marker\">(СНИМКИ)</span>")
            )
            #expect(html.contains("href=\"/ikonomika/sanktsii-sreshtu-rusia\""))
            #expect(!html.contains("Чернова за Русия"))
            #expect(!html.contains("Бъдеща новина"))
            // 6. topic hub link
            #expect(html.contains("<a href=\"/tema/voynata-v-ukrayna\">Още за Войната в Украйна – четете тук</a>"))
            // 8. follow line
            #expect(html.contains("Последвайте ни в Google News"))
            // 9. byline: names, roles, author pages
            #expect(
                html.contains(
                    "<a class=\"author\" href=\"/avtor/maria-petrova\" rel=\"author\"><span class=\"author-name\">Мария Петрова</span><span class=\"author-role\">Отговорен редактор</span></a>"
                ))
            #expect(html.contains("<span class=\"author-name\">Иван Колев</span><span class=\"author-role\">Репортер</span>"))
            // 10. today's news: today's other articles, newest first; not yesterday's
            let today = try #require(html.components(separatedBy: "Новините днес").last)
            let football = try #require(today.range(of: "Футболен мач"))
            let brussels = try #require(today.range(of: "Среща в Брюксел"))
            #expect(football.lowerBound < brussels.lowerBound)
            #expect(!today.contains("Вчерашна новина"))
            // canonical address, absolute
            #expect(html.contains("<link rel=\"canonical\" href=\"http://127.0.0.1:8080/svyat/kim-chen-un-se-sreshta-s-putin\">"))
            // section and tags
            #expect(html.contains("<a href=\"/tag/rusia\" rel=\"tag\">Русия</a>"))
            #expect(html.contains("<p class=\"article-section\"><a href=\"/svyat\">Свят</a></p>"))
        }
    }

    @Test(arguments: TestDatabase.all)
    func moreBlocksNeverEndTheBody(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content + [article("Кратка", paragraphs: 1)]) { client, _ in
            let html = try await client.get("/svyat/kratka").body
            #expect(!html.contains("<aside class=\"more\""))
        }
    }

    /// A long body (over a kilobyte: read as bytes and written into the page as stored) shows each block as its
    /// string renders: embeds rendered, lines trimmed, the first figure's image the page's picture.
    @Test(arguments: TestDatabase.all)
    func aLongBodyShowsEachBlockAsItsStringRenders(_ kind: TestDatabase) async throws {
        var long = article("Дълга статия", topic: "Войната в Украйна", tags: ["Русия"], paragraphs: 30)
        long.bodyHTML +=
            "\n<figure class=\"embed\" data-embed=\"youtube\" data-id=\"dQw4w9WgXcQ\"></figure>"
            + "\n<figure><img src=\"/media/a.jpg\" alt=\"\"></figure>\r\n  <p>с отстъп</p> \n<p>край\u{A0}</p>\u{2028}<h2>Подзаглавие</h2>"
        try await withSite(kind, articles: Self.content + [long]) { [long] client, site in
            let html = try await client.get("/svyat/\(long.slug)").body
            let embeds = EmbedHTML(locale: site.locale)
            let blocks = ArticleBody.blocks(fromHTML: long.bodyHTML)
            #expect(blocks.count == 35)
            for block in blocks { #expect(html.contains(embeds.render(block.html) + "\n"), "\(block.html)") }
            #expect(html.contains("<figure class=\"embed embed-youtube\"><iframe"))
            #expect(!html.contains("data-embed"))
            #expect(html.contains("<aside class=\"more\""))
            #expect(html.contains("<meta property=\"og:image\" content=\"http://127.0.0.1:8080/media/a.jpg\">"))
        }
    }

    /// We never store a body that is not UTF-8, but one edited by hand in the database must still be served: its
    /// lines as stored, a line that is not plain repaired as reading it as a string repairs it.
    @Test func aBodyThatIsNotUTF8IsServed() async throws {
        let broken = article("Счупена", paragraphs: 60)
        try await withSite(.sqlite, articles: [broken, article("Съседна")]) { client, site in
            let bytes = Array(broken.bodyHTML.utf8) + Array("\n<p>".utf8) + [0xFF, 0xE2, 0x80] + Array("</p>\n <p>край</p>".utf8) + [0xC3]
            let hex = bytes.map { String(format: "%02X", $0) }.joined()
            try await site.database.write { db in
                try await db.raw("UPDATE articles SET body_html = CAST(X'\(unsafeRaw: hex)' AS TEXT) WHERE slug = \(bind: broken.slug)")
                    .run()
            }
            let page = try await client.get("/svyat/\(broken.slug)")
            #expect(page.status == .ok)
            #expect(page.body.contains("<p>Абзац 60 от „Счупена“.</p>\n"))
            #expect(page.body.contains("<p>\u{FFFD}\u{FFFD}</p>\n<p>край</p>\u{FFFD}\n"))
        }
    }

    @Test(arguments: TestDatabase.all)
    func hostileTitlesAreEscapedEverywhere(_ kind: TestDatabase) async throws {
        var hostile = article("<script>alert(1)</script>", kicker: "<b>x</b>", tags: ["<img src=x onerror=alert(1)>"])
        hostile.slug = "hostile"
        hostile.authors = [.init(name: "Зъл <i>автор</i>", role: "\"><script>alert(2)</script>")]
        try await withSite(kind, articles: [hostile, article("Съседна")]) { client, _ in
            for path in ["/svyat/hostile", "/", "/svyat", "/svyat/sasedna", "/avtor/zal-i-avtor-i"] {
                let page = try await client.get(path)
                #expect(page.status == .ok, "\(path)")
                #expect(!page.body.contains("<script>alert"), "\(path)")
                #expect(!page.body.contains("<b>x</b>"), "\(path)")
                #expect(!page.body.contains("<img src=x"), "\(path)")
            }
            let html = try await client.get("/svyat/hostile").body
            #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        }
    }

    @Test(arguments: TestDatabase.all)
    func oldAndWrongURLsRedirectToTheCanonicalOne(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let repository = ArticleRepository(database: database)
            let id = try await repository.save(article("Старо заглавие"), now: testNow).id
            try await repository.changeSlug(articleID: id, to: "novo-zaglavie")
            let site = try await Site.make(database: database, theme: try await Theme.load(), now: { testNow })
            let app = buildApplication(site: site, settings: ServerSettings(), logger: .init(label: "test"))
            try await app.test(.router) { client in
                let old = try await client.get("/svyat/staro-zaglavie")
                #expect(old.status == .movedPermanently)
                #expect(old.headers[.location] == "/svyat/novo-zaglavie")
                let wrongSection = try await client.get("/sport/novo-zaglavie")
                #expect(wrongSection.status == .movedPermanently)
                #expect(wrongSection.headers[.location] == "/svyat/novo-zaglavie")
                #expect(try await client.get("/svyat/novo-zaglavie").status == .ok)
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func draftsFutureAndUnknownArticlesAreNotFound(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, _ in
            for path in ["/svyat/chernova-za-rusia", "/svyat/badeshta-novina-za-rusia", "/svyat/nyama-takava", "/nyama/takava"] {
                let page = try await client.get(path)
                #expect(page.status == .notFound, "\(path)")
                #expect(page.body.contains("Страницата не е намерена"), "\(path)")
                #expect(page.body.contains("<html lang=\"bg\">"), "\(path)")
            }
        }
    }
}

@Suite struct ListPagesTests {
    static let content: [ArticleInput] =
        (1...25).map { article("Новина \($0)", section: "България", topic: "Зимата в България", tags: ["времето"], hoursAgo: Double($0)) }
        + [article("Световна", kicker: "Париж", section: "Свят", hoursAgo: 0.2, media: MediaMarkers(video: true, gallery: true))]

    @Test(arguments: TestDatabase.all)
    func homePageHasLeadLatestSectionsAndToday(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, _ in
            let page = try await client.get("/")
            #expect(page.status == .ok)
            let html = page.body
            #expect(html.contains("<article class=\"lead-story\">"))
            #expect(
                html.contains(
                    "<span class=\"kicker\">Париж:</span> Световна</a> <span class=\"marker\">(ВИДЕО)</span> <span class=\"marker\">(СНИМКИ)</span>"
                ))
            #expect(html.contains("Последни новини"))
            // list cards tell the age of a story the way readers say it
            #expect(html.contains("title=\"25 ноември 2026, 11:48 часа\">преди 12 минути</time>"))
            #expect(html.contains(">преди 2 часа</time>"))
            #expect(html.contains("<h2><a href=\"/bulgaria\">България</a></h2>"))
            // No story twice on a page: Свят's one story leads, so its block has nothing else to show.
            #expect(!html.contains("<h2><a href=\"/svyat\">Свят</a></h2>"))
            #expect(html.components(separatedBy: "Световна</a>").count == 2)
            #expect(html.contains("Новините днес"))
            #expect(html.contains("<nav class=\"sections\""))
        }
    }

    @Test(arguments: TestDatabase.all)
    func sectionTopicTagAndAuthorPagesArePaginated(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, _ in
            for base in ["/bulgaria", "/tema/zimata-v-bulgaria", "/tag/vremeto"] {
                let first = try await client.get(base)
                #expect(first.status == .ok, "\(base)")
                #expect(first.body.contains("Новина 1<") && !first.body.contains("Новина 21<"), "\(base)")
                #expect(first.body.contains("rel=\"next\" href=\"\(base)?page=2\""), "\(base)")
                #expect(first.body.contains("Страница 1 от 2"), "\(base)")
                let second = try await client.get(base + "?page=2")
                #expect(second.status == .ok)
                #expect(second.body.contains("Новина 25<") && !second.body.contains("Новина 20<"), "\(base)")
                #expect(second.body.contains("rel=\"prev\" href=\"\(base)\""), "\(base)")
                #expect(try await client.get(base + "?page=3").status == .notFound, "\(base)")
            }
            let author = try await client.get("/avtor/maria-petrova")
            #expect(author.status == .ok)
            #expect(author.body.contains("<h1>Мария Петрова</h1>"))
            #expect(author.body.contains("Отговорен редактор"))
        }
    }

    @Test(arguments: TestDatabase.all)
    func topicPageIsATimelineGroupedByDay(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, _ in
            let html = try await client.get("/tema/zimata-v-bulgaria").body
            #expect(html.contains("<h1>Зимата в България</h1>"))
            #expect(html.contains("<h2>25 ноември 2026</h2>"))
            #expect(html.contains("<h2>24 ноември 2026</h2>"))
            #expect(html.contains("<ol class=\"timeline\">"))
        }
    }

    @Test(arguments: TestDatabase.all)
    func hostileAndMalformedRequestsGetA4xxPage(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, _ in
            let cases: [(String, HTTPResponse.Status)] = [
                ("/bulgaria?page=abc", .badRequest), ("/bulgaria?page=0", .badRequest), ("/bulgaria?page=-1", .badRequest),
                ("/bulgaria?page=99999999999999999999", .badRequest), ("/bulgaria?page=1&page=2", .badRequest),
                ("/?page=%3Cscript%3E", .badRequest), ("/nyama-takava-rubrika", .notFound), ("/tema/nyama", .notFound),
                ("/tag/nyama", .notFound), ("/avtor/nyama", .notFound), ("/%D0%A1%D0%B2%D1%8F%D1%82", .notFound),
                ("/bulgaria/..%2F..%2Fetc%2Fpasswd", .notFound), ("/static/nyama.css", .notFound),
                ("/static/..%2Fsite.css", .notFound), ("/a/b/c/d", .notFound), ("/bulgaria?q=%00%FF", .ok),
            ]
            for (path, status) in cases {
                let page = try await client.get(path)
                #expect(page.status == status, "\(path)")
                #expect(page.body.contains("<html lang=\"bg\">"), "\(path)")
            }
            let post = try await client.execute(uri: "/bulgaria", method: .post) { $0.status }
            #expect(post == .methodNotAllowed || post == .notFound)
        }
    }

    @Test(arguments: TestDatabase.all)
    func theEnglishLocaleIsChosenByASiteSetting(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content, settings: [SettingKeys.locale: "en"]) { client, _ in
            let html = try await client.get("/bulgaria/novina-1").body
            #expect(html.contains("<html lang=\"en\">"))
            #expect(html.contains("Today&#39;s news") || html.contains("Today's news"))
            #expect(html.contains("25 November 2026, 11:00"))
            #expect(html.contains("| reads"))
            #expect(html.contains("More on Зимата в България – read here"))
            #expect(!html.contains("прочитания"))
        }
    }

    @Test(arguments: TestDatabase.all)
    func staticAssetsAreServedWithLongLivesWhenVersioned(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: []) { client, site in
            let url = site.theme.assets.url("site.css")
            let css = try await client.get(url)
            #expect(css.status == .ok)
            #expect(css.headers[.contentType] == "text/css; charset=utf-8")
            #expect(css.headers[.cacheControl]?.contains("immutable") == true)
            let home = try await client.get("/")
            #expect(home.body.contains(url))
            let head = try await client.execute(uri: "/", method: .head) { $0.status }
            #expect(head == .ok)
        }
    }
}

@Suite struct TopicHubAndPlacementTests {
    @Test(arguments: TestDatabase.all)
    func aPinnedArticleLeadsTheTopicPage(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: ListPagesTests.content) { client, site in
            try await site.taxonomy.pin(articleSlug: "novina-7", toTopic: "zimata-v-bulgaria")
            let html = try await client.get("/tema/zimata-v-bulgaria").body
            #expect(html.contains("<article class=\"lead-story pinned\">"))
            #expect(html.contains("Водеща статия"))
            #expect(html.contains("<a href=\"/bulgaria/novina-7\">Новина 7</a>"))
            let second = try await client.get("/tema/zimata-v-bulgaria?page=2").body
            #expect(!second.contains("lead-story pinned"))
            await #expect(throws: (any Error).self) { try await site.taxonomy.pin(articleSlug: "nyama", toTopic: "zimata-v-bulgaria") }
        }
    }

    @Test(arguments: TestDatabase.all)
    func theMoreBlocksFollowTheSiteSetting(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: ArticlePageTests.content, settings: [SettingKeys.moreAfterParagraphs: "3"]) { client, _ in
            let html = try await client.get("/svyat/kim-chen-un-se-sreshta-s-putin").body
            #expect(html.components(separatedBy: "<aside class=\"more\"").count - 1 == 1)
            let third = try #require(html.range(of: "Абзац 3 от"))
            let block = try #require(html.range(of: "<aside class=\"more\""))
            let fourth = try #require(html.range(of: "Абзац 4 от"))
            #expect(third.lowerBound < block.lowerBound && block.lowerBound < fourth.lowerBound)
        }
    }
}
