import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport
@testable import VestnikWeb

/// Waits for the background worker (`RenditionWorker`, running beside the test's server) to finish with `hash`: at
/// most 10 minutes, for a machine shared with other builds.
func renditionsFinished(_ site: Site, _ hash: String) async throws -> RenditionJob? {
    for _ in 0..<6000 {
        if let job = try await site.renditions.job(hash), ![.pending, .working].contains(job.state) { return job }
        try await Task.sleep(for: .milliseconds(100))
    }
    return try await site.renditions.job(hash)
}

/// Uploads one of `TestPictures` through the library's form; its address is the scrubbed file's.
func uploadPicture(_ browser: NewsroomBrowser, _ name: String, alt: String, credit: String = "") async throws -> MediaAddress {
    let bytes = TestPictures.bytes(name)
    let uploaded = try await browser.upload(MediaURLs.library, [("alt", alt), ("credit", credit)], file: (name, bytes))
    #expect(uploaded.status == .seeOther)
    return MediaAddress(bytes: try ImageScrubber.scrub(bytes, format: .jpeg).get().bytes, format: .jpeg)
}

@Suite("Picture renditions over HTTP")
struct RenditionTests {
    static let needsVips = TestPictures.needsVips
    /// libvips as it is here, without AVIF: the store's tests make AVIF, these need not wait for its encoder.
    static var withoutAVIF: Vips.Availability {
        if case .ready(let version, _) = Vips.availability { .ready(version: version, avif: false) } else { Vips.availability }
    }

    @Test(
        "an upload is rendered in the background; the article offers WebP with srcset, Open Graph the 1200-wide crop; files served immutable with ranges",
        needsVips, arguments: TestDatabase.all)
    func uploadToPicture(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed, vips: Self.withoutAVIF) { client, site in
            let browser = try await mediaBrowser(client, site, role: .author)
            let address = try await uploadPicture(browser, "photo-gps.jpg", alt: "Площадът", credit: "БТА")
            #expect(try await renditionsFinished(site, address.hash)?.state == .done)
            let renditions = try await site.renditions.renditions(of: address.hash)
            let webp = try #require(renditions.first { $0.format == .webp && $0.width == 640 })

            // The picture's page in the newsroom lists them.
            let page = try await browser.get(MediaURLs.item(address.hash))
            #expect(page.body.contains(site.locale.format("nr_media_renditions_done", ["count": String(renditions.count)])))
            #expect(page.body.contains("<a href=\"\(webp.address.path)\">WEBP 640×427"))

            // Served like the originals: immutable, typed, the content hash as ETag, and byte ranges.
            let (status, bytes, headers) = try await client.execute(uri: webp.address.path, method: .get) { response in
                (response.status, Array(response.body.readableBytesView), response.headers)
            }
            #expect(status == .ok && bytes.count == webp.bytes && MediaAddress(bytes: bytes, format: .webp) == webp.address)
            #expect(headers[.contentType] == "image/webp" && headers[.cacheControl] == "public, max-age=31536000, immutable")
            #expect(headers[.eTag] == "\"\(webp.address.hash)\"" && headers[.acceptRanges] == "bytes")
            let (partStatus, part, partHeaders) = try await client.execute(
                uri: webp.address.path, method: .get, headers: [.range: "bytes=10-109"]
            ) { response in (response.status, Array(response.body.readableBytesView), response.headers) }
            #expect(partStatus == .partialContent && part == Array(bytes[10...109]))
            #expect(partHeaders[.contentRange] == "bytes 10-109/\(bytes.count)")
            let beyond = try await client.get(webp.address.path, headers: [.range: "bytes=\(bytes.count)-"])
            #expect(beyond.status == .rangeNotSatisfiable && beyond.headers[.contentRange] == "bytes */\(bytes.count)")
            // An If-Range that is not this file's ETag gets the whole file.
            let stale = try await client.get(webp.address.path, headers: [.range: "bytes=0-9", .ifRange: "\"other\""])
            #expect(stale.status == .ok)
            // A rendition's address with another extension is nothing.
            #expect(try await client.get("/media/\(webp.address.hash).png").status == .notFound)

            // The article that leads with it.
            try await browser.get(NewsroomURLs.newArticle)
            let saved = try await browser.post(
                NewsroomURLs.newArticle,
                articleFields(title: "Протест пред парламента", action: "publish") + [
                    ("featured", address.path), ("featured_caption", ""), ("featured_credit", ""),
                ])
            #expect(saved.status == .seeOther)
            let article = try await client.get("/svyat/protest-pred-parlamenta")
            let webpSet = renditions.filter { $0.format == .webp && $0.crop == nil }.sorted { $0.width < $1.width }
                .map { "\($0.address.path) \($0.width)w" }.joined(separator: ", ")
            #expect(article.body.contains("<source type=\"image/webp\" srcset=\"\(webpSet)\" sizes=\"\(ResponsivePicture.articleSizes)\">"))
            let jpeg1280 = try #require(renditions.first { $0.format == .jpeg && $0.width == 1280 && $0.crop == nil })
            #expect(article.body.contains("<img src=\"\(jpeg1280.address.path)\" srcset=\""))
            #expect(article.body.contains("alt=\"Площадът\" width=\"2400\" height=\"1600\" fetchpriority=\"high\"></picture>"))
            // The credit stands even without a caption.
            #expect(article.body.contains("<figcaption> <span class=\"credit\">Снимка: БТА</span></figcaption>"))
            #expect(article.body.contains("<meta name=\"robots\" content=\"max-image-preview:large\">"))
            // Open Graph and the NewsArticle: the crops, 1200 wide, 16×9 first.
            let wide = try #require(renditions.first { $0.crop == .wide })
            #expect(article.body.contains("<meta property=\"og:image\" content=\"http://127.0.0.1:8080\(wide.address.path)\">"))
            #expect(article.body.contains("<meta property=\"og:image:width\" content=\"1200\">"))
            let data = try #require(try jsonLD(article.body, type: "NewsArticle"))
            let images = try #require(data["image"] as? [[String: Any]])
            #expect(images.map { $0["width"] as? Int } == [1200, 1200, 1200])
            #expect(images.map { $0["height"] as? Int } == [675, 900, 1200])
            // The content API lists the same files: widths, formats and the three crops.
            let api = try #require(
                try JSONSerialization.jsonObject(
                    with: Data(try await client.get("/api/v1/articles/by-slug/protest-pred-parlamenta").body.utf8))
                    as? [String: Any])
            let media = try #require(api["featured_media"] as? [String: Any])
            let listed = try #require(media["renditions"] as? [[String: Any]])
            #expect(media["format"] as? String == "image/jpeg" && listed.count == renditions.count)
            #expect(Set(listed.compactMap { $0["crop"] as? String }) == ["16x9", "4x3", "1x1"])
            #expect(listed.contains { $0["url"] as? String == "http://127.0.0.1:8080\(webp.address.path)" && $0["width"] as? Int == 640 })
            #expect(listed.contains { $0["format"] as? String == "image/webp" && $0["crop"] is NSNull })
        }
    }

    @Test(
        "cards on the home page, lists and search show the picture's small 4×3 crop; feeds carry its 16×9 crop; a new alt text reaches the cached cards",
        needsVips, arguments: TestDatabase.all)
    func picturesOnEveryPage(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed, vips: Self.withoutAVIF) { client, site in
            let browser = try await mediaBrowser(client, site, role: .editor)
            let address = try await uploadPicture(browser, "photo-gps.jpg", alt: "Площадът", credit: "БТА")
            #expect(try await renditionsFinished(site, address.hash)?.state == .done)
            let renditions = try await site.renditions.renditions(of: address.hash)
            // The cards' crops: 320 and 640 wide in JPEG and WebP, beside the 1200-wide 4×3 crop that is shared.
            let cards = renditions.cardCrops
            #expect(cards.map(\.width) == [320, 320, 640, 640, 1200])
            #expect(cards.allSatisfy { abs($0.height - $0.width * 3 / 4) <= 1 })
            for (number, title) in ["Протест пред парламента", "Шествие в центъра", "Митинг пред съда", "Среща в кметството"]
                .enumerated()
            {
                try await browser.get(NewsroomURLs.newArticle)
                let saved = try await browser.post(
                    NewsroomURLs.newArticle,
                    articleFields(title: title, body: "<p>Текст \(number).</p>", action: "publish") + [
                        ("featured", address.path), ("featured_caption", ""), ("featured_credit", ""),
                    ])
                #expect(saved.status == .seeOther)
            }
            func srcset(_ files: [Rendition], _ format: ImageFormat) -> String {
                files.filter { $0.format == format }.sorted { $0.width < $1.width }.map { "\($0.address.path) \($0.width)w" }
                    .joined(separator: ", ")
            }
            let jpeg640 = try #require(cards.first { $0.format == .jpeg && $0.width == 640 })
            func picture(lazy: Bool) -> String {
                let sizes = CardPictures.cardSizes
                return "<picture class=\"card-picture\"><source type=\"image/webp\" srcset=\"\(srcset(cards, .webp))\" sizes=\"\(sizes)\">"
                    + "<img src=\"\(jpeg640.address.path)\" srcset=\"\(srcset(cards, .jpeg))\" sizes=\"\(sizes)\" alt=\"Площадът\" width=\"640\" height=\"480\""
                    + (lazy ? " loading=\"lazy\"" : " fetchpriority=\"high\"") + " decoding=\"async\"></picture>"
            }
            // The home page: the lead story's whole picture across the column, at once; the first two cards after
            // it (the top zone) at once, the rest lazily; the article without a picture has none.
            let whole = renditions.filter { $0.crop == nil }
            let jpeg1280 = try #require(whole.first { $0.format == .jpeg && $0.width == 1280 })
            let sizes = CardPictures.leadSizes
            let lead =
                "<picture class=\"card-picture\"><source type=\"image/webp\" srcset=\"\(srcset(whole, .webp))\" sizes=\"\(sizes)\">"
                + "<img src=\"\(jpeg1280.address.path)\" srcset=\"\(srcset(whole, .jpeg))\" sizes=\"\(sizes)\" alt=\"Площадът\" width=\"2400\" height=\"1600\" fetchpriority=\"high\" decoding=\"async\"></picture>"
            let home = try await client.get("/")
            #expect(home.body.components(separatedBy: lead).count == 2)
            #expect(home.body.components(separatedBy: picture(lazy: false)).count == 3)
            #expect(home.body.components(separatedBy: picture(lazy: true)).count >= 2)
            // The lead zone and the top zone show the four; the section blocks skip what the zones show.
            #expect(home.body.components(separatedBy: "<picture").count == 1 + 4)
            // A section's list, an author's, a tag's, and search results.
            for list in ["/svyat", "/avtor/ivan-petrov", "/tag/test", SiteURLs.search + "?q=%D0%BF%D1%80%D0%BE%D1%82%D0%B5%D1%81%D1%82"] {
                let page = try await client.get(list)
                #expect(page.status == .ok, "\(list)")
                #expect(page.body.contains(picture(lazy: false)), "\(list)")
            }
            // The feeds: the 16×9 crop as the enclosure and Media RSS content, with its size.
            let wide = try #require(renditions.shareCrops.first)
            #expect(wide.crop == .wide && wide.width == 1200)
            let url = "http://127.0.0.1:8080\(wide.address.path)"
            for feed in ["/rss.xml", "/atom.xml"] {
                let body = try await client.get(feed).body
                #expect(body.contains("xmlns:media=\"http://search.yahoo.com/mrss/\""), "\(feed)")
                #expect(
                    body.contains(
                        "<media:content url=\"\(url)\" type=\"image/jpeg\" medium=\"image\" fileSize=\"\(wide.bytes)\" width=\"1200\" height=\"675\"/>"
                    ),
                    "\(feed)")
            }
            #expect(
                try await client.get("/rss.xml").body.contains("<enclosure url=\"\(url)\" length=\"\(wide.bytes)\" type=\"image/jpeg\"/>"))

            // A new alt text: the cached home page and section list are dropped and show it.
            #expect(try await client.get("/svyat").body.contains("alt=\"Площадът\""))
            let edited = try await browser.post(
                MediaURLs.item(address.hash), [("alt", "Площадът вечерта"), ("caption", ""), ("credit", "БТА")])
            #expect(edited.status == .seeOther)
            for page in ["/", "/svyat"] {
                let body = try await client.get(page).body
                #expect(body.contains("alt=\"Площадът вечерта\"") && !body.contains("alt=\"Площадът\""), "\(page)")
            }
        }
    }

    @Test(
        "a library picture in a body is served as <picture> with its renditions; a picture at an https address is kept through a re-save",
        needsVips, arguments: TestDatabase.all)
    func picturesInBodies(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed, vips: Self.withoutAVIF) { client, site in
            let browser = try await mediaBrowser(client, site, role: .editor)
            let address = try await uploadPicture(browser, "photo-gps.jpg", alt: "Площадът")
            #expect(try await renditionsFinished(site, address.hash)?.state == .done)
            let external =
                "<figure><img src=\"https://cdn.bta.bg/snimka.jpg?w=1200&amp;h=800\" alt=\"Снимка на БТА\" width=\"1200\" height=\"800\" loading=\"lazy\"><figcaption>БТА</figcaption></figure>"
            let body =
                "<p>Първи абзац.</p><figure><img src=\"\(address.path)\" alt=\"В текста\" width=\"2400\" height=\"1600\"></figure>"
                + "<p>Втори абзац.</p><figure contenteditable=\"false\"><img src=\"https://cdn.bta.bg/snimka.jpg?w=1200&amp;h=800\" alt=\"Снимка на БТА\" width=\"1200\" height=\"800\" onerror=\"alert(1)\"><figcaption>БТА</figcaption></figure>"
                + "<p>Трети абзац.</p><img src=\"javascript:alert(1)\" alt=\"x\"><img src=\"data:image/png;base64,iVBORw0KGgo=\" alt=\"y\">"
            try await browser.get(NewsroomURLs.newArticle)
            let created = try await browser.post(
                NewsroomURLs.newArticle, articleFields(title: "Снимки в текста", body: body, action: "publish"))
            let id = try #require(articleID(created.location))
            let renditions = try await site.renditions.renditions(of: address.hash).filter { $0.crop == nil }
            func srcset(_ format: ImageFormat) -> String {
                renditions.filter { $0.format == format }.map { "\($0.address.path) \($0.width)w" }.joined(separator: ", ")
            }
            let jpeg1280 = try #require(renditions.first { $0.format == .jpeg && $0.width == 1280 })
            let sizes = ResponsivePicture.articleSizes
            let picture =
                "<figure><picture><source type=\"image/webp\" srcset=\"\(srcset(.webp))\" sizes=\"\(sizes)\">"
                + "<img src=\"\(jpeg1280.address.path)\" srcset=\"\(srcset(.jpeg))\" sizes=\"\(sizes)\" alt=\"В текста\" width=\"2400\" height=\"1600\" loading=\"lazy\"></picture></figure>"
            let page = try await client.get("/svyat/snimki-v-teksta").body
            #expect(page.contains(picture))
            #expect(page.contains(external))
            #expect(!page.contains("javascript:") && !page.contains("data:image") && !page.contains("onerror"))

            // Saved again with the body as the editor shows it: the picture elsewhere is still there.
            let stored = try #require(try await site.articles.article(slug: "snimki-v-teksta")).bodyHTML
            #expect(stored.contains(external))
            try await browser.get(NewsroomURLs.article(id))
            let resaved = try await browser.post(
                NewsroomURLs.article(id),
                articleFields(title: "Снимки в текста", body: stored + "<p>Добавен абзац.</p>", revision: 1, action: "publish"))
            #expect(resaved.status == .seeOther)
            let again = try #require(try await site.articles.article(slug: "snimki-v-teksta")).bodyHTML
            #expect(again.contains(external) && again.contains("Добавен абзац."))
            #expect(try await client.get("/svyat/snimki-v-teksta").body.contains(external))
        }
    }

    @Test("without libvips the site runs: uploads are queued, originals served, and the newsroom says why", arguments: TestDatabase.all)
    func withoutLibvips(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed, vips: .missing("libvips.so.42: cannot open shared object file")) { client, site in
            let browser = try await mediaBrowser(client, site, role: .author)
            let library = try await browser.get(MediaURLs.library)
            let notice = site.locale.format("nr_media_renditions_off", ["reason": "libvips.so.42: cannot open shared object file"])
            #expect(library.body.contains(HTML.escape(notice)))
            let address = try await uploadPicture(browser, "rotated.jpg", alt: "Снимка")
            #expect(try await client.get(address.path).status == .ok)
            // Queued for when libvips is installed; nothing made meanwhile.
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await site.renditions.job(address.hash)?.state == .pending)
            #expect(try await browser.get(MediaURLs.item(address.hash)).body.contains(HTML.escape(notice)))
        }
    }

    @Test(
        "a JPEG cut short is taken, then its page says it is damaged; an animation of 1,000 frames is refused", needsVips,
        arguments: TestDatabase.all)
    func badPictures(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed, vips: Self.withoutAVIF) { client, site in
            let browser = try await mediaBrowser(client, site, role: .author)
            let photo = TestPictures.bytes("photo-gps.jpg")
            // Its scan data stops halfway, then the end-of-image marker: the upload's checks pass, libvips' decoder
            // does not.
            let cut = Array(try ImageScrubber.scrub(photo, format: .jpeg).get().bytes.prefix(photo.count / 2)) + [0xFF, 0xD9]
            #expect(try await browser.upload(MediaURLs.library, [("alt", "Половин")], file: ("cut.jpg", cut)).status == .seeOther)
            let address = MediaAddress(bytes: cut, format: .jpeg)
            #expect(try await renditionsFinished(site, address.hash)?.state == .failed)
            let page = try await browser.get(MediaURLs.item(address.hash))
            #expect(page.body.contains(site.locale["nr_media_renditions_damaged"]))
            // The original is still served; the article would show it as it is.
            #expect(try await client.get(address.path).status == .ok)

            // 1,000 frames of 16×16: few bytes, but more frames than a browser should keep.
            var gif = Array("GIF89a".utf8) + SampleImages.le16(16) + SampleImages.le16(16) + [0x80, 0, 0] + [UInt8](repeating: 0, count: 6)
            for _ in 0..<1000 { gif += [0x2C, 0, 0, 0, 0, 16, 0, 16, 0, 0, 2, 2, 0x4C, 0x01, 0] }
            gif.append(0x3B)
            let refused = try await browser.upload(MediaURLs.library, [("alt", "Анимация")], file: ("a.gif", gif))
            #expect(refused.status == .unprocessableContent)
            #expect(refused.body.contains(HTML.escape(site.locale.format("nr_media_error_frames", ["frames": "500", "megapixels": "50"]))))
        }
    }

    @Test(
        "a focal point set on the picture's page moves its crops and is audited; only its uploader or an editor may set it",
        needsVips, arguments: TestDatabase.all)
    func focalPoint(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed, vips: Self.withoutAVIF) { client, site in
            let browser = try await mediaBrowser(client, site, role: .author)
            let address = try await uploadPicture(browser, "photo-gps.jpg", alt: "Диск")
            #expect(try await renditionsFinished(site, address.hash)?.state == .done)
            let centred = try #require(try await site.renditions.renditions(of: address.hash).first { $0.crop == .square })
            // No point set: libvips' attention finder placed it, and the page shows where.
            let found = try #require(try await site.media.item(hash: address.hash))
            #expect(!found.focusSet && found.focus != .centre)
            let page = try await browser.get(MediaURLs.item(address.hash))
            #expect(
                page.body.contains("action=\"\(MediaURLs.focus(address.hash))\"")
                    && page.body.contains("name=\"focus_x\" value=\"\(String(format: "%.1f", found.focus.x * 100))\""))
            #expect(page.body.contains("<img src=\"\(centred.address.path)\" alt=\"\" width=\"1200\" height=\"1200\""))

            // The red disc, at 79.2 % across and 31.25 % down.
            let saved = try await browser.post(MediaURLs.focus(address.hash), [("focus_x", "79.2"), ("focus_y", "31,25")])
            #expect(saved.status == .seeOther && saved.location == MediaURLs.item(address.hash) + "?focus=1")
            let item = try #require(try await site.media.item(hash: address.hash))
            #expect(abs(item.focus.x - 0.792) < 0.0001 && abs(item.focus.y - 0.3125) < 0.0001)
            #expect(try await renditionsFinished(site, address.hash)?.state == .done)
            let moved = try #require(try await site.renditions.renditions(of: address.hash).first { $0.crop == .square })
            // The square now comes from the right-hand side, which holds the point; so it is another file, and the
            // old one is gone from the library (and from /media/).
            #expect(moved.address != centred.address)
            // The job is marked done when its transaction commits; the old file goes right after, so wait for it.
            for _ in 0..<100 where site.mediaFiles.read(centred.address) != nil { try await Task.sleep(for: .milliseconds(50)) }
            #expect(site.mediaFiles.read(centred.address) == nil && site.mediaFiles.read(moved.address) != nil)
            #expect(try await client.get(centred.address.path).status == .notFound)
            #expect(item.focusSet)
            let crop = RenditionPlan.crop(width: 2400, height: 1600, ratio: .square, focus: item.focus)
            #expect(crop.left == 800 && crop.contains(x: 0.792 * 2400, y: 0.3125 * 1600))
            let log = try await site.drafts.auditLog(limit: 5)
            #expect(log.first?.action == "media_focus" && log.first?.title.hasPrefix("Диск (") == true)

            #expect(
                try await browser.post(MediaURLs.focus(address.hash), [("focus_x", "150"), ("focus_y", "1")]).status
                    == .unprocessableContent)
            #expect(
                try await browser.post(MediaURLs.focus(address.hash), [("focus_x", "nan"), ("focus_y", "1")]).status
                    == .unprocessableContent)
            // Another contributor may look, not move it.
            let other = try await mediaBrowser(client, site, role: .contributor)
            #expect(try await other.post(MediaURLs.focus(address.hash), [("focus_x", "10"), ("focus_y", "10")]).status == .forbidden)
            #expect(!(try await other.get(MediaURLs.item(address.hash)).body.contains("id=\"nr-focus\"")))
        }
    }
}
