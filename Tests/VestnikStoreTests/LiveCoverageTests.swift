import Foundation
import Testing
import VestnikCore
import VestnikTestSupport
@testable import VestnikStore

/// Live coverage: entries are rows, so writers posting at once all keep theirs; roles; ending freezes it.
@Suite struct LiveCoverageTests {
    @Test("two writers posting at once: every entry kept, each announced as the article's own page", arguments: TestDatabase.all)
    func concurrentEntries(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let writes = ArticleWriteService(database: database)
            let editor = try await ArticleWriteServiceTests.user(database, "e@vestnik.bg", .editor)
            let author = try await ArticleWriteServiceTests.user(database, "a@vestnik.bg", .author)
            guard
                case .saved(let id, _) = try await writes.save(
                    input("Изборите на живо"), articleID: nil, baseRevision: 0, by: editor, now: testNow)
            else { Issue.record("not saved"); return }
            await #expect(throws: InvalidInput.self) {
                try await writes.addLiveEntry(to: id, text: "Рано.", pictureHash: nil, isKey: false, by: editor, now: testNow)
            }
            // An author who did not start the article may not start its coverage.
            await #expect(throws: ArticleWriteError.notAllowed) { try await writes.startLive(id, by: author, now: testNow) }
            try await writes.startLive(id, by: editor, now: testNow)
            let heard = HeardChanges()
            database.changes.subscribe { heard.append($0) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<10 {
                    group.addTask {
                        try await writes.addLiveEntry(
                            to: id, text: "Запис \(n)", pictureHash: nil, isKey: n == 3, by: n.isMultiple(of: 2) ? editor : author,
                            now: testNow.addingTimeInterval(Double(n)))
                    }
                }
                try await group.waitForAll()
            }
            #expect(heard.take() == [CacheKey.articlePage(id)])
            let entries = try await LiveCoverageRepository(database: database).entries(articleID: id, limit: 100)
            #expect(Set(entries.map(\.text)) == Set((0..<10).map { "Запис \($0)" }))
            #expect(entries.map(\.id) == entries.map(\.id).sorted(by: >))
            #expect(Set(entries.map(\.authorName)) == ["e@vestnik.bg", "a@vestnik.bg"])
            #expect(entries.filter(\.isKey).map(\.text) == ["Запис 3"])

            // A contributor may not post; an author may not end; an editor ends, and the coverage takes no more.
            let contributor = try await ArticleWriteServiceTests.user(database, "c@vestnik.bg", .contributor)
            await #expect(throws: ArticleWriteError.notAllowed) {
                try await writes.addLiveEntry(to: id, text: "Не.", pictureHash: nil, isKey: false, by: contributor, now: testNow)
            }
            await #expect(throws: ArticleWriteError.notAllowed) { try await writes.endLive(id, by: author, now: testNow) }
            await #expect(throws: ArticleWriteError.missingPicture) {
                try await writes.addLiveEntry(
                    to: id, text: "Снимка.", pictureHash: String(repeating: "a", count: 64), isKey: false, by: editor, now: testNow)
            }
            await #expect(throws: InvalidInput.self) {
                try await writes.addLiveEntry(to: id, text: "   ", pictureHash: nil, isKey: false, by: editor, now: testNow)
            }
            try await writes.endLive(id, by: editor, now: testNow.addingTimeInterval(60))
            let coverage = try #require(try await LiveCoverageRepository(database: database).coverage(articleID: id))
            #expect(coverage.startedAt == testNow && coverage.endedAt == testNow.addingTimeInterval(60) && !coverage.isLive)
            await #expect(throws: InvalidInput.self) {
                try await writes.addLiveEntry(to: id, text: "Късно.", pictureHash: nil, isKey: false, by: editor, now: testNow)
            }
            await #expect(throws: InvalidInput.self) { try await writes.endLive(id, by: editor, now: testNow) }
            #expect(try await ArticleWriteServiceTests.auditActions(database).suffix(2) == ["live_started", "live_ended"])
            #expect(try await LiveCoverageRepository(database: database).entries(articleID: id, limit: 100).count == 10)
        }
    }
}
