import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport
@testable import VestnikWeb

@Suite("Galleries over HTTP")
struct GalleryTests {
    /// Uploads `count` distinct PNGs through the library's form, with words; their addresses, in order.
    static func uploadPictures(_ browser: NewsroomBrowser, count: Int) async throws -> [MediaAddress] {
        var addresses: [MediaAddress] = []
        for index in 0..<count {
            let png = samplePNG(width: 1200, height: 900, seed: UInt8(index + 1))
            let uploaded = try await browser.upload(
                MediaURLs.library,
                [("alt", "Снимка \(index + 1) от протеста"), ("caption", "Площадът <\(index + 1)>"), ("credit", index == 1 ? "" : "БТА")],
                file: ("snimka-\(index).png", png))
            #expect(uploaded.status == .seeOther)
            addresses.append(MediaAddress(bytes: png, format: .png))
        }
        return addresses
    }

    @Test(
        "a gallery block is stored as its marker only, sets (СНИМКИ), and reaches the page as a grid with captions and credits, JSON-LD ImageGallery and feeds as plain figures",
        arguments: TestDatabase.all)
    func galleryEndToEnd(_ kind: TestDatabase) async throws {
        try await withSite(
            kind, articles: newsroomSeed, settings: [SettingKeys.feedContent: FeedContent.full.rawValue],
            vips: .missing("no libvips in this test")
        ) { client, site in
            let browser = try await mediaBrowser(client, site, role: .author)
            let pictures = try await Self.uploadPictures(browser, count: 3)
            let names = pictures.map(\.fileName)
            // As the editor posts it: its thumbnails inside, plus what a hostile request adds (attributes, markup,
            // addresses, a name twice, a name of no picture shape); only the names survive, in order.
            let posted =
                "<p>Първи абзац.</p><figure class=\"gallery nr-gallery\" contenteditable=\"false\" onclick=\"alert(1)\""
                + " data-media=\"\(names[0]) \(names[1]) javascript:alert(1) \(names[0]) https://evil.example/x.jpg \(names[2])\""
                + " style=\"x\"><figcaption>Галерия (3 снимки)</figcaption><img src=\"/media/\(names[0])\" alt=\"\" onerror=\"alert(2)\">"
                + "<script>alert(3)</script></figure><p>Втори абзац.</p>"
            try await browser.get(NewsroomURLs.newArticle)
            let created = try await browser.post(
                NewsroomURLs.newArticle, articleFields(title: "Протест в снимки", body: posted, action: "publish"))
            #expect(created.status == .seeOther)
            let id = try #require(articleID(created.location))
            let marker = "<figure class=\"gallery\" data-media=\"\(names.joined(separator: " "))\"></figure>"
            let stored = try #require(try await site.articles.article(slug: "protest-v-snimki"))
            #expect(stored.bodyHTML == "<p>Първи абзац.</p>\n\(marker)\n<p>Втори абзац.</p>")
            // The "(СНИМКИ)" marker, though the form's box was not ticked.
            #expect(stored.media.gallery)

            let page = try await client.get("/svyat/protest-v-snimki")
            #expect(page.status == .ok)
            let body = page.body
            #expect(body.contains("<span class=\"marker\">\(site.locale["marker_gallery"])</span>"))
            #expect(!body.contains("alert(") && !body.contains("evil.example") && !body.contains("nr-gallery"))
            #expect(body.contains("<figure class=\"gallery\" id=\"galeriya-1\""))
            #expect(body.contains(HTML.escape(site.locale.format("gallery_title", ["count": "3"]))))
            #expect(body.contains("data-position=\"\(HTML.escape(site.locale["gallery_position"]))\""))
            // Each picture: a link to the whole picture around the grid's <picture>, in a paragraph of its own (reader
            // modes keep the text around the grid: test_readers.py), the library's words under it (the second has no
            // credit), in the marker's order; lazily loaded, with its size.
            for (index, address) in pictures.enumerated() {
                let credit = index == 1 ? "" : " <span class=\"credit\">Снимка: БТА</span>"
                #expect(
                    body.contains(
                        "<li><figure class=\"gallery-item\"><p class=\"gallery-picture\"><a class=\"gallery-open\" href=\"\(address.path)\" data-index=\"\(index)\""
                            + " data-width=\"1200\" data-height=\"900\"><picture><img src=\"\(address.path)\""
                            + " alt=\"Снимка \(index + 1) от протеста\" width=\"1200\" height=\"900\" loading=\"lazy\" decoding=\"async\">"
                            + "</picture></a></p><figcaption>Площадът &lt;\(index + 1)&gt;\(credit)</figcaption></figure></li>"))
            }
            let order = pictures.compactMap { body.range(of: "href=\"\($0.path)\"")?.lowerBound }
            #expect(order.count == 3 && order == order.sorted())
            // The viewer's script, our own.
            #expect(body.contains("<script src=\"\(site.views.assets.url("gallery.js"))\" defer></script>"))
            let script = try await client.get(site.views.assets.url("gallery.js"))
            #expect(script.status == .ok && script.body.contains("showModal"))

            // JSON-LD: an ImageGallery with every picture's address, caption and credit.
            let gallery = try #require(try jsonLD(body, type: "ImageGallery"))
            #expect(gallery["url"] as? String == "http://127.0.0.1:8080/svyat/protest-v-snimki#galeriya-1")
            let images = try #require(gallery["image"] as? [[String: Any]])
            #expect(images.map { $0["contentUrl"] as? String } == pictures.map { "http://127.0.0.1:8080" + $0.path })
            #expect(images[0]["caption"] as? String == "Площадът <1>" && images[0]["creditText"] as? String == "Снимка: БТА")
            #expect(images[1]["creditText"] == nil && images[2]["width"] as? Int == 1200)

            // Feeds: plain figures with absolute addresses, no marker, no grid.
            let rss = try await client.get("/rss.xml").body
            #expect(!rss.contains("data-media") && !rss.contains("gallery-open"))
            #expect(
                rss.contains(
                    HTML.escape(
                        "<figure><img src=\"http://127.0.0.1:8080\(pictures[1].path)\" alt=\"Снимка 2 от протеста\" width=\"1200\" height=\"900\">"
                            + "<figcaption>Площадът &lt;2&gt;</figcaption></figure>")))

            // A caption changed in the library reaches the cached page.
            _ = try await client.get("/svyat/protest-v-snimki")
            _ = try await site.media.update(
                hash: pictures[2].hash, alt: "Снимка 3 от протеста", caption: "Нов надпис", credit: "БГНЕС", now: testNow)
            let changed = try await client.get("/svyat/protest-v-snimki").body
            #expect(changed.contains("<figcaption>Нов надпис <span class=\"credit\">Снимка: БГНЕС</span></figcaption>"))

            // The editor gets the marker back as it is; saved again, nothing changes.
            let editor = try await browser.get(NewsroomURLs.article(id))
            #expect(editor.body.contains(HTML.escape(marker)))
            let resaved = try await browser.post(
                NewsroomURLs.article(id), articleFields(title: "Протест в снимки", body: stored.bodyHTML, revision: 1, action: "publish"))
            #expect(resaved.status == .seeOther)
            #expect(try await site.articles.article(slug: "protest-v-snimki")?.bodyHTML == stored.bodyHTML)
        }
    }

    @Test(
        "a gallery opened again in the editor reads its pictures by hash, in the block's order, with their words; a bad hash is a 400",
        arguments: TestDatabase.all)
    func picturesByHash(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed, vips: .missing("no libvips in this test")) { client, site in
            let browser = try await mediaBrowser(client, site, role: .author)
            let pictures = try await Self.uploadPictures(browser, count: 3)
            let order = [pictures[2], pictures[0], pictures[1]]
            // A picture the library does not have is left out, as the page leaves it out.
            let missing = String(repeating: "0", count: 64)
            let answer = try await browser.get(
                "/newsroom/media.json?" + (order.map(\.hash) + [missing]).map { "hash=" + $0 }.joined(separator: "&"))
            #expect(answer.status == .ok)
            struct Page: Decodable {
                struct Item: Decodable { var src, caption, credit: String }
                var items: [Item]
                var next: String?
            }
            let page = try JSONDecoder().decode(Page.self, from: Data(answer.body.utf8))
            #expect(page.items.map(\.src) == order.map(\.path))
            #expect(page.items.map(\.caption) == ["Площадът <3>", "Площадът <1>", "Площадът <2>"])
            #expect(page.items.map(\.credit) == ["БТА", "БТА", ""])
            #expect(page.next == nil)
            #expect(try await browser.get("/newsroom/media.json?hash=..%2Fetc").status == .badRequest)
        }
    }

    @Test(
        "a gallery naming a picture the library does not have is refused with the reason, and nothing is stored",
        arguments: TestDatabase.all)
    func unknownPictureRefused(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed, vips: .missing("no libvips in this test")) { client, site in
            let browser = try await mediaBrowser(client, site, role: .author)
            let known = try await Self.uploadPictures(browser, count: 1)[0]
            let stranger = MediaAddress(bytes: Array("не е в библиотеката".utf8), format: .jpeg)
            // Same bytes, another extension: not the library's picture either.
            let wrongType = MediaAddress(hash: known.hash, format: .jpeg)
            for name in [stranger.fileName, wrongType.fileName] {
                let body = "<figure class=\"gallery\" data-media=\"\(known.fileName) \(name)\"></figure>"
                try await browser.get(NewsroomURLs.newArticle)
                let refused = try await browser.post(
                    NewsroomURLs.newArticle, articleFields(title: "Липсваща снимка", body: body, action: "save"))
                #expect(refused.status == .unprocessableContent)
                #expect(refused.body.contains(name) && refused.body.contains("media library"))
            }
            #expect(try await site.articles.article(slug: "lipsvashta-snimka") == nil)
        }
    }

    @Test(
        "with renditions the grid offers the small 4×3 crops in WebP with srcset and sizes, the viewer every width",
        TestPictures.needsVips, arguments: TestDatabase.all)
    func galleryRenditions(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed, vips: RenditionTests.withoutAVIF) { client, site in
            let browser = try await mediaBrowser(client, site, role: .editor)
            // Photographs (libvips fails a job on any decoder warning, and the sample PNGs carry a private chunk).
            let pictures = [
                try await uploadPicture(browser, "photo-gps.jpg", alt: "Снимка 1", credit: "БТА"),
                try await uploadPicture(browser, "rotated.jpg", alt: "Снимка 2"),
            ]
            for picture in pictures { #expect(try await renditionsFinished(site, picture.hash)?.state == .done) }
            let body = "<figure class=\"gallery\" data-media=\"\(pictures.map(\.fileName).joined(separator: " "))\"></figure>"
            try await browser.get(NewsroomURLs.newArticle)
            let created = try await browser.post(
                NewsroomURLs.newArticle, articleFields(title: "Галерия с размери", body: body, action: "publish"))
            #expect(created.status == .seeOther)
            let page = try await client.get("/svyat/galeria-s-razmeri").body
            for picture in pictures {
                let made = try await site.renditions.renditions(of: picture.hash)
                func srcset(_ files: [Rendition], _ format: ImageFormat) -> String {
                    files.filter { $0.format == format }.sorted { $0.width < $1.width }.map { "\($0.address.path) \($0.width)w" }
                        .joined(separator: ", ")
                }
                let crops = made.cardCrops
                let whole = made.filter { $0.crop == nil }
                #expect(!crops.isEmpty && !whole.isEmpty)
                #expect(!srcset(crops, .webp).isEmpty || picture == pictures[1], "the photograph has WebP crops")
                let shown = try #require(crops.last { $0.format == .jpeg && $0.width <= RenditionPlan.cardWidths.last! })
                let sizes = GalleryHTML.gridSizes
                #expect(
                    page.contains(
                        "<picture>"
                            + (srcset(crops, .webp).isEmpty
                                ? "" : "<source type=\"image/webp\" srcset=\"\(srcset(crops, .webp))\" sizes=\"\(sizes)\">")
                            + "<img src=\"\(shown.address.path)\" srcset=\"\(srcset(crops, .jpeg))\" sizes=\"\(sizes)\""
                            + " alt=\"\(HTML.escape("Снимка"))"))
                #expect(page.contains("width=\"\(shown.width)\" height=\"\(shown.height)\" loading=\"lazy\""))
                // The viewer: every width of the whole picture, in its own format and WebP (a picture too small for
                // a smaller width has none).
                let own = srcset(whole, .jpeg)
                let webp = srcset(whole, .webp)
                let viewer = (own.isEmpty ? "" : " data-srcset=\"\(own)\"") + (webp.isEmpty ? "" : " data-webp=\"\(webp)\"")
                #expect(
                    page.contains(
                        "href=\"\(ResponsivePicture(original: picture, renditions: made).src)\" data-index=\"\(pictures.firstIndex(of: picture)!)\"\(viewer) data-width="
                    ))
            }
        }
    }
}
