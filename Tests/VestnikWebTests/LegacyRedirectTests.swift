import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport
@testable import VestnikWeb

/// A WordPress site's old links, after `vestnik import-wordpress`, answer 301 to the new pages over HTTP.
@Suite struct LegacyRedirectTests {
    @Test("old permalinks, ?p=, archives and the feed answer 301; real pages are never shadowed", arguments: TestDatabase.all)
    func oldLinks(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            var post = WordPressExport.Post(id: 42, title: "Старата статия", slug: "%d1%81%d1%82%d0%b0%d1%80%d0%b0%d1%82%d0%b0")
            post.content = "Текст на старата статия."
            post.dateGMT = "2026-11-20 08:30:00"
            var draft = WordPressExport.Post(id: 43, title: "Чернова", slug: "chernova")
            draft.status = "draft"
            let report = try await WordPressImporter(database: site.database).run(
                WXRReader(data: Data(WordPressExport.xml([post, draft]).utf8)), now: testNow)
            #expect(report.created == 2)
            let section = Slug.make("България")
            let article = "/\(section)/starata"
            #expect(try await client.get(article).status == .ok)
            // The home page is in the page cache; `/?p=` is still not the home page.
            #expect(try await client.get("/").status == .ok)
            for old in ["/2026/11/%d1%81%d1%82%d0%b0%d1%80%d0%b0%d1%82%d0%b0/", "/2026/11/старата", "/?p=42"] {
                let response = try await client.get(old)
                #expect(response.status == .movedPermanently && response.headers[.location] == article, "\(old)")
            }
            #expect(try await client.get("/category/%d0%b1%d1%8a%d0%bb%d0%b3%d0%b0%d1%80%d0%b8%d1%8f/").headers[.location] == "/\(section)")
            #expect(try await client.get("/feed/").headers[.location] == "/rss.xml")
            // A draft's old address tells nothing; the home page with another query is the home page.
            #expect(try await client.get("/?p=43").status == .ok)
            #expect(try await client.get("/2026/11/chernova").status == .notFound)
            #expect(try await client.get("/2026/11/chernova/").headers[.location] == "/2026/11/chernova")
            #expect(try await client.get("/?p=999").status == .ok)
        }
    }
}

/// `/healthz` and `/readyz` for load balancers.
@Suite struct HealthTests {
    @Test("alive always; ready while the database answers with every migration and the media folder takes files")
    func health() async throws {
        try await withSite(.sqlite, articles: newsroomSeed) { client, site in
            let alive = try await client.get("/healthz")
            #expect(alive.status == .ok && alive.headers[.cacheControl] == "no-store")
            let ready = try await client.get("/readyz")
            #expect(ready.status == .ok && ready.body.contains("\"ready\""))
            // A migration this binary knows is missing: not ready, and it says why.
            try await site.database.write { db in try await db.raw("DELETE FROM schema_migrations WHERE version = 7").run() }
            let behind = try await client.get("/readyz")
            #expect(behind.status == .serviceUnavailable && behind.body.contains("migrations not applied: 7"))
        }
    }
}
