import Foundation
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport

@testable import VestnikWeb

/// The editor's "Още:" panel end to end over HTTP: the plan posted with the article form is stored through the write
/// service (revision and all), laid out on the public page where it was placed, previewed before publishing, and
/// merged like every other field when two people save at once.
@Suite("Hand-picked \"Още:\" over HTTP")
struct MoreLinksPagesTests {
    static let seed = (1...6).map { article("Свързана новина \($0)", hoursAgo: Double($0)) }
    static let body = (1...5).map { "<p>Абзац номер \($0).</p>" }.joined()

    @Test("placed, pinned and removed links reach the page as arranged; the ranking fills the rest", arguments: TestDatabase.all)
    func placedLinksReachThePage(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.seed) { client, site in
            try await createUser(site, "e@vestnik.bg", role: .editor, name: "Ема")
            let ema = NewsroomBrowser(client)
            try await ema.logIn("e@vestnik.bg")
            var ids: [Int] = []
            for input in Self.seed { ids.append(try #require(try await site.articles.article(slug: input.slug)).id) }
            // The picker finds with the public search's analyser, newest first: any form of a word finds the article
            // ("новините" finds "новина"), stopwords alone find nothing, an empty query lists the newest.
            func picker(_ query: String) async throws -> [Int] {
                let found = try await ema.get(
                    "/newsroom/api/articles?q=" + query.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
                return try JSONDecoder().decode([SearchItem].self, from: Data(found.body.utf8)).map(\.id)
            }
            #expect(try await picker("свързана") == ids)
            #expect(try await picker("Новините") == ids)
            #expect(try await picker("свързани новини -пета") == ids)
            #expect(try await picker("и на") == [])
            #expect(try await picker(" ") == ids)
            // The oldest story hand-picked after the 3rd paragraph, one automatic link after the 1st, the newest removed.
            let plan = MoreLinks(blocks: [.init(after: 3, links: [ids[5]]), .init(after: 1, links: [0])], excluded: [ids[0]])
            try await ema.get(NewsroomURLs.newArticle)
            var fields = articleFields(title: "Статия с ръчно Още", body: Self.body, action: "publish")
            fields.append(("more", plan.json))
            let created = try await ema.post(NewsroomURLs.newArticle, fields)
            let id = try #require(articleID(created.location))
            let stored = try #require(try await site.editorial.article(id: id))
            #expect(stored.draft.more == plan)
            #expect(try await site.editorial.revision(articleID: id, number: 1)?.input.more == plan)

            let page = try await ema.get("/svyat/" + Slug.make("Статия с ръчно Още")).body
            let asides = page.components(separatedBy: "<aside class=\"more\"").dropFirst().map { $0.components(separatedBy: "</aside>")[0] }
            #expect(asides.count == 2)
            let third = try #require(page.range(of: "Абзац номер 3.")).upperBound
            let fourth = try #require(page.range(of: "Абзац номер 4.")).lowerBound
            let picked = try #require(page.range(of: "/svyat/" + Self.seed[5].slug + "\""))
            #expect(picked.lowerBound > third && picked.lowerBound < fourth)
            // The ranking filled the automatic place, with neither the removed story nor the hand-picked one.
            #expect(asides[0].components(separatedBy: "<a href=").count == 2)
            #expect(!asides[0].contains(Self.seed[5].slug))
            #expect(!asides.joined().contains("/svyat/" + Self.seed[0].slug + "\""))

            // The panel's preview: what each place will hold, and whether the ranking chose it.
            let preview = try await ema.get(
                NewsroomURLs.article(id) + "/more?plan=" + plan.json.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
            let blocks = try JSONDecoder().decode(PreviewAnswer.self, from: Data(preview.body.utf8)).blocks
            #expect(blocks.map(\.after) == [1, 3])
            #expect(blocks[0].links.map { $0?.automatic } == [true])
            #expect(blocks[1].links.map { $0?.id } == [ids[5]])
            #expect(blocks[1].links.map { $0?.automatic } == [false])
            // With no plan the preview shows the site's automatic layout.
            let plain = try await ema.get(NewsroomURLs.article(id) + "/more")
            #expect(try JSONDecoder().decode(PreviewAnswer.self, from: Data(plain.body.utf8)).blocks.map(\.after) == [1, 2, 4])
            #expect(try await ema.get(NewsroomURLs.article(id) + "/more?plan=nonsense").status == .badRequest)

            // A plan that cannot be read is refused with the form kept, not saved half.
            var broken = articleFields(
                title: "Статия с ръчно Още", body: Self.body, revision: stored.revision, slug: Slug.make("Статия с ръчно Още"))
            broken.append(("more", "{\"blocks\":"))
            let refused = try await ema.post(NewsroomURLs.article(id), broken)
            #expect(refused.body.contains("Блоковете „Още:“ не можаха да се прочетат"))
            #expect(try await site.editorial.article(id: id)?.revision == stored.revision)
        }
    }

    @Test("one person arranges the \"Още:\" blocks while another changes the title: both survive", arguments: TestDatabase.all)
    func arrangingMerges(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.seed) { client, site in
            try await createUser(site, "a@vestnik.bg", role: .editor, name: "Анна")
            try await createUser(site, "b@vestnik.bg", role: .editor, name: "Борис")
            let anna = NewsroomBrowser(client)
            try await anna.logIn("a@vestnik.bg")
            let boris = NewsroomBrowser(client)
            try await boris.logIn("b@vestnik.bg")
            try await anna.get(NewsroomURLs.newArticle)
            let created = try await anna.post(NewsroomURLs.newArticle, articleFields(title: "Обща статия", body: Self.body))
            let id = try #require(articleID(created.location))
            let picked = try #require(try await site.articles.article(slug: Self.seed[2].slug)).id
            try await boris.get(NewsroomURLs.article(id))
            #expect(
                try await boris.post(
                    NewsroomURLs.article(id),
                    articleFields(title: "Заглавие на Борис", body: Self.body, revision: 1, slug: Slug.make("Обща статия"))
                ).status == .seeOther)
            var fields = articleFields(title: "Обща статия", body: Self.body, revision: 1, slug: Slug.make("Обща статия"))
            let plan = MoreLinks(blocks: [.init(after: 2, links: [picked, 0])])
            fields.append(("more", plan.json))
            let saved = try await anna.post(NewsroomURLs.article(id), fields)
            #expect(saved.location?.contains("merged=1") == true)
            let stored = try #require(try await site.editorial.article(id: id))
            #expect(stored.draft.title == "Заглавие на Борис")
            #expect(stored.draft.more == plan)
            // Both arrange the blocks differently from the same revision: a clash, shown side by side (only that field).
            let base = stored.revision
            var theirs = articleFields(title: "Заглавие на Борис", body: Self.body, revision: base, slug: Slug.make("Обща статия"))
            theirs.append(("more", MoreLinks(blocks: [.init(after: 1, links: [picked])]).json))
            #expect(try await boris.post(NewsroomURLs.article(id), theirs).status == .seeOther)
            var mine = articleFields(title: "Заглавие на Борис", body: Self.body, revision: base, slug: Slug.make("Обща статия"))
            mine.append(("more", MoreLinks(blocks: [.init(after: 4, links: [picked])]).json))
            let clash = try await anna.post(NewsroomURLs.article(id), mine)
            #expect(clash.status == .conflict)
            #expect(clash.body.contains("След абзац 1: #\(picked)") && clash.body.contains("След абзац 4: #\(picked)"))
            #expect(try await site.editorial.article(id: id)?.draft.more == MoreLinks(blocks: [.init(after: 1, links: [picked])]))
        }
    }

    struct SearchItem: Decodable {
        var id: Int
        var title: String
    }

    struct PreviewAnswer: Decodable {
        struct Link: Decodable {
            var id: Int
            var automatic: Bool?
        }
        struct Block: Decodable {
            var after: Int
            var links: [Link?]
        }
        var blocks: [Block]
    }
}
