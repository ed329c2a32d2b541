import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport
@testable import VestnikWeb

/// The breaking-news banner from the newsroom to every public page: one click up, one click down, each dropping
/// every cached page so the next request shows the change; escaped; gone once its time is up.
@Suite struct BreakingNewsPagesTests {
    static let pages = [
        "/", "/svyat", "/svyat/kmetat-otkri-mosta", "/tag/most", "/avtor/maria-petrova", "/popravki", "/tarsene?q=%D0%BC%D0%BE%D1%81%D1%82",
        "/svyat/no-such-article",
    ]

    @Test("put up in one click, on every public page at once, taken down in one click", arguments: TestDatabase.all)
    func upAndDown(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: [article("Кметът откри моста", tags: ["Мост"])]) { client, site in
            for url in Self.pages {
                let page = try await client.get(url)
                #expect(!page.body.contains("class=\"breaking\""), "\(url)")
            }
            try await createUser(site, "editor@vestnik.bg", role: .editor)
            try await createUser(site, "author@vestnik.bg", role: .author)
            let author = NewsroomBrowser(client)
            try await author.logIn("author@vestnik.bg")
            #expect(try await author.get(NewsroomURLs.banner).status == .forbidden)
            #expect(try await author.post(NewsroomURLs.banner, [("action", "clear")]).status == .forbidden)

            let editor = NewsroomBrowser(client)
            try await editor.logIn("editor@vestnik.bg")
            let form = try await editor.get(NewsroomURLs.banner)
            #expect(form.body.contains("id=\"nr-banner-form\""))
            // The end defaults to an hour from now, Sofia time (testNow is 12:00 there).
            #expect(form.body.contains("name=\"until\" value=\"2026-11-25T13:00\""))
            let refused = try await editor.post(
                NewsroomURLs.banner,
                [("action", "set"), ("text", "Внимание"), ("url", "javascript:alert(1)"), ("until", "2026-11-25T13:00")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.body.contains("value=\"Внимание\""))
            let late = try await editor.post(
                NewsroomURLs.banner, [("action", "set"), ("text", "Внимание"), ("url", "/svyat"), ("until", "вчера")])
            #expect(late.status == .unprocessableContent)

            let set = try await editor.post(
                NewsroomURLs.banner,
                [
                    ("action", "set"), ("text", "Земетресение <b>5,1</b>"), ("url", "/svyat/kmetat-otkri-mosta"),
                    ("until", "2026-11-25T13:00"),
                ])
            #expect(set.status == .seeOther)
            #expect(try await editor.get(NewsroomURLs.banner).body.contains("id=\"nr-banner-clear\""))
            for url in Self.pages {
                let page = try await client.get(url)
                #expect(
                    page.body.contains(
                        "<p class=\"breaking\" role=\"status\"><a href=\"/svyat/kmetat-otkri-mosta\"><strong class=\"breaking-label\">Извънредно</strong> Земетресение &lt;b&gt;5,1&lt;/b&gt;</a></p>"
                    ), "\(url)")
                if page.status == .ok, !url.contains("tarsene") { #expect(page.headers[.xCache] == "MISS", "\(url)") }
            }
            #expect(try await site.drafts.auditLog(limit: 1).first?.action == "banner_set")
            // After its end, a page rendered then does not show it.
            #expect(try await site.lists.banner(now: testNow.addingTimeInterval(3601)) == nil)

            #expect(try await editor.post(NewsroomURLs.banner, [("action", "clear")]).status == .seeOther)
            for url in Self.pages {
                #expect(!(try await client.get(url).body.contains("class=\"breaking\"")), "\(url)")
            }
            #expect(try await site.drafts.auditLog(limit: 1).first?.action == "banner_cleared")
        }
    }
}
