import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport
@testable import VestnikWeb

/// Front-page curation from the newsroom to the public pages: editors only, forms that work without JavaScript, the
/// preview as the real page (not cached, not public), publishing that drops exactly the page that shows the layout.
@Suite struct FrontPagesTests {
    static let articles = [
        article("Първа новина", hoursAgo: 1), article("Втора новина", hoursAgo: 2), article("Стара новина", hoursAgo: 30),
        article("Родна новина", section: "България", hoursAgo: 3),
    ]

    /// The zone `name`'s part of a page.
    static func zone(_ name: String, in page: String) -> String {
        guard let start = page.range(of: "class=\"zone zone-\(name)\"") else { return "" }
        let rest = page[start.upperBound...]
        return String(rest[..<(rest.range(of: "</section>")?.lowerBound ?? rest.endIndex)])
    }

    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    static func layoutID(_ location: String?) -> Int? {
        guard let location, let range = location.range(of: "/newsroom/front/") else { return nil }
        return Int(location[range.upperBound...].prefix { $0.isNumber })
    }

    @Test(
        "pin, preview, publish: the home page changes, a section's layout leaves the cached home page cached", arguments: TestDatabase.all)
    func curation(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.articles) { client, site in
            let before = try await client.get("/")
            #expect(Self.zone("lead", in: before.body).contains("Първа новина"))
            #expect(try await client.get("/").headers[.xCache] == "HIT")
            let ids = Dictionary(
                uniqueKeysWithValues: try await site.articles.front(
                    pinned: [], lists: [FrontListQuery(filter: .all, limit: 10)], now: testNow
                ).lists[0].map { ($0.title, $0.id) })
            let old = try #require(ids["Стара новина"])

            try await createUser(site, "editor@vestnik.bg", role: .editor)
            try await createUser(site, "author@vestnik.bg", role: .author)
            let author = NewsroomBrowser(client)
            try await author.logIn("author@vestnik.bg")
            #expect(try await author.get(NewsroomURLs.fronts).status == .forbidden)
            #expect(try await author.post(NewsroomURLs.fronts, [("scope", "0"), ("name", "Моя")]).status == .forbidden)

            let editor = NewsroomBrowser(client)
            try await editor.logIn("editor@vestnik.bg")
            let list = try await editor.get(NewsroomURLs.fronts)
            #expect(list.status == .ok && list.body.contains("Начална страница") && list.body.contains("България"))
            let made = try await editor.post(NewsroomURLs.fronts, [("scope", "0"), ("name", "Сутрешна <i>")])
            let id = try #require(Self.layoutID(made.location))
            #expect(try await editor.post(NewsroomURLs.fronts, [("scope", "0"), ("name", " ")]).status == .unprocessableContent)
            let pinned = try await editor.post(
                NewsroomURLs.front(id) + "/pins", [("article", String(old)), ("zone", "lead"), ("index", "0"), ("action", "place")])
            #expect(pinned.status == .seeOther)
            let page = try await editor.get(NewsroomURLs.front(id))
            #expect(page.body.contains("Сутрешна &lt;i&gt;") && page.body.contains("data-article=\"\(old)\""))
            #expect(page.body.contains("id=\"nr-front-drop\"") && page.body.contains("value=\"up\"") == false)  // one pin: no up
            let refused = try await editor.post(
                NewsroomURLs.front(id) + "/pins", [("article", String(old)), ("zone", "sidebar"), ("action", "place")])
            #expect(refused.status == .unprocessableContent)
            #expect(
                try await editor.post(NewsroomURLs.front(id) + "/rules", [("zone", "top"), ("rule", "topic:x")]).status
                    == .unprocessableContent)
            #expect(
                try await editor.post(NewsroomURLs.front(id) + "/rules", [("zone", "top"), ("rule", "most_read"), ("maxAge", "24")])
                    .status == .seeOther)
            #expect(try await editor.post(NewsroomURLs.front(id) + "/rules", [("zone", "top"), ("rule", "theme")]).status == .seeOther)

            // The draft is not on the site: the cached home page stays, and the preview shows the draft.
            #expect(try await client.get("/").headers[.xCache] == "HIT")
            let preview = try await editor.get(NewsroomURLs.front(id) + "/preview")
            #expect(preview.status == .ok && preview.headers[.cacheControl] == "no-store")
            #expect(Self.zone("lead", in: preview.body).contains("Стара новина"))
            #expect(Self.count("Първа новина</a>", in: preview.body) == 1)
            #expect(try await client.get(NewsroomURLs.front(id) + "/preview").status == .seeOther)  // not public

            #expect(try await editor.post(NewsroomURLs.front(id) + "/publish", []).status == .seeOther)
            let after = try await client.get("/")
            #expect(after.headers[.xCache] == "MISS")
            #expect(Self.zone("lead", in: after.body).contains("Стара новина"))
            for title in ["Първа новина", "Втора новина", "Стара новина", "Родна новина"] {
                #expect(Self.count("\(title)</a>", in: after.body) == 1, "\(title)")
            }
            #expect(try await client.get("/").headers[.xCache] == "HIT")
            #expect(try await client.get("/bulgaria").headers[.xCache] == "MISS")
            #expect(try await client.get("/bulgaria").headers[.xCache] == "HIT")

            // A section's layout: its front changes, the home page (which does not show that zone) stays cached.
            let bulgaria = try #require(try await site.taxonomy.section(slug: "bulgaria")).id
            let section = try #require(
                Self.layoutID(try await editor.post(NewsroomURLs.fronts, [("scope", String(bulgaria)), ("name", "Родина")]).location))
            let sectionPreview = try await editor.get(NewsroomURLs.front(section) + "/preview")
            #expect(sectionPreview.status == .ok && sectionPreview.headers[.cacheControl] == "no-store")
            #expect(sectionPreview.headers[.surrogateKey] == nil && Self.zone("lead", in: sectionPreview.body).contains("Родна новина"))
            #expect(try await editor.post(NewsroomURLs.front(section) + "/publish", []).status == .seeOther)
            #expect(try await client.get("/").headers[.xCache] == "HIT")
            let front = try await client.get("/bulgaria")
            #expect(front.headers[.xCache] == "MISS" && Self.zone("lead", in: front.body).contains("Родна новина"))
            #expect(Self.count("Родна новина</a>", in: front.body) == 1)
            let actions = try await site.drafts.auditLog(limit: 20).map(\.action)
            #expect(actions.filter { $0 == "front_published" }.count == 2 && actions.contains("front_pinned"))
        }
    }
}
