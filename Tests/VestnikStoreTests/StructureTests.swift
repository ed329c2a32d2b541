import Foundation
import Testing
import VestnikCore
import VestnikTestSupport
@testable import VestnikStore

@Suite struct StructureTests {
    @Test("a section renamed with a new slug keeps its articles, and its old slug points to it", arguments: TestDatabase.all)
    func renameSection(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            let taxonomy = TaxonomyRepository(database: database)
            try await articles.save(input("Среща в Брюксел", section: "Свят"), now: testNow)
            let world = try #require(try await taxonomy.section(slug: "svyat"))
            let edit = try await taxonomy.editSection(id: world.id, name: "Светът", slug: "", description: "Извън България", position: 7)
            #expect(edit == StructureEdit(id: world.id, previousName: "Свят", name: "Светът", articleIDs: edit.articleIDs))
            #expect(edit.articleIDs.count == 1)
            #expect(try await taxonomy.section(slug: "svyat") == nil)
            let renamed = try #require(try await taxonomy.section(slug: "svetat"))
            #expect(renamed.description == "Извън България" && renamed.position == 7)
            #expect(try await taxonomy.movedSlug(.section, from: "svyat") == "svetat")
            #expect(try await articles.article(slug: Slug.make("Среща в Брюксел"))?.section.name == "Светът")
            // An article that still names the old section (a content file, an old revision) lands in the renamed one.
            try await articles.save(input("Втора статия", section: "Свят"), now: testNow)
            #expect(try await articles.article(slug: Slug.make("Втора статия"))?.section.id == world.id)
            #expect(try await taxonomy.sections().count == 1)
            // Search finds the article by the new section name.
            let found = try await SearchRepository(database: database).search(
                try SearchQuery.parse("Светът"), page: PageRequest(number: 1, size: 10), now: testNow)
            #expect(found.items.count == 2)
        }
    }

    @Test("a renamed entry keeps its slug when the editor keeps it, and is found by its new name", arguments: TestDatabase.all)
    func renameKeepingSlug(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            let taxonomy = TaxonomyRepository(database: database)
            try await articles.save(input("Статия", authors: [.init(name: "Мария Петрова")]), now: testNow)
            let author = try #require(try await taxonomy.author(slug: "maria-petrova"))
            _ = try await taxonomy.editAuthor(
                id: author.id, name: "Мария Петрова-Иванова", slug: "maria-petrova", role: "Отговорен редактор", bio: "Пише за света.",
                photo: "/media/ab12cd.jpg")
            let stored = try #require(try await taxonomy.author(slug: "maria-petrova"))
            #expect(stored.name == "Мария Петрова-Иванова" && stored.role == "Отговорен редактор" && stored.photo == "/media/ab12cd.jpg")
            #expect(try await taxonomy.movedSlug(.author, from: "maria-petrova") == nil)
            // The editor's form names the author by the new name: the same author, not a new one.
            try await articles.save(input("Друга", authors: [.init(name: "Мария Петрова-Иванова")]), now: testNow)
            #expect(try await taxonomy.authors().count == 1)
            #expect(try await articles.article(slug: "druga")?.authors.first?.photo == "/media/ab12cd.jpg")
        }
    }

    @Test("bad input is refused with a reason", arguments: TestDatabase.all)
    func problems(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let taxonomy = TaxonomyRepository(database: database)
            let sport = try await taxonomy.editSection(id: nil, name: "Спорт", slug: "", description: "", position: 1)
            _ = try await taxonomy.editSection(id: nil, name: "Свят", slug: "", description: "", position: 2)
            func problem(_ body: () async throws -> Void) async -> StructureProblem? {
                do { try await body() } catch let problem as StructureProblem { return problem } catch { return nil }
                return nil
            }
            #expect(
                await problem { _ = try await taxonomy.editSection(id: nil, name: "  ", slug: "", description: "", position: 1) }
                    == .emptyName)
            #expect(
                await problem {
                    _ = try await taxonomy.editSection(
                        id: nil, name: String(repeating: "я", count: 121), slug: "", description: "", position: 1)
                }
                    == .longName)
            #expect(
                await problem {
                    _ = try await taxonomy.editSection(id: sport.id, name: "Спорт", slug: "svyat", description: "", position: 1)
                } == .duplicateSlug)
            #expect(
                await problem {
                    _ = try await taxonomy.editSection(id: sport.id, name: "Свят", slug: "sport", description: "", position: 1)
                } == .duplicateName)
            #expect(
                await problem {
                    _ = try await taxonomy.editSection(id: sport.id, name: "Спорт", slug: "newsroom", description: "", position: 1)
                } == .reservedSlug)
            #expect(
                await problem { _ = try await taxonomy.editSection(id: sport.id, name: "Спорт", slug: "—", description: "", position: 1) }
                    == .emptySlug)
            #expect(
                await problem { _ = try await taxonomy.editSection(id: sport.id, name: "Спорт", slug: "", description: "", position: -1) }
                    == .badPosition)
            #expect(
                await problem {
                    _ = try await taxonomy.editSection(
                        id: sport.id, name: "Спорт", slug: "", description: String(repeating: "a", count: 2_001), position: 1)
                }
                    == .longText)
            #expect(
                await problem {
                    _ = try await taxonomy.editAuthor(id: nil, name: "Иван", slug: "", role: "", bio: "", photo: "javascript:alert(1)")
                }
                    == .badPhoto)
            #expect(
                await problem { _ = try await taxonomy.editSection(id: 987, name: "Друго", slug: "", description: "", position: 1) }
                    == .notFound)
            let topic = try await taxonomy.editTopic(id: nil, name: "Избори", slug: "izbori-2026", description: "", pinnedArticleID: nil)
            #expect(try await taxonomy.topic(slug: "izbori-2026")?.id == topic.id)
            #expect(
                await problem {
                    _ = try await taxonomy.editTopic(id: topic.id, name: "Избори", slug: "", description: "", pinnedArticleID: 4242)
                } == .badPin)
        }
    }

    @Test("a topic pins only a published article", arguments: TestDatabase.all)
    func pin(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            let taxonomy = TaxonomyRepository(database: database)
            try await articles.save(input("Публикувана", topic: "Избори"), now: testNow)
            try await articles.save(input("Чернова", topic: "Избори", status: .draft), now: testNow)
            let topic = try #require(try await taxonomy.topic(slug: "izbori"))
            let candidates = try await taxonomy.pinCandidates(topicID: topic.id)
            #expect(candidates.map(\.title) == ["София: Публикувана"])
            let draft = try #require(try await articles.article(slug: "chernova"))
            await #expect(throws: StructureProblem.badPin) {
                _ = try await taxonomy.editTopic(id: topic.id, name: "Избори", slug: "", description: "", pinnedArticleID: draft.id)
            }
            _ = try await taxonomy.editTopic(
                id: topic.id, name: "Избори", slug: "", description: "Кой печели", pinnedArticleID: candidates[0].id)
            #expect(try await taxonomy.topic(id: topic.id)?.pinnedArticleID == candidates[0].id)
        }
    }

    @Test("tags: suggestions by Cyrillic prefix in any case, rename, merge, delete", arguments: TestDatabase.all)
    func tags(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            let taxonomy = TaxonomyRepository(database: database)
            try await articles.save(input("Първа", tags: ["Президент", "Премиер", "Парламент"]), now: testNow)
            try await articles.save(input("Втора", tags: ["президентски избори", "Русия"]), now: testNow)
            #expect(try await taxonomy.tagSuggestions(prefix: "пре").map(\.name) == ["Президент", "президентски избори", "Премиер"])
            #expect(try await taxonomy.tagSuggestions(prefix: "ПРЕЗ").map(\.name) == ["Президент", "президентски избори"])
            #expect(try await taxonomy.tagSuggestions(prefix: "през", limit: 1).count == 1)
            #expect(try await taxonomy.tagSuggestions(prefix: "%").isEmpty)
            #expect(try await taxonomy.tagSuggestions(prefix: "").isEmpty)

            let premier = try #require(try await taxonomy.tag(slug: "premier"))
            _ = try await taxonomy.renameTag(id: premier.id, name: "Министър-председател")
            #expect(try await taxonomy.tag(slug: "ministar-predsedatel")?.id == premier.id)
            #expect(try await taxonomy.movedSlug(.tag, from: "premier") == "ministar-predsedatel")
            #expect(try await taxonomy.tagSuggestions(prefix: "мин").map(\.id) == [premier.id])
            // Another tag's name (its slug with it): merge into that one instead.
            await #expect(throws: StructureProblem.duplicateSlug) { _ = try await taxonomy.renameTag(id: premier.id, name: "русия") }

            // Merge: the articles move, the source's slugs lead to the target.
            let president = try #require(try await taxonomy.tag(slug: "prezident"))
            let merged = try await taxonomy.mergeTag(id: premier.id, into: "ПРЕЗИДЕНТ")
            #expect(merged.id == president.id && merged.articleIDs.count == 1)
            #expect(try await taxonomy.tag(id: premier.id) == nil)
            #expect(try await taxonomy.movedSlug(.tag, from: "premier") == "prezident")
            #expect(try await taxonomy.movedSlug(.tag, from: "ministar-predsedatel") == "prezident")
            #expect(try await articles.article(slug: "parva")?.tags.map(\.name) == ["Президент", "Парламент"])
            await #expect(throws: StructureProblem.sameTag) { _ = try await taxonomy.mergeTag(id: president.id, into: "президент") }
            await #expect(throws: StructureProblem.unknownTag) { _ = try await taxonomy.mergeTag(id: president.id, into: "Няма такъв") }

            // Delete: only an unused tag.
            await #expect(throws: StructureProblem.tagInUse) { _ = try await taxonomy.deleteTag(id: president.id) }
            var second = input("Втора", tags: ["Русия"])
            second.slug = "vtora"
            try await articles.save(second, now: testNow)
            let unused = try #require(try await taxonomy.tag(slug: "prezidentski-izbori"))
            #expect(try await taxonomy.tagUses(id: unused.id) == 0)
            _ = try await taxonomy.deleteTag(id: unused.id)
            #expect(try await taxonomy.tag(id: unused.id) == nil)
            #expect(try await taxonomy.tagUsage(prefix: "", limit: 10).map(\.tag.name) == ["Парламент", "Президент", "Русия"])
        }
    }

    @Test("every structure edit announces everything once it has committed; a refused one announces nothing", arguments: TestDatabase.all)
    func announces(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            let taxonomy = TaxonomyRepository(database: database)
            try await articles.save(input("Статия", topic: "Избори", tags: ["Премиер", "Президент", "Русия"]), now: testNow)
            let heard = HeardChanges()
            database.changes.subscribe { heard.append($0) }
            let world = try #require(try await taxonomy.section(slug: "svyat"))
            let topic = try #require(try await taxonomy.topic(slug: "izbori"))
            let author = try #require(try await taxonomy.author(slug: "maria-petrova"))
            let premier = try #require(try await taxonomy.tag(slug: "premier"))
            let edits: [@Sendable () async throws -> Void] = [
                { _ = try await taxonomy.editSection(id: world.id, name: "Светът", slug: "", description: "", position: 1) },
                { _ = try await taxonomy.editTopic(id: topic.id, name: "Избори", slug: "", description: "Нов", pinnedArticleID: nil) },
                { _ = try await taxonomy.editAuthor(id: author.id, name: "Мария Петрова", slug: "", role: "Р", bio: "", photo: "") },
                { _ = try await taxonomy.renameTag(id: premier.id, name: "Премиерът") },
                { _ = try await taxonomy.mergeTag(id: premier.id, into: "Президент") },
            ]
            for edit in edits {
                try await edit()
                #expect(heard.take() == [CacheKey.site])
            }
            await #expect(throws: StructureProblem.self) { _ = try await taxonomy.renameTag(id: 999, name: "") }
            await #expect(throws: StructureProblem.self) {
                _ = try await taxonomy.deleteTag(id: try #require(try await taxonomy.tag(slug: "rusia")).id)
            }
            #expect(heard.take().isEmpty)
            try await articles.save(input("Статия", topic: "Избори", tags: ["Президент"]), now: testNow)
            _ = heard.take()
            _ = try await taxonomy.deleteTag(id: try #require(try await taxonomy.tag(slug: "rusia")).id)
            #expect(heard.take() == [CacheKey.site])
        }
    }

    @Test("tags stored before migration 6 get their lowercase key", arguments: TestDatabase.all)
    func backfill(_ kind: TestDatabase) async throws {
        try await kind.with(migrate: false) { database in
            try await Migrator(migrations: Migrations.all.filter { $0.version < 6 }).migrate(database)
            try await database.write { db in
                try await db.raw("INSERT INTO tags (slug, name) VALUES ('sofia', 'София')").run()
            }
            try await Migrator().migrate(database)
            #expect(try await TaxonomyRepository(database: database).tagSuggestions(prefix: "соф").map(\.name) == ["София"])
        }
    }
}
