import Foundation
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport

@testable import VestnikWeb

@Suite("Share links: each service's own address, no script of theirs")
struct ShareLinksTests {
    @Test(arguments: TestDatabase.all)
    func anArticleCarriesShareLinksAndNoThirdPartyScript(_ kind: TestDatabase) async throws {
        let input = article("Бюджет & данъци: „какво“ #1")
        try await withSite(kind, articles: [input]) { [input] client, _ in
            let page = try await client.get("/svyat/\(input.slug)").body
            let url = "http%3A%2F%2F127.0.0.1%3A8080%2Fsvyat%2F\(input.slug)"
            let title = "%D0%91%D1%8E%D0%B4%D0%B6%D0%B5%D1%82%20%26%20"  // "Бюджет & " percent-encoded: & is not a separator
            #expect(page.contains("<a href=\"https://www.facebook.com/sharer/sharer.php?u=\(url)\" rel=\"noopener nofollow\">Facebook</a>"))
            #expect(page.contains("<a href=\"https://x.com/intent/post?url=\(url)&amp;text=\(title)"))
            #expect(page.contains("<a href=\"viber://forward?text=\(title)"))
            #expect(page.contains("<a href=\"https://wa.me/?text=\(title)"))
            #expect(page.contains("<a href=\"https://t.me/share/url?url=\(url)&amp;text=\(title)"))
            #expect(page.contains("<a href=\"mailto:?subject=\(title)"))
            #expect(page.contains("class=\"share-copy\""))
            #expect(page.contains("class=\"share-native\" hidden>Сподели…</button>"))
            #expect(page.contains("<script src=\"/static/share."))
            // Every script is our own.
            for script in page.components(separatedBy: "<script src=\"").dropFirst() { #expect(script.hasPrefix("/static/")) }
        }
    }
}
