import Foundation
import SQLKit
import Testing
import VestnikCore
import VestnikTestSupport
@testable import VestnikStore

/// Corrections and clarifications: only editors add them, only to published articles, with an audit row, and the
/// announcement names exactly the article's own page and the corrections page.
@Suite struct CorrectionTests {
    @Test("an editor's correction is stored, audited, listed and announced as p<id> and corrections only", arguments: TestDatabase.all)
    func editorAddsCorrection(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let writes = ArticleWriteService(database: database)
            let editor = try await ArticleWriteServiceTests.user(database, "editor@vestnik.bg", .editor)
            guard
                case .saved(let id, _) = try await writes.save(
                    input("Поправена"), articleID: nil, baseRevision: 0, by: editor, now: testNow)
            else { Issue.record("not saved"); return }
            _ = try await writes.save(input("Друга"), articleID: nil, baseRevision: 0, by: editor, now: testNow)
            let heard = HeardChanges()
            database.changes.subscribe { heard.append($0) }
            let later = testNow.addingTimeInterval(600)
            let note = try await writes.addCorrection(
                to: id, kind: .correction, text: "  Кметът е Иван Петров, а не Петър Иванов.\r\n", by: editor, now: later)
            #expect(note.text == "Кметът е Иван Петров, а не Петър Иванов.")
            try await writes.addCorrection(
                to: id, kind: .clarification, text: "Уточняваме часа.", by: editor, now: later.addingTimeInterval(60))
            #expect(heard.take() == [CacheKey.articlePage(id), CacheKey.corrections])

            let repository = CorrectionRepository(database: database)
            let own = try await repository.corrections(articleID: id)
            #expect(own.map(\.kind) == [.correction, .clarification])
            #expect(own.map(\.text) == ["Кметът е Иван Петров, а не Петър Иванов.", "Уточняваме часа."])
            #expect(own[0].at == Date(timeIntervalSince1970: TimeInterval(later.unixSeconds)))
            let listed = try await repository.latest(limit: 10, now: later.addingTimeInterval(120))
            #expect(listed.map(\.correction.kind) == [.clarification, .correction])
            #expect(listed.allSatisfy { $0.article.id == id && $0.article.title == "Поправена" })
            #expect(try await ArticleWriteServiceTests.auditActions(database).suffix(2) == ["correction", "clarification"])
            // The article itself is not saved again: no new revision.
            #expect(try await EditorialRepository(database: database).latest(articleID: id)?.revision == 1)
        }
    }

    @Test("below editor, on an unpublished article, or with no text: refused and nothing stored", arguments: TestDatabase.all)
    func refusals(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let writes = ArticleWriteService(database: database)
            let editor = try await ArticleWriteServiceTests.user(database, "e@vestnik.bg", .editor)
            let author = try await ArticleWriteServiceTests.user(database, "a@vestnik.bg", .author)
            guard
                case .saved(let published, _) = try await writes.save(
                    input("Излязла"), articleID: nil, baseRevision: 0, by: editor, now: testNow),
                case .saved(let draft, _) = try await writes.save(
                    input("Чернова", status: .draft), articleID: nil, baseRevision: 0, by: author, now: testNow)
            else { Issue.record("not saved"); return }
            await #expect(throws: ArticleWriteError.notAllowed) {
                try await writes.addCorrection(to: published, kind: .correction, text: "Грешка.", by: author, now: testNow)
            }
            await #expect(throws: InvalidInput.self) {
                try await writes.addCorrection(to: draft, kind: .correction, text: "Грешка.", by: editor, now: testNow)
            }
            await #expect(throws: InvalidInput.self) {
                try await writes.addCorrection(to: published, kind: .clarification, text: " \n ", by: editor, now: testNow)
            }
            await #expect(throws: InvalidInput.self) {
                try await writes.addCorrection(
                    to: published, kind: .clarification, text: String(repeating: "я", count: Correction.maxLength + 1), by: editor,
                    now: testNow)
            }
            await #expect(throws: InvalidInput.self) {
                try await writes.addCorrection(to: 999_999, kind: .correction, text: "Грешка.", by: editor, now: testNow)
            }
            #expect(try await CorrectionRepository(database: database).latest(limit: 10, now: testNow).isEmpty)
            #expect(
                try await ArticleWriteServiceTests.auditActions(database).filter { $0 == "correction" || $0 == "clarification" }.isEmpty)
        }
    }

    @Test("the corrections page lists only articles a reader can see", arguments: TestDatabase.all)
    func onlyVisibleArticlesListed(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let writes = ArticleWriteService(database: database)
            let editor = try await ArticleWriteServiceTests.user(database, "e@vestnik.bg", .editor)
            guard
                case .saved(let id, let revision) = try await writes.save(
                    input("Оттеглена"), articleID: nil, baseRevision: 0, by: editor, now: testNow)
            else { Issue.record("not saved"); return }
            try await writes.addCorrection(to: id, kind: .correction, text: "Грешна дата.", by: editor, now: testNow)
            #expect(try await CorrectionRepository(database: database).latest(limit: 10, now: testNow).count == 1)
            _ = try await writes.save(
                input("Оттеглена", status: .unpublished), articleID: id, baseRevision: revision, by: editor, now: testNow)
            #expect(try await CorrectionRepository(database: database).latest(limit: 10, now: testNow).isEmpty)
            #expect(try await CorrectionRepository(database: database).corrections(articleID: id).count == 1)
        }
    }
}
