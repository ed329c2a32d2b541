import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport
@testable import VestnikWeb

/// Issue 27 (findings 3, 5, 14, 15): the rules themselves, without a server.
@Suite struct RequestSafetyRulesTests {
    @Test func aPageHasOnePath() {
        typealias M = PageCacheMiddleware<BasicRequestContext>
        #expect(M.pathForm("/") == .canonical)
        #expect(M.pathForm("/svyat/dronove-nad-kiev") == .canonical)
        #expect(M.pathForm("//svyat/dronove-nad-kiev") == .moved("/svyat/dronove-nad-kiev"))
        #expect(M.pathForm("/svyat//dronove-nad-kiev") == .moved("/svyat/dronove-nad-kiev"))
        #expect(M.pathForm("/svyat/dronove-nad-kiev/") == .moved("/svyat/dronove-nad-kiev"))
        #expect(M.pathForm("///svyat///dronove-nad-kiev///") == .moved("/svyat/dronove-nad-kiev"))
        #expect(M.pathForm("//") == .moved("/"))
        // Never a redirect to another host: `//evil.example` is the path `/evil.example` of this site.
        #expect(M.pathForm("//evil.example") == .moved("/evil.example"))
        #expect(M.pathForm("/svyat/./dronove-nad-kiev") == .notFound)
        #expect(M.pathForm("/svyat/../sport") == .notFound)
        #expect(M.pathForm("/..") == .notFound)
    }

    @Test func theLoginReturnsOnlyIntoTheNewsroom() {
        #expect(NewsroomURLs.returnPath("/newsroom") == "/newsroom")
        #expect(NewsroomURLs.returnPath("/newsroom/articles/12") == "/newsroom/articles/12")
        #expect(NewsroomURLs.returnPath("/newsroom/media?q=%D0%BF") == "/newsroom/media?q=%D0%BF")
        for hostile in [
            "/newsroom/%2e%2e/svyat", "/newsroom/%2E%2E/%2e%2e/x", "/newsroom/.%2e/x", "/newsroom/%2f%2fevil.example",
            "/newsroom/../svyat", "/newsroom//evil.example", "/newsroom/\\evil.example", "//evil.example", "/svyat",
            "/newsroomx", "https://evil.example/newsroom", "/newsroom/./..",
        ] {
            #expect(NewsroomURLs.returnPath(hostile) == nil, "\(hostile)")
        }
    }

    @Test func theFollowLinkAndTheSiteAddressAreWebAddresses() {
        for good in ["https://news.google.com/publications/X", "http://vestnik.example", "HTTPS://Vestnik.example/бг/"] {
            #expect(SettingRules.problem(key: "site.follow_url", value: good) == nil, "\(good)")
        }
        for bad in [
            "javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<script>", "//evil.example", "/relative", "",
            "https://", "https://a b.example", "https://x.example/\"onmouseover=\"x", "https://x.example/\u{0}", "ftp://x.example",
            "https://user@evil.example", " https://x.example",
        ] {
            #expect(SettingRules.problem(key: "site.follow_url", value: bad) != nil, "\(bad)")
            #expect(SettingRules.problem(key: "site.url", value: bad) != nil, "\(bad)")
        }
        // Other settings are not web addresses.
        #expect(SettingRules.problem(key: "site.name", value: "Вестник") == nil)
    }

    @Test func namesWithControlCharactersAreRefused() {
        #expect(!TaxonomyRepository.hasControlCharacters("Спорт и здраве"))
        for bad in ["Спорт\u{0}", "a\tb", "a\nb", "a\rb", "\u{7F}x", "x\u{85}", "x\u{2028}y", "\u{1B}[31mRed"] {
            #expect(TaxonomyRepository.hasControlCharacters(bad), "\(bad.unicodeScalars.map(\.value))")
        }
    }

    @Test func readersAreGroupedByTheirNetwork() {
        #expect(ReaderNetwork.prefix(of: "203.0.113.7") == "203.0.113.0/24")
        #expect(ReaderNetwork.prefix(of: "203.0.113.250") == "203.0.113.0/24")
        #expect(ReaderNetwork.prefix(of: "::ffff:203.0.113.7") == "203.0.113.0/24")
        #expect(ReaderNetwork.prefix(of: "2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2::/64")
        #expect(ReaderNetwork.prefix(of: "2001:db8:1:2::1") == "2001:db8:1:2::/64")
        #expect(ReaderNetwork.prefix(of: "2001:db8:1:3::1") == "2001:db8:1:3::/64")
        #expect(ReaderNetwork.prefix(of: "") == "")
        #expect(ReaderNetwork.prefix(of: "not an address") == "not an address")
    }

    @Test func theCapBoundsAnAddressAndANetworkPerArticleAndRefills() {
        let clock = TestClock()
        let cap = ReadCap(perAddress: 3, perNetwork: 5, window: 1800, capacity: 1_000, now: { clock.now })
        #expect((0..<10).filter { _ in cap.admit(address: "203.0.113.7", articleID: 1) }.count == 3)
        // Another article has its own allowance; the network is at 3 of 5 for article 1.
        #expect((0..<10).filter { _ in cap.admit(address: "203.0.113.7", articleID: 2) }.count == 3)
        #expect((0..<10).filter { _ in cap.admit(address: "203.0.113.8", articleID: 1) }.count == 2)
        #expect(!cap.admit(address: "203.0.113.9", articleID: 1))
        #expect(cap.admit(address: "198.51.100.1", articleID: 1))
        // One read back per window / perAddress (10 minutes) for the address, per window / perNetwork for the network.
        clock.advance(600)
        #expect(cap.admit(address: "203.0.113.7", articleID: 1))
        #expect(!cap.admit(address: "203.0.113.7", articleID: 1))
    }

    @Test func aFullCapTableCountsNoNewSourceRatherThanAnyNumber() {
        let clock = TestClock()
        let cap = ReadCap(perAddress: 2, perNetwork: 2, window: 1800, capacity: 4, now: { clock.now })
        #expect(cap.admit(address: "192.0.2.1", articleID: 1))
        #expect(cap.admit(address: "198.51.100.1", articleID: 1))
        #expect(!cap.admit(address: "203.0.113.1", articleID: 1))
        #expect(cap.count <= 4)
        // Once the buckets have refilled they are swept out and new sources count again.
        clock.advance(1800)
        #expect(cap.admit(address: "203.0.113.1", articleID: 1))
    }
}

/// Issue 27 over HTTP against the real application.
@Suite struct RequestSafetyTests {
    /// Finding 5: `//a/x`, `/a//x` and `/a/x/` rendered and stored a page each, so a flood of spellings pushed every
    /// real page out of the cache. Now they are sent to the one path, and only that is ever stored.
    @Test(arguments: TestDatabase.all)
    func slashVariantsAreRedirectedAndNeverStored(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: PageCacheTests.content) { client, _ in
            let url = "/svyat/dronove-nad-kiev"
            #expect(try await client.get(url).headers[.xCache] == "MISS")
            for variant in ["/" + url, "/svyat//dronove-nad-kiev", url + "/", url + "//", "//svyat/dronove-nad-kiev/"] {
                let response = try await client.get(variant)
                #expect(response.status == .movedPermanently, "\(variant)")
                #expect(response.headers[.location] == url, "\(variant)")
                #expect(response.headers[.xCache] == nil, "\(variant)")
            }
            let withQuery = try await client.get("/svyat//?page=2")
            #expect(withQuery.status == .movedPermanently && withQuery.headers[.location] == "/svyat?page=2")
            let dot = try await client.get("/svyat/./dronove-nad-kiev")
            #expect(dot.status == .notFound, "\(dot.status) \(dot.headers)")
            #expect(try await client.get("/svyat/../svyat/dronove-nad-kiev").status == .notFound)
            // Parameters a page does not read name the same cached page; `page` names another.
            for query in ["?utm_source=facebook", "?x=1", "?fbclid=abc&x=2", "?page=1"] {
                #expect(try await client.get(url + query).headers[.xCache] == "HIT", "\(query)")
            }
            #expect(try await client.get("/svyat").headers[.xCache] == "MISS")
            #expect(try await client.get("/svyat?utm_source=x&page=1").headers[.xCache] == "HIT")
        }
    }

    /// Finding 3: an upload is read only for a session, and its file only after its CSRF token has matched.
    @Test(arguments: TestDatabase.all)
    func anUploadNeedsASessionAndItsTokenBeforeTheFile(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            let browser = try await mediaBrowser(client, site, role: .author)
            let token = browser.csrf
            #expect(!token.isEmpty)
            let boundary = "----RequestSafety7MA4YWxkTrZu0gW"
            func body(_ parts: [(String, String?, [UInt8])]) -> ByteBuffer {
                var bytes: [UInt8] = []
                for (name, file, content) in parts {
                    let fileName = file.map { "; filename=\"\($0)\"" } ?? ""
                    bytes += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\(fileName)\r\n\r\n".utf8)
                    bytes += content + Array("\r\n".utf8)
                }
                return ByteBuffer(bytes: bytes + Array("--\(boundary)--\r\n".utf8))
            }
            func upload(
                _ parts: [(String, String?, [UInt8])], cookies: Bool = true, header: String? = nil
            ) async throws
                -> HTTPResponse.Status
            {
                var headers: HTTPFields = [.contentType: "multipart/form-data; boundary=\(boundary)"]
                if cookies { headers[.cookie] = browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
                if let header { headers[HTTPField.Name("X-CSRF-Token")!] = header }
                return try await client.execute(uri: MediaURLs.library, method: .post, headers: headers, body: body(parts)) { $0.status }
            }
            let png = samplePNG()
            // The token after the file is too late: the file would have been read already.
            #expect(
                try await upload([("alt", nil, Array("Снимка".utf8)), ("file", "a.png", png), ("csrf", nil, Array(token.utf8))])
                    == .forbidden)
            // Signed out, even with the right token (and a pre-session cookie), an upload is refused.
            let stranger = NewsroomBrowser(client)
            try await stranger.get(NewsroomURLs.login)
            let signedOut = try await client.execute(
                uri: MediaURLs.library, method: .post,
                headers: [
                    .contentType: "multipart/form-data; boundary=\(boundary)",
                    .cookie: stranger.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "),
                ],
                body: body([("csrf", nil, Array(stranger.csrf.utf8)), ("alt", nil, Array("x".utf8)), ("file", "a.png", png)])
            ) { $0.status }
            #expect(signedOut == .forbidden)
            #expect(try await site.media.list(limit: 10).items.isEmpty)
            // A wrong header is refused whatever the form says; the right one stands for the field.
            #expect(
                try await upload([("csrf", nil, Array(token.utf8)), ("alt", nil, Array("x".utf8)), ("file", "a.png", png)], header: "0000")
                    == .forbidden)
            #expect(try await upload([("alt", nil, Array("По заглавие".utf8)), ("file", "a.png", png)], header: token) == .seeOther)
            #expect(try await site.media.list(limit: 10).items.count == 1)
            // The form as the browser sends it, token first, still works.
            #expect(
                try await upload([
                    ("csrf", nil, Array(token.utf8)), ("alt", nil, Array("Втора".utf8)), ("file", "b.png", samplePNG(seed: 2)),
                ]) == .seeOther)
            #expect(try await site.media.list(limit: 10).items.count == 2)
        }
    }

    /// Finding 3: a form posted before sign-in is small; a larger one is refused without being kept.
    @Test(arguments: TestDatabase.all)
    func aSignedOutFormIsSmall(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            try await createUser(site, "author@vestnik.bg", role: .author)
            let stranger = NewsroomBrowser(client)
            try await stranger.get(NewsroomURLs.login)
            let big = try await stranger.post(
                NewsroomURLs.login, [("email", "author@vestnik.bg"), ("password", String(repeating: "x", count: 100_000))])
            #expect(big.status == .contentTooLarge)
            // No cookie at all: refused on the headers.
            let bare = try await client.execute(
                uri: NewsroomURLs.login, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "csrf=&email=a&password=b")
            ) { $0.status }
            #expect(bare == .forbidden)
            #expect(try await stranger.logIn("author@vestnik.bg").status == .seeOther)
        }
    }

    /// Bodies are bounded per route: a read beacon carries none, so one over 1 KB is refused (413) and not counted,
    /// whether its length is declared or it comes in chunks; an empty one still counts. (Forms: `aSignedOutFormIsSmall`
    /// and `aSignedInFormIsBounded`; uploads: MediaTests; the admin API's JSON: AdminAPITests.)
    @Test(arguments: TestDatabase.all)
    func aReadBeaconIsSmall(_ kind: TestDatabase) async throws {
        let settings = ReadSettings(flushInterval: .seconds(3600), rateLimit: nil, trustedProxies: 0)
        try await withReadingSite(kind, articles: ReadCountingTests.content, reads: settings) { client, site, counter in
            let id = try #require(try await site.articles.article(slug: "dronove-nad-kiev")).id
            let big = ByteBuffer(repeating: UInt8(ascii: "x"), count: ReadSettings.maxBeaconBodyBytes + 1)
            for (uri, method) in [("/api/reads/\(id)", HTTPRequest.Method.post), ("/api/reads/\(id).gif", .get)] {
                let declared = try await client.execute(
                    uri: uri, method: method, headers: [.userAgent: browser, .contentLength: String(big.readableBytes)], body: big
                ) { $0.status }
                #expect(declared == .contentTooLarge, "\(uri)")
            }
            let chunked = try await client.execute(
                uri: "/api/reads/\(id)", method: .post, headers: [.userAgent: browser, .transferEncoding: "chunked"], body: big
            ) { $0.status }
            #expect(chunked == .contentTooLarge)
            #expect(counter.unflushed == 0)
            let small = ByteBuffer(repeating: UInt8(ascii: "x"), count: ReadSettings.maxBeaconBodyBytes)
            let fits = try await client.execute(uri: "/api/reads/\(id)", method: .post, headers: [.userAgent: browser], body: small) {
                $0.status
            }
            #expect(fits == .noContent)
            #expect(try await client.beacon(id) == .noContent)
            #expect(counter.unflushed == 1)
        }
    }

    /// A signed-in editor's form (the article body travels in it) is bounded too: 413 past 2 MB, nothing saved.
    @Test(arguments: TestDatabase.all)
    func aSignedInFormIsBounded(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            try await createUser(site, "editor@vestnik.bg", role: .editor)
            let browser = NewsroomBrowser(client)
            #expect(try await browser.logIn("editor@vestnik.bg").status == .seeOther)
            let before = try await site.articles.count()
            try await browser.get(NewsroomURLs.newArticle)
            let big = try await browser.post(
                NewsroomURLs.newArticle,
                articleFields(title: "Твърде дълга", body: String(repeating: "x", count: NewsroomMiddleware.maxFormBytes)))
            #expect(big.status == .contentTooLarge)
            #expect(try await site.articles.count() == before)
        }
    }

    /// Finding 14: one address rotating its user agent, and a block of neighbouring addresses, add no more than
    /// their caps to an article; readers sharing one address (an office NAT) still count up to the cap.
    @Test(arguments: TestDatabase.all)
    func oneAddressAndOneNetworkAddNoMoreThanTheirCap(_ kind: TestDatabase) async throws {
        let clock = TestClock()
        let settings = ReadSettings(flushInterval: .seconds(3600), rateLimit: nil, trustedProxies: 1)
        try await withReadingSite(kind, articles: ReadCountingTests.content, reads: settings, clock: clock) { client, site, counter in
            let id = try #require(try await site.articles.article(slug: "dronove-nad-kiev")).id
            let other = try #require(try await site.articles.article(slug: "futbolen-mach")).id
            func agent(_ n: Int) -> String {
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/\(100 + n).0.0.0 Safari/537.36"
            }
            // One address, a new user agent every time.
            for n in 0..<300 { _ = try await client.beacon(id, userAgent: agent(n), headers: ["X-Forwarded-For": "203.0.113.7"]) }
            #expect(counter.unflushed == 30)
            // Twenty neighbours in the same /24, ten "readers" each: the network has 70 left for this article.
            for host in 10..<30 {
                for n in 0..<10 { _ = try await client.beacon(id, userAgent: agent(n), headers: ["X-Forwarded-For": "203.0.113.\(host)"]) }
            }
            #expect(counter.unflushed == 100)
            // An office behind one address in another network: 30 colleagues read the story, every one counts, and
            // so do other articles and other networks.
            for n in 0..<30 { _ = try await client.beacon(id, userAgent: agent(n), headers: ["X-Forwarded-For": "198.51.100.20"]) }
            #expect(counter.unflushed == 130)
            #expect(try await client.beacon(other, headers: ["X-Forwarded-For": "203.0.113.7"]) == .noContent)
            #expect(counter.unflushed == 131)
            // The same holds for an IPv6 /64.
            for n in 0..<200 {
                let address = "2001:db8:7:7:\(String(n, radix: 16))::1"
                _ = try await client.beacon(id, userAgent: agent(n % 3), headers: ["X-Forwarded-For": address])
            }
            #expect(counter.unflushed == 231)
            // Ten minutes on, the office's allowance has grown by ten (one a minute).
            clock.advance(600)
            for n in 30..<60 { _ = try await client.beacon(id, userAgent: agent(n), headers: ["X-Forwarded-For": "198.51.100.20"]) }
            #expect(counter.unflushed == 241)
        }
    }

    /// Finding 15: a `javascript:` follow link is refused when written and when read.
    @Test(arguments: TestDatabase.all)
    func theFollowLinkMustBeAWebAddress(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let settings = SettingsRepository(database: database)
            await #expect(throws: InvalidInput.self) { try await settings.set("site.follow_url", to: "javascript:alert(1)") }
            #expect(try await settings.value("site.follow_url") == nil)
            try await settings.set("site.follow_url", to: "https://news.google.com/publications/vestnik")
            #expect(try await settings.value("site.follow_url") == "https://news.google.com/publications/vestnik")
            // A value stored before this check (by hand, or by an older version) stops the site at start-up.
            try await database.write { db in
                try await db.raw("UPDATE settings SET value = \(bind: "javascript:alert(1)") WHERE key = \(bind: "site.follow_url")").run()
            }
            await #expect(throws: ThemeError.self) { _ = try await Site.make(database: database, theme: try await Theme.load()) }
        }
    }

    /// Finding 15: section and tag names refuse NUL and other control characters, from the structure pages, from an
    /// article's tags and from an import.
    @Test(arguments: TestDatabase.all)
    func namesWithControlCharactersAreRefusedEverywhere(_ kind: TestDatabase) async throws {
        try await withEditor(kind) { client, site, editor in
            try await editor.get(NewsroomURLs.structure(.section))
            let refused = try await editor.post(
                NewsroomURLs.structure(.section), [("name", "Спорт\u{0}"), ("slug", "sport"), ("description", ""), ("position", "4")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.body.contains(site.locale["nr_structure_control_characters"]))
            #expect(try await site.taxonomy.section(slug: "sport") == nil)
            await #expect(throws: InvalidInput.self) { _ = try await site.taxonomy.saveSection(name: "Култура\u{1}") }
            await #expect(throws: InvalidInput.self) {
                _ = try await site.articles.save(article("С таг", tags: ["Опасен\u{0}таг"]), now: testNow)
            }
            #expect(try await site.taxonomy.tag(slug: "opasen-tag") == nil)
            #expect(try await site.taxonomy.tag(slug: "opasentag") == nil)
            #expect(!(try await client.get("/").body.contains("\u{0}")))
        }
    }
}
