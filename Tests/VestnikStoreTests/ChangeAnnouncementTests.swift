import Foundation
import Logging
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport

/// What the store announces when public content changes: the keys a page cache and a CDN drop.
@Suite struct ChangeAnnouncementTests {
    static func input(_ title: String, section: String = "Свят", tags: [String] = [], status: ArticleStatus = .published) -> ArticleInput {
        ArticleInput(
            slug: Slug.make(title), kicker: "", title: title, lead: "Резюме", bodyHTML: "<p>Текст за \(title).</p>", section: section,
            topic: nil, tags: tags, authors: [.init(name: "Мария Петрова", role: nil)], sources: [], media: MediaMarkers(),
            status: status, publishedAt: Date(timeIntervalSince1970: 1_795_600_000), reads: nil)
    }

    @Test(arguments: TestDatabase.all)
    func savesAnnounceTheArticleAndTheListsItMovedIn(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let heard = HeardChanges()
            database.changes.subscribe { heard.append($0) }
            let articles = ArticleRepository(database: database)
            let now = Date(timeIntervalSince1970: 1_795_600_800)

            // A draft is nobody's business but the newsroom's.
            let id = try await articles.save(Self.input("Среща", status: .draft), now: now, refreshRelated: false).id
            #expect(heard.take().isEmpty)

            // Publishing puts it on its pages and in its lists.
            try await articles.save(Self.input("Среща", tags: ["Русия"]), now: now, refreshRelated: false)
            let published = heard.take()
            let section = try #require(try await TaxonomyRepository(database: database).section(slug: "svyat")).id
            let tag = try #require(try await TaxonomyRepository(database: database).tag(slug: "rusia")).id
            #expect(published.isSuperset(of: ["a\(id)", "p\(id)", "latest", "s\(section)", "g\(tag)"]))

            // A new headline changes the pages showing it, not the lists it is in.
            var retitled = Self.input("Среща", tags: ["Русия"])
            retitled.title = "Среща на върха"
            try await articles.save(retitled, now: now, refreshRelated: false)
            #expect(heard.take() == ["a\(id)", "p\(id)"])

            // Moving it to another section changes both sections' lists.
            retitled.section = "Икономика"
            try await articles.save(retitled, now: now, refreshRelated: false)
            let economy = try #require(try await TaxonomyRepository(database: database).section(slug: "ikonomika")).id
            #expect(heard.take().isSuperset(of: ["s\(section)", "s\(economy)", "latest"]))

            // Names in the navigation and settings show everywhere.
            try await TaxonomyRepository(database: database).saveSection(name: "Икономика", description: "Пари")
            #expect(heard.take() == [CacheKey.site])
            // A setting drops everything, and every node reads its settings again.
            try await SettingsRepository(database: database).set("site.name", to: "Вестник")
            #expect(heard.take() == [CacheKey.site, CacheKey.settings])
        }
    }

    @Test func aNotificationPayloadRoundTripsAndRefusesJunk() throws {
        let parsed = try #require(ChangeFeed.parse(payload: "node7 a12 p12 s3 latest"))
        #expect(parsed.node == "node7")
        #expect(parsed.change.keys == ["a12", "p12", "s3", "latest"])
        #expect(ContentChange(headerValue: "a1 <script> x12 a a99999999999999999999999 site").keys == ["a1", "site"])
        #expect(ChangeFeed.parse(payload: "node7 nonsense") == nil)
    }

    @Test func anotherProcessWritingToTheSQLiteFileIsNoticed() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vestnik-watch-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let logger = Logger(label: "test")
        let server = try await Database.open(.sqlite(path: path), logger: logger)
        try await server.closing {
            try await Migrator().migrate(server)
            let before = try #require(try await server.externalWriteVersion())
            try await SettingsRepository(database: server).set("site.name", to: "Свой запис")
            #expect(try await server.externalWriteVersion() == before)  // our own writes do not count

            let other = try await Database.open(.sqlite(path: path), logger: logger)
            try await other.closing { try await SettingsRepository(database: other).set("site.name", to: "Чужд запис") }
            #expect(try await server.externalWriteVersion() != before)
        }
    }
}
