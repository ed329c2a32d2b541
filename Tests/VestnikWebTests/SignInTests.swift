import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport
@testable import VestnikWeb

/// Like `withSite`, behind `trustedProxies` proxies that append to `X-Forwarded-For` (the documented nginx is one).
func withSiteBehindProxies(
    _ kind: TestDatabase, trustedProxies: Int, _ body: @escaping @Sendable (any TestClientProtocol, Site) async throws -> Void
) async throws {
    try await kind.with { database in
        let repository = ArticleRepository(database: database)
        for input in newsroomSeed { try await repository.save(input, now: testNow, refreshRelated: false) }
        let site = try await Site.make(
            database: database, theme: try await Theme.load(), now: { testNow }, passwordHasher: PasswordHasher(cost: 4))
        let settings = ServerSettings(reads: ReadSettings(trustedProxies: trustedProxies))
        let app = buildApplication(site: site, settings: settings, logger: Logger(label: "test"))
        try await app.test(.router) { client in try await body(client, site) }
    }
}

/// A browser signing in by hand: its cookies (the pre-session CSRF one, the device cookie once it has signed in)
/// and the address the proxy reports for it. Each call is independent, so many can run at once.
struct SignInClient: Sendable {
    let client: any TestClientProtocol
    /// The `X-Forwarded-For` the proxy writes, or nil for a direct connection.
    var address: String?
    var cookies: [String: String] = [:]

    /// Opens the login page and keeps the pre-session CSRF cookie.
    static func open(_ client: any TestClientProtocol, address: String? = nil) async throws -> SignInClient {
        var browser = SignInClient(client: client, address: address)
        let page = try await browser.send(NewsroomURLs.login, method: .get, body: nil)
        browser.take(page.headers)
        return browser
    }

    /// Posts the login form; the answer's status, and its cookies.
    func logIn(_ email: String, _ password: String) async throws -> (status: HTTPResponse.Status, cookies: [String: String]) {
        let csrf = cookies[NewsroomCookies.preSession] ?? ""
        let form = [("csrf", csrf), ("email", email), ("password", password)]
            .map { "\(NewsroomBrowser.encode($0.0))=\(NewsroomBrowser.encode($0.1))" }.joined(separator: "&")
        let answer = try await send(NewsroomURLs.login, method: .post, body: form)
        var copy = self
        copy.take(answer.headers)
        return (answer.status, copy.cookies)
    }

    mutating func take(_ headers: HTTPFields) {
        for line in headers[values: .setCookie] {
            let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            cookies[String(pair[0])] = pair.count > 1 && !line.contains("Max-Age=0") ? String(pair[1]) : nil
        }
    }

    func send(_ uri: String, method: HTTPRequest.Method, body: String?) async throws -> (status: HTTPResponse.Status, headers: HTTPFields) {
        var headers = HTTPFields()
        if body != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        if let address { headers[HTTPField.Name("X-Forwarded-For")!] = address }
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) {
            ($0.status, $0.headers)
        }
    }
}

/// Issue 27, findings 6–8: the login throttle holds against parallel guesses, keys on the real client behind a
/// proxy without letting strangers lock a user out, and reset links are revoked.
@Suite("Sign-in hardening")
struct SignInTests {
    // `LoginThrottle`'s numbers, spelt out so that these tests also build (and fail) against the code before it.
    let freePerPair = 3
    let freePerAccount = 10
    let deviceCookie = "vestnik_device"

    @Test func theNumbersAreTheThrottles() {
        #expect(LoginThrottle.freeFailuresPerPair == freePerPair && LoginThrottle.freeFailuresPerAccount == freePerAccount)
        #expect(LoginThrottle.deviceCookie == deviceCookie)
    }

    @Test("40 parallel wrong passwords for one account: only the free ones are checked", arguments: TestDatabase.all)
    func parallelGuessesAreThrottled(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            try await createUser(site, "chief@vestnik.bg", role: .chief)
            let browser = try await SignInClient.open(client)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<40 { group.addTask { try await browser.logIn("chief@vestnik.bg", "грешна-парола-123").status } }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            let checked = statuses.filter { $0 == .unauthorized }.count
            let throttled = statuses.filter { $0 == .tooManyRequests }.count
            #expect(checked == freePerPair && throttled == 40 - checked, "\(checked) checked, \(throttled) throttled")
            // The right password is throttled now too: the guesses above were all recorded.
            #expect(try await browser.logIn("chief@vestnik.bg", "много-тайна-парола").status == .tooManyRequests)
        }
    }

    @Test("behind a proxy, one client's bad logins lock out neither other clients nor the account's owner", arguments: TestDatabase.all)
    func throttleKeysOnTheRealClient(_ kind: TestDatabase) async throws {
        try await withSiteBehindProxies(kind, trustedProxies: 1) { client, site in
            try await createUser(site, "chief@vestnik.bg", role: .chief)
            try await createUser(site, "writer@vestnik.bg", role: .author)
            // The owner has signed in from this browser before: it carries the device cookie from then.
            let owner = try await SignInClient.open(client, address: "198.51.100.7")
            let first = try await owner.logIn("chief@vestnik.bg", "много-тайна-парола")
            #expect(first.status == .seeOther)

            // One attacker's eleven guesses: throttled after the free ones, for that client only.
            let attacker = try await SignInClient.open(client, address: "203.0.113.5")
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<11 { statuses.append(try await attacker.logIn("chief@vestnik.bg", "грешна-парола-123").status) }
            #expect(statuses.filter { $0 == .unauthorized }.count == freePerPair)
            #expect(statuses.last == .tooManyRequests)
            // The same proxy forwards another client: a new browser of the owner and another user sign in.
            let fresh = try await SignInClient.open(client, address: "192.0.2.44")
            #expect(try await fresh.logIn("chief@vestnik.bg", "много-тайна-парола").status == .seeOther)
            #expect(try await fresh.logIn("writer@vestnik.bg", "много-тайна-парола").status == .seeOther)

            var known = owner
            known.cookies[deviceCookie] = try #require(first.cookies[deviceCookie])
            // Guesses spread over many addresses slow the account for new browsers ...
            for n in 0..<(freePerAccount - freePerPair) {
                let spread = try await SignInClient.open(client, address: "203.0.113.\(100 + n)")
                #expect(try await spread.logIn("chief@vestnik.bg", "грешна-парола-123").status == .unauthorized)
            }
            let stranger = try await SignInClient.open(client, address: "192.0.2.45")
            #expect(try await stranger.logIn("chief@vestnik.bg", "много-тайна-парола").status == .tooManyRequests)
            // ... never the browser that signed in there before.
            #expect(try await known.logIn("chief@vestnik.bg", "много-тайна-парола").status == .seeOther)
            // A made-up device cookie is no key.
            var forged = stranger
            forged.cookies[deviceCookie] = String(repeating: "ab", count: 32)
            #expect(try await forged.logIn("chief@vestnik.bg", "много-тайна-парола").status == .tooManyRequests)
        }
    }

    @Test("a used reset link revokes the user's others; a password change revokes them all", arguments: TestDatabase.all)
    func resetLinksAreRevoked(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            try await createUser(site, "chief@vestnik.bg", role: .chief)
            let signedIn = NewsroomBrowser(client)
            try await signedIn.logIn("chief@vestnik.bg")
            let first = try await site.accounts.resetPath(email: "chief@vestnik.bg", now: testNow)
            let second = try await site.accounts.resetPath(email: "chief@vestnik.bg", now: testNow)
            let reset = NewsroomBrowser(client)
            try await reset.get(first)
            #expect(try await reset.post(first, [("password", "трета-парола-123"), ("password2", "трета-парола-123")]).status == .seeOther)
            // The second link was sent before the reset: it must not undo it.
            let later = NewsroomBrowser(client)
            #expect(try await later.get(second).status == .notFound)
            #expect(
                try await later.post(second, [("password", "чужда-парола-123"), ("password2", "чужда-парола-123")]).status
                    == .unprocessableContent)
            // The reset ended the session that was open.
            #expect(try await signedIn.get(NewsroomURLs.home).location?.hasPrefix(NewsroomURLs.login) == true)

            // A link issued before the user changes their own password dies with the old password.
            let pending = try await site.accounts.resetPath(email: "chief@vestnik.bg", now: testNow)
            let user = NewsroomBrowser(client)
            try await user.logIn("chief@vestnik.bg", "трета-парола-123")
            try await user.get(NewsroomURLs.password)
            let changed = try await user.post(
                NewsroomURLs.password,
                [("current", "трета-парола-123"), ("password", "четвърта-парола-1"), ("password2", "четвърта-парола-1")])
            #expect(changed.status == .ok)
            #expect(try await NewsroomBrowser(client).get(pending).status == .notFound)
            #expect(try await NewsroomBrowser(client).logIn("chief@vestnik.bg", "четвърта-парола-1").status == .seeOther)
        }
    }

    @Test("the reset link of `vestnik user reset-password` is on the configured address, never a guessed one", arguments: TestDatabase.all)
    func resetLinkAddress(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            try await createUser(site, "chief@vestnik.bg", role: .chief)
            await #expect(throws: InvalidInput.self) {
                try await site.accounts.resetLink(email: "chief@vestnik.bg", now: testNow, settings: site.settings, publicURL: nil)
            }
            let given = try await site.accounts.resetLink(
                email: "chief@vestnik.bg", now: testNow, settings: site.settings, publicURL: "https://vestnik.example/")
            #expect(given.hasPrefix("https://vestnik.example/newsroom/reset/"))
            try await site.settings.set(SettingKeys.publicURL, to: "https://www.vestnik.bg")
            let configured = try await site.accounts.resetLink(
                email: "chief@vestnik.bg", now: testNow, settings: site.settings, publicURL: "http://127.0.0.1:8080")
            #expect(configured.hasPrefix("https://www.vestnik.bg/newsroom/reset/"))
            #expect(try await client.get(String(configured.dropFirst("https://www.vestnik.bg".count))).status == .ok)
        }
    }
}
