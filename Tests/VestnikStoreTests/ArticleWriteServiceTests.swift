import Foundation
import SQLKit
import Testing
import VestnikCore
import VestnikTestSupport
@testable import VestnikStore

/// The one write path: roles, the audit row in the save's transaction, reserved slugs, byline titles, imports.
@Suite struct ArticleWriteServiceTests {
    static func user(_ database: Database, _ email: String, _ role: Role) async throws -> ArticleWriter {
        let user = try await AccountRepository(database: database).createUser(
            email: email, name: email, role: role, passwordHash: "x", now: testNow)
        return ArticleWriter(userID: user.id, role: role)
    }

    static func auditActions(_ database: Database) async throws -> [String] {
        try await DraftKeeping(database: database).auditLog(limit: 100).map(\.action).reversed()
    }

    @Test("a save and its audit row are one transaction: a failed audit write stores nothing", arguments: TestDatabase.all)
    func auditFailureRollsBack(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let writes = ArticleWriteService(database: database)
            let editor = try await Self.user(database, "editor@vestnik.bg", .editor)
            guard
                case .saved(let id, let revision) = try await writes.save(
                    input("Първа", status: .draft), articleID: nil, baseRevision: 0, by: editor, now: testNow)
            else { Issue.record("not saved"); return }
            #expect(try await Self.auditActions(database) == ["created"])
            // The audit table goes away, so the publish's audit row cannot be written.
            try await database.write { db in try await db.raw("ALTER TABLE audit_log RENAME TO audit_log_gone").run() }
            var changed = input("Първа", status: .published)
            changed.bodyHTML = "<p>Нов текст.</p>"
            await #expect(throws: (any Error).self) {
                try await writes.save(changed, articleID: id, baseRevision: revision, by: editor, now: testNow)
            }
            try await database.write { db in try await db.raw("ALTER TABLE audit_log_gone RENAME TO audit_log").run() }
            let stored = try #require(try await EditorialRepository(database: database).article(id: id))
            #expect(stored.draft.status == .draft && stored.draft.bodyHTML == "<p>Текст.</p>" && stored.revision == revision)
            #expect(try await ArticleRepository(database: database).article(slug: "parva")?.status == .draft)
        }
    }

    @Test(
        "until its first publication the slug follows the title and leaves no redirect; after it a change is a 301",
        arguments: TestDatabase.all)
    func slugFollowsTheTitleUntilPublished(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let writes = ArticleWriteService(database: database)
            let editor = try await Self.user(database, "slug@vestnik.bg", .editor)
            let articles = ArticleRepository(database: database)
            guard
                case .saved(let id, let revision) = try await writes.save(
                    input("Работно заглавие", status: .draft), articleID: nil, baseRevision: 0, by: editor, now: testNow)
            else { Issue.record("not saved"); return }
            // The editor's slug box follows the title while a save would (`slugFollowsTitle`).
            #expect(try await writes.slugFollowsTitle(articleID: id))
            // The form sends the slug it showed (the working title's): it follows the new title.
            var renamed = input("Окончателно заглавие", status: .draft)
            renamed.slug = "rabotno-zaglavie"
            _ = try await writes.save(renamed, articleID: id, baseRevision: revision, by: editor, now: testNow)
            #expect(try await articles.article(slug: "okonchatelno-zaglavie")?.id == id)
            #expect(try await articles.currentSlug(forOldSlug: "rabotno-zaglavie") == nil)
            #expect(try await writes.slugFollowsTitle(articleID: id))
            // A slug typed by hand is kept, and the title no longer moves it.
            var typed = input("Окончателно заглавие", status: .draft)
            typed.slug = "izbran-adres"
            _ = try await writes.save(typed, articleID: id, baseRevision: revision + 1, by: editor, now: testNow)
            #expect(try await writes.slugFollowsTitle(articleID: id) == false)
            var retitled = input("Трето заглавие", status: .published)
            retitled.slug = "izbran-adres"
            _ = try await writes.save(retitled, articleID: id, baseRevision: revision + 2, by: editor, now: testNow)
            #expect(try await articles.article(slug: "izbran-adres")?.status == .published)
            #expect(try await articles.currentSlug(forOldSlug: "okonchatelno-zaglavie") == nil)
            // Published: a new title keeps the address, and a changed slug redirects from the old one.
            var later = input("Четвърто заглавие")
            later.slug = "izbran-adres"
            _ = try await writes.save(later, articleID: id, baseRevision: revision + 3, by: editor, now: testNow)
            #expect(try await articles.article(slug: "izbran-adres")?.title == "Четвърто заглавие")
            // Published, even with a slug that is its title's own: the box no longer follows.
            later.slug = Slug.make(later.title)
            _ = try await writes.save(later, articleID: id, baseRevision: revision + 4, by: editor, now: testNow)
            #expect(try await writes.slugFollowsTitle(articleID: id) == false)
            later.slug = "nov-adres"
            _ = try await writes.save(later, articleID: id, baseRevision: revision + 5, by: editor, now: testNow)
            #expect(try await articles.currentSlug(forOldSlug: "chetvarto-zaglavie") == "nov-adres")
        }
    }

    @Test("roles: a contributor may not publish, nor save someone else's article", arguments: TestDatabase.all)
    func roles(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let writes = ArticleWriteService(database: database)
            let contributor = try await Self.user(database, "c@vestnik.bg", .contributor)
            let other = try await Self.user(database, "c2@vestnik.bg", .contributor)
            let editor = try await Self.user(database, "e@vestnik.bg", .editor)
            await #expect(throws: ArticleWriteError.notAllowed) {
                try await writes.save(input("Сама", status: .published), articleID: nil, baseRevision: 0, by: contributor, now: testNow)
            }
            guard
                case .saved(let id, let revision) = try await writes.save(
                    input("Чернова", status: .draft), articleID: nil, baseRevision: 0, by: contributor, now: testNow)
            else { Issue.record("not saved"); return }
            await #expect(throws: ArticleWriteError.notAllowed) {
                try await writes.save(input("Чернова", status: .draft), articleID: id, baseRevision: revision, by: other, now: testNow)
            }
            let outcome = try await writes.save(
                input("Чернова", status: .review), articleID: id, baseRevision: revision, by: contributor, now: testNow)
            #expect(outcome == .saved(id: id, revision: revision + 1))
            #expect(
                try await writes.save(input("Чернова"), articleID: id, baseRevision: revision + 1, by: editor, now: testNow)
                    == .saved(id: id, revision: revision + 2))
            #expect(try await Self.auditActions(database) == ["created", "review", "published"])
            // A save based on an old revision stores nothing and says who saved since.
            guard
                case .conflict(let conflict) = try await writes.save(
                    input("Чернова"), articleID: id, baseRevision: revision, by: editor, now: testNow)
            else { Issue.record("no conflict"); return }
            #expect(conflict.revision == revision + 2)
        }
    }

    @Test("below editor, naming an existing author keeps their public role title", arguments: TestDatabase.all)
    func bylineTitles(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let writes = ArticleWriteService(database: database)
            let articles = ArticleRepository(database: database)
            try await articles.save(input("Публикувана", authors: [.init(name: "Калин Георгиев", role: "Главен редактор")]), now: testNow)
            let contributor = try await Self.user(database, "c@vestnik.bg", .contributor)
            _ = try await writes.save(
                input(
                    "Чернова", status: .draft,
                    authors: [.init(name: "Калин Георгиев", role: "Стажант"), .init(name: "Нов Автор", role: "Репортер")]),
                articleID: nil, baseRevision: 0, by: contributor, now: testNow)
            #expect(try await articles.article(slug: "publikuvana")?.authors.first?.role == "Главен редактор")
            #expect(try await articles.article(slug: "chernova")?.authors.map(\.role) == ["Главен редактор", "Репортер"])
            let editor = try await Self.user(database, "e@vestnik.bg", .editor)
            _ = try await writes.save(
                input("Друга", authors: [.init(name: "Калин Георгиев", role: "Отговорен редактор")]), articleID: nil, baseRevision: 0,
                by: editor,
                now: testNow)
            #expect(try await articles.article(slug: "publikuvana")?.authors.first?.role == "Отговорен редактор")
        }
    }

    @Test("a renamed article's old address stays its own: no other article can take it", arguments: TestDatabase.all)
    func reservedOldSlugs(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let writes = ArticleWriteService(database: database)
            let editor = try await Self.user(database, "e@vestnik.bg", .editor)
            let contributor = try await Self.user(database, "c@vestnik.bg", .contributor)
            guard
                case .saved(let id, let revision) = try await writes.save(
                    input("Старо заглавие"), articleID: nil, baseRevision: 0, by: editor, now: testNow)
            else { Issue.record("not saved"); return }
            var renamed = input("Старо заглавие")
            renamed.slug = "novo-zaglavie"
            _ = try await writes.save(renamed, articleID: id, baseRevision: revision, by: editor, now: testNow)
            guard
                case .saved(let draftID, let draftRevision) = try await writes.save(
                    input("Чернова", status: .draft), articleID: nil, baseRevision: 0, by: contributor, now: testNow)
            else { Issue.record("not saved"); return }
            var takeover = input("Чернова", status: .draft)
            takeover.slug = "staro-zaglavie"
            await #expect(throws: InvalidInput.self) {
                try await writes.save(takeover, articleID: draftID, baseRevision: draftRevision, by: contributor, now: testNow)
            }
            await #expect(throws: InvalidInput.self) {
                try await writes.save(takeover, articleID: nil, baseRevision: 0, by: contributor, now: testNow)
            }
            #expect(try await ArticleRepository(database: database).currentSlug(forOldSlug: "staro-zaglavie") == "novo-zaglavie")
            // Its own old address it may take back.
            var back = input("Старо заглавие")
            back.slug = "staro-zaglavie"
            #expect(
                try await writes.save(back, articleID: id, baseRevision: revision + 1, by: editor, now: testNow)
                    == .saved(id: id, revision: revision + 2))
        }
    }

    @Test("an import is a revision and an audit row; the same file again adds neither", arguments: TestDatabase.all)
    func imports(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let writes = ArticleWriteService(database: database)
            let id = try await writes.importArticle(input("Внесена"), now: testNow).id
            _ = try await writes.importArticle(input("Внесена"), now: testNow)
            #expect(try await EditorialRepository(database: database).revisions(articleID: id).count == 1)
            var changed = input("Внесена")
            changed.lead = "Ново резюме."
            _ = try await writes.importArticle(changed, now: testNow)
            #expect(try await EditorialRepository(database: database).article(id: id)?.revision == 2)
            #expect(try await Self.auditActions(database) == ["imported", "imported"])
        }
    }
}
