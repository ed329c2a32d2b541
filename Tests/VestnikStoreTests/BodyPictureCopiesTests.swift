import Foundation
import Testing
import VestnikCore
import VestnikTestSupport
@testable import VestnikStore

/// Outside pictures in bodies copied into the library (`media.copy_external`): queued by the write path, claimed by
/// one node at a time, finished or failed, looked up by address.
@Suite struct BodyPictureCopiesTests {
    static let first = "https://cdn.bta.bg/snimka.jpg?w=1200&h=800"
    static let second = "https://images.example.com/%D0%BF%D0%BB%D0%BE%D1%89%D0%B0%D0%B4.png"

    static func body(_ urls: [String]) -> String {
        BodySanitizer.sanitize(
            "<p>Текст.</p>"
                + urls.enumerated().map { index, url in
                    "<figure><img src=\"\(HTML.escape(url))\" alt=\"Снимка \(index + 1)\" width=\"1200\" height=\"800\"><figcaption>БТА</figcaption></figure>"
                }.joined())
    }

    @Test("a body's outside pictures: https figures only, unescaped, each once, with their alt text")
    func picturesOfABody() {
        let library = "<figure><img src=\"/media/\(String(repeating: "a", count: 64)).jpg\" alt=\"x\"></figure>"
        let html = Self.body([Self.first, Self.second, Self.first]) + "\n" + library + "\n<p>https://cdn.bta.bg/x.jpg</p>"
        #expect(
            BodyPictureCopies.pictures(in: html) == [
                .init(url: Self.first, alt: "Снимка 1"), .init(url: Self.second, alt: "Снимка 2"),
            ])
        #expect(BodyPictureCopies.pictures(in: "<p>Няма снимки.</p>").isEmpty)
    }

    @Test(
        "queued on save and import only when the setting is on; claimed once; retried, failed, finished and found",
        arguments: TestDatabase.all)
    func queue(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let copies = BodyPictureCopies(database: database)
            let writes = ArticleWriteService(database: database)
            let editor = try await ArticleWriteServiceTests.user(database, "editor@vestnik.bg", .editor)
            var draft = input("Снимки отвън", status: .published)
            draft.bodyHTML = Self.body([Self.first, Self.second])

            // Off (the default): nothing is queued.
            guard
                case .saved(let id, let revision) = try await writes.save(draft, articleID: nil, baseRevision: 0, by: editor, now: testNow)
            else { Issue.record("not saved"); return }
            #expect(try await copies.state(of: Self.first) == nil)
            #expect(try await copies.claim(now: testNow) == nil)

            // On: a save queues both addresses; saving again queues nothing new.
            try await SettingsRepository(database: database).set(BodyPictureCopies.settingKey, to: "yes")
            _ = try await writes.save(draft, articleID: id, baseRevision: revision, by: editor, now: testNow)
            #expect(try await copies.state(of: Self.first)?.state == .pending)
            #expect(try await copies.enqueue(bodyHTML: draft.bodyHTML, now: testNow) == 0)
            // An import too.
            var imported = input("Внесени снимки", status: .published)
            imported.bodyHTML = Self.body(["https://example.org/vnesena.jpg"])
            try await writes.importArticle(imported, now: testNow.addingTimeInterval(1))
            #expect(try await copies.state(of: "https://example.org/vnesena.jpg")?.state == .pending)

            // The oldest first, one node at a time; a lease that ran out lets another take it.
            let claimed = try #require(try await copies.claim(now: testNow))
            #expect(claimed == .init(url: Self.first, alt: "Снимка 1"))
            #expect(try await copies.state(of: Self.first)?.state == .working)
            #expect(try await copies.claim(now: testNow)?.url == Self.second)
            // Queued a second later: not before its time.
            #expect(try await copies.claim(now: testNow) == nil)
            #expect(try await copies.claim(now: testNow.addingTimeInterval(1))?.url == "https://example.org/vnesena.jpg")
            #expect(try await copies.claim(now: testNow.addingTimeInterval(copies.lease + 1))?.url == Self.first)

            // A timeout is tried again, later (a minute times the tries so far); after the last try it stays failed,
            // with the reason.
            let delay = TimeInterval(BodyPictureCopies.retryDelay)
            try await copies.fail(Self.second, reason: "timed out", retry: true, now: testNow)
            #expect(try await copies.state(of: Self.second)?.state == .pending)
            #expect(try await copies.claim(now: testNow.addingTimeInterval(delay - 1)) == nil)
            #expect(try await copies.claim(now: testNow.addingTimeInterval(delay))?.url == Self.second)
            try await copies.fail(Self.second, reason: "timed out", retry: true, now: testNow)
            #expect(try await copies.claim(now: testNow.addingTimeInterval(2 * delay))?.url == Self.second)
            try await copies.fail(Self.second, reason: "timed out", retry: true, now: testNow)
            let failed = try #require(try await copies.state(of: Self.second))
            #expect(failed.state == .failed && failed.error == "timed out" && failed.copy == nil)
            try await copies.fail("https://example.org/vnesena.jpg", reason: "HTTP 403", retry: false, now: testNow)
            #expect(try await copies.state(of: "https://example.org/vnesena.jpg")?.state == .failed)

            // Finished: the copy is found by the address, and the article that shows it is named.
            let copy = MediaAddress(bytes: Array("копие".utf8), format: .jpeg)
            #expect(try await copies.finish(Self.first, copy: copy) == [id])
            #expect(try await copies.copies(of: [Self.first, Self.second, "https://nowhere.example/x.jpg"]) == [Self.first: copy])
        }
    }

    @Test(
        "a copy never reaches a private address (Outbound's rules): refused with the reason, the library unchanged",
        arguments: TestDatabase.all)
    func privateAddressRefused(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("copies-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            let intake = MediaIntake(database: database, folder: folder, maxBytes: 1 << 20)
            for url in ["https://127.0.0.1/snimka.jpg", "https://10.1.2.3/snimka.jpg", "https://[::1]/snimka.jpg"] {
                let outcome = await BodyPictureCopies.copy(
                    .init(url: url, alt: "Снимка"), policy: Outbound.Policy(connectTimeout: 2, timeout: 5), intake: intake, now: testNow)
                guard case .refused(let reason) = outcome else { Issue.record("\(url): \(outcome)"); continue }
                #expect(!reason.isEmpty, "\(url)")
            }
            let library = try await MediaRepository(database: database).list(limit: 10).items
            #expect(library.isEmpty)
        }
    }
}
