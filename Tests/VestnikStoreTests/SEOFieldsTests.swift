import Foundation
import Testing
import VestnikCore
import VestnikTestSupport
@testable import VestnikStore

/// The search and share card words and picture, through the one write path (stored, read back, in revisions,
/// merged, refused when wrong), and the "Обновена" time an editor sets by choice.
@Suite struct SEOFieldsTests {
    static func withSEO(_ title: String, status: ArticleStatus = .published, picture: MediaAddress? = nil) -> ArticleInput {
        var draft = input(title, status: status)
        draft.seoTitle = "Бюджетът на София за 2027 г."
        draft.seoDescription = "Общинският съвет прие бюджета: какво получават транспортът и училищата."
        draft.socialTitle = "Колко ще струва София през 2027"
        draft.socialDescription = "Всички числа на новия бюджет."
        draft.socialImage = picture?.hash
        return draft
    }

    @Test(
        "the fields are stored, read back by the page and the editor, kept in the revision; empty ones stay empty",
        arguments: TestDatabase.all)
    func storedAndReadBack(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let writes = ArticleWriteService(database: database)
            let editor = try await ArticleWriteServiceTests.user(database, "seo@vestnik.bg", .editor)
            let picture = try await GalleryWriteTests.picture(database, "споделяне")
            guard
                case .saved(let id, let revision) = try await writes.save(
                    Self.withSEO("Бюджет", picture: picture), articleID: nil, baseRevision: 0, by: editor, now: testNow)
            else { Issue.record("not saved"); return }
            let article = try #require(try await ArticleRepository(database: database).article(slug: Slug.make("Бюджет")))
            #expect(article.seo.title == "Бюджетът на София за 2027 г.")
            #expect(article.seo.description == "Общинският съвет прие бюджета: какво получават транспортът и училищата.")
            #expect(article.seo.socialTitle == "Колко ще струва София през 2027")
            #expect(article.seo.socialDescription == "Всички числа на новия бюджет.")
            #expect(article.seo.socialImage?.address == picture && article.seo.socialImage?.width == 1600)
            let editable = try #require(try await EditorialRepository(database: database).article(id: id))
            #expect(editable.draft.seoTitle == "Бюджетът на София за 2027 г." && editable.draft.socialImage == picture.hash)
            #expect(editable.draft.socialTitle == "Колко ще струва София през 2027")
            #expect(editable.draft.socialDescription == "Всички числа на новия бюджет.")
            let stored = try #require(try await EditorialRepository(database: database).revision(articleID: id, number: revision))
            #expect(stored.input.socialImage == picture.hash && stored.input.seoTitle == "Бюджетът на София за 2027 г.")
            // The library knows the article shows the picture (a new rendition drops its page).
            #expect(try await MediaRepository(database: database).articles(naming: picture.hash) == [id])

            // Cleared: every field falls back again.
            guard
                case .saved = try await writes.save(
                    input("Бюджет"), articleID: id, baseRevision: revision, by: editor, now: testNow)
            else { Issue.record("not saved"); return }
            let cleared = try #require(try await ArticleRepository(database: database).article(slug: Slug.make("Бюджет")))
            #expect(cleared.seo == ArticleSEO())
            let reopened = try #require(try await EditorialRepository(database: database).article(id: id))
            #expect(reopened.draft.seoTitle == nil && reopened.draft.socialImage == nil)
        }
    }

    @Test(
        "a share picture the library lacks, an address that is not one, or a title past the cap: refused, nothing stored",
        arguments: TestDatabase.all)
    func refused(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let writes = ArticleWriteService(database: database)
            let editor = try await ArticleWriteServiceTests.user(database, "seo@vestnik.bg", .editor)
            let absent = MediaAddress(bytes: Array("няма я".utf8), format: .jpeg)
            await #expect(throws: ArticleWriteError.missingSocialPicture) {
                try await writes.save(Self.withSEO("Няма", picture: absent), articleID: nil, baseRevision: 0, by: editor, now: testNow)
            }
            var wrong = input("Грешка")
            wrong.socialImage = "/media/nothing.jpg"
            await #expect(throws: ArticleWriteError.missingSocialPicture) {
                try await writes.save(wrong, articleID: nil, baseRevision: 0, by: editor, now: testNow)
            }
            #expect(throws: InvalidInput.self) { try ArticleRepository.validate(wrong) }
            var long = input("Дълго")
            long.seoTitle = String(repeating: "я", count: ArticleInput.maxSEOTitle + 1)
            await #expect(throws: InvalidInput.self) {
                try await writes.save(long, articleID: nil, baseRevision: 0, by: editor, now: testNow)
            }
            long.seoTitle = nil
            long.socialDescription = String(repeating: "я", count: ArticleInput.maxSEODescription + 1)
            await #expect(throws: InvalidInput.self) {
                try await writes.save(long, articleID: nil, baseRevision: 0, by: editor, now: testNow)
            }
            #expect(try await ArticleRepository(database: database).count() == 0)
        }
    }

    @Test(
        "two editors from one revision: one writes the SEO title, the other the share card's; both are kept, a real clash is named",
        arguments: TestDatabase.all)
    func mergedFieldByField(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let writes = ArticleWriteService(database: database)
            let anna = try await ArticleWriteServiceTests.user(database, "anna@vestnik.bg", .editor)
            let boris = try await ArticleWriteServiceTests.user(database, "boris@vestnik.bg", .editor)
            guard
                case .saved(let id, let base) = try await writes.save(
                    input("Общо"), articleID: nil, baseRevision: 0, by: anna, now: testNow)
            else { Issue.record("not saved"); return }
            var annas = input("Общо")
            annas.seoTitle = "SEO заглавие на Анна"
            guard case .saved(_, let next) = try await writes.save(annas, articleID: id, baseRevision: base, by: anna, now: testNow)
            else { Issue.record("not saved"); return }
            var boriss = input("Общо")
            boriss.socialTitle = "Заглавие за мрежите от Борис"
            boriss.socialDescription = "Описание от Борис"
            guard
                case .merged = try await writes.save(
                    boriss, articleID: id, baseRevision: base, by: boris, now: testNow, mergingStale: true)
            else { Issue.record("not merged"); return }
            let seo = try #require(try await ArticleRepository(database: database).article(slug: Slug.make("Общо"))).seo
            #expect(seo.title == "SEO заглавие на Анна")
            #expect(seo.socialTitle == "Заглавие за мрежите от Борис" && seo.socialDescription == "Описание от Борис")

            // Анна, still on her revision, gives the share card another title than Борис did: a clash, named by its
            // field, nothing stored.
            var again = input("Общо")
            again.seoTitle = "SEO заглавие на Анна"
            again.socialTitle = "Друго заглавие за мрежите"
            guard
                case .conflict(let conflict) = try await writes.save(
                    again, articleID: id, baseRevision: next, by: anna, now: testNow, mergingStale: true)
            else { Issue.record("no conflict"); return }
            #expect(conflict.clashes == [.socialTitle])
            #expect(
                try await ArticleRepository(database: database).article(slug: Slug.make("Общо"))?.seo.socialTitle
                    == "Заглавие за мрежите от Борис")
        }
    }

    @Test(
        "\"Обновена\": set only when an editor ticks it on a published article; a plain save keeps the shown time",
        arguments: TestDatabase.all)
    func markedUpdated(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let writes = ArticleWriteService(database: database)
            let articles = ArticleRepository(database: database)
            let editor = try await ArticleWriteServiceTests.user(database, "updated@vestnik.bg", .editor)
            // A draft cannot be "updated" news: the tick means nothing before publication.
            guard
                case .saved(let id, var revision) = try await writes.save(
                    input("Новина", status: .draft), articleID: nil, baseRevision: 0, by: editor, now: testNow, markUpdated: true)
            else { Issue.record("not saved"); return }
            guard
                case .saved(_, let published) = try await writes.save(
                    input("Новина"), articleID: id, baseRevision: revision, by: editor, now: testNow, markUpdated: true)
            else { Issue.record("not saved"); return }
            revision = published
            var article = try #require(try await articles.article(slug: Slug.make("Новина")))
            #expect(article.modifiedAt == nil && !article.isMarkedUpdated && article.shownModified == testNow)

            // A typo fix an hour later: saved (updatedAt moves, for sitemaps and feeds), but the page says nothing new.
            let typo = testNow.addingTimeInterval(3600)
            var fixed = input("Новина")
            fixed.bodyHTML = "<p>Текстът.</p>"
            guard case .saved(_, let next) = try await writes.save(fixed, articleID: id, baseRevision: revision, by: editor, now: typo)
            else { Issue.record("not saved"); return }
            article = try #require(try await articles.article(slug: Slug.make("Новина")))
            #expect(article.updatedAt == typo && article.modifiedAt == nil && article.shownModified == testNow)

            // A real update, ticked: the shown time is this save's, and the audit says so.
            let update = testNow.addingTimeInterval(7200)
            fixed.lead = "Ново развитие."
            guard
                case .saved(_, let after) = try await writes.save(
                    fixed, articleID: id, baseRevision: next, by: editor, now: update, markUpdated: true)
            else { Issue.record("not saved"); return }
            article = try #require(try await articles.article(slug: Slug.make("Новина")))
            #expect(article.modifiedAt == update && article.isMarkedUpdated && article.shownModified == update)
            #expect(try await ArticleWriteServiceTests.auditActions(database).last == "marked_updated")
            #expect(try await EditorialRepository(database: database).article(id: id)?.modifiedAt == update)

            // Another plain save keeps it; unpublishing with the tick does not move it either.
            fixed.bodyHTML = "<p>Текстът, поправен.</p>"
            guard
                case .saved(_, let later) = try await writes.save(
                    fixed, articleID: id, baseRevision: after, by: editor, now: update.addingTimeInterval(600))
            else { Issue.record("not saved"); return }
            var down = fixed
            down.status = .unpublished
            _ = try await writes.save(
                down, articleID: id, baseRevision: later, by: editor, now: update.addingTimeInterval(900), markUpdated: true)
            #expect(try await articles.article(slug: Slug.make("Новина"))?.modifiedAt == update)
        }
    }
}
