import Foundation
import SQLKit
import Testing
import VestnikCore
import VestnikTestSupport
@testable import VestnikStore

/// The export a real WordPress wrote (Tests/fixtures/wordpress: Debian's WordPress 6.1, made by make-export.sh with
/// WordPress's own functions and `export_wp()`), imported with its uploads folder: every mapping on the real thing.
@Suite struct WordPressFixtureTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/wordpress")
    static let export = folder.appendingPathComponent("export.xml")

    static func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    static func run(_ database: Database, media: URL, owners: [String: Int] = [:]) async throws -> WordPressImporter.Report {
        var options = WordPressImporter.Options()
        options.uploads = folder.appendingPathComponent("uploads")
        if !owners.isEmpty { options.accounts = { _ in owners } }
        return try await WordPressImporter(database: database, media: MediaIntake(database: database, folder: media, maxBytes: 10 << 20))
            .run(WXRReader(url: export), attachments: WXRReader(url: export), options: options, now: testNow)
    }

    @Test(
        "a real WordPress export: statuses, pages, sections, tags, bylines, sticky, caption, featured picture, redirects, owners",
        arguments: TestDatabase.all)
    func realExport(_ kind: TestDatabase) async throws {
        let media = FileManager.default.temporaryDirectory.appendingPathComponent("wp-fixture-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: media) }
        try await kind.with { database in
            let accounts = AccountRepository(database: database)
            let maria = try await accounts.createUser(
                email: "mpetrova@stariat-vestnik.bg", name: "Мария Петрова", role: .contributor, passwordHash: "x", now: testNow)
            let report = try await Self.run(database, media: media, owners: ["mpetrova": maria.id])
            #expect(report.failures == [])
            #expect(report.items == ["post": 9, "page": 3, "attachment": 1])
            #expect(report.posts == ["publish": 4, "draft": 1, "pending": 1, "future": 1] && report.created == 7)
            #expect(report.skipped == ["page": 3, "status private": 1, "status trash": 1])
            #expect(report.comments == 3 && report.sticky == 1 && report.shortcodes == ["gallery": 1])
            #expect(report.mediaCopied == 1 && report.mediaMissing == 0 && report.featured == 1)

            let articles = ArticleRepository(database: database)
            let budget = try #require(try await articles.article(slug: "byudzhet-2027"))
            #expect(budget.title == "Общината прие бюджета за 2027 г." && budget.status == .published)
            #expect(budget.lead == "Съветниците гласуваха след шестчасов дебат.")
            #expect(budget.publishedAt == Self.date("2026-11-20T08:30:00Z"))
            #expect(budget.section.name == "България" && Set(budget.tags.map(\.name)) == ["бюджет", "София", "Икономика"])
            #expect(budget.authors.map(\.name) == ["Мария Петрова"])
            #expect(budget.bodyHTML.hasPrefix("<p>Общинският съвет прие бюджета на София за 2027 г.<br>Той е с 8 % по-голям"))
            let picture = try #require(budget.featuredImage)
            #expect(
                picture.alt == "Общинските съветници в залата" && picture.caption == "Залата на общинския съвет"
                    && picture.credit == "БГНЕС")
            #expect(budget.bodyHTML.contains("<img src=\"\(picture.address.path)\" alt=\"Общинските съветници в залата\""))
            #expect(budget.bodyHTML.contains("<figcaption>Залата на общинския съвет</figcaption>"))
            #expect(!budget.bodyHTML.contains("wp-content") && !budget.bodyHTML.contains("gallery"))
            let item = try #require(try await MediaRepository(database: database).item(hash: picture.address.hash))
            #expect(item.width == 2400 && item.height == 1600 && item.removedMetadata.contains(.location))

            let metro = try #require(try await articles.article(slug: "nova-liniya-na-metroto"))
            #expect(metro.lead == "Третата линия стига до Овча купел." && metro.bodyHTML == "<h2>Кога</h2>\n<p>През пролетта.</p>")
            #expect(metro.authors.map(\.name) == ["Иван Иванов"] && metro.featuredImage == nil)
            #expect(try await articles.article(slug: "hello-world")?.section.name == "Uncategorized")
            #expect(try await articles.article(slug: "chernova-za-izborite")?.status == .draft)
            #expect(try await articles.article(slug: "chaka-redaktor")?.status == .review)
            let future = try #require(try await articles.article(slug: "utreshnata-sesiya"))
            #expect(future.status == .scheduled && future.publishedAt == Self.date("2030-01-15T07:00:00Z"))
            #expect(try await articles.article(slug: "samo-za-ekipa") == nil)
            #expect(try await articles.article(slug: "za-nas") == nil)

            // Mariya's account owns her articles; Ivan has none, so his have no owner.
            let owners = try await database.read { db in
                try await db.raw("SELECT slug, created_by FROM articles ORDER BY slug").all().map {
                    (try $0.string("slug"), try $0.optionalInt("created_by"))
                }
            }
            #expect(
                owners.filter { $0.1 == maria.id }.map(\.0).sorted() == [
                    "byudzhet-2027", "chaka-redaktor", "chernova-za-izborite", "utreshnata-sesiya",
                ])
            #expect(owners.filter { $0.1 == nil }.count == 3)

            let redirects = LegacyRedirects(database: database)
            func target(_ path: String, _ query: String? = nil) async throws -> LegacyRedirects.Target? {
                try await redirects.target(try #require(LegacyRedirects.key(path: path, query: query)), now: testNow)
            }
            let budgetTarget = LegacyRedirects.Target.article(sectionSlug: Slug.make("България"), slug: "byudzhet-2027")
            #expect(try await target("/2026/11/%d0%b1%d1%8e%d0%b4%d0%b6%d0%b5%d1%82-2027/") == budgetTarget)
            #expect(try await target("/", "p=4") == budgetTarget)
            #expect(try await target("/category/bulgaria/") == .section(Slug.make("България")))
            #expect(try await target("/author/iivanov/") == .author(Slug.make("Иван Иванов")))

            // The same file again: nothing new anywhere.
            let again = try await Self.run(database, media: media, owners: ["mpetrova": maria.id])
            #expect(again.failures == [] && again.created == 0 && again.updated == 7 && again.mediaCopied == 0 && again.mediaKnown == 1)
            #expect(try await EditorialRepository(database: database).revisions(articleID: budget.id).count == 1)
            #expect(try await MediaRepository(database: database).list(limit: 10).items.count == 1)
        }
    }
}
