import Foundation
import Testing
import VestnikCore
import VestnikDemo
import VestnikTestSupport
@testable import VestnikStore

/// A temporary folder of content files, removed afterwards.
func withContentFolder<T>(_ files: [String: String], _ body: (URL) async throws -> T) async throws -> T {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vestnik-content-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    for (name, text) in files { try Data(text.utf8).write(to: folder.appendingPathComponent(name)) }
    return try await body(folder)
}

let goodFile = """
    ---
    title: Снегът затвори проходи в Родопите
    kicker: Смолян
    section: България
    topic: Зимата в България
    tags: [времето, пътища]
    authors:
      - name: Боян Илиев
        role: Репортер
    sources: [БТА]
    media: [video, gallery]
    published: 2026-11-25T08:12:00+02:00
    reads: 120
    ---
    Първият абзац е и резюме.

    Вторият абзац разказва <script>alert(1)</script> подробности.

    > Цитат от кмета.
    """

@Suite struct ContentImporterTests {
    @Test(arguments: TestDatabase.all)
    func importsAFileWithEveryKey(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            try await withContentFolder(["one.md": goodFile]) { folder in
                let report = try await ContentImporter(database: database).importContent(at: folder.appendingPathComponent("one.md"))
                #expect(report.succeeded)
                #expect(report.created.count == 1)
                let article = try #require(
                    try await ArticleRepository(database: database).article(slug: "snegat-zatvori-prohodi-v-rodopite"))
                #expect(article.kicker == "Смолян")
                #expect(article.section.name == "България")
                #expect(article.topic?.name == "Зимата в България")
                #expect(article.tags.map(\.name) == ["времето", "пътища"])
                #expect(article.authors.map(\.role) == ["Репортер"])
                #expect(article.sources == ["БТА"])
                #expect(article.media == MediaMarkers(video: true, gallery: true))
                #expect(article.publishedAt == ISO8601DateFormatter().date(from: "2026-11-25T06:12:00Z"))
                #expect(article.reads == 120)
                // The first paragraph became the lead and left the body; raw HTML is text, never markup.
                #expect(article.lead == "Първият абзац е и резюме.")
                #expect(!article.bodyHTML.contains("Първият абзац"))
                #expect(article.bodyHTML.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
                #expect(!article.bodyHTML.contains("<script>"))
                #expect(article.bodyHTML.contains("<blockquote>"))
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func malformedFilesAreReportedWithPathAndReasonWhileTheRestImport(_ kind: TestDatabase) async throws {
        let files: [String: String] = [
            "good.md": goodFile,
            "no-front-matter.md": "Просто текст.",
            "unclosed.md": "---\ntitle: Без край\nsection: Свят\n",
            "bad-yaml.md": "---\ntitle: [незатворен\nsection: Свят\n---\nТекст.",
            "no-title.md": "---\nsection: Свят\n---\nТекст.",
            "no-section.md": "---\ntitle: Без рубрика\n---\nТекст.",
            "bad-status.md": "---\ntitle: Статус\nsection: Свят\nstatus: maybe\n---\nТекст.",
            "bad-media.md": "---\ntitle: Медия\nsection: Свят\nmedia: [podcast]\n---\nТекст.",
            "bad-date.md": "---\ntitle: Дата\nsection: Свят\npublished: 25.11.2026\n---\nТекст.",
            "no-offset.md": "---\ntitle: Без отместване\nsection: Свят\npublished: \"2026-11-25T08:00:00\"\n---\nТекст.",
            "bad-reads.md": "---\ntitle: Четения\nsection: Свят\nreads: -5\n---\nТекст.",
            "bad-slug.md": "---\ntitle: Слъг\nslug: Not Valid\nsection: Свят\n---\nТекст.",
            "unknown-key.md": "---\ntitle: Ключ\nsection: Свят\ncolour: red\n---\nТекст.",
            "bad-authors.md": "---\ntitle: Автори\nsection: Свят\nauthors: [{role: Репортер}]\n---\nТекст.",
        ]
        try await kind.with { database in
            try await withContentFolder(files) { folder in
                let report = try await ContentImporter(database: database).importContent(at: folder)
                #expect(report.created.map { URL(fileURLWithPath: $0).lastPathComponent } == ["good.md"])
                let failed = Dictionary(
                    uniqueKeysWithValues: report.failures.map { (URL(fileURLWithPath: $0.path).lastPathComponent, $0.reason) })
                #expect(Set(failed.keys) == Set(files.keys).subtracting(["good.md"]))
                #expect(failed["no-title.md"]?.contains("title") == true)
                #expect(failed["bad-status.md"]?.hasPrefix("line 4: status") == true)
                #expect(failed["bad-reads.md"]?.hasPrefix("line 4: reads") == true)
                #expect(failed["bad-media.md"]?.contains("podcast") == true)
                #expect(failed["bad-date.md"]?.contains("published") == true)
                #expect(failed["unknown-key.md"]?.contains("colour") == true)
                #expect(failed["bad-yaml.md"]?.hasPrefix("line 3: not valid YAML") == true, "\(failed["bad-yaml.md"] ?? "")")
                #expect(report.failures.allSatisfy { $0.path.hasPrefix(folder.path) })
                #expect(try await ArticleRepository(database: database).count() == 1)
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func theDemoSiteImportsCompletelyAndIdempotently(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let importer = ContentImporter(database: database)
            let rebase = Date(timeIntervalSince1970: 1_800_000_000)
            let first = try await importer.importContent(at: DemoContent.directory, rebaseTo: rebase)
            #expect(first.failures.isEmpty, "\(first.failures)")
            #expect(first.created.count >= 32)
            let second = try await importer.importContent(at: DemoContent.directory, rebaseTo: rebase)
            #expect(second.created.isEmpty)
            #expect(second.updated.count == first.created.count)

            let articles = ArticleRepository(database: database)
            let taxonomy = TaxonomyRepository(database: database)
            #expect(try await articles.count() == first.created.count)
            let visible = try await articles.list(.all, page: PageRequest(number: 1, size: 100), now: rebase)
            #expect(visible.total >= 30)
            #expect(visible.items.first?.publishedAt == rebase)
            #expect(visible.items.contains { $0.media.video } && visible.items.contains { $0.media.gallery })
            #expect(try await taxonomy.sections().count >= 5)
            let today = try await articles.published(
                from: SofiaTime.startOfDay(containing: rebase), to: rebase.addingTimeInterval(1), limit: 50, now: rebase)
            #expect(!today.isEmpty)
        }
    }

    @Test func aMissingPathIsAFailureNotACrash() async throws {
        try await TestDatabase.sqlite.with { database in
            let report = try await ContentImporter(database: database).importContent(at: URL(fileURLWithPath: "/no/such/folder"))
            #expect(report.failures.count == 1)
            #expect(report.failures.first?.reason == "no such file or folder")
        }
    }
}
