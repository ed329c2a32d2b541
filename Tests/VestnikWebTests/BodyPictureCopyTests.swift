import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport
@testable import VestnikWeb

@Suite("Copies of outside pictures over HTTP")
struct BodyPictureCopyTests {
    /// The node's own copier stays off: these tests make the copies themselves, and two copiers would race for one
    /// address.
    static var withoutCopier: ServerSettings {
        var server = ServerSettings()
        server.copiesOutsidePictures = false
        return server
    }
    static let outside = "https://cdn.bta.bg/snimka.jpg?w=1200&h=800"

    @Test(
        "once a copy is made, the page and the full feed show the library's copy, never the other site; the setting is the chief's",
        arguments: TestDatabase.all)
    func copyServed(_ kind: TestDatabase) async throws {
        try await withSite(
            kind, articles: newsroomSeed, settings: [SettingKeys.feedContent: FeedContent.full.rawValue],
            vips: .missing("no libvips in this test"), server: Self.withoutCopier
        ) { client, site in
            // The chief turns it on from the settings page's catalogue (audited like every setting).
            try await createUser(site, "chief@vestnik.bg", role: .chief)
            let chief = try #require(try await site.accounts.repository.user(email: "chief@vestnik.bg")).user
            try await SettingsService(database: site.database).change(
                BodyPictureCopies.settingKey, to: "yes", by: ArticleWriter(userID: chief.id, role: .chief), now: testNow)

            let browser = try await mediaBrowser(client, site, role: .editor)
            let figure =
                "<figure><img src=\"\(HTML.escape(Self.outside))\" alt=\"Снимка на БТА\" width=\"1200\" height=\"800\" loading=\"lazy\"><figcaption>БТА</figcaption></figure>"
            try await browser.get(NewsroomURLs.newArticle)
            let created = try await browser.post(
                NewsroomURLs.newArticle, articleFields(title: "Снимка отвън", body: "<p>Текст.</p>" + figure, action: "publish"))
            #expect(created.status == .seeOther)
            let copies = BodyPictureCopies(database: site.database)
            #expect(try await copies.state(of: Self.outside)?.state == .pending)
            let before = try await client.get("/svyat/snimka-otvan").body
            #expect(before.contains(figure))

            // The worker's download, as it would end: the picture brought in through the library's intake.
            let png = samplePNG(seed: 9)
            let intake = MediaIntake(
                repository: site.media, files: site.mediaFiles, renditions: site.renditions, maxBytes: site.mediaSettings.maxBytes)
            guard
                case .success(let added) = try await intake.add(
                    png, words: .init(alt: "Снимка на БТА"), fileName: "snimka.jpg", uploadedBy: nil, now: testNow)
            else { Issue.record("not added"); return }
            let claimed = try #require(try await copies.claim(now: testNow))
            let ids = try await copies.finish(claimed.url, copy: added.item.address)
            await site.database.announce(ContentChange(keys: Set(ids.flatMap { [CacheKey.articlePage($0), CacheKey.article($0)] })))

            let page = try await client.get("/svyat/snimka-otvan").body
            #expect(!page.contains("cdn.bta.bg"))
            #expect(
                page.contains(
                    "<figure><img src=\"\(added.item.address.path)\" alt=\"Снимка на БТА\" width=\"1200\" height=\"800\" loading=\"lazy\"><figcaption>БТА</figcaption></figure>"
                ))
            let rss = try await client.get("/rss.xml").body
            #expect(!rss.contains("cdn.bta.bg") && rss.contains(HTML.escape("src=\"http://127.0.0.1:8080\(added.item.address.path)\"")))
            // The body keeps the source's address.
            #expect(try await site.articles.article(slug: "snimka-otvan")?.bodyHTML.contains(HTML.escape(Self.outside)) == true)
        }
    }

    @Test("the background copier refuses a private address with the reason and leaves the page as it was", arguments: TestDatabase.all)
    func copierRefusesPrivateAddresses(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed, vips: .missing("no libvips in this test"), server: Self.withoutCopier) {
            client, site in
            try await site.settings.set(BodyPictureCopies.settingKey, to: "yes")
            let url = "https://127.0.0.1/vatreshna.jpg"
            let browser = try await mediaBrowser(client, site, role: .editor)
            try await browser.get(NewsroomURLs.newArticle)
            let created = try await browser.post(
                NewsroomURLs.newArticle,
                articleFields(title: "Вътрешен адрес", body: "<figure><img src=\"\(url)\" alt=\"Вътре\"></figure>", action: "publish"))
            #expect(created.status == .seeOther)
            let copier = BodyPictureCopier(
                site: site, policy: Outbound.Policy(connectTimeout: 2, timeout: 5), logger: Logger(label: "test"))
            #expect(try await copier.round() == 1)
            let state = try #require(try await BodyPictureCopies(database: site.database).state(of: url))
            #expect(state.state == .failed && !state.error.isEmpty && state.copy == nil)
            #expect(try await client.get("/svyat/vatreshen-adres").body.contains("src=\"\(url)\""))
            // Nothing left to do.
            #expect(try await copier.round() == 0)
        }
    }
}
