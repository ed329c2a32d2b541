import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport
@testable import VestnikWeb

@Suite struct WordPressAPITests {
    static let content: [ArticleInput] =
        (1...12).map {
            article("Новина \($0)", section: $0 % 2 == 0 ? "Свят" : "България", tags: ["Етикет \($0 % 3)"], hoursAgo: Double($0))
        }
        + [article("Чернова", section: "Свят", status: .draft)]

    func array(_ text: String) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
    }

    @Test("offset, orderby/order and _fields as WordPress reads them", arguments: TestDatabase.all)
    func offsetOrderAndFields(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, _ in
            let titles = { (path: String) in
                try self.array(try await client.get(path).body).map { ($0["title"] as? [String: Any])?["rendered"] as? String }
            }
            // Offset wins over page; totals stay the whole list's.
            let skipped = try await client.get("/wp-json/wp/v2/posts?per_page=3&offset=4&page=2")
            #expect(skipped.headers[HTTPField.Name("X-WP-Total")!] == "12")
            #expect(try await titles("/wp-json/wp/v2/posts?per_page=3&offset=4") == ["Новина 5", "Новина 6", "Новина 7"])
            // Oldest first, by date and by id (the articles were made newest last).
            #expect(try await titles("/wp-json/wp/v2/posts?per_page=2&orderby=date&order=asc") == ["Новина 12", "Новина 11"])
            let byID = try array(try await client.get("/wp-json/wp/v2/posts?per_page=12&orderby=id&order=asc").body).compactMap {
                $0["id"] as? Int
            }
            #expect(byID == byID.sorted() && byID.count == 12)
            for bad in ["orderby=author", "orderby=x", "order=up", "offset=-1", "offset=99999"] {
                #expect(try await client.get("/wp-json/wp/v2/posts?\(bad)").status == .badRequest, "\(bad)")
            }
            // _fields keeps only the members named, nested ones too, in lists and single items.
            let trimmed = try array(try await client.get("/wp-json/wp/v2/posts?per_page=2&_fields=id,title.rendered,link").body)
            #expect(trimmed.count == 2 && trimmed.allSatisfy { Set($0.keys) == ["id", "title", "link"] })
            #expect(trimmed.allSatisfy { ($0["title"] as? [String: Any]).map { Set($0.keys) } == ["rendered"] })
            let id = try #require(trimmed[0]["id"] as? Int)
            let one = try #require(
                try JSONSerialization.jsonObject(with: Data(try await client.get("/wp-json/wp/v2/posts/\(id)?_fields=slug").body.utf8))
                    as? [String: Any])
            #expect(Set(one.keys) == ["slug"])
            let all = try array(try await client.get("/wp-json/wp/v2/categories").body)
            let terms = try array(try await client.get("/wp-json/wp/v2/categories?_fields=name&offset=1").body)
            #expect(all.count >= 2 && terms.count == all.count - 1 && terms.allSatisfy { Set($0.keys) == ["name"] })
        }
    }

    @Test(arguments: TestDatabase.all)
    func postsPageWithWordPressTotalsAndLinks(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, _ in
            let first = try await client.get("/wp-json/wp/v2/posts?per_page=5&orderby=date&context=view")
            #expect(first.status == .ok)
            #expect(first.headers[HTTPField.Name("X-WP-Total")!] == "12")
            #expect(first.headers[HTTPField.Name("X-WP-TotalPages")!] == "3")
            let link = try #require(first.headers[.wordPressLink])
            #expect(link.contains("<http://127.0.0.1:8080/wp-json/>; rel=\"https://api.w.org/\""))
            #expect(link.contains("page=2>; rel=\"next\""))
            let posts = try array(first.body)
            #expect(posts.count == 5)
            #expect((posts[0]["title"] as? [String: Any])?["rendered"] as? String == "Новина 1")
            #expect((posts[0]["content"] as? [String: Any])?["rendered"] as? String != nil)
            #expect(posts[0]["date"] as? String == "2026-11-25T11:00:00")
            #expect(posts[0]["date_gmt"] as? String == "2026-11-25T09:00:00")
            #expect(posts[0]["status"] as? String == "publish")
            let third = try array(try await client.get("/wp-json/wp/v2/posts?per_page=5&page=3").body)
            #expect(third.count == 2)
            let past = try await client.get("/wp-json/wp/v2/posts?per_page=5&page=4")
            #expect(past.status == .badRequest)
            #expect(past.body.contains("rest_post_invalid_page_number"))
            #expect(try await client.get("/wp-json/wp/v2/posts?per_page=101").status == .badRequest)
            // The same path with another per_page is another answer, not a cached copy of the first.
            #expect(try array(try await client.get("/wp-json/wp/v2/posts?per_page=2").body).count == 2)
        }
    }

    @Test(arguments: TestDatabase.all)
    func embedsAuthorsTermsAndFiltersByThem(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, site in
            let world = try #require(try await site.taxonomy.section(slug: Slug.make("Свят")))
            let posts = try array(try await client.get("/wp-json/wp/v2/posts?categories=\(world.id)&per_page=100&_embed").body)
            #expect(posts.count == 6)
            let embedded = try #require(posts.first?["_embedded"] as? [String: Any])
            let authors = try #require(embedded["author"] as? [[String: Any]])
            #expect(authors.first?["name"] as? String == "Мария Петрова")
            let terms = try #require(embedded["wp:term"] as? [[[String: Any]]])
            #expect(terms[0].first?["taxonomy"] as? String == "category")
            #expect(terms[0].first?["name"] as? String == "Свят")
            #expect(terms[1].first?["taxonomy"] as? String == "post_tag")
            let categories = try array(try await client.get("/wp-json/wp/v2/categories").body)
            #expect(Set(categories.compactMap { $0["name"] as? String }) == ["Свят", "България"])
            #expect(categories.first { $0["name"] as? String == "Свят" }?["count"] as? Int == 6)
            let tags = try await client.get("/wp-json/wp/v2/tags?per_page=2")
            #expect(tags.headers[HTTPField.Name("X-WP-Total")!] == "3")
            let users = try array(try await client.get("/wp-json/wp/v2/users").body)
            #expect(users.first?["slug"] as? String == Slug.make("Мария Петрова"))
            let one = try await client.get("/wp-json/wp/v2/posts/\(try #require(posts.first?["id"] as? Int))")
            #expect(one.status == .ok)
            let bySlug = try array(try await client.get("/wp-json/wp/v2/posts?slug=\(Slug.make("Новина 1"))").body)
            #expect(bySlug.count == 1)
        }
    }

    @Test(arguments: TestDatabase.all)
    func draftsAndUnknownIdsAreWordPressErrors(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, site in
            let draft = try #require(try await site.articles.article(slug: Slug.make("Чернова")))
            let hidden = try await client.get("/wp-json/wp/v2/posts/\(draft.id)")
            #expect(hidden.status == .notFound)
            #expect(hidden.body.contains("\"code\":\"rest_post_invalid_id\""))
            #expect(try await client.get("/wp-json/wp/v2/media/\(draft.id)").status == .notFound)
            #expect(try await client.get("/wp-json/wp/v2/categories/999999").status == .notFound)
            #expect(try array(try await client.get("/wp-json/wp/v2/media").body).isEmpty)
            let root = try await client.get("/wp-json")
            #expect(root.status == .ok)
            #expect(root.body.contains("\"wp/v2\""))
        }
    }
}
