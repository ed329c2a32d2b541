import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SQLKit
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport
@testable import VestnikWeb

/// A clock a test can move.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date = testNow) { current = start }

    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }
}

let browser = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
let phone =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"

/// Settings that count every beacon, for tests that count exactly. Tests flush when they mean to: the counter's own
/// flushes wait an hour.
let countEverything = ReadSettings(flushInterval: .seconds(3600), repeatWindow: nil, rateLimit: nil)

/// Runs `body` against the real application (its read counter running beside it) over a fresh database holding
/// `articles`, on `clock`. The counter flushes every `reads.flushInterval`, when asked, and at the graceful stop.
func withReadingSite(
    _ kind: TestDatabase, articles: [ArticleInput], reads: ReadSettings = countEverything, clock: TestClock = TestClock(),
    _ body: @escaping @Sendable (any TestClientProtocol, Site, ReadCounter) async throws -> Void
) async throws {
    try await kind.with { database in
        let repository = ArticleRepository(database: database)
        for input in articles { try await repository.save(input, now: testNow) }
        let site = try await Site.make(database: database, theme: try await Theme.load(), now: { clock.now })
        let counter = ReadCounter(repository: site.reads, flushInterval: reads.flushInterval, now: site.now, logger: Logger(label: "test"))
        let app = buildApplication(site: site, settings: ServerSettings(reads: reads), readCounter: counter, logger: Logger(label: "test"))
        try await app.test(.router) { client in try await body(client, site, counter) }
    }
}

extension TestClientProtocol {
    /// Sends a read beacon the way `navigator.sendBeacon` does; returns the status.
    func beacon(
        _ articleID: Int, userAgent: String? = browser, headers extra: [String: String] = [:], method: HTTPRequest.Method = .post
    )
        async throws -> HTTPResponse.Status
    {
        var headers = HTTPFields()
        if let userAgent { headers[.userAgent] = userAgent }
        for (name, value) in extra { headers[HTTPField.Name(name)!] = value }
        let uri = method == .post ? "/api/reads/\(articleID)" : "/api/reads/\(articleID).gif"
        return try await execute(uri: uri, method: method, headers: headers) { $0.status }
    }

    func post(_ uri: String, userAgent: String = browser) async throws -> HTTPResponse.Status {
        try await execute(uri: uri, method: .post, headers: [.userAgent: userAgent]) { $0.status }
    }
}

/// The stored total of an article.
func storedReads(_ site: Site, _ id: Int) async throws -> Int {
    try await site.database.read { db in
        try await db.raw("SELECT reads FROM articles WHERE id = \(bind: id)").first()?.decode(column: "reads", as: Int.self)
    } ?? -1
}

@Suite struct ReadCountingTests {
    static let content: [ArticleInput] = [
        article("Ким Чен-ун се среща с Путин", kicker: "САЩ", reads: 6550),
        article("Дронове над Киев", hoursAgo: 2, media: MediaMarkers(video: true)),
        article("Футболен мач", section: "Спорт", hoursAgo: 3),
        article("Чернова", status: .draft),
        article("Бъдеща новина", hoursAgo: -2),
    ]

    @Test(arguments: TestDatabase.all)
    func concurrentBeaconsForOneArticleAllCount(_ kind: TestDatabase) async throws {
        try await withReadingSite(kind, articles: Self.content) { client, site, counter in
            let id = try #require(try await site.articles.article(slug: "kim-chen-un-se-sreshta-s-putin")).id
            let n = 400
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for i in 0..<n {
                    group.addTask { try await client.beacon(id, method: i % 4 == 0 ? .get : .post) }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .noContent }.count == n - n / 4)
            #expect(statuses.filter { $0 == .ok }.count == n / 4)
            #expect(counter.unflushed == n)
            #expect(await counter.flush())
            #expect(counter.unflushed == 0)
            #expect(try await storedReads(site, id) == 6550 + n)
            let hourly = try await site.reads.hourly(articleID: id, from: testNow.addingTimeInterval(-7200), through: testNow)
            #expect(hourly == [HourlyReads(hour: ReadIncrement.hour(containing: testNow), count: n)])
        }
    }

    /// Flushes overlapping with beacons and with each other: each read is written once, and a flush returns only
    /// when everything counted before it is stored.
    @Test(arguments: TestDatabase.all)
    func flushesDuringBeaconsLoseAndRepeatNothing(_ kind: TestDatabase) async throws {
        try await withReadingSite(kind, articles: Self.content) { client, site, counter in
            let id = try #require(try await site.articles.article(slug: "dronove-nad-kiev")).id
            let n = 300
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<n { group.addTask { _ = try await client.beacon(id) } }
                for _ in 0..<3 {
                    group.addTask {
                        for _ in 0..<10 {
                            #expect(await counter.flush())
                            try await Task.sleep(for: .milliseconds(2))
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(await counter.flush())
            #expect(try await storedReads(site, id) == n)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aGracefulStopWritesEveryCountedRead(_ kind: TestDatabase) async throws {
        let settings = countEverything  // the counter's own flushes wait an hour: only the stop may write these
        try await kind.with { database in
            let id = try await ArticleRepository(database: database).save(article("Новина"), now: testNow).id
            let site = try await Site.make(database: database, theme: try await Theme.load(), now: { testNow })
            let counter = ReadCounter(
                repository: site.reads, flushInterval: settings.flushInterval, now: site.now, logger: Logger(label: "test"))
            let app = buildApplication(
                site: site, settings: ServerSettings(reads: settings), readCounter: counter, logger: Logger(label: "test"))
            try await app.test(.router) { client async throws in
                for _ in 0..<75 { #expect(try await client.beacon(id) == .noContent) }
                #expect(counter.unflushed == 75)
                #expect(try await storedReads(site, id) == 0)
            }
            #expect(counter.unflushed == 0)
            #expect(try await storedReads(site, id) == 75)
        }
    }

    @Test(arguments: TestDatabase.all)
    func theCounterFlushesOnItsOwnAtLeastEverySecond(_ kind: TestDatabase) async throws {
        var settings = countEverything
        settings.flushInterval = .seconds(1)
        try await withReadingSite(kind, articles: Self.content, reads: settings) { client, site, counter in
            let id = try #require(try await site.articles.article(slug: "dronove-nad-kiev")).id
            for _ in 0..<10 { _ = try await client.beacon(id) }
            let deadline = ContinuousClock.now + .seconds(5)
            while try await storedReads(site, id) < 10, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
            #expect(try await storedReads(site, id) == 10)
            #expect(counter.unflushed == 0)
        }
    }

    /// Several nodes, each with its own counter, counting and flushing at the same moments into one database.
    @Test(arguments: TestDatabase.all)
    func countersOfManyNodesAddUpExactly(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            var ids: [Int] = []
            for n in 1...3 { ids.append(try await articles.save(article("Статия \(n)", hoursAgo: Double(n)), now: testNow).id) }
            let nodes = (0..<4).map { _ in
                ReadCounter(repository: ReadRepository(database: database), now: { testNow }, logger: Logger(label: "test"))
            }
            let articleIDs = ids
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, node) in nodes.enumerated() {
                    group.addTask {
                        for round in 0..<20 {
                            for (position, id) in articleIDs.enumerated() where (round + position + index) % 2 == 0 {
                                for _ in 0...position { node.record(articleID: id) }
                            }
                            #expect(await node.flush())
                        }
                    }
                }
                try await group.waitForAll()
            }
            // Article at position p gets p + 1 reads from a node in every round where (round + p + node) is even:
            // 10 of the 20 rounds for every node.
            for (position, id) in ids.enumerated() {
                #expect(try await articles.summary(id: id, now: testNow)?.reads == nodes.count * 10 * (position + 1))
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func aFailedFlushKeepsItsCountsForTheNextOne(_ kind: TestDatabase) async throws {
        try await withReadingSite(kind, articles: Self.content) { client, site, counter in
            let id = try #require(try await site.articles.article(slug: "dronove-nad-kiev")).id
            for _ in 0..<7 { _ = try await client.beacon(id) }
            try await site.database.write { db in try await db.raw("ALTER TABLE article_reads_hourly RENAME TO hidden_reads").run() }
            #expect(await counter.flush() == false)
            #expect(counter.unflushed == 7)
            #expect(try await storedReads(site, id) == 0)  // the whole batch rolled back
            for _ in 0..<3 { _ = try await client.beacon(id) }
            try await site.database.write { db in try await db.raw("ALTER TABLE hidden_reads RENAME TO article_reads_hourly").run() }
            #expect(await counter.flush())
            #expect(try await storedReads(site, id) == 10)
        }
    }

    @Test(arguments: TestDatabase.all)
    func botsPrefetchesAndProgramsAreAnsweredButNotCounted(_ kind: TestDatabase) async throws {
        try await withReadingSite(kind, articles: Self.content) { client, site, counter in
            let id = try #require(try await site.articles.article(slug: "dronove-nad-kiev")).id
            let agents: [String?] = [
                nil, "", "curl/8.5.0", "python-requests/2.31", "Wget/1.21", "Go-http-client/1.1", "okhttp/4.12",
                "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
                "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0",
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
                "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
                "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
                "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36 (compatible; Googlebot/2.1)",
                "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
                "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 Chrome-Lighthouse",
            ]
            for agent in agents {
                #expect(try await client.beacon(id, userAgent: agent) == .noContent, "\(agent ?? "no user agent")")
            }
            let speculative = [
                ["Sec-Purpose": "prefetch"], ["Sec-Purpose": "prefetch;prerender"], ["Purpose": "prefetch"],
                ["X-Moz": "prefetch"], ["X-Purpose": "preview"],
            ]
            for headers in speculative {
                #expect(try await client.beacon(id, headers: headers) == .noContent, "\(headers)")
            }
            // HEAD of the image is answered but never counts.
            #expect(try await client.beacon(id, method: .head) == .ok)
            #expect(counter.unflushed == 0)
            // A real browser, and a phone whose make has "bot" in its name, do count.
            #expect(try await client.beacon(id, userAgent: browser) == .noContent)
            #expect(
                try await client.beacon(
                    id,
                    userAgent:
                        "Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36"
                ) == .noContent)
            #expect(counter.unflushed == 2)
        }
    }

    @Test(arguments: TestDatabase.all)
    func theSameReaderCountsOnceInHalfAnHour(_ kind: TestDatabase) async throws {
        let clock = TestClock()
        let settings = ReadSettings(flushInterval: .seconds(3600), repeatWindow: 30 * 60, rateLimit: nil, trustedProxies: 1)
        try await withReadingSite(kind, articles: Self.content, reads: settings, clock: clock) { client, site, counter in
            let id = try #require(try await site.articles.article(slug: "dronove-nad-kiev")).id
            let other = try #require(try await site.articles.article(slug: "futbolen-mach")).id
            let reader = ["X-Forwarded-For": "203.0.113.7"]
            #expect(try await client.beacon(id, headers: reader) == .noContent)
            #expect(try await client.beacon(id, headers: reader) == .noContent)  // a reload
            #expect(try await client.beacon(id, headers: reader, method: .get) == .ok)  // the image, same reader
            #expect(counter.unflushed == 1)
            #expect(try await client.beacon(other, headers: reader) == .noContent)  // another article
            #expect(try await client.beacon(id, userAgent: phone, headers: reader) == .noContent)  // another device
            #expect(try await client.beacon(id, headers: ["X-Forwarded-For": "198.51.100.1"]) == .noContent)  // another address
            // Only the entry written by our one trusted proxy counts; what the client claims before it does not.
            #expect(try await client.beacon(id, headers: ["X-Forwarded-For": "10.9.9.9, 203.0.113.7"]) == .noContent)
            #expect(counter.unflushed == 4)
            clock.advance(29 * 60)
            #expect(try await client.beacon(id, headers: reader) == .noContent)
            #expect(counter.unflushed == 4)
            clock.advance(2 * 60)
            #expect(try await client.beacon(id, headers: reader) == .noContent)
            #expect(counter.unflushed == 5)
            #expect(await counter.flush())
            #expect(try await storedReads(site, id) == 4)
        }
    }

    @Test(arguments: TestDatabase.all)
    func forwardedForIsIgnoredUnlessAProxyIsTrusted(_ kind: TestDatabase) async throws {
        try await withReadingSite(kind, articles: Self.content, reads: ReadSettings(flushInterval: .seconds(3600), rateLimit: nil)) {
            client, site, counter in
            let id = try #require(try await site.articles.article(slug: "dronove-nad-kiev")).id
            for n in 1...5 { _ = try await client.beacon(id, headers: ["X-Forwarded-For": "192.0.2.\(n)"]) }
            #expect(counter.unflushed == 1)
        }
    }

    @Test(arguments: TestDatabase.all)
    func unknownUnpublishedAndMalformedArticlesCountNothing(_ kind: TestDatabase) async throws {
        try await withReadingSite(kind, articles: Self.content) { client, site, counter in
            let draft = try #require(try await site.articles.article(slug: "chernova")).id
            let future = try #require(try await site.articles.article(slug: "badeshta-novina")).id
            for id in [draft, future, 987_654] {
                #expect(try await client.beacon(id) == .notFound, "\(id)")
                #expect(try await client.beacon(id, method: .get) == .notFound, "\(id)")
            }
            for raw in ["abc", "0", "-1", "1.5", "007", "1e3", "9999999999999999999", "1%20", "12345678901234567890123"] {
                #expect(try await client.post("/api/reads/\(raw)") == .badRequest, "\(raw)")
                let image = try await client.execute(uri: "/api/reads/\(raw).gif", method: .get, headers: [.userAgent: browser]) {
                    $0.status
                }
                #expect(image == .badRequest, "\(raw).gif")
            }
            #expect(counter.unflushed == 0)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aFloodFromOneAddressIsRateLimited(_ kind: TestDatabase) async throws {
        let clock = TestClock()
        let settings = ReadSettings(
            flushInterval: .seconds(3600), repeatWindow: nil, rateLimit: .init(perSecond: 1, burst: 5), trustedProxies: 1)
        try await withReadingSite(kind, articles: Self.content, reads: settings, clock: clock) { client, site, counter in
            let id = try #require(try await site.articles.article(slug: "dronove-nad-kiev")).id
            let flood = ["X-Forwarded-For": "203.0.113.66"]
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<20 { statuses.append(try await client.beacon(id, headers: flood)) }
            #expect(statuses.prefix(5).allSatisfy { $0 == .noContent })
            #expect(statuses.dropFirst(5).allSatisfy { $0 == .tooManyRequests })
            #expect(counter.unflushed == 5)
            // Other readers are not held back, and the flooder gets a token back each second.
            #expect(try await client.beacon(id, headers: ["X-Forwarded-For": "203.0.113.67"]) == .noContent)
            clock.advance(1)
            #expect(try await client.beacon(id, headers: flood) == .noContent)
            #expect(try await client.beacon(id, headers: flood) == .tooManyRequests)
            #expect(counter.unflushed == 7)
        }
    }

    /// `reads.js` sends its beacon with `?total=1` and shows the answer's `Vestnik-Reads` in place of the count the
    /// (possibly cached) page was rendered with: the stored count plus this node's reads not yet written.
    @Test(arguments: TestDatabase.all)
    func aBeaconAnswersWithTheReadsAsOfThisRead(_ kind: TestDatabase) async throws {
        let settings = ReadSettings(
            flushInterval: .seconds(3600), repeatWindow: 1800, rateLimit: .init(perSecond: 1, burst: 3), trustedProxies: 1)
        let clock = TestClock()
        try await withReadingSite(kind, articles: Self.content, reads: settings, clock: clock) { client, site, counter in
            let id = try #require(try await site.articles.article(slug: "kim-chen-un-se-sreshta-s-putin")).id
            func total(
                _ headers: [String: String] = [:], userAgent: String = browser, query: String = "?total=1"
            ) async throws
                -> (HTTPResponse.Status, String?)
            {
                var fields: HTTPFields = [.userAgent: userAgent]
                for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
                return try await client.execute(uri: "/api/reads/\(id)\(query)", method: .post, headers: fields) {
                    ($0.status, $0.headers[HTTPField.Name("Vestnik-Reads")!])
                }
            }
            let reader = ["X-Forwarded-For": "198.51.100.20"]
            #expect(try await total(reader) == (.noContent, "6551"))  // counted, not yet written
            #expect(try await total(reader) == (.noContent, "6551"))  // the same reader again: not counted
            #expect(try await total(["X-Forwarded-For": "198.51.100.21"]) == (.noContent, "6552"))
            #expect(await counter.flush())
            #expect(try await storedReads(site, id) == 6552)
            #expect(try await total(["X-Forwarded-For": "198.51.100.22"]) == (.noContent, "6553"))  // stored 6552 + 1
            #expect(try await total(userAgent: "curl/8.5.0") == (.noContent, "6553"))  // answered, not counted
            // Written behind this node's back (as another node's flush): seen once the remembered count is a
            // second old.
            try await site.database.write { db in try await db.raw("UPDATE articles SET reads = reads + 10 WHERE id = \(bind: id)").run() }
            #expect(try await total(userAgent: "curl/8.5.0") == (.noContent, "6553"))
            clock.advance(1.5)
            #expect(try await total(userAgent: "curl/8.5.0") == (.noContent, "6563"))
            // A plain beacon (sendBeacon, the bench tools) gets no number; a refused one neither.
            #expect(try await total(["X-Forwarded-For": "198.51.100.23"], query: "") == (.noContent, nil))
            let flood = ["X-Forwarded-For": "203.0.113.99"]
            for _ in 0..<3 { _ = try await total(flood) }
            #expect(try await total(flood) == (.tooManyRequests, nil))
            let unknown = try await client.execute(uri: "/api/reads/999999?total=1", method: .post, headers: [.userAgent: browser]) {
                ($0.status, $0.headers[HTTPField.Name("Vestnik-Reads")!])
            }
            #expect(unknown == (.notFound, nil))
        }
    }

    @Test(arguments: TestDatabase.all)
    func answersAreImmediateAndNeverCached(_ kind: TestDatabase) async throws {
        try await withReadingSite(kind, articles: Self.content) { client, site, _ in
            let id = try #require(try await site.articles.article(slug: "dronove-nad-kiev")).id
            try await client.execute(uri: "/api/reads/\(id)", method: .post, headers: [.userAgent: browser]) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.cacheControl] == "no-store")
                #expect(response.body.readableBytes == 0)
            }
            try await client.execute(uri: "/api/reads/\(id).gif", method: .get, headers: [.userAgent: browser]) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "image/gif")
                #expect(response.headers[.cacheControl] == "no-store")
                #expect(Array(response.body.readableBytesView.prefix(6)) == Array("GIF89a".utf8))
                #expect(response.body.readableBytes == 43)
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func theArticlePageReportsItsRead(_ kind: TestDatabase) async throws {
        try await withReadingSite(kind, articles: Self.content) { client, site, _ in
            let id = try #require(try await site.articles.article(slug: "dronove-nad-kiev")).id
            let html = try await client.get("/svyat/dronove-nad-kiev").body
            let script = try #require(
                html.firstMatch(of: /<script src="(\/static\/reads\.js\?v=[0-9a-f]+)" data-beacon="\/api\/reads\/(\d+)" defer><\/script>/))
            #expect(Int(script.output.2) == id)
            #expect(
                html.contains(
                    "<noscript><img class=\"read-pixel\" src=\"/api/reads/\(id).gif\" width=\"1\" height=\"1\" alt=\"\"></noscript>"))
            let js = try await client.get(String(script.output.1))
            #expect(js.status == .ok)
            #expect(js.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(js.body.contains("sendBeacon"))
            #expect(js.body.contains("keepalive"))
            #expect(js.body.contains("prerenderingchange"))
        }
    }
}
