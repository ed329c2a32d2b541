import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SQLKit
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport
@testable import VestnikWeb

/// Counts how often a listener got its LISTEN in place.
private final class ListenCount: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func set(_ count: Int) { lock.withLock { value = count } }
    var count: Int { lock.withLock { value } }
}

private var postgresURL: String? {
    ProcessInfo.processInfo.environment["VESTNIK_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
}

/// A second `Database` on the schema of `database`: another node of the same installation.
private func otherNode(of database: Database) async throws -> Database {
    let schema = try await database.read { db in
        try await db.raw("SELECT current_schema() AS s").first()!.decode(column: "s", as: String.self)
    }
    return try await Database.open(.postgres(url: postgresURL!), connections: 2, searchPath: schema, logger: Logger(label: "node-b"))
}

/// Runs `listener` until `body` returns.
private func running<T: Sendable>(_ listeners: [ChangeListener], _ body: () async throws -> T) async throws -> T {
    let tasks = listeners.map { listener in Task { await listener.listen() } }
    defer { for task in tasks { task.cancel() } }
    let result = try await body()
    for task in tasks {
        task.cancel()
        await task.value
    }
    return result
}

private func waitUntil(_ seconds: Double, _ condition: () -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

@Suite("Many nodes on one PostgreSQL", .enabled(if: postgresURL != nil, "needs VESTNIK_TEST_POSTGRES_URL"))
struct ManyNodesTests {
    let logger = Logger(label: "test")

    @Test func aChangeOnOneNodeReachesTheOtherAndNoNodeHearsItsOwnEcho() async throws {
        try await TestDatabase.postgres.with(migrate: false) { a in
            let b = try await otherNode(of: a)
            try await b.closing {
                let heardA = HeardChanges(), heardB = HeardChanges()
                a.changes.subscribe { heardA.append($0) }
                b.changes.subscribe { heardB.append($0) }
                let countA = ListenCount(), countB = ListenCount()
                try await running([
                    ChangeListener(database: a, logger: logger, onListening: { countA.set($0) }),
                    ChangeListener(database: b, logger: logger, onListening: { countB.set($0) }),
                ]) {
                    #expect(try await waitUntil(10) { countA.count == 1 && countB.count == 1 })
                    let first = ContentChange(keys: [CacheKey.article(1), CacheKey.latest])
                    await a.announce(first)
                    let delay = try await heardB.wait(upTo: 1) { $0 == [first] }
                    #expect(delay != nil, "node B did not hear node A's change within 1 s: \(heardB.all)")
                    // B answers; A's listener hears A's own echo before B's change (one channel delivers in commit
                    // order), so once B's change is there the echo has been skipped, not merely delayed.
                    let second = ContentChange(keys: [CacheKey.section(2)])
                    await b.announce(second)
                    #expect(try await heardA.wait(upTo: 1) { $0.contains(second) } != nil)
                    #expect(heardA.all == [first, second], "node A heard its own echo: \(heardA.all)")
                    #expect(heardB.all == [first, second])
                }
            }
        }
    }

    @Test func aListenerWhoseConnectionIsKilledReconnectsAndDropsEverything() async throws {
        try await TestDatabase.postgres.with(migrate: false) { a in
            let b = try await otherNode(of: a)
            try await b.closing {
                let heardB = HeardChanges(), localB = HeardChanges()
                b.changes.subscribe { heardB.append($0) }
                // What only this node announced (the CDN purger listens so): a reconnection is not such a change.
                b.changes.subscribe(localOnly: true) { localB.append($0) }
                let countB = ListenCount()
                try await running([ChangeListener(database: b, logger: logger, onListening: { countB.set($0) })]) {
                    #expect(try await waitUntil(10) { countB.count == 1 })
                    let killed = try await a.read { db in
                        try await db.raw(
                            """
                            SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity
                            WHERE application_name = \(bind: b.listenerApplicationName)
                            """
                        ).first()!.decode(column: "n", as: Int.self)
                    }
                    #expect(killed == 1, "the listener's connection was not found in pg_stat_activity")
                    // It reconnects (0.1 s backoff) and, having perhaps missed changes, drops every page.
                    #expect(
                        try await heardB.wait(upTo: 20) { $0.contains(.everythingAndSettings) } != nil, "no .everything after the reconnect"
                    )
                    #expect(try await waitUntil(20) { countB.count == 2 })
                    let later = ContentChange(keys: [CacheKey.tag(7)])
                    await a.announce(later)
                    #expect(try await heardB.wait(upTo: 1) { $0.last == later } != nil, "no change after the reconnect: \(heardB.all)")
                    #expect(heardB.all == [.everythingAndSettings, later])
                    #expect(localB.all.isEmpty, "a local-only subscriber heard \(localB.all)")
                }
            }
        }
    }

    @Test func anEditOnOneNodeDropsTheOtherNodesCachedPage() async throws {
        let original = article("Премиерът подаде оставка", section: "България")
        try await TestDatabase.postgres.with { a in
            let repository = ArticleRepository(database: a)
            let id = try await repository.save(original, now: testNow, refreshRelated: false).id
            let b = try await otherNode(of: a)
            try await b.closing {
                let siteB = try await Site.make(
                    database: b, theme: try await Theme.load(), now: { testNow }, passwordHasher: PasswordHasher(cost: 4))
                let app = buildApplication(site: siteB, settings: ServerSettings(), logger: logger)
                try await app.test(.router) { client in
                    // Node B's listener is in place once its connection has sent LISTEN.
                    let listening = try await waitUntilAsync(10) {
                        try await a.read { db in
                            try await db.raw(
                                """
                                SELECT count(*) AS n FROM pg_stat_activity
                                WHERE application_name = \(bind: b.listenerApplicationName) AND query LIKE 'LISTEN%'
                                """
                            ).first()!.decode(column: "n", as: Int.self)
                        } == 1
                    }
                    #expect(listening)
                    let path = SiteURLs.article(section: Slug.make("България"), slug: original.slug)
                    #expect(try await client.get(path).headers[.xCache] == "MISS")
                    let cached = try await client.get(path)
                    #expect(cached.headers[.xCache] == "HIT")
                    #expect(cached.body.contains("Премиерът подаде оставка"))

                    var edited = original
                    edited.title = "Премиерът оттегли оставката си"
                    let saved = try await repository.save(edited, now: testNow, refreshRelated: false)
                    #expect(saved.id == id)
                    let start = ContinuousClock.now
                    var seen = false
                    while ContinuousClock.now - start < .seconds(1) {
                        if try await client.get(path).body.contains("Премиерът оттегли оставката си") {
                            seen = true
                            break
                        }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    #expect(seen, "node B still serves the old title 1 s after node A's edit")
                }
            }
        }
    }
}

private func waitUntilAsync(_ seconds: Double, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

@Suite("The database away")
struct DatabaseAwayTests {
    @Test(arguments: TestDatabase.all)
    func requestsThatNeedTheDatabaseGet503WhileCachedPagesAreStillServed(_ kind: TestDatabase) async throws {
        let first = article("Парламентът прие бюджета", section: "България")
        let second = article("Нов мост над Дунав", section: "България", hoursAgo: 2)
        try await withSite(kind, articles: [first, second]) { client, site in
            let cachedPath = SiteURLs.article(section: Slug.make("България"), slug: first.slug)
            #expect(try await client.get(cachedPath).status == .ok)
            #expect(try await client.get(cachedPath).headers[.xCache] == "HIT")

            await site.database.close()

            // The page cache answers before the database is touched.
            let cached = try await client.get(cachedPath)
            #expect(cached.status == .ok)
            #expect(cached.body.contains("Парламентът прие бюджета"))

            // A page that needs the database: a themed 503 that asks to come back, not a 500.
            let uncached = try await client.get(SiteURLs.article(section: Slug.make("България"), slug: second.slug))
            #expect(uncached.status == .serviceUnavailable)
            #expect(uncached.headers[.retryAfter] == "5")
            #expect(uncached.headers[.cacheControl] == "no-store")
            #expect(uncached.body.contains(site.locale["error_503_title"]))

            // A newsroom form sent meanwhile: the page says the text is kept in the browser.
            let token = SecureToken.make()
            let form = try await client.execute(
                uri: "/newsroom/login", method: .post,
                headers: [.cookie: "vestnik_csrf=\(token)", .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "csrf=\(token)&email=a%40b.bg&password=x")
            ) { ($0.status, String(buffer: $0.body), $0.headers) }
            #expect(form.0 == .serviceUnavailable)
            #expect(form.2[.retryAfter] == "5")
            #expect(form.1.contains(HTML.escape(site.locale["error_503_form"])) || form.1.contains(site.locale["error_503_form"]))

            // A read beacon cannot be checked against the database either.
            #expect(try await client.beacon(1) == .serviceUnavailable)
        }
    }
}
