import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SQLKit
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport
@testable import VestnikWeb

/// The "SEO и социални мрежи" panel from the editor to the public page's head, the admin API's fields, a gallery's
/// picture on share cards, and the "Обновена" line.
@Suite("SEO and share cards over HTTP")
struct SEOPagesTests {
    static let seoTitle = "Бюджетът на София за 2027 г. – какво се променя"
    static let seoDescription = "Общинският съвет прие бюджета: транспорт, училища и ремонти."
    static let socialTitle = "Колко ще струва София през 2027 <и защо>"
    static let socialDescription = "Всички числа на новия бюджет & какво значат."

    /// The value of the meta tag `<meta {attribute}="{name}" content="…">` of `html`, unescaped.
    static func meta(_ html: String, _ name: String, attribute: String = "property") -> [String] {
        var found: [String] = []
        var rest = html[...]
        let head = "<meta \(attribute)=\"\(name)\" content=\""
        while let range = rest.range(of: head) {
            let value = rest[range.upperBound...].prefix { $0 != "\"" }
            found.append(HTML.unescape(String(value)))
            rest = rest[range.upperBound...]
        }
        return found
    }

    static func title(_ html: String) -> String? {
        guard let start = html.range(of: "<title>"), let end = html.range(of: "</title>", range: start.upperBound..<html.endIndex)
        else { return nil }
        return HTML.unescape(String(html[start.upperBound..<end.lowerBound]))
    }

    @Test(
        "the panel's fields go from the editor to <title>, the meta description, Open Graph and X; JSON-LD keeps the headline; empty ones fall back",
        arguments: TestDatabase.all)
    func panelToPage(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed, vips: .missing("no libvips in this test")) { client, site in
            let browser = try await mediaBrowser(client, site, role: .editor)
            let pictures = try await GalleryTests.uploadPictures(browser, count: 2)
            let editor = try await browser.get(NewsroomURLs.newArticle)
            // The panel: collapsible, its fields labelled, counters tied to them, the previews' script.
            #expect(editor.body.contains("<details class=\"nr-seo\" id=\"nr-seo\""))
            #expect(editor.body.contains("aria-describedby=\"nr-seo-title-count\""))
            #expect(editor.body.contains("data-limit=\"\(ArticleSEO.titleLength)\""))
            #expect(editor.body.contains(site.views.assets.url("editor-seo.js")))
            // A new article cannot be marked updated.
            #expect(!editor.body.contains("name=\"mark_updated\""))
            let created = try await browser.post(
                NewsroomURLs.newArticle,
                articleFields(title: "Бюджет 2027", action: "publish") + [
                    ("featured", pictures[0].path), ("seo_title", Self.seoTitle), ("seo_description", Self.seoDescription),
                    ("social_title", Self.socialTitle), ("social_description", " \(Self.socialDescription)\n"),
                    ("social_image", pictures[1].path),
                ])
            #expect(created.status == .seeOther)
            let id = try #require(articleID(created.location))

            let page = try await client.get("/svyat/byudzhet-2027")
            #expect(page.status == .ok)
            let html = page.body
            #expect(Self.title(html) == Self.seoTitle)
            #expect(Self.meta(html, "description", attribute: "name") == [Self.seoDescription])
            #expect(Self.meta(html, "og:title") == [Self.socialTitle])
            #expect(Self.meta(html, "twitter:title", attribute: "name") == [Self.socialTitle])
            #expect(Self.meta(html, "og:description") == [Self.socialDescription])
            #expect(Self.meta(html, "twitter:description", attribute: "name") == [Self.socialDescription])
            // The share card's picture, with its size; the JSON-LD keeps the featured one and the headline.
            let social = site.publicURL + pictures[1].path
            #expect(Self.meta(html, "og:image") == [social])
            #expect(Self.meta(html, "og:image:width") == ["1200"] && Self.meta(html, "og:image:height") == ["900"])
            #expect(Self.meta(html, "twitter:image", attribute: "name") == [social])
            let linked = try #require(try jsonLD(html, type: "NewsArticle"))
            let images = try #require(linked["image"] as? [[String: Any]]).compactMap { $0["url"] as? String }
            #expect(images == [site.publicURL + pictures[0].path])
            #expect(linked["headline"] as? String == "София: Бюджет 2027")
            #expect(linked["description"] as? String == "Резюме на статията.")

            // The editor shows them back, with the chosen picture, and the revision view lists them.
            let reopened = try await browser.get(NewsroomURLs.article(id))
            #expect(reopened.body.contains("value=\"\(HTML.escape(Self.seoTitle))\""))
            #expect(reopened.body.contains(">\(HTML.escape(Self.socialDescription))</textarea>"))
            #expect(reopened.body.contains("id=\"nr-social-thumb\" alt=\"Снимка 2 от протеста\" src=\"\(pictures[1].path)\""))
            let revision = try await browser.get(NewsroomURLs.article(id) + "/revisions/1")
            #expect(revision.body.contains(HTML.escape(site.locale["nr_field_seo_title"])))
            #expect(revision.body.contains(HTML.escape(Self.socialTitle)))

            // Cleared: everything falls back to the headline, the lead and the featured picture, as before.
            let cleared = try await browser.post(
                NewsroomURLs.article(id), articleFields(title: "Бюджет 2027", revision: 1) + [("featured", pictures[0].path)])
            #expect(cleared.status == .seeOther)
            let plain = try await client.get("/svyat/byudzhet-2027").body
            #expect(Self.title(plain) == "София: Бюджет 2027 | \(site.siteName)")
            #expect(Self.meta(plain, "description", attribute: "name") == ["Резюме на статията."])
            #expect(Self.meta(plain, "og:title") == ["София: Бюджет 2027 | \(site.siteName)"])
            #expect(Self.meta(plain, "og:description") == ["Резюме на статията."])
            #expect(Self.meta(plain, "og:image") == [site.publicURL + pictures[0].path])

            // A share picture the library does not have: the form comes back whole, with the reason.
            let absent = MediaAddress(bytes: Array("няма я".utf8), format: .png)
            let refused = try await browser.post(
                NewsroomURLs.article(id),
                articleFields(title: "Бюджет 2027", revision: 2) + [("social_image", absent.path), ("seo_title", "Запазено")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.body.contains(HTML.escape(site.locale["nr_error_social_image"])))
            #expect(refused.body.contains("value=\"Запазено\""))
            let long = try await browser.post(
                NewsroomURLs.article(id),
                articleFields(title: "Бюджет 2027", revision: 2) + [("seo_title", String(repeating: "я", count: 301))])
            #expect(long.status == .unprocessableContent)
            #expect(long.body.contains(HTML.escape(site.locale["nr_error_seo_long"])))
        }
    }

    @Test(
        "\"Обновена\": only a ticked save of a published article shows the line and moves dateModified; a typo fix does not",
        arguments: TestDatabase.all)
    func updatedLine(_ kind: TestDatabase) async throws {
        // The article was published an hour before the tests' "now".
        try await withSite(kind, articles: newsroomSeed) { client, site in
            try await createUser(site, "editor@vestnik.bg", role: .editor)
            let browser = NewsroomBrowser(client)
            _ = try await browser.logIn("editor@vestnik.bg")
            let id = try #require(try await site.articles.article(slug: Slug.make("Съществуваща статия"))?.id)
            let published = site.views.dates.isoDateTime(testNow.addingTimeInterval(-3600))
            let now = site.views.dates.isoDateTime(testNow)
            let editor = try await browser.get(NewsroomURLs.article(id))
            // Offered on a published article, unticked.
            #expect(editor.body.contains("<input type=\"checkbox\" name=\"mark_updated\" id=\"nr-mark-updated\" value=\"1\">"))
            let line = site.locale.format("article_updated", ["date": site.views.dates.dateLine(testNow)])

            // A typo fix: saved, but the page says nothing new.
            let typo = try await browser.post(NewsroomURLs.article(id), articleFields(title: "Съществуваща статия"))
            #expect(typo.status == .seeOther)
            var page = try await client.get("/svyat/" + Slug.make("Съществуваща статия")).body
            #expect(!page.contains(line) && !page.contains("class=\"updated\""))
            #expect(Self.meta(page, "article:modified_time") == [published])
            #expect(try jsonLD(page, type: "NewsArticle")?["dateModified"] as? String == published)
            // The sitemap and the feeds still see the save.
            #expect(try await site.articles.article(slug: Slug.make("Съществуваща статия"))?.updatedAt == testNow)

            // A real update, ticked.
            let update = try await browser.post(
                NewsroomURLs.article(id), articleFields(title: "Съществуваща статия", revision: 1) + [("mark_updated", "1")])
            #expect(update.status == .seeOther)
            page = try await client.get("/svyat/" + Slug.make("Съществуваща статия")).body
            #expect(
                page.contains(
                    "<span class=\"updated\"><span class=\"dot\" aria-hidden=\"true\">•</span>&nbsp;<time datetime=\"\(now)\">\(line)</time></span>"
                ))
            #expect(Self.meta(page, "article:modified_time") == [now])
            let data = try #require(try jsonLD(page, type: "NewsArticle"))
            #expect(data["dateModified"] as? String == now && data["datePublished"] as? String == published)
            // The editor says when, and leaves the box unticked for the next save.
            let again = try await browser.get(NewsroomURLs.article(id))
            #expect(
                again.body.contains(HTML.escape(site.locale.format("nr_mark_updated_last", ["time": site.views.dates.dateLine(testNow)]))))
            #expect(again.body.contains("name=\"mark_updated\" id=\"nr-mark-updated\" value=\"1\">"))
        }
    }

    @Test("an article whose only pictures are a gallery's shares its first gallery picture, not the theme's", arguments: TestDatabase.all)
    func galleryPictureOnShareCards(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed, vips: .missing("no libvips in this test")) { client, site in
            let browser = try await mediaBrowser(client, site, role: .editor)
            let pictures = try await GalleryTests.uploadPictures(browser, count: 2)
            let marker = Gallery(pictures: [pictures[1], pictures[0]])!.marker
            try await browser.get(NewsroomURLs.newArticle)
            let created = try await browser.post(
                NewsroomURLs.newArticle, articleFields(title: "Само галерия", body: "<p>Увод.</p>\(marker)", action: "publish"))
            #expect(created.status == .seeOther)
            let html = try await client.get("/svyat/" + Slug.make("Само галерия")).body
            let first = site.publicURL + pictures[1].path
            #expect(Self.meta(html, "og:image") == [first])
            #expect(Self.meta(html, "og:image:width") == ["1200"] && Self.meta(html, "og:image:height") == ["900"])
            #expect(!html.contains("share-16x9"))
            let linked = try #require(try jsonLD(html, type: "NewsArticle"))
            #expect(try #require(linked["image"] as? [[String: Any]]).first?["url"] as? String == first)
        }
    }

    @Test(
        "the admin API reads and writes the fields, refuses bad ones as it refuses other fields, and marks an update",
        arguments: TestDatabase.all)
    func adminAPI(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed, vips: .missing("no libvips in this test")) { client, site in
            let browser = try await mediaBrowser(client, site, role: .editor)
            let pictures = try await GalleryTests.uploadPictures(browser, count: 1)
            let (token, _) = try await AdminAPITests.token(site, role: .editor, scopes: [.read, .write, .publish])
            var body = AdminAPITests.newArticle
            body["seo_title"] = Self.seoTitle
            body["seo_description"] = Self.seoDescription
            body["social_title"] = Self.socialTitle
            body["social_description"] = Self.socialDescription
            body["social_media"] = pictures[0].hash
            let created = try await AdminAPITests.call(client, .post, "/api/admin/v1/articles", token: token, body: body)
            #expect(created.status == .created)
            #expect(created.json["seo_title"] as? String == Self.seoTitle)
            #expect(created.json["seo_description"] as? String == Self.seoDescription)
            #expect(created.json["social_title"] as? String == Self.socialTitle)
            #expect(created.json["social_description"] as? String == Self.socialDescription)
            #expect(created.json["social_media"] as? String == pictures[0].hash)
            #expect(created.json["marked_updated"] is NSNull)
            let id = try #require(created.json["id"] as? Int)
            var revision = try #require(created.json["revision"] as? Int)
            let read = try await AdminAPITests.call(client, .get, "/api/admin/v1/articles/\(id)", token: token)
            #expect(read.json["social_title"] as? String == Self.socialTitle)

            // Refused as the other fields are: 422 with the newsroom's words, nothing stored.
            for (field, value, key) in [
                ("seo_title", String(repeating: "я", count: 301), "nr_error_seo_long"),
                ("social_description", String(repeating: "я", count: 1001), "nr_error_seo_long"),
                ("social_media", "javascript:alert(1)", "nr_error_social_image"),
            ] {
                var bad = body
                bad[field] = value
                bad["base_revision"] = revision
                let answer = try await AdminAPITests.call(client, .put, "/api/admin/v1/articles/\(id)", token: token, body: bad)
                #expect(answer.status == .unprocessableContent)
                #expect(answer.json["detail"] as? String == site.locale[key])
            }
            var absent = body
            absent["social_media"] = MediaAddress(bytes: Array("няма я".utf8), format: .png).hash
            absent["base_revision"] = revision
            let missing = try await AdminAPITests.call(client, .put, "/api/admin/v1/articles/\(id)", token: token, body: absent)
            #expect(missing.status == .unprocessableContent)
            #expect(
                try await AdminAPITests.call(client, .get, "/api/admin/v1/articles/\(id)", token: token).json["revision"] as? Int
                    == revision)

            // Published (an hour ago: the site's clock stands still), then an update marked as news.
            let published = try await AdminAPITests.call(
                client, .post, "/api/admin/v1/articles/\(id)/publish", token: token, body: ["base_revision": revision])
            #expect(published.status == .ok)
            revision = try #require(published.json["revision"] as? Int)
            try await site.database.write { db in
                try await db.raw(
                    "UPDATE articles SET published_at = \(bind: Int(testNow.timeIntervalSince1970) - 3600) WHERE id = \(bind: id)"
                )
                .run()
            }
            var update = body
            update["base_revision"] = revision
            update["mark_updated"] = true
            update["seo_title"] = ""
            let updated = try await AdminAPITests.call(client, .put, "/api/admin/v1/articles/\(id)", token: token, body: update)
            #expect(updated.status == .ok)
            #expect(updated.json["marked_updated"] as? String == site.views.dates.isoDateTime(testNow))
            #expect(updated.json["seo_title"] as? String == "")
            let page = try await client.get("/svyat/" + Slug.make("Новина от приложението")).body
            #expect(page.contains(site.locale.format("article_updated", ["date": site.views.dates.dateLine(testNow)])))
            #expect(Self.title(page) == "Новина от приложението | \(site.siteName)")

            // The document describes them.
            let document = try await client.get("/api/openapi.json").body
            for name in [
                "seo_title", "seo_description", "social_title", "social_description", "social_media", "mark_updated", "marked_updated",
            ] {
                #expect(document.contains("\"\(name)\""))
            }
        }
    }
}
