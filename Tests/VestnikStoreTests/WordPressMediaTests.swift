import Foundation
import SQLKit
import Testing
import VestnikCore
import VestnikTestSupport
@testable import VestnikStore

/// `vestnik import-wordpress --uploads DIR`: attachments, featured pictures and the pictures in bodies go into the
/// media library through the upload path (scrubbed, content-addressed, renditions queued); missing files reported.
@Suite struct WordPressMediaTests {
    typealias Post = WordPressExport.Post
    static let uploadsURL = WordPressExport.site + "/wp-content/uploads/"

    /// A post that shows a smaller copy of a picture (with a srcset) and a picture whose file is gone, and leads
    /// with an attachment that comes after it in the file (as WordPress writes them); a second attachment is gone.
    static func posts() -> [Post] {
        var post = Post(id: 201, title: "Сесията на съвета", slug: "sesiyata")
        post.content = """
            Първи абзац.

            <img src="\(uploadsURL)2026/11/zala-300x200.jpg" srcset="\(uploadsURL)2026/11/zala-300x200.jpg 300w, \(uploadsURL)2026/11/zala.jpg 800w" alt="Залата отвътре" width="300" height="200" />

            <img src="\(uploadsURL)2026/11/lipsva.jpg" alt="Няма го" />

            Последен абзац.
            """
        post.meta = [("_thumbnail_id", "301")]
        var picture = Post(id: 301, title: "zala", slug: "zala")
        picture.type = "attachment"
        picture.status = "inherit"
        picture.excerpt = "Залата на общинския съвет"
        picture.attachmentURL = uploadsURL + "2026/11/zala.jpg"
        picture.meta = [
            ("_wp_attached_file", "2026/11/zala.jpg"), ("_wp_attachment_image_alt", "Залата на съвета"),
            ("_wp_attachment_metadata", #"a:1:{s:10:"image_meta";a:2:{s:6:"credit";s:10:"БГНЕС";s:5:"title";s:0:"";}}"#),
        ]
        var gone = Post(id: 302, title: "nyama", slug: "nyama")
        gone.type = "attachment"
        gone.status = "inherit"
        gone.attachmentURL = uploadsURL + "2026/10/nyama.jpg"
        gone.meta = [("_wp_attached_file", "2026/10/nyama.jpg")]
        return [post, picture, gone]
    }

    static func run(_ database: Database, uploads: URL, media: URL) async throws -> WordPressImporter.Report {
        var options = WordPressImporter.Options()
        options.uploads = uploads
        let xml = Data(WordPressExport.xml(posts()).utf8)
        return try await WordPressImporter(database: database, media: MediaIntake(database: database, folder: media, maxBytes: 10 << 20))
            .run(WXRReader(data: xml), attachments: WXRReader(data: xml), options: options, now: testNow)
    }

    @Test(
        "attachments and featured pictures into the library, bodies rewritten, missing files named, re-run idempotent",
        arguments: TestDatabase.all)
    func pictures(_ kind: TestDatabase) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("wp-media-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let uploads = folder.appendingPathComponent("uploads")
        let media = folder.appendingPathComponent("media")
        try FileManager.default.createDirectory(at: uploads.appendingPathComponent("2026/11"), withIntermediateDirectories: true)
        let photo = TestPictures.bytes("photo-gps.jpg")
        try Data(photo).write(to: uploads.appendingPathComponent("2026/11/zala.jpg"))
        try Data(photo.prefix(2_000)).write(to: uploads.appendingPathComponent("2026/11/zala-300x200.jpg"))
        try await kind.with { database in
            let report = try await Self.run(database, uploads: uploads, media: media)
            #expect(report.failures == [])
            #expect(report.created == 1 && report.mediaCopied == 1 && report.mediaKnown == 0 && report.featured == 1)
            #expect(report.mediaMissing == 2)
            #expect(Set(report.missingFiles) == ["2026/10/nyama.jpg", "2026/11/lipsva.jpg"])
            #expect(report.skipped["attachment"] == nil)

            // The library's one picture: scrubbed of its location, with the attachment's words, its renditions queued.
            let library = MediaRepository(database: database)
            let items = try await library.list(limit: 10).items
            #expect(items.count == 1)
            let item = try #require(items.first)
            #expect(item.alt == "Залата на съвета" && item.caption == "Залата на общинския съвет" && item.credit == "БГНЕС")
            #expect(item.removedMetadata.contains(.location) && item.originalName == "zala.jpg")
            let stored = try #require(MediaFiles(folder: media).read(item.address))
            #expect(MediaAddress(bytes: [UInt8](stored), format: .jpeg) == item.address && [UInt8](stored) != photo)
            let files = MediaFiles(folder: media)
            #expect(try await MediaRenditions(database: database, files: files).job(item.address.hash) != nil)

            // The article leads with it, and its body shows the library's copy (the original, not the smaller one).
            let article = try #require(try await ArticleRepository(database: database).article(slug: "sesiyata"))
            #expect(article.featuredImage?.address == item.address && article.featuredImage?.alt == "Залата на съвета")
            #expect(article.bodyHTML.contains("<img src=\"\(item.address.path)\" alt=\"Залата отвътре\""))
            #expect(!article.bodyHTML.contains("wp-content") && !article.bodyHTML.contains("srcset"))
            #expect(!article.bodyHTML.contains("Няма го"))

            // Again: nothing new in the library, no new revision.
            let again = try await Self.run(database, uploads: uploads, media: media)
            #expect(again.failures == [] && again.updated == 1 && again.mediaCopied == 0 && again.mediaKnown == 1 && again.featured == 1)
            #expect(try await library.list(limit: 10).items.count == 1)
            #expect(try await EditorialRepository(database: database).revisions(articleID: article.id).count == 1)
        }
    }

    @Test("paths under the uploads folder: sizes taken off, nothing outside it")
    func paths() {
        #expect(WordPressMedia.uploadsPath(of: Self.uploadsURL + "2026/11/zala-300x200.jpg") == "2026/11/zala-300x200.jpg")
        #expect(WordPressMedia.uploadsPath(of: Self.uploadsURL + "2026/11/%D0%B7%D0%B0%D0%BB%D0%B0.jpg") == "2026/11/зала.jpg")
        #expect(WordPressMedia.uploadsPath(of: Self.uploadsURL + "../../etc/passwd") == nil)
        #expect(WordPressMedia.uploadsPath(of: Self.uploadsURL + "2026/%2e%2e/%2e%2e/x.jpg") == nil)
        #expect(WordPressMedia.uploadsPath(of: "https://example.com/other/x.jpg") == nil)
        #expect(WordPressMedia.relativePath("/etc/passwd") == nil)
        #expect(WordPressMedia.withoutSizeSuffix("2026/11/zala-300x200.jpg") == "2026/11/zala.jpg")
        #expect(WordPressMedia.withoutSizeSuffix("2026/11/zala-nova.jpg") == nil)
        #expect(WordPressMedia.serializedString("credit", in: #"s:6:"credit";s:10:"БГНЕС";"#) == "БГНЕС")
        #expect(WordPressMedia.serializedString("credit", in: #"s:6:"credit";s:99:"БГНЕС";"#) == "")
    }
}
