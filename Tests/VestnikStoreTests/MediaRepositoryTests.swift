import Foundation
import Testing
import VestnikCore
import VestnikTestSupport
@testable import VestnikStore

func mediaItem(_ seed: String, alt: String, caption: String = "", credit: String = "", name: String = "", minutesAgo: Int = 0) -> MediaItem
{
    MediaItem(
        address: MediaAddress(bytes: Array(seed.utf8), format: .jpeg), width: 1200, height: 800, bytes: seed.utf8.count, alt: alt,
        caption: caption, credit: credit, originalName: name, uploadedAt: testNow.addingTimeInterval(TimeInterval(-60 * minutesAgo)))
}

@Suite struct MediaRepositoryTests {
    @Test("the same bytes are stored once; their first words stay", arguments: TestDatabase.all)
    func deduplicates(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let media = MediaRepository(database: database)
            let first = try await media.add(mediaItem("снимка", alt: "Площадът", credit: "БТА"), uploadedBy: nil)
            #expect(first.created && first.item.alt == "Площадът" && first.item.credit == "БТА")
            let again = try await media.add(mediaItem("снимка", alt: "Друго"), uploadedBy: nil)
            #expect(!again.created && again.item.alt == "Площадът")
            #expect(try await media.list(limit: 10).items.count == 1)
            await #expect(throws: InvalidInput.self) { try await media.add(mediaItem("друга", alt: "  "), uploadedBy: nil) }
        }
    }

    @Test("newest first, a page at a time; search in any case, Cyrillic too", arguments: TestDatabase.all)
    func listsAndSearches(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let media = MediaRepository(database: database)
            for i in 0..<5 {
                try await media.add(
                    mediaItem("n\(i)", alt: "Снимка \(i)", caption: i == 3 ? "Народното СЪБРАНИЕ" : "", minutesAgo: i), uploadedBy: nil)
            }
            try await media.add(
                mediaItem("x", alt: "Протест", credit: "Reuters", name: "IMG_100%_final.JPG", minutesAgo: 10), uploadedBy: nil)
            let first = try await media.list(limit: 4)
            #expect(first.items.map(\.alt) == ["Снимка 0", "Снимка 1", "Снимка 2", "Снимка 3"])
            #expect(first.next != nil)
            let second = try await media.list(after: first.next, limit: 4)
            #expect(second.items.map(\.alt) == ["Снимка 4", "Протест"] && second.next == nil)
            #expect(try await media.list(matching: "събрание", limit: 10).items.map(\.alt) == ["Снимка 3"])
            #expect(try await media.list(matching: "REUTERS", limit: 10).items.map(\.alt) == ["Протест"])
            #expect(try await media.list(matching: "100%_f", limit: 10).items.map(\.alt) == ["Протест"])
            // `%` and `_` are letters to the search, not wildcards.
            #expect(try await media.list(matching: "%", limit: 10).items.map(\.alt) == ["Протест"])
            #expect(try await media.list(matching: "снимка_", limit: 10).items.isEmpty)
        }
    }

    @Test("editing the words changes them and what search finds", arguments: TestDatabase.all)
    func edits(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let media = MediaRepository(database: database)
            let item = try await media.add(mediaItem("a", alt: "Старо"), uploadedBy: nil).item
            #expect(try await media.update(hash: item.address.hash, alt: "Ново", caption: "Надпис", credit: "Фото: Иван"))
            let stored = try #require(try await media.item(hash: item.address.hash))
            #expect(stored.alt == "Ново" && stored.caption == "Надпис" && stored.credit == "Фото: Иван")
            #expect(try await media.list(matching: "старо", limit: 5).items.isEmpty)
            #expect(try await media.list(matching: "иван", limit: 5).items.count == 1)
            #expect(try await media.update(hash: String(repeating: "0", count: 64), alt: "x", caption: "", credit: "") == false)
            await #expect(throws: InvalidInput.self) { try await media.update(hash: item.address.hash, alt: "", caption: "", credit: "") }
        }
    }

    @Test("an article's featured picture: the article's words, else the library's", arguments: TestDatabase.all)
    func featuredImage(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let media = MediaRepository(database: database)
            let item = try await media.add(mediaItem("водеща", alt: "Парламентът", caption: "Сградата", credit: "БТА"), uploadedBy: nil)
                .item
            let articles = ArticleRepository(database: database)
            var article = input("Статия със снимка")
            article.featuredImage = FeaturedImage(media: item.address.hash, caption: "Днес сутринта")
            try await articles.save(article, now: testNow)
            let stored = try #require(try await articles.article(slug: article.slug)?.featuredImage)
            #expect(
                stored
                    == ArticleImage(
                        address: item.address, width: 1200, height: 800, alt: "Парламентът", caption: "Днес сутринта", credit: "БТА",
                        bytes: item.bytes))
            // The editor gets the article's own words back, empty credit included.
            let editorial = EditorialRepository(database: database)
            let id = try #require(try await articles.article(slug: article.slug)?.id)
            #expect(try await editorial.article(id: id)?.draft.featuredImage == article.featuredImage)
            article.featuredImage = nil
            try await articles.save(article, now: testNow)
            #expect(try await articles.article(slug: article.slug)?.featuredImage == nil)
        }
    }

    @Test("new words for a picture drop the pages and cards of the published articles it leads, no others", arguments: TestDatabase.all)
    func announcesEdits(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let media = MediaRepository(database: database)
            let item = try await media.add(mediaItem("обявена", alt: "Старо"), uploadedBy: nil).item
            let articles = ArticleRepository(database: database)
            var published = input("Публикувана със снимка")
            published.featuredImage = FeaturedImage(media: item.address.hash)
            var draft = input("Чернова със снимка", status: .draft)
            draft.featuredImage = FeaturedImage(media: item.address.hash)
            let publishedID = try await articles.save(published, now: testNow, refreshRelated: false).id
            try await articles.save(draft, now: testNow, refreshRelated: false)
            try await articles.save(input("Без снимка"), now: testNow, refreshRelated: false)
            let heard = HeardChanges()
            database.changes.subscribe { heard.append($0) }
            try await media.update(hash: item.address.hash, alt: "Ново", caption: "", credit: "")
            // Its own page, and every list whose card of it shows the alt text.
            #expect(Set(heard.take()) == [CacheKey.articlePage(publishedID), CacheKey.article(publishedID)])
        }
    }

    @Test("revisions saved before featured pictures existed still decode")
    func oldSnapshots() throws {
        let old = """
            {"slug":"a","kicker":"","title":"A","lead":"","bodyHTML":"<p>x</p>","section":"Свят","tags":[],"authors":[],
            "sources":[],"media":{"video":false,"gallery":false},"status":"draft","publishedAt":0}
            """
        let decoded = try JSONDecoder().decode(ArticleInput.self, from: Data(old.utf8))
        #expect(decoded.title == "A" && decoded.featuredImage == nil)
        var withImage = decoded
        withImage.featuredImage = FeaturedImage(media: String(repeating: "a", count: 64), credit: "БТА")
        #expect(try JSONDecoder().decode(ArticleInput.self, from: JSONEncoder().encode(withImage)) == withImage)
    }

    @Test("files are stored once under their address")
    func files() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vestnik-media-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = MediaFiles(folder: folder)
        let bytes = Array("picture bytes".utf8)
        let address = MediaAddress(bytes: bytes, format: .png)
        try files.store(bytes, at: address)
        try files.store(bytes, at: address)
        #expect(files.read(address) == Data(bytes))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == [address.fileName])
        #expect(files.read(MediaAddress(bytes: [1], format: .png)) == nil)
    }
}
