import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport
@testable import VestnikWeb

/// The titles of one "Най-четени" list on a page (`window` 0: 24 hours, 1: 7 days), in order.
func mostReadTitles(_ html: String, window: Int) -> [String]? {
    guard let start = html.range(of: "<section class=\"most-read\""),
        let end = html.range(of: "</section>", range: start.upperBound..<html.endIndex)
    else { return nil }
    let lists = html[start.upperBound..<end.lowerBound].components(separatedBy: "<ol class=\"most-read-list\">").dropFirst()
    guard lists.count == 2 else { return nil }
    let list = lists[lists.startIndex + window].components(separatedBy: "</ol>")[0]
    return list.matches(of: /<li><a href="[^"]+">([^<]+)<\/a>/).map { String($0.output.1) }
}

@Suite struct MostReadTests {
    static let content: [ArticleInput] = [
        article("Ким Чен-ун се среща с Путин", kicker: "САЩ", reads: 6550),
        article("Дронове над Киев", hoursAgo: 2, media: MediaMarkers(video: true)),
        article("Футболен мач", section: "Спорт", hoursAgo: 150),
        article("Чернова", status: .draft),
    ]

    @Test(arguments: TestDatabase.all)
    func homeAndArticlePagesShowTheDayAndTheWeekAtMostAMinuteOld(_ kind: TestDatabase) async throws {
        let clock = TestClock()
        try await withReadingSite(kind, articles: Self.content, clock: clock) { client, site, counter in
            func id(_ slug: String) async throws -> Int { try #require(try await site.articles.article(slug: slug)).id }
            let kim = try await id("kim-chen-un-se-sreshta-s-putin")
            let drones = try await id("dronove-nad-kiev")
            let football = try await id("futbolen-mach")
            let draft = try await id("chernova")

            let before = try await client.get("/").body
            #expect(!before.contains("most-read"))  // nothing read yet: no empty block

            for _ in 0..<5 { _ = try await client.beacon(drones) }
            for _ in 0..<3 { _ = try await client.beacon(kim) }
            _ = try await client.beacon(football)
            #expect(await counter.flush())
            // Older reads of the football story: in the week, not in the day. A draft's reads never show.
            try await site.reads.add([
                ReadIncrement(
                    articleID: football, hour: ReadIncrement.hour(containing: testNow.addingTimeInterval(-100 * 3600)), count: 50),
                ReadIncrement(articleID: draft, hour: ReadIncrement.hour(containing: testNow), count: 500),
            ])

            // The lists were read a moment ago: they may be up to a minute old.
            #expect(!(try await client.get("/").body.contains("most-read")))
            clock.advance(61)
            let home = try await client.get("/").body
            #expect(home.contains("<h2 id=\"most-read-heading\">Най-четени</h2>"))
            #expect(home.contains("<h3 class=\"most-read-window\">24 часа</h3>"))
            #expect(home.contains("<h3 class=\"most-read-window\">7 дни</h3>"))
            #expect(mostReadTitles(home, window: 0) == ["Дронове над Киев", "САЩ: Ким Чен-ун се среща с Путин", "Футболен мач"])
            #expect(mostReadTitles(home, window: 1) == ["Футболен мач", "Дронове над Киев", "САЩ: Ким Чен-ун се среща с Путин"])
            #expect(home.contains("<span class=\"most-read-count\" title=\"прочитания\">51</span>"))
            #expect(!home.contains(">Чернова<"))

            let page = try await client.get("/svyat/kim-chen-un-se-sreshta-s-putin").body
            #expect(mostReadTitles(page, window: 0) == ["Дронове над Киев", "САЩ: Ким Чен-ун се среща с Путин", "Футболен мач"])
            #expect(page.contains("<span class=\"marker\">(ВИДЕО)</span> <span class=\"most-read-count\""))
        }
    }

    @Test(arguments: TestDatabase.all)
    func theEnglishSiteSaysMostRead(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let id = try await ArticleRepository(database: database).save(article("Новина"), now: testNow).id
            try await SettingsRepository(database: database).set(SettingKeys.locale, to: "en")
            try await ReadRepository(database: database).add([ReadIncrement(articleID: id, hour: testNow, count: 2)])
            let site = try await Site.make(database: database, theme: try await Theme.load(), now: { testNow })
            let app = buildApplication(site: site, settings: ServerSettings(), logger: .init(label: "test"))
            try await app.test(.router) { client in
                let html = try await client.get("/").body
                #expect(html.contains("<h2 id=\"most-read-heading\">Most read</h2>"))
                #expect(html.contains("<h3 class=\"most-read-window\">7 days</h3>"))
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func theStatisticsPagesChartAnArticlesReads(_ kind: TestDatabase) async throws {
        try await withReadingSite(kind, articles: Self.content) { client, site, counter in
            let drones = try #require(try await site.articles.article(slug: "dronove-nad-kiev")).id
            let draft = try #require(try await site.articles.article(slug: "chernova")).id
            for _ in 0..<4 { _ = try await client.beacon(drones) }
            #expect(await counter.flush())
            try await site.reads.add([
                ReadIncrement(articleID: drones, hour: ReadIncrement.hour(containing: testNow.addingTimeInterval(-26 * 3600)), count: 6),
                ReadIncrement(articleID: drones, hour: ReadIncrement.hour(containing: testNow.addingTimeInterval(-10 * 86400)), count: 90),
            ])

            // Behind the newsroom's sign-in; the old public addresses lead there.
            let anonymous = try await client.get("/newsroom/statistika")
            #expect(anonymous.status == .seeOther && anonymous.headers[.location] == "/newsroom/login?next=/newsroom/statistika")
            #expect(!anonymous.body.contains("Дронове"))
            #expect(try await client.get("/newsroom/statistika/\(drones)").status == .seeOther)
            let old = try await client.get("/statistika/\(drones)")
            #expect(old.status == .movedPermanently && old.headers[.location] == "/newsroom/statistika/\(drones)")
            #expect(try await client.get("/statistika").headers[.location] == "/newsroom/statistika")
            try await createUser(site, "writer@vestnik.bg", role: .contributor)
            let browser = NewsroomBrowser(client)
            try await browser.get("/newsroom/login?next=/newsroom/statistika")
            #expect(browser.lastBody.contains("name=\"next\" value=\"/newsroom/statistika\""))
            let login = try await browser.post(
                NewsroomURLs.login, [("email", "writer@vestnik.bg"), ("password", "много-тайна-парола"), ("next", "/newsroom/statistika")])
            #expect(login.location == "/newsroom/statistika")

            let dashboard = try await browser.get("/newsroom/statistika")
            #expect(dashboard.status == .ok)
            #expect(dashboard.headers[HTTPField.Name("X-Robots-Tag")!] == "noindex, nofollow")
            #expect(dashboard.body.contains("<h1>Статистика на прочитанията</h1>"))
            #expect(dashboard.body.contains("<a href=\"/newsroom/statistika/\(drones)\">Дронове над Киев</a>"))
            #expect(dashboard.body.contains("<h2>Последните 30 дни</h2>"))
            #expect(dashboard.body.contains("<td class=\"number\">100</td>"))  // 4 + 6 + 90 in 30 days

            let page = try await browser.get("/newsroom/statistika/\(drones)")
            #expect(page.status == .ok)
            #expect(page.headers[.cacheControl] == "private, no-store")
            let html = page.body
            #expect(html.contains("<h1><a href=\"/svyat/dronove-nad-kiev\">Дронове над Киев</a></h1>"))
            #expect(html.contains("<div><dt>Общо прочитания</dt><dd>100</dd></div>"))
            #expect(html.contains("<div><dt>Последните 24 часа</dt><dd>4</dd></div>"))
            #expect(html.contains("<div><dt>Последните 7 дни</dt><dd>10</dd></div>"))
            let charts = html.components(separatedBy: "<svg class=\"chart-svg\"").dropFirst()
            #expect(charts.count == 2)
            #expect(charts.first?.components(separatedBy: "<rect class=\"chart-bar\"").count == 48 + 1)
            #expect(charts.last?.components(separatedBy: "<rect class=\"chart-bar\"").count == 30 + 1)
            // 10:00 UTC is 12:00 in Sofia; 26 hours earlier is 10:00 on the 24th.
            #expect(html.contains("<title>25 ноември, 12:00: 4 прочитания</title>"))
            #expect(html.contains("<title>24 ноември, 10:00: 6 прочитания</title>"))
            #expect(html.contains("<title>15 ноември: 90 прочитания</title>"))
            #expect(html.contains("aria-label=\"По дни, последните 30 дни: общо 100 прочитания, най-много 90 (15 ноември).\""))

            #expect(try await client.get("/statistika/abc").status == .badRequest)
            #expect(try await browser.get("/newsroom/statistika/abc").status == .badRequest)
            #expect(try await browser.get("/newsroom/statistika/0").status == .badRequest)
            #expect(try await browser.get("/newsroom/statistika/987654").status == .notFound)
            let hidden = try await browser.get("/newsroom/statistika/\(draft)")
            #expect(hidden.status == .notFound)
            #expect(hidden.body.contains("Страницата не е намерена"))
            // The statistics pages take no section's place.
            #expect(try await client.get("/svyat").status == .ok)
            #expect(try await client.get("/svyat/dronove-nad-kiev").status == .ok)
        }
    }
}
