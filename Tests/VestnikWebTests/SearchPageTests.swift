import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport
@testable import VestnikWeb

@Suite struct SearchPageTests {
    static let content: [ArticleInput] = {
        var gas = article("Цените на газа скочиха", kicker: "Брюксел", section: "Икономика", hoursAgo: 2)
        gas.bodyHTML = "<p>Газът поскъпна, а Путин заплаши с нови мерки.</p>"
        var snow = article("Сняг в София", section: "България", hoursAgo: 1)
        snow.bodyHTML = "<p>Снегът затрупа столицата.</p>"
        let many = (1...12).map { index -> ArticleInput in
            var item = article("Още новини за газа \(index)", section: "Свят", hoursAgo: Double(index) + 3)
            item.bodyHTML = "<p>Газ и пак газ.</p>"
            return item
        }
        return [gas, snow] + many
    }()

    @Test(arguments: TestDatabase.all)
    func findsAndHighlightsInBulgarianAndLatin(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, _ in
            let page = try await client.get("/search?q=putin")
            #expect(page.status == .ok)
            #expect(page.body.contains("<span class=\"kicker\">Брюксел:</span> Цените на газа скочиха</a>"))
            #expect(page.body.contains("<mark>Путин</mark>"))
            #expect(page.body.contains("Намерени статии: 1"))
            // The Bulgarian address, as browsers send it, and a typed space as "+".
            let bulgarian = try await client.get(
                "/%D1%82%D1%8A%D1%80%D1%81%D0%B5%D0%BD%D0%B5?q=%D0%B3%D0%B0%D0%B7%D0%B0+-%D0%BD%D0%BE%D0%B2%D0%B8%D0%BD%D0%B8")
            #expect(bulgarian.status == .ok)
            #expect(bulgarian.body.contains("Намерени статии: 1"))
            #expect(bulgarian.body.contains("value=\"газа -новини\""))
        }
    }

    @Test(arguments: TestDatabase.all)
    func filtersAndPages(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, _ in
            let world = try await client.get("/search?q=%D0%B3%D0%B0%D0%B7&section=svyat")
            #expect(world.body.contains("Намерени статии: 12"))
            #expect(!world.body.contains("Цените на газа скочиха"))
            #expect(world.body.contains("<option value=\"svyat\" selected>Свят</option>"))
            #expect(
                world.body.contains(
                    "rel=\"next\" href=\"/%D1%82%D1%8A%D1%80%D1%81%D0%B5%D0%BD%D0%B5?q=%D0%B3%D0%B0%D0%B7&amp;section=svyat&amp;page=2\""))
            let second = try await client.get("/search?q=%D0%B3%D0%B0%D0%B7&section=svyat&page=2")
            #expect(second.body.contains("Страница 2 от 2"))
            let past = try await client.get("/search?q=%D0%B3%D0%B0%D0%B7&page=40")
            #expect(past.status == .ok)
            #expect(past.body.contains("Няма повече резултати."))
            let today = try await client.get("/search?q=%D0%B3%D0%B0%D0%B7&from=2026-11-25&to=2026-11-25")
            #expect(today.body.contains("Цените на газа скочиха"))
            let earlier = try await client.get("/search?q=%D0%B3%D0%B0%D0%B7&to=2026-11-24")
            #expect(!earlier.body.contains("Цените на газа скочиха"))
        }
    }

    @Test(arguments: TestDatabase.all)
    func badQueriesGetAHelpfulPageNeverA500(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, _ in
            let empty = try await client.get("/search")
            #expect(empty.status == .ok)
            #expect(empty.body.contains("<form class=\"search-form\""))
            let long = try await client.get("/search?q=" + String(repeating: "a", count: 501))
            #expect(long.status == .ok)
            #expect(long.body.contains("Заявката е твърде дълга"))
            let onlyExcluded = try await client.get("/search?q=-%D0%B3%D0%B0%D0%B7")
            #expect(onlyExcluded.body.contains("Няма какво да търсим"))
            let unbalanced = try await client.get("/search?q=%22%D0%B3%D0%B0%D0%B7%D0%B0")
            #expect(unbalanced.status == .ok)
            let hostile = try await client.get("/search?q=%3Cscript%3Ealert(1)%3C/script%3E")
            #expect(hostile.status == .ok)
            #expect(!hostile.body.contains("<script>alert"))
            for bad in ["/search?q=a&page=x", "/search?q=a&from=2026-02-31", "/search?q=a&section=nyama", "/search?q=a&q=b"] {
                #expect(try await client.get(bad).status == .badRequest, "\(bad)")
            }
            let operators = try await client.get("/search?q=%22%22%20-%20AND%20OR%20NOT%20*%20%5E")
            #expect(operators.status == .ok)
            // More than 16 different words is refused with a reason; one word said 80 times is that one word.
            let many = try await client.get("/search?q=" + (1...17).map { "word\($0)" }.joined(separator: "+"))
            #expect(many.status == .ok)
            #expect(many.body.contains("Заявката има твърде много думи: до 16 различни."))
            let repeated = try await client.get("/search?q=" + Array(repeating: "sofia", count: 80).joined(separator: "+"))
            #expect(repeated.body.contains("Намерени статии: 1"))
            let api = try await client.get("/api/search?q=" + (1...17).map { "word\($0)" }.joined(separator: "+"))
            #expect(api.status == .badRequest)
        }
    }

    @Test(arguments: TestDatabase.all)
    func theJSONEndpointAnswersTheSame(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, _ in
            let response = try await client.get("/api/search?q=sofia")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any])
            #expect(json["total"] as? Int == 1)
            let results = try #require(json["results"] as? [[String: Any]])
            #expect(results.first?["title"] as? String == "Сняг в София")
            #expect(results.first?["url"] as? String == "http://127.0.0.1:8080/bulgaria/snyag-v-sofia")
            let bad = try await client.get("/api/search?q=")
            #expect(bad.status == .badRequest)
            #expect(bad.body.contains("\"error\""))
        }
    }

    /// A misspelt word that finds nothing gets one suggestion from the site's own words: a link on the page, a field
    /// in the API, and the suggested query finds the article.
    @Test(arguments: TestDatabase.all)
    func didYouMeanOffersTheSitesOwnWord(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, _ in
            let typo = "%D1%81%D1%82%D0%BE%D0%BB%D0%BB%D0%B8%D1%86%D0%B0%D1%82%D0%B0"  // столлицата
            let page = try await client.get("/search?q=" + typo)
            #expect(page.body.contains("Няма намерени статии"))
            #expect(
                page.body.contains(
                    "<p class=\"search-suggestion\">Може би търсите: <a href=\"/%D1%82%D1%8A%D1%80%D1%81%D0%B5%D0%BD%D0%B5?q="))
            let api = try await client.get("/api/search?q=" + typo)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(api.body.utf8)) as? [String: Any])
            let suggestion = try #require(json["suggestion"] as? String)
            #expect(suggestion.hasPrefix("столиц"))
            let fixed = try await client.get(
                "/api/search?q=" + (suggestion.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
            let found = try #require(try JSONSerialization.jsonObject(with: Data(fixed.body.utf8)) as? [String: Any])
            #expect(found["total"] as? Int == 1)
            #expect(found["suggestion"] == nil)
            // A query that finds plenty gets none.
            #expect(!(try await client.get("/search?q=sofia")).body.contains("search-suggestion"))
        }
    }
}
