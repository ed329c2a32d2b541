import Foundation
import Testing
import VestnikCore
import VestnikTestSupport
@testable import VestnikStore

/// Galleries through the one write path: the "(СНИМКИ)" marker follows the body, and a gallery names only pictures
/// the library has.
@Suite struct GalleryWriteTests {
    static func picture(_ database: Database, _ seed: String) async throws -> MediaAddress {
        let address = MediaAddress(bytes: Array("снимка \(seed)".utf8), format: .jpeg)
        try await MediaRepository(database: database).add(
            MediaItem(address: address, width: 1600, height: 1200, bytes: 100, alt: "Снимка \(seed)", uploadedAt: testNow),
            uploadedBy: nil)
        return address
    }

    static func withGallery(_ title: String, _ pictures: [MediaAddress]) -> ArticleInput {
        var draft = input(title, status: .published)
        draft.media = MediaMarkers()
        draft.bodyHTML = "<p>Текст.</p>\n" + Gallery(pictures: pictures)!.marker
        return draft
    }

    @Test(
        "a body with a gallery sets (СНИМКИ) on save and import; a picture not in the library is refused and nothing stored",
        arguments: TestDatabase.all)
    func markerAndPictures(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let writes = ArticleWriteService(database: database)
            let articles = ArticleRepository(database: database)
            let editor = try await ArticleWriteServiceTests.user(database, "editor@vestnik.bg", .editor)
            let first = try await Self.picture(database, "1")
            let second = try await Self.picture(database, "2")

            guard
                case .saved(let id, let revision) = try await writes.save(
                    Self.withGallery("Галерия", [first, second]), articleID: nil, baseRevision: 0, by: editor, now: testNow)
            else { Issue.record("not saved"); return }
            #expect(try await articles.article(slug: "galeria")?.media.gallery == true)
            // The library knows which articles show its pictures (a new caption drops their pages from the caches).
            #expect(try await MediaRepository(database: database).articles(naming: second.hash) == [id])

            // Without the gallery the marker is what the writer says: ticked by hand it stays, else it goes.
            var plain = input("Галерия", status: .published)
            plain.media = MediaMarkers(gallery: true)
            guard
                case .saved(_, let next) = try await writes.save(plain, articleID: id, baseRevision: revision, by: editor, now: testNow)
            else { Issue.record("not saved"); return }
            #expect(try await articles.article(slug: "galeria")?.media.gallery == true)
            plain.media = MediaMarkers()
            _ = try await writes.save(plain, articleID: id, baseRevision: next, by: editor, now: testNow)
            #expect(try await articles.article(slug: "galeria")?.media.gallery == false)

            // An import too.
            try await writes.importArticle(Self.withGallery("Внесена галерия", [second]), now: testNow)
            #expect(try await articles.article(slug: "vnesena-galeria")?.media.gallery == true)

            // A name of no library picture: refused with the name, nothing written.
            let audit = try await ArticleWriteServiceTests.auditActions(database)
            let stranger = MediaAddress(bytes: Array("чужда".utf8), format: .jpeg)
            for pictures in [[first, stranger], [MediaAddress(hash: first.hash, format: .png)]] {
                do {
                    _ = try await writes.save(
                        Self.withGallery("Чужда снимка", pictures), articleID: nil, baseRevision: 0, by: editor, now: testNow)
                    Issue.record("saved a gallery of unknown pictures")
                } catch let error as InvalidInput {
                    #expect(error.description.contains(pictures.last!.fileName))
                }
                await #expect(throws: InvalidInput.self) {
                    try await writes.importArticle(Self.withGallery("Чужда снимка", pictures), now: testNow)
                }
            }
            #expect(try await articles.article(slug: "chuzhda-snimka") == nil)
            #expect(try await ArticleWriteServiceTests.auditActions(database) == audit)
        }
    }
}
