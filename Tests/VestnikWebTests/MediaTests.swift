import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport
@testable import VestnikWeb

/// A PNG of `width`×`height` whose bytes differ by `seed`, so each call can make a new picture.
func samplePNG(width: Int = 1200, height: Int = 675, seed: UInt8 = 0) -> [UInt8] {
    let png = SampleImages.png(width: width, height: height)
    // A private ancillary chunk ("teST") before IEND makes distinct bytes of the same picture.
    return Array(png.dropLast(12)) + SampleImages.be32(1) + Array("teST".utf8) + [seed, 0, 0, 0, 0] + Array(png.suffix(12))
}

/// Signs a user in with a role and opens the library page (for its CSRF token).
func mediaBrowser(_ client: any TestClientProtocol, _ site: Site, role: Role = .contributor) async throws -> NewsroomBrowser {
    try await createUser(site, "\(role.rawValue)@vestnik.bg", role: role, name: "Петя Фотограф")
    let browser = NewsroomBrowser(client)
    _ = try await browser.logIn("\(role.rawValue)@vestnik.bg")
    try await browser.get(MediaURLs.library)
    return browser
}

@Suite("Media library over HTTP")
struct MediaTests {
    @Test("upload → library → featured picture → public page, og:image and JSON-LD", arguments: TestDatabase.all)
    func uploadToPublicPage(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            let browser = try await mediaBrowser(client, site, role: .author)
            let png = samplePNG()
            let uploaded = try await browser.upload(
                MediaURLs.library, [("alt", "Площадът пред парламента"), ("caption", "Протестът <в> 18 ч."), ("credit", "БТА")],
                file: ("площад.png", png))
            #expect(uploaded.status == .seeOther && uploaded.location == MediaURLs.library + "?added=new")
            let address = MediaAddress(bytes: png, format: .png)
            let library = try await browser.get(uploaded.location!)
            #expect(library.body.contains(site.locale["nr_media_added"]))
            #expect(library.body.contains("<img src=\"\(address.path)\" alt=\"Площадът пред парламента\""))
            #expect(
                library.body.contains("Протестът &lt;в&gt; 18 ч.") && library.body.contains("1200×675")
                    && library.body.contains("площад.png"))
            #expect(
                FileManager.default.contents(atPath: site.mediaSettings.folder.appendingPathComponent(address.fileName).path) == Data(png))

            // The editor's picker lists it as JSON.
            let picker = try await browser.get(MediaURLs.picker + "?q=%D0%BF%D0%BB%D0%BE%D1%89%D0%B0%D0%B4")
            #expect(picker.body.contains("\"hash\":\"\(address.hash)\"") && picker.body.contains("\"width\":1200"))
            #expect(try await browser.get(MediaURLs.picker + "?q=nothing-like-it").body.contains("\"items\":[]"))

            // Chosen as the featured picture of a new article, with the article's own caption; published.
            try await browser.get(NewsroomURLs.newArticle)
            let saved = try await browser.post(
                NewsroomURLs.newArticle,
                articleFields(title: "Протест пред парламента", action: "publish") + [
                    ("featured", address.path), ("featured_caption", "Хиляди на площада"), ("featured_credit", ""),
                ])
            #expect(saved.status == .seeOther)
            let id = try #require(articleID(saved.location))
            let editor = try await browser.get(NewsroomURLs.article(id))
            #expect(editor.body.contains("value=\"\(address.hash)\"") && editor.body.contains("src=\"\(address.path)\""))

            let page = try await client.get("/svyat/protest-pred-parlamenta")
            #expect(page.status == .ok)
            #expect(
                page.body.contains(
                    "<figure class=\"featured\"><picture><img src=\"\(address.path)\" alt=\"Площадът пред парламента\" width=\"1200\" height=\"675\" fetchpriority=\"high\"></picture><figcaption>Хиляди на площада <span class=\"credit\">Снимка: БТА</span></figcaption></figure>"
                ))
            let absolute = "http://127.0.0.1:8080" + address.path
            #expect(page.body.contains("<meta property=\"og:image\" content=\"\(absolute)\">"))
            #expect(page.body.contains("<meta property=\"og:image:width\" content=\"1200\">"))
            #expect(page.body.contains("<meta property=\"og:image:height\" content=\"675\">"))
            let data = try #require(try jsonLD(page.body, type: "NewsArticle"))
            let images = try #require(data["image"] as? [[String: Any]])
            #expect(images.count == 1 && images[0]["url"] as? String == absolute && images[0]["width"] as? Int == 1200)

            // The library's credit changes: the article, which wrote none of its own, follows.
            let edit = try await browser.get(MediaURLs.item(address.hash))
            #expect(edit.status == .ok && edit.body.contains("value=\"БТА\""))
            let changed = try await browser.post(
                MediaURLs.item(address.hash), [("alt", "Площадът пред парламента"), ("caption", ""), ("credit", "Фото: Иван Иванов")])
            #expect(changed.status == .seeOther)
            // The credit was typed with its own label; the page adds "Снимка:" once.
            let withCredit = try await client.get("/svyat/protest-pred-parlamenta").body
            #expect(withCredit.contains("Снимка: Иван Иванов"))
            #expect(!withCredit.contains("Фото: Иван Иванов"))
        }
    }

    @Test("fake, damaged, oversize and alt-less uploads are refused with a message, the words kept", arguments: TestDatabase.all)
    func refusals(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed, mediaMaxBytes: 4_000) { client, site in
            let browser = try await mediaBrowser(client, site)
            let words = [("alt", "Текст „в кавички“ & <знаци>"), ("caption", "Надпис"), ("credit", "Агенция")]
            func expectKept(_ page: NewsroomBrowser.Page) {
                #expect(page.body.contains("value=\"Текст „в кавички“ &amp; &lt;знаци&gt;\""))
                #expect(page.body.contains("value=\"Надпис\"") && page.body.contains("value=\"Агенция\""))
            }
            let fake = try await browser.upload(MediaURLs.library, words, file: ("снимка.jpg", Array("просто текст".utf8)))
            #expect(fake.status == .unprocessableContent && fake.body.contains(HTML.escape(site.locale["nr_media_error_type"])))
            expectKept(fake)
            let cut = try await browser.upload(MediaURLs.library, words, file: ("cut.png", Array(samplePNG().prefix(20))))
            #expect(cut.status == .unprocessableContent && cut.body.contains(HTML.escape(site.locale["nr_media_error_damaged"])))
            expectKept(cut)
            let big = try await browser.upload(
                MediaURLs.library, words, file: ("big.png", samplePNG() + [UInt8](repeating: 7, count: 5_000)))
            #expect(
                big.status == .contentTooLarge
                    && big.body.contains(HTML.escape(site.locale.format("nr_media_error_size", ["size": "4 KB"]))))
            expectKept(big)
            // Far past the limit: the body is cut while it is read, and the words before the file still come back.
            let huge = try await browser.upload(
                MediaURLs.library, words, file: ("huge.png", samplePNG() + [UInt8](repeating: 7, count: 150_000)))
            #expect(
                huge.status == .contentTooLarge
                    && huge.body.contains(HTML.escape(site.locale.format("nr_media_error_size", ["size": "4 KB"]))))
            expectKept(huge)
            let noAlt = try await browser.upload(
                MediaURLs.library, [("alt", "  "), ("caption", "Надпис"), ("credit", "Агенция")], file: ("a.png", samplePNG()))
            #expect(noAlt.status == .unprocessableContent && noAlt.body.contains(HTML.escape(site.locale["nr_media_error_alt"])))
            #expect(noAlt.body.contains("value=\"Надпис\"") && noAlt.body.contains("value=\"Агенция\""))
            let noFile = try await browser.upload(MediaURLs.library, words, file: nil)
            #expect(noFile.status == .unprocessableContent && noFile.body.contains(HTML.escape(site.locale["nr_media_error_nofile"])))
            #expect(try await site.media.list(limit: 10).items.isEmpty)
            // The editor's upload asks for JSON and gets the reason as JSON.
            let json = try await browser.upload(MediaURLs.library, words, file: ("x.jpg", Array("GIF89".utf8)), accept: "application/json")
            #expect(json.status == .unprocessableContent && json.body.hasPrefix("{\"error\":"))
            // Empty alt on the edit page: refused, the other words kept.
            try await browser.upload(MediaURLs.library, words, file: ("ok.png", samplePNG()))
            let hash = MediaAddress(bytes: samplePNG(), format: .png).hash
            try await browser.get(MediaURLs.item(hash))
            let emptied = try await browser.post(MediaURLs.item(hash), [("alt", ""), ("caption", "Нов надпис"), ("credit", "")])
            #expect(emptied.status == .unprocessableContent && emptied.body.contains("value=\"Нов надпис\""))
            #expect(try await site.media.item(hash: hash)?.caption == "Надпис")
        }
    }

    @Test("the same bytes twice are one picture; search and pages", arguments: TestDatabase.all)
    func duplicatesAndSearch(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            let browser = try await mediaBrowser(client, site, role: .author)
            try await browser.upload(MediaURLs.library, [("alt", "Първа")], file: ("a.png", samplePNG(seed: 1)))
            let again = try await browser.upload(MediaURLs.library, [("alt", "Пак същата")], file: ("b.png", samplePNG(seed: 1)))
            #expect(again.location == MediaURLs.library + "?added=old")
            #expect(try await browser.get(again.location!).body.contains(site.locale["nr_media_known"]))
            #expect(try await site.media.list(limit: 10).items.map(\.alt) == ["Първа"])
            try await browser.upload(
                MediaURLs.library, [("alt", "Втора"), ("credit", "Reuters")], file: ("c.gif", SampleImages.gif(width: 40, height: 30)))
            let found = try await browser.get(MediaURLs.library + "?q=reuters")
            #expect(found.body.contains("alt=\"Втора\"") && !found.body.contains("alt=\"Първа\""))
            #expect(try await browser.get(MediaURLs.library + "?after=nonsense").status == .badRequest)
            #expect(try await browser.get(MediaURLs.item("../../etc")).status == .notFound)
        }
    }

    @Test("every media form needs the session's CSRF token; signed-out users get nothing", arguments: TestDatabase.all)
    func csrf(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            let browser = try await mediaBrowser(client, site)
            let refused = try await browser.upload(
                MediaURLs.library, [("alt", "Без токен")], file: ("a.png", samplePNG()), withoutCSRF: true)
            #expect(refused.status == .forbidden)
            let forged = try await browser.upload(
                MediaURLs.library, [("csrf", "0000"), ("alt", "Чужд токен")], file: ("a.png", samplePNG()), withoutCSRF: true)
            #expect(forged.status == .forbidden)
            #expect(try await site.media.list(limit: 10).items.isEmpty)
            try await browser.upload(MediaURLs.library, [("alt", "С токен")], file: ("a.png", samplePNG()))
            let hash = MediaAddress(bytes: samplePNG(), format: .png).hash
            #expect(try await browser.post(MediaURLs.item(hash), [("alt", "Подменено")], csrf: "").status == .forbidden)
            #expect(try await site.media.item(hash: hash)?.alt == "С токен")
            let stranger = NewsroomBrowser(client)
            #expect(try await stranger.get(MediaURLs.library).status == .seeOther)
            #expect(try await stranger.get(MediaURLs.picker).status == .unauthorized)
            #expect(try await stranger.upload(MediaURLs.library, [("alt", "x")], file: ("a.png", samplePNG())).status == .forbidden)
        }
    }

    @Test("pictures are served at their address: type, immutable cache, nosniff, ETag; nothing else is", arguments: TestDatabase.all)
    func serving(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            let browser = try await mediaBrowser(client, site)
            let gif = SampleImages.gif(width: 2, height: 2)
            try await browser.upload(MediaURLs.library, [("alt", "Точка")], file: ("dot.gif", gif))
            let address = MediaAddress(bytes: gif, format: .gif)
            let (status, bytes, headers) = try await client.execute(uri: address.path, method: .get) { response in
                (response.status, Array(response.body.readableBytesView), response.headers)
            }
            #expect(status == .ok && bytes == gif)
            #expect(headers[.contentType] == "image/gif")
            #expect(headers[.cacheControl] == "public, max-age=31536000, immutable")
            #expect(headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            #expect(headers[.eTag] == "\"\(address.hash)\"")
            let cached = try await client.get(address.path, headers: [.ifNoneMatch: "\"\(address.hash)\""])
            #expect(cached.status == .notModified && cached.body.isEmpty)
            let unknown = String(repeating: "0", count: 64)
            for path in [
                "/media/\(unknown).gif", "/media/\(address.hash).png", "/media/\(address.hash.uppercased()).gif", "/media/\(address.hash)",
                "/media/..%2F..%2Fvestnik.sqlite", "/media/%2E%2E/Package.swift", "/media/\(address.hash).gif.gif",
            ] {
                #expect(try await client.get(path).status == .notFound, "\(path)")
            }
        }
    }

    @Test("pictures and embeds in the body reach the public page; «Още:» stays between paragraphs", arguments: TestDatabase.all)
    func bodyPicturesAndEmbeds(_ kind: TestDatabase) async throws {
        let others = (1...4).map { article("Свързана \($0)", section: "Свят", hoursAgo: Double($0)) }
        // Without libvips: the figure as stored (with renditions it is a <picture>: RenditionTests).
        try await withSite(kind, articles: newsroomSeed + others, vips: .missing("not needed here")) { client, site in
            let browser = try await mediaBrowser(client, site, role: .chief)
            let png = samplePNG(width: 800, height: 600)
            try await browser.upload(MediaURLs.library, [("alt", "Снимка в текста")], file: ("body.png", png))
            let src = MediaAddress(bytes: png, format: .png).path
            let body = """
                <p>Първи абзац.</p><figure contenteditable="false"><img src="\(src)" alt="Снимка в текста" width="800" height="600"><figcaption>Надпис</figcaption></figure>\
                <p>Втори абзац.</p><figure class="embed" data-embed="youtube" data-id="dQw4w9WgXcQ"></figure>\
                <p>Трети абзац.</p><figure class="embed" data-embed="x" data-id="1790000000000000001"></figure>\
                <figure class="embed" data-embed="facebook" data-id="share/p/1AbC"></figure><p>Четвърти абзац.</p>\
                <iframe src="https://evil.example/"></iframe><img src="http://evil.example/x.png"><p>Пети абзац.</p>
                """
            try await browser.get(NewsroomURLs.newArticle)
            let saved = try await browser.post(
                NewsroomURLs.newArticle, articleFields(title: "Статия с вграждания", body: body, action: "publish"))
            #expect(saved.status == .seeOther)
            let page = try await client.get("/svyat/statia-s-vgrazhdania")
            #expect(page.status == .ok)
            #expect(
                page.body.contains(
                    "<figure><img src=\"\(src)\" alt=\"Снимка в текста\" width=\"800\" height=\"600\" loading=\"lazy\"><figcaption>Надпис</figcaption></figure>"
                ))
            #expect(page.body.contains("<iframe src=\"https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ\""))
            #expect(page.body.contains("<a href=\"https://x.com/i/status/1790000000000000001\" rel=\"noopener\">"))
            #expect(page.body.contains("<a href=\"https://www.facebook.com/share/p/1AbC\" rel=\"noopener\">"))
            #expect(!page.body.contains("evil.example") && !page.body.contains("data-embed"))
            #expect(!page.body.contains("<script src=\"https://platform"))
            // Every "Още:" block follows a paragraph, never a figure.
            let segments = page.body.components(separatedBy: "<aside class=\"more\"")
            #expect(segments.count > 1)
            for before in segments.dropLast() {
                #expect(before.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("</p>"))
            }
            // No featured picture: og:image is the body's first picture, made absolute.
            #expect(page.body.contains("<meta property=\"og:image\" content=\"http://127.0.0.1:8080\(src)\">"))
        }
    }

    @Test("an autosave written before the featured picture fields still comes back")
    func oldAutosave() throws {
        let old =
            #"{"kicker":"София","title":"Недовършено","slug":"","lead":"","body":"<p>текст</p>","section":"Свят","topic":"","tags":"","authors":"","sources":"","video":false,"gallery":true,"publishAt":"","revision":3,"action":"save"}"#
        let form = try JSONDecoder().decode(ArticleForm.self, from: Data(old.utf8))
        #expect(form.title == "Недовършено" && form.body == "<p>текст</p>" && form.gallery && form.revision == 3 && form.featured.isEmpty)
        var current = form
        current.featured = String(repeating: "c", count: 64)
        current.featuredCredit = "БТА"
        let again = try JSONDecoder().decode(ArticleForm.self, from: JSONEncoder().encode(current))
        #expect(again.featured == current.featured && again.featuredCredit == "БТА" && again.title == "Недовършено")
    }

    @Test("a featured picture not in the library is refused, the form kept", arguments: TestDatabase.all)
    func unknownFeatured(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            let browser = try await mediaBrowser(client, site)
            try await browser.get(NewsroomURLs.newArticle)
            for featured in ["/media/\(String(repeating: "1", count: 64)).png", "https://evil.example/x.png"] {
                let page = try await browser.post(
                    NewsroomURLs.newArticle,
                    articleFields(title: "Статия с чужда снимка") + [("featured", featured), ("featured_caption", "Пазя")])
                #expect(page.status == .unprocessableContent && page.body.contains(HTML.escape(site.locale["nr_error_featured"])))
                #expect(page.body.contains("value=\"Статия с чужда снимка\"") && page.body.contains("value=\"Пазя\""))
            }
        }
    }

    // MARK: Privacy (issue 21) and who may change a picture's words (issue 27, findings 11 and 17)

    @Test(
        "phone pictures in four formats: no served byte holds GPS, XMP, owner, serial or thumbnail; the newsroom says so",
        arguments: TestDatabase.all)
    func scrubbedOnUpload(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            let browser = try await mediaBrowser(client, site, role: .author)
            let files: [(String, [UInt8], String)] = [
                ("phone.jpg", PhoneMetadata.jpeg(width: 4032, height: 3024), ""),
                ("screen.png", PhoneMetadata.png(width: 1200, height: 900), "БТА"),
                ("agency.webp", PhoneMetadata.webp(width: 800, height: 600), ""),
                ("loop.gif", PhoneMetadata.gif(width: 40, height: 30), ""),
            ]
            for (name, bytes, credit) in files {
                #expect(!PhoneMetadata.leaks(bytes).isEmpty)
                let page = try await browser.upload(
                    MediaURLs.library, [("alt", "Снимка \(name)"), ("credit", credit)], file: (name, bytes))
                #expect(page.status == .seeOther, "\(name)")
            }
            let items = try await site.media.list(limit: 10).items
            #expect(items.count == 4)
            for item in items {
                let (status, served) = try await client.execute(uri: item.address.path, method: .get) { response in
                    (response.status, Array(response.body.readableBytesView))
                }
                #expect(status == .ok && !served.isEmpty)
                #expect(PhoneMetadata.leaks(served) == [], "\(item.originalName)")
                #expect(
                    FileManager.default.contents(atPath: site.mediaSettings.folder.appendingPathComponent(item.address.fileName).path)
                        == Data(served))
                #expect(item.address == MediaAddress(bytes: served, format: item.address.format), "the address is the clean file's")
                #expect(item.bytes == served.count && item.removedMetadata.contains(.location))
                let edit = try await browser.get(MediaURLs.item(item.address.hash))
                #expect(edit.body.contains(HTML.escape(site.locale["nr_media_location_removed"])))
                #expect(edit.body.contains(HTML.escape(site.locale["nr_media_metadata_removed"])))
            }
            // Nothing is stored under the address of the bytes as they were sent.
            for (_, bytes, _) in files {
                #expect(
                    try await site.media.item(hash: MediaAddress(bytes: bytes, format: try ImageFile.inspect(bytes).get().format).hash)
                        == nil)
            }
            let jpeg = try #require(items.first { $0.originalName == "phone.jpg" })
            // Orientation 6: the library records the size as shown (turned a quarter), and the file keeps only that tag.
            #expect((jpeg.width, jpeg.height) == (3024, 4032))
            #expect(jpeg.credit == PhoneMetadata.artist, "an empty credit takes the EXIF Artist")
            #expect(try #require(items.first { $0.originalName == "screen.png" }).credit == "БТА", "a credit typed in wins")
            let library = try await browser.get(MediaURLs.library)
            #expect(library.body.contains("3024×4032") && library.body.contains(HTML.escape(site.locale["nr_media_location_removed"])))
            // A clean picture gets no notice.
            try await browser.upload(MediaURLs.library, [("alt", "Чиста")], file: ("clean.png", samplePNG(seed: 9)))
            let clean = try await browser.get(MediaURLs.item(MediaAddress(bytes: samplePNG(seed: 9), format: .png).hash))
            #expect(clean.status == .ok && !clean.body.contains(HTML.escape(site.locale["nr_media_location_removed"])))
            #expect(!clean.body.contains(HTML.escape(site.locale["nr_media_metadata_removed"])))
        }
    }

    @Test(
        "a decompression bomb (30,000×30,000 PNG) and a picture cut short in its body are refused with a message",
        arguments: TestDatabase.all)
    func bombsAndCutFiles(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            let browser = try await mediaBrowser(client, site)
            let bomb = try await browser.upload(
                MediaURLs.library, [("alt", "Бомба")], file: ("bomb.png", SampleImages.png(width: 30_000, height: 30_000)))
            let message = site.locale.format("nr_media_error_pixels", ["megapixels": "50", "side": "12000"])
            #expect(bomb.status == .unprocessableContent && bomb.body.contains(HTML.escape(message)))
            #expect(!message.contains("{"))
            let wide = try await browser.upload(
                MediaURLs.library, [("alt", "Лента")], file: ("wide.gif", SampleImages.gif(width: 12_001, height: 2)))
            #expect(wide.status == .unprocessableContent)
            // The header is whole, the end is missing: the scrubber refuses it rather than store half a file.
            let phone = PhoneMetadata.jpeg(width: 400, height: 300)
            let cut = try await browser.upload(
                MediaURLs.library, [("alt", "Срязана")], file: ("cut.jpg", Array(phone.prefix(phone.count - 40))))
            #expect(cut.status == .unprocessableContent && cut.body.contains(HTML.escape(site.locale["nr_media_error_damaged"])))
            #expect(try await site.media.list(limit: 10).items.isEmpty)
        }
    }

    @Test("a picture's words: its uploader or an editor changes them, nobody else; every change is audited", arguments: TestDatabase.all)
    func wordsByUploaderOrEditor(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            let owner = try await mediaBrowser(client, site, role: .contributor)
            try await owner.upload(
                MediaURLs.library, [("alt", "Площадът"), ("caption", "Надпис"), ("credit", "БТА")], file: ("a.png", samplePNG(seed: 3)))
            let hash = MediaAddress(bytes: samplePNG(seed: 3), format: .png).hash
            let other = try await mediaBrowser(client, site, role: .author)
            let seen = try await other.get(MediaURLs.item(hash))
            #expect(seen.status == .ok && seen.body.contains(HTML.escape(site.locale["nr_media_edit_forbidden"])))
            #expect(!seen.body.contains("name=\"alt\"") && seen.body.contains("Площадът"))
            let refused = try await other.post(MediaURLs.item(hash), [("alt", "Подменено"), ("caption", ""), ("credit", "Аз")])
            #expect(refused.status == .forbidden)
            #expect(try await site.media.item(hash: hash)?.alt == "Площадът")
            #expect(try await site.drafts.auditLog(limit: 10).isEmpty)
            // The rule holds in the write itself, whoever calls it.
            await #expect(throws: ArticleWriteError.notAllowed) {
                try await site.media.update(
                    hash: hash, alt: "Подменено", caption: "", credit: "", by: ArticleWriter(userID: 9_999, role: .author))
            }

            let own = try await owner.post(MediaURLs.item(hash), [("alt", "Площадът вечер"), ("caption", "Надпис"), ("credit", "БТА")])
            #expect(own.status == .seeOther)
            let editor = try await mediaBrowser(client, site, role: .editor)
            #expect(try await editor.get(MediaURLs.item(hash)).body.contains("name=\"alt\""))
            let edited = try await editor.post(
                MediaURLs.item(hash), [("alt", "Площадът вечер"), ("caption", ""), ("credit", "Фото: Иван")])
            #expect(edited.status == .seeOther)
            // Saving the same words again writes no line.
            try await editor.get(MediaURLs.item(hash))
            try await editor.post(MediaURLs.item(hash), [("alt", "Площадът вечер"), ("caption", ""), ("credit", "Фото: Иван")])
            let log = try await site.drafts.auditLog(limit: 10)
            #expect(log.map(\.action) == ["media_edited", "media_edited"])
            #expect(log.map(\.userName) == ["Петя Фотограф", "Петя Фотограф"] && log.allSatisfy { $0.articleID == nil })
            #expect(log[1].title.hasPrefix("Площадът → Площадът вечер (\(hash.prefix(12))"))
            #expect(log[0].title.hasPrefix("Площадът вечер ("))
            #expect(try await editor.get("/newsroom/audit").body.contains(HTML.escape(site.locale["nr_audit_media_edited"])))
        }
    }

    @Test(
        "`media scrub` rewrites an old library: rows, featured pictures and bodies move, old URLs answer 301, pages drop; twice is once",
        arguments: TestDatabase.all)
    func scrubExistingLibrary(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            // Stored the way uploads were before the scrubber: byte for byte, the size as the header says.
            let raw = PhoneMetadata.jpeg(width: 4032, height: 3024)
            let old = MediaAddress(bytes: raw, format: .jpeg)
            try site.mediaFiles.store(raw, at: old)
            try await site.media.add(
                MediaItem(
                    address: old, width: 4032, height: 3024, bytes: raw.count, alt: "Стара снимка", credit: "БТА", uploadedAt: testNow),
                uploadedBy: nil)
            let browser = try await mediaBrowser(client, site, role: .chief)
            let cleanPNG = samplePNG(seed: 4)
            try await browser.upload(MediaURLs.library, [("alt", "Чиста")], file: ("clean.png", cleanPNG))
            try await browser.get(NewsroomURLs.newArticle)
            let body =
                "<p>Първи абзац.</p><figure><img src=\"\(old.path)\" alt=\"Стара снимка\" width=\"4032\" height=\"3024\"></figure><p>Втори.</p>"
            let saved = try await browser.post(
                NewsroomURLs.newArticle, articleFields(title: "Стара история", body: body, action: "publish") + [("featured", old.path)])
            #expect(saved.status == .seeOther)
            let id = try #require(articleID(saved.location))
            let before = try await client.get("/svyat/stara-istoria")
            #expect(before.status == .ok && before.body.contains(old.path))

            let scrub = MediaLibraryScrub(database: site.database, files: site.mediaFiles)
            let dry = try await scrub.run(dryRun: true, now: testNow)
            #expect(dry.changed.count == 1 && dry.clean == 1 && dry.changed[0].old == old && dry.changed[0].articles == [id])
            #expect(try await client.get(old.path).status == .ok, "a dry run changes nothing")

            let report = try await scrub.run(dryRun: false, now: testNow)
            let new = try #require(report.changed.first?.new)
            #expect(report.changed.count == 1 && report.clean == 1 && report.missing.isEmpty && report.damaged.isEmpty)
            #expect(report.changed[0].removed.isSuperset(of: [.location, .exif, .thumbnail, .xmp, .iptc, .trailer]))
            let moved = try await client.get(old.path)
            #expect(moved.status == .movedPermanently && moved.headers[.location] == new.path)
            let (status, served) = try await client.execute(uri: new.path, method: .get) { ($0.status, Array($0.body.readableBytesView)) }
            #expect(status == .ok && PhoneMetadata.leaks(served) == [] && MediaAddress(bytes: served, format: .jpeg) == new)
            #expect(!FileManager.default.fileExists(atPath: site.mediaSettings.folder.appendingPathComponent(old.fileName).path))
            let row = try #require(try await site.media.item(hash: new.hash))
            #expect(row.alt == "Стара снимка" && row.credit == "БТА" && (row.width, row.height) == (3024, 4032))
            #expect(row.removedMetadata.contains(.location))
            #expect(try await site.media.item(hash: old.hash) == nil)
            // The cached page was dropped: it names the new address only.
            let after = try await client.get("/svyat/stara-istoria")
            #expect(after.body.contains(new.path) && !after.body.contains(old.hash))
            #expect(try await browser.get(NewsroomURLs.article(id)).body.contains("value=\"\(new.hash)\""))

            let again = try await scrub.run(dryRun: false, now: testNow)
            #expect(again.changed.isEmpty && again.clean == 2)
            #expect(try await client.get(old.path).headers[.location] == new.path)
        }
    }
}
