import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport
@testable import VestnikWeb

/// Least privilege inside the newsroom (security probe, findings 10 and 12): what a draft holds stays private until
/// it is published, and a contributor does not see other people's unpublished work.
@Suite("Newsroom privacy")
struct NewsroomPrivacyTests {
    @Test("a draft's new tag, topic and author make no public page until an article with them is published", arguments: TestDatabase.all)
    func draftTaxonomyIsPrivate(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            try await createUser(site, "writer@vestnik.bg", role: .contributor)
            try await createUser(site, "editor@vestnik.bg", role: .editor)
            let writer = NewsroomBrowser(client)
            try await writer.logIn("writer@vestnik.bg")
            try await writer.get(NewsroomURLs.newArticle)
            var fields = articleFields(title: "Чернова с нови думи").filter { !["tags", "topic", "authors"].contains($0.0) }
            fields += [("tags", "Измислен етикет"), ("topic", "Измислена тема"), ("authors", "Измислен Автор | Говорител")]
            let created = try await writer.post(NewsroomURLs.newArticle, fields)
            let id = try #require(articleID(created.location))
            let paths = [
                SiteURLs.tag(Slug.make("Измислен етикет")), SiteURLs.topic(Slug.make("Измислена тема")),
                SiteURLs.author(Slug.make("Измислен Автор")), SiteURLs.feed(of: SiteURLs.tag(Slug.make("Измислен етикет")), .rss),
            ]
            for path in paths { #expect(try await client.get(path).status == .notFound, "\(path)") }

            let editor = NewsroomBrowser(client)
            try await editor.logIn("editor@vestnik.bg")
            try await editor.get(NewsroomURLs.article(id))
            let published = try await editor.post(
                NewsroomURLs.article(id),
                fields.map { $0.0 == "action" ? ("action", "publish") : $0.0 == "revision" ? ("revision", "1") : $0 })
            #expect(published.status == .seeOther)
            for path in paths { #expect(try await client.get(path).status == .ok, "\(path)") }
        }
    }

    @Test("a contributor's list and search show their own work and what is published, not others' drafts", arguments: TestDatabase.all)
    func othersDraftsStayHidden(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            try await createUser(site, "one@vestnik.bg", role: .contributor)
            try await createUser(site, "two@vestnik.bg", role: .contributor)
            try await createUser(site, "editor@vestnik.bg", role: .editor)
            let one = NewsroomBrowser(client)
            try await one.logIn("one@vestnik.bg")
            try await one.get(NewsroomURLs.newArticle)
            let body = "<p>Ембаргото за бюджетната сметка пада утре.</p>"
            #expect(try await one.post(NewsroomURLs.newArticle, articleFields(title: "Ембаргова новина", body: body)).status == .seeOther)

            let two = NewsroomBrowser(client)
            try await two.logIn("two@vestnik.bg")
            for uri in [NewsroomURLs.home, NewsroomURLs.home + "?status=draft", NewsroomURLs.home + "?q=ембаргото"] {
                let page = try await two.get(uri)
                #expect(page.status == .ok && !page.body.contains("Ембаргова новина"), "\(uri)")
            }
            #expect(try await two.get(NewsroomURLs.home).body.contains("Съществуваща статия"))
            #expect(try await one.get(NewsroomURLs.home + "?q=ембаргото").body.contains("Ембаргова новина"))
            // A search the analyser refuses says so, instead of listing everything as if no text had been typed.
            let words = (1...17).map { "дума\($0)" }.joined(separator: "+")
            let refused = try await one.get(NewsroomURLs.home + "?q=" + words)
            #expect(refused.body.contains("nr-error") && !refused.body.contains("Ембаргова новина"))
            let editor = NewsroomBrowser(client)
            try await editor.logIn("editor@vestnik.bg")
            #expect(try await editor.get(NewsroomURLs.home + "?status=draft").body.contains("Ембаргова новина"))
        }
    }
}
