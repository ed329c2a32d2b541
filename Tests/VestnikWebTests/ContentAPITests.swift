import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport
@testable import VestnikWeb

@Suite struct ContentAPITests {
    static let content: [ArticleInput] = {
        var gas = article("Цените на газа скочиха", kicker: "Брюксел", section: "Икономика", tags: ["Газ"], hoursAgo: 2)
        gas.bodyHTML = "<p>Газът поскъпна, а Путин заплаши с нови мерки.</p>"
        let snow = article(
            "Сняг в София", section: "България", topic: "Зимата", tags: ["Времето"], hoursAgo: 1,
            authors: [.init(name: "Иван Иванов", role: "Репортер")])
        let draft = article("Чернова за газа", section: "Икономика", tags: ["Чернова"], status: .draft)
        // Three from yesterday (Sofia), so "today" has a boundary to respect.
        let older = (1...3).map { article("Стара новина \($0)", section: "Свят", hoursAgo: 20 + Double($0)) }
        return [gas, snow, draft] + older
    }()

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func items(_ text: String) throws -> [[String: Any]] {
        try #require(try json(text)["items"] as? [[String: Any]])
    }

    @Test("search: the site search's hits with snippets, filters and pages, and its \"did you mean\"", arguments: TestDatabase.all)
    func searchAsTheSiteSearches(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, _ in
            let found = try json(try await client.get("/api/v1/search?q=%D0%B3%D0%B0%D0%B7").body)  // газ
            let hits = try #require(found["items"] as? [[String: Any]])
            #expect(hits.map { $0["title"] as? String } == ["Цените на газа скочиха"])  // the draft is not found
            #expect((hits[0]["snippet"] as? String)?.contains("<mark>") == true)
            #expect(found["total"] as? Int == 1 && found["page"] as? Int == 1 && found["pages"] as? Int == 1)
            let inSection = try json(try await client.get("/api/v1/search?q=%D0%B3%D0%B0%D0%B7&section=\(Slug.make("България"))").body)
            #expect((inSection["items"] as? [Any])?.isEmpty == true || inSection["total"] as? Int == 0)
            // A misspelt word gets the site's own word, as on the search page.
            let misspelt = "поскъпнна".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            let typo = try json(try await client.get("/api/v1/search?q=" + misspelt).body)
            #expect(typo["total"] as? Int == 0 && (typo["suggestion"] as? String)?.hasPrefix("поскъп") == true)
            for bad in ["", "?q=", "?q=x&page=0", "?q=x&limit=101", "?q=x&section=nyama", "?q=x&unknown=1"] {
                #expect(try await client.get("/api/v1/search\(bad)").status == .badRequest, "\(bad)")
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func listsNewestFirstInStablePagesWithoutBodies(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, _ in
            let first = try await client.get("/api/v1/articles?limit=2")
            #expect(first.status == .ok)
            #expect(first.headers[.contentType] == "application/json; charset=utf-8")
            let page = try items(first.body)
            #expect(page.map { $0["title"] as? String } == ["Сняг в София", "Цените на газа скочиха"])
            #expect(page[0]["body_html"] == nil)
            #expect(page[0]["published"] as? String == "2026-11-25T11:00:00+02:00")
            #expect(page[0]["url"] as? String == "http://127.0.0.1:8080/\(Slug.make("България"))/\(Slug.make("Сняг в София"))")
            let authors = try #require(page[0]["authors"] as? [[String: Any]])
            #expect(authors.first?["name"] as? String == "Иван Иванов")
            #expect(authors.first?["role"] as? String == "Репортер")
            // Walking the cursor visits every published article once, never the draft.
            var seen = page.compactMap { $0["id"] as? Int }
            var cursor = try json(first.body)["next_cursor"] as? String
            while let next = cursor {
                let more = try await client.get("/api/v1/articles?limit=2&cursor=\(next)")
                seen += try items(more.body).compactMap { $0["id"] as? Int }
                cursor = try json(more.body)["next_cursor"] as? String
            }
            #expect(seen.count == 5)
            #expect(Set(seen).count == 5)
            let all = try items(try await client.get("/api/v1/articles?limit=100").body)
            #expect(all.compactMap { $0["id"] as? Int } == seen)
            #expect(!all.contains { ($0["title"] as? String)?.contains("Чернова") == true })
        }
    }

    @Test(arguments: TestDatabase.all)
    func filtersCombine(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, _ in
            func titles(_ query: String) async throws -> [String] {
                let answer = try await client.get("/api/v1/articles?" + query)
                #expect(answer.status == .ok, "\(query): \(answer.body)")
                return try items(answer.body).compactMap { $0["title"] as? String }
            }
            #expect(try await titles("section=\(Slug.make("Икономика"))") == ["Цените на газа скочиха"])
            #expect(try await titles("topic=\(Slug.make("Зимата"))") == ["Сняг в София"])
            #expect(try await titles("tag=\(Slug.make("Времето"))") == ["Сняг в София"])
            #expect(try await titles("author=\(Slug.make("Иван Иванов"))") == ["Сняг в София"])
            #expect(try await titles("q=%D0%9F%D1%83%D1%82%D0%B8%D0%BD") == ["Цените на газа скочиха"])  // Путин
            #expect(try await titles("q=putin&section=\(Slug.make("България"))").isEmpty)
            #expect(try await titles("since=2026-11-25T09:30:00%2B02:00") == ["Сняг в София", "Цените на газа скочиха"])
            #expect(try await titles("since=2026-11-25T07:30:00Z&until=2026-11-25T08:30:00Z") == ["Цените на газа скочиха"])
            #expect(try await titles("until=2026-11-25").count == 3)
            // Today's news: since Sofia midnight only.
            let today = try items(try await client.get("/api/v1/today").body)
            #expect(today.compactMap { $0["title"] as? String } == ["Сняг в София", "Цените на газа скочиха"])
        }
    }

    @Test(arguments: TestDatabase.all)
    func badParametersAreProblemDetails(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, _ in
            for query in [
                "limit=0", "limit=101", "limit=x", "cursor=nonsense", "fields=title,password", "section=none", "since=yesterday",
                "q=", "colour=red", "limit=1&limit=2",
            ] {
                let answer = try await client.get("/api/v1/articles?" + query)
                #expect(answer.status == .badRequest, "\(query)")
                #expect(answer.headers[.contentType] == "application/problem+json", "\(query)")
                let problem = try json(answer.body)
                #expect(problem["status"] as? Int == 400)
                #expect((problem["detail"] as? String)?.isEmpty == false)
            }
            let missing = try await client.get("/api/v1/articles/999999")
            #expect(missing.status == .notFound)
            #expect(missing.headers[.contentType] == "application/problem+json")
            #expect(try await client.get("/api/v1/articles/abc").status == .badRequest)
            #expect(try await client.get("/api/v1/articles/by-slug/\(Slug.make("Чернова за газа"))").status == .notFound)
        }
    }

    @Test(arguments: TestDatabase.all)
    func oneArticleWithFieldsAndIncludes(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, site in
            let gas = try #require(try await site.articles.article(slug: Slug.make("Цените на газа скочиха")))
            let whole = try json(try await client.get("/api/v1/articles/\(gas.id)").body)
            #expect(whole["body_html"] as? String == "<p>Газът поскъпна, а Путин заплаши с нови мерки.</p>")
            #expect(whole["kicker"] as? String == "Брюксел")
            #expect(whole["sources"] as? [String] == ["БТА"])
            #expect(whole["topic"] is NSNull)
            #expect((whole["section"] as? [String: Any])?["description"] == nil)
            #expect(whole["related"] == nil)
            let bySlug = try await client.get("/api/v1/articles/by-slug/\(Slug.make("Цените на газа скочиха"))?fields=title,reads")
            let trimmed = try json(bySlug.body)
            #expect(Set(trimmed.keys) == ["id", "title", "reads"])
            let expanded = try json(try await client.get("/api/v1/articles/\(gas.id)?include=related,section,authors").body)
            #expect((expanded["section"] as? [String: Any])?["description"] as? String == "")
            #expect(((expanded["authors"] as? [[String: Any]])?.first)?["bio"] as? String == "")
            #expect(expanded["related"] is [Any])
        }
    }

    @Test(arguments: TestDatabase.all)
    func answersAreCachedWithETagsAndDroppedByAnEdit(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, site in
            let gas = try #require(try await site.articles.article(slug: Slug.make("Цените на газа скочиха")))
            let url = "/api/v1/articles/\(gas.id)"
            let first = try await client.get(url)
            #expect(first.headers[.xCache] == "MISS")
            #expect(first.headers[.surrogateKey]?.split(separator: " ").contains("a\(gas.id)") == true)
            let etag = try #require(first.headers[.eTag])
            let second = try await client.get(url)
            #expect(second.headers[.xCache] == "HIT")
            #expect(second.body == first.body)
            #expect(try await client.get(url, headers: [.ifNoneMatch: etag]).status == .notModified)
            // The same list asked with its parameters in another order is the same entry.
            let economy = Slug.make("Икономика")
            _ = try await client.get("/api/v1/articles?limit=5&section=\(economy)")
            #expect(try await client.get("/api/v1/articles?section=\(economy)&limit=5").headers[.xCache] == "HIT")
            var edited = Self.content[0]
            edited.title = "Цените на газа паднаха"
            try await site.articles.save(edited, now: testNow)
            let after = try await client.get(url)
            #expect(after.headers[.xCache] == "MISS")
            #expect(after.body.contains("Цените на газа паднаха"))
            #expect(try await client.get(url, headers: [.ifNoneMatch: etag]).status == .ok)
            let list = try await client.get("/api/v1/articles?section=\(economy)&limit=5")
            #expect(list.body.contains("Цените на газа паднаха"))
        }
    }

    @Test(arguments: TestDatabase.all)
    func corsOnlyForConfiguredOrigins(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content, settings: [SettingRules.corsOriginsKey: "https://app.example.bg"]) { client, _ in
            let allowed = try await client.get("/api/v1/sections", headers: [.origin: "https://app.example.bg"])
            #expect(allowed.headers[.accessControlAllowOrigin] == "https://app.example.bg")
            #expect(allowed.headers[values: .vary].contains("Origin"))
            // A cached answer gets them too.
            let cached = try await client.get("/api/v1/sections", headers: [.origin: "https://app.example.bg"])
            #expect(cached.headers[.accessControlAllowOrigin] == "https://app.example.bg")
            let other = try await client.get("/api/v1/sections", headers: [.origin: "https://evil.example"])
            #expect(other.headers[.accessControlAllowOrigin] == nil)
            let preflight = try await client.execute(
                uri: "/api/v1/articles", method: .options,
                headers: [.origin: "https://app.example.bg", .accessControlRequestMethod: "GET"]
            ) { $0 }
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowMethods] == "GET, HEAD")
            // Pages and the search API are not the content API.
            let page = try await client.get("/", headers: [.origin: "https://app.example.bg"])
            #expect(page.headers[.accessControlAllowOrigin] == nil)
        }
    }

    @Test func theCORSSettingIsChecked() {
        #expect(SettingRules.problem(key: SettingRules.corsOriginsKey, value: "*") == nil)
        #expect(SettingRules.problem(key: SettingRules.corsOriginsKey, value: "https://a.bg, http://localhost:3000") == nil)
        #expect(SettingRules.problem(key: SettingRules.corsOriginsKey, value: "https://a.bg/path") != nil)
        #expect(SettingRules.problem(key: SettingRules.corsOriginsKey, value: "javascript:alert(1)") != nil)
        #expect(SettingRules.problem(key: SettingRules.corsOriginsKey, value: "") != nil)
        #expect(APIOrigins(setting: "https://A.bg")?.allows("https://a.bg") == true)
    }

    @Test(arguments: TestDatabase.all)
    func termListsShowOnlyWhatIsPublished(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, _ in
            let tags = try items(try await client.get("/api/v1/tags").body).compactMap { $0["name"] as? String }
            #expect(Set(tags) == ["Газ", "Времето"])
            let firstTag = try await client.get("/api/v1/tags?limit=1")
            let cursor = try #require(try json(firstTag.body)["next_cursor"] as? String)
            let secondTag = try items(try await client.get("/api/v1/tags?limit=1&cursor=\(cursor)").body)
            #expect(secondTag.count == 1)
            #expect(try json(try await client.get("/api/v1/tags?limit=1&cursor=\(cursor)").body)["next_cursor"] is NSNull)
            let topics = try items(try await client.get("/api/v1/topics").body)
            #expect(topics.first?["name"] as? String == "Зимата")
            #expect(topics.first?["url"] as? String == "http://127.0.0.1:8080/tema/\(Slug.make("Зимата"))")
            let authors = try items(try await client.get("/api/v1/authors").body)
            #expect(Set(authors.compactMap { $0["role"] as? String }) == ["Отговорен редактор", "Репортер"])
            let sections = try items(try await client.get("/api/v1/sections").body).compactMap { $0["name"] as? String }
            #expect(Set(sections) == ["Икономика", "България", "Свят"])
        }
    }

    @Test(arguments: TestDatabase.all)
    func mostReadCarriesTheWindowsCount(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, site in
            let snow = try #require(try await site.articles.article(slug: Slug.make("Сняг в София")))
            try await site.reads.add([ReadIncrement(articleID: snow.id, hour: ReadIncrement.hour(containing: testNow), count: 7)])
            let list = try items(try await client.get("/api/v1/most-read?window=week&limit=5").body)
            #expect(list.first?["id"] as? Int == snow.id)
            #expect(list.first?["window_reads"] as? Int == 7)
            #expect(try await client.get("/api/v1/most-read?window=year").status == .badRequest)
        }
    }

    @Test(arguments: TestDatabase.all)
    func servesItsOpenAPIDocumentAndAPageOfIt(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: []) { client, _ in
            let document = try await client.get("/api/openapi.json")
            #expect(document.status == .ok)
            let root = try json(document.body)
            #expect(root["openapi"] as? String == "3.1.0")
            let paths = try #require(root["paths"] as? [String: Any])
            #expect(paths["/api/v1/articles"] != nil)
            let page = try await client.get("/api/docs")
            #expect(page.status == .ok)
            #expect(page.body.contains("<code>/api/v1/articles/{id}</code>"))
            #expect(page.body.contains("API на сайта"))
        }
    }
}
