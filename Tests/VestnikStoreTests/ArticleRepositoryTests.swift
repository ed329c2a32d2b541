import Foundation
import Testing
import VestnikTestSupport
import VestnikCore
@testable import VestnikStore

/// A fixed "now" for every test: 25 November 2026, 12:00 in Sofia (10:00 UTC).
let testNow = Date(timeIntervalSince1970: 1_795_600_800)

func input(
    _ title: String, section: String = "Свят", topic: String? = nil, tags: [String] = [], hoursAgo: Double = 1,
    status: ArticleStatus = .published, authors: [ArticleInput.Byline] = [.init(name: "Мария Петрова", role: "Репортер")]
) -> ArticleInput {
    ArticleInput(
        slug: Slug.make(title), kicker: "София", title: title, lead: "Резюме на \(title).", bodyHTML: "<p>Текст.</p>",
        section: section, topic: topic, tags: tags, authors: authors, sources: ["БТА", "AFP"],
        media: MediaMarkers(video: true), status: status, publishedAt: testNow.addingTimeInterval(-hoursAgo * 3600), reads: 10)
}

@Suite struct ArticleRepositoryTests {
    /// An article page's foot in one read: its notes oldest first, and the live coverage with its newest entries
    /// only for a live blog, as the separate reads give them.
    @Test(arguments: TestDatabase.all)
    func pageFootReadsNotesAndLiveCoverageInOneRead(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let writes = ArticleWriteService(database: database)
            let editor = try await ArticleWriteServiceTests.user(database, "editor@vestnik.bg", .editor)
            guard
                case .saved(let id, _) = try await writes.save(input("На живо"), articleID: nil, baseRevision: 0, by: editor, now: testNow),
                case .saved(let other, _) = try await writes.save(
                    input("Обикновена"), articleID: nil, baseRevision: 0, by: editor, now: testNow)
            else { Issue.record("not saved"); return }
            let articles = ArticleRepository(database: database)
            let plain = try await articles.pageFoot(articleID: other, liveEntries: 10)
            #expect(plain.corrections.isEmpty)
            #expect(plain.live == nil)
            try await writes.addCorrection(to: id, kind: .correction, text: "Първа.", by: editor, now: testNow.addingTimeInterval(60))
            try await writes.addCorrection(to: id, kind: .clarification, text: "Втора.", by: editor, now: testNow.addingTimeInterval(120))
            try await writes.startLive(id, by: editor, now: testNow)
            for n in 0..<3 {
                try await writes.addLiveEntry(
                    to: id, text: "Запис \(n)", pictureHash: nil, isKey: false, by: editor, now: testNow.addingTimeInterval(Double(n)))
            }
            let foot = try await articles.pageFoot(articleID: id, liveEntries: 2)
            let notes = try await CorrectionRepository(database: database).corrections(articleID: id)
            #expect(foot.corrections.map(\.text) == ["Първа.", "Втора."])
            #expect(foot.corrections.map(\.id) == notes.map(\.id))
            #expect(foot.corrections.map(\.kind) == [.correction, .clarification])
            let coverage = try await LiveCoverageRepository(database: database).coverage(articleID: id)
            #expect(foot.live?.coverage == coverage)
            #expect(foot.live?.entries.map(\.text) == ["Запис 2", "Запис 1"])
            // The article page reads the same foot with the article, in the same transaction.
            let slug = try #require(try await articles.summary(id: id, now: testNow.addingTimeInterval(600))?.slug)
            let page = try #require(
                try await articles.article(slug: slug, relatedLimit: 5, liveEntries: 2, now: testNow.addingTimeInterval(600)))
            #expect(page.article.id == id)
            #expect(page.foot.corrections.map(\.id) == notes.map(\.id))
            #expect(page.foot.live?.coverage == coverage)
            #expect(page.foot.live?.entries.map(\.text) == ["Запис 2", "Запис 1"])
        }
    }

    /// An article's sources are split as `components(separatedBy: "\n")` splits them, "\r\n" and empty lines included.
    @Test func sourcesSplitAsFoundationSplitsThem() {
        for text in ["БТА", "БТА\nAFP", "\n", "a\n\nb\n", "ред\r\nдруг", "\r\n\r\n", "\r\n\n", "e\u{301}\nx", "\nБТА"] {
            #expect(ArticleRepository.lines(text) == text.components(separatedBy: "\n"), "\(Array(text.utf8))")
        }
    }

    /// Tags and authors come back in the order the newsroom gave them, not in the order of their ids (the second
    /// article names an older tag and author second).
    @Test(arguments: TestDatabase.all)
    func tagsAndAuthorsKeepTheirOrder(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            _ = try await articles.save(input("Първа", tags: ["Северна Корея"], authors: [.init(name: "Иван Иванов")]), now: testNow)
            _ = try await articles.save(
                input("Втора", tags: ["Русия", "Северна Корея"], authors: [.init(name: "Мария Петрова"), .init(name: "Иван Иванов")]),
                now: testNow)
            let second = try #require(try await articles.article(slug: "vtora"))
            #expect(second.tags.map(\.name) == ["Русия", "Северна Корея"])
            #expect(second.authors.map(\.name) == ["Мария Петрова", "Иван Иванов"])
        }
    }

    @Test(arguments: TestDatabase.all)
    func savesAWholeArticleAndReadsItBack(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            var article = input("Ким Чен-ун се среща с Путин", topic: "Войната в Украйна", tags: ["Русия", "Северна Корея"])
            article.authors = [.init(name: "Мария Петрова", role: "Отговорен редактор"), .init(name: "Иван Иванов")]
            let result = try await articles.save(article, now: testNow)
            guard case .created = result else { Issue.record("expected a new article"); return }

            let stored = try #require(try await articles.article(slug: "kim-chen-un-se-sreshta-s-putin"))
            #expect(stored.title == "Ким Чен-ун се среща с Путин")
            #expect(stored.kicker == "София")
            #expect(stored.section.slug == "svyat")
            #expect(stored.topic?.name == "Войната в Украйна")
            #expect(stored.topic?.slug == "voynata-v-ukrayna")
            #expect(stored.tags.map(\.slug) == ["rusia", "severna-koreya"])
            #expect(stored.authors.map(\.name) == ["Мария Петрова", "Иван Иванов"])
            #expect(stored.authors.first?.role == "Отговорен редактор")
            #expect(stored.sources == ["БТА", "AFP"])
            #expect(stored.media == MediaMarkers(video: true, gallery: false))
            #expect(stored.publishedAt == article.publishedAt)
            #expect(stored.reads == 10)
        }
    }

    /// A long body (SQLite's reader keeps it as bytes) comes back byte for byte, as bytes and as a string.
    @Test(arguments: TestDatabase.all)
    func aLongBodyComesBackByteForByte(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            var article = input("Дълга статия")
            article.bodyHTML = (1...40).map { "<p>Абзац \($0): „кавички“ — e\u{301}.</p>" }.joined(separator: "\n")
            _ = try await articles.save(article, now: testNow)
            let stored = try #require(try await articles.article(slug: article.slug))
            #expect(stored.bodyUTF8 == Array(article.bodyHTML.utf8))
            #expect(stored.bodyHTML == article.bodyHTML)
        }
    }

    @Test(arguments: TestDatabase.all)
    func savingTheSameSlugUpdatesAndNeverLowersReads(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            var article = input("Бюджетът е приет", tags: ["бюджет", "парламент"])
            article.reads = 500
            let first = try await articles.save(article, now: testNow)
            article.title = "Бюджетът е приет на второ четене"
            article.tags = ["бюджет"]
            article.reads = 20
            let second = try await articles.save(article, now: testNow)
            #expect(second == .updated(id: first.id))
            let stored = try #require(try await articles.article(slug: article.slug))
            #expect(stored.title == "Бюджетът е приет на второ четене")
            #expect(stored.tags.map(\.name) == ["бюджет"])
            #expect(stored.reads == 500)
            #expect(try await articles.count() == 1)
        }
    }

    @Test(arguments: TestDatabase.all)
    func listsShowOnlyVisibleArticlesNewestFirstInPages(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            for hour in 1...5 { try await articles.save(input("Новина номер \(hour)", hoursAgo: Double(hour)), now: testNow) }
            try await articles.save(input("Чернова", status: .draft), now: testNow)
            try await articles.save(input("Утрешна новина", hoursAgo: -5), now: testNow)
            let first = try await articles.list(.all, page: PageRequest(number: 1, size: 2), now: testNow)
            #expect(first.total == 5)
            #expect(first.pageCount == 3)
            #expect(first.items.map(\.title) == ["Новина номер 1", "Новина номер 2"])
            let last = try await articles.list(.all, page: PageRequest(number: 3, size: 2), now: testNow)
            #expect(last.items.map(\.title) == ["Новина номер 5"])
            #expect(!last.hasNext)
        }
    }

    @Test(arguments: TestDatabase.all)
    func filtersBySectionTopicTagAndAuthor(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            let taxonomy = TaxonomyRepository(database: database)
            try await articles.save(input("Мач в Пловдив", section: "Спорт", tags: ["футбол"]), now: testNow)
            try await articles.save(
                input("Газ за зимата", section: "Икономика", topic: "Зимата", tags: ["енергетика"], authors: [.init(name: "Петър Колев")]),
                now: testNow)
            try await articles.save(
                input("Сняг в Родопите", section: "България", topic: "Зимата", tags: ["енергетика", "времето"]), now: testNow)
            let sport = try #require(try await taxonomy.section(slug: "sport"))
            #expect(try await articles.list(.section(sport.id), page: PageRequest(), now: testNow).items.map(\.title) == ["Мач в Пловдив"])
            let winter = try #require(try await taxonomy.topic(slug: "zimata"))
            #expect(try await articles.list(.topic(winter.id), page: PageRequest(), now: testNow).total == 2)
            let energy = try #require(try await taxonomy.tag(slug: "energetika"))
            #expect(try await articles.list(.tag(energy.id), page: PageRequest(), now: testNow).total == 2)
            let author = try #require(try await taxonomy.author(slug: "petar-kolev"))
            #expect(try await articles.list(.author(author.id), page: PageRequest(), now: testNow).items.map(\.title) == ["Газ за зимата"])
        }
    }

    @Test(arguments: TestDatabase.all)
    func relatedArticlesShareSomethingAndExcludeTheArticle(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            try await articles.save(input("Основна", section: "Свят", topic: "Войната", tags: ["Русия"], hoursAgo: 5), now: testNow)
            try await articles.save(input("По темата", section: "България", topic: "Войната", hoursAgo: 1), now: testNow)
            try await articles.save(input("По етикета", section: "Икономика", tags: ["Русия"], hoursAgo: 2), now: testNow)
            try await articles.save(input("От рубриката", section: "Свят", hoursAgo: 3), now: testNow)
            try await articles.save(input("Нищо общо", section: "Спорт", hoursAgo: 0.5), now: testNow)
            try await articles.save(input("Чернова по темата", section: "България", topic: "Войната", status: .draft), now: testNow)
            let main = try #require(try await articles.article(slug: "osnovna"))
            let related = try await articles.related(to: main, limit: 5, now: testNow)
            // Sharing the topic weighs most, then a tag, then the section; drafts and the article itself never appear.
            #expect(Array(related.map(\.title).prefix(3)) == ["По темата", "По етикета", "От рубриката"])
            #expect(!related.contains { $0.title.hasPrefix("Чернова") || $0.id == main.id })
        }
    }

    /// A tag or a rare word shared with few articles is read from the link table's side, one shared with many by
    /// walking the articles newest first (`RelatedArticles.sharing`); both plans find the same 40 newest.
    @Test(arguments: TestDatabase.all)
    func relatedCandidatesAreTheSameByEitherPlan(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            for index in 0..<60 {
                let tags = index % 3 == 0 ? ["Пристанище"] : index % 7 == 0 ? ["Рядък етикет"] : []
                try await articles.save(
                    input(
                        "Бургас \(index): пристанището и корабите", section: index % 2 == 0 ? "България" : "Свят", tags: tags,
                        hoursAgo: Double(index) + 1), now: testNow, refreshRelated: false)
            }
            try await articles.save(
                input("Пристанището на Бургас приема кораби", section: "Спорт", tags: ["Пристанище", "Рядък етикет"], hoursAgo: 0.5),
                now: testNow, refreshRelated: false)
            let main = try #require(try await articles.article(slug: "pristanishteto-na-burgas-priema-korabi"))
            let (sparse, dense) = try await database.read { db in
                let me = try #require(try await RelatedArticles.facts(ids: [main.id], in: db).first)
                return (
                    try await RelatedArticles.candidates(for: me, now: testNow, in: db),
                    try await RelatedArticles.candidates(for: me, now: testNow, in: db, sparseRows: 0)
                )
            }
            #expect(sparse == dense)
            #expect(sparse.count > 20 && !sparse.contains(main.id))
        }
    }

    /// `refreshAll` shares what it looks up among the lists of a chunk (each section's, topic's, tag's and word's newest
    /// articles, facts, vectors), carries it to the next chunk, and writes a chunk's lists at once: every article gets
    /// the list it gets when computed alone, with nothing shared.
    @Test(arguments: TestDatabase.all)
    func refreshAllGivesEachArticleItsOwnList(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            let words = ["пристанище", "кораби", "бюджет", "влак", "болница", "избори", "мост", "училище"]
            for index in 0..<45 {
                var tags: [String] = []
                if index % 3 == 0 { tags.append("Пристанище") }
                if index % 5 == 0 { tags.append("Рядък етикет \(index % 2)") }
                let title = "Новини: \(words[index % 8]) \(words[(index * 3) % 8]) \(words[(index * 5 + 1) % 8]) \(index)"
                try await articles.save(
                    input(
                        title, section: ["България", "Свят", "Спорт"][index % 3], topic: index % 4 == 0 ? "Морето" : nil, tags: tags,
                        hoursAgo: Double(index) * 1.5 + 1, status: index % 11 == 10 ? .draft : .published),
                    now: testNow, refreshRelated: false)
            }
            try await RelatedArticles(database: database).refreshAll(now: testNow, chunk: 7)
            let ids = try await database.read { db in try await db.raw("SELECT id FROM articles ORDER BY id").all().map { try $0.int("id") }
            }
            var nonEmpty = 0
            for id in ids {
                let (stored, alone) = try await database.read { db in
                    (
                        try await db.raw("SELECT related_id FROM article_related WHERE article_id = \(bind: id) ORDER BY position").all()
                            .map { try $0.int("related_id") },
                        try await RelatedArticles.list(articleID: id, now: testNow, in: db, lookups: RelatedArticles.Lookups())?.chosen
                            .map(\.0.id) ?? []
                    )
                }
                #expect(stored == alone, "article \(id)")
                if !stored.isEmpty { nonEmpty += 1 }
            }
            #expect(nonEmpty == ids.count)
        }
    }

    /// Stories deleted between two chunks of `refreshAll` are still in the look-ups the next chunk carries, as picks
    /// and as one of the next chunk's own: the lists written after leave them out (rather than failing on their
    /// missing rows), and every other article still gets a list.
    @Test(arguments: TestDatabase.all)
    func aStoryDeletedBetweenChunksIsLeftOutOfTheListsWrittenAfter(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            for index in 0..<16 {
                try await articles.save(
                    input(
                        "Пристанище и кораби \(index)", section: ["България", "Свят"][index % 2], tags: ["Пристанище"],
                        hoursAgo: Double(index) + 1),
                    now: testNow, refreshRelated: false)
            }
            let ids = try await database.read { db in try await db.raw("SELECT id FROM articles ORDER BY id").all().map { try $0.int("id") }
            }
            let lookups = RelatedArticles.Lookups(dialect: database.dialect)
            try await database.write { db in
                try await RelatedArticles.store(chunk: Array(ids.prefix(8)), now: testNow, in: db, lookups: lookups)
            }
            // The newest story, a candidate of every list, and one of the next chunk's, a candidate too.
            let gone = [ids[0], ids[12]]
            #expect(gone.allSatisfy(lookups.candidates.contains))
            for id in gone { try await database.write { db in try await db.raw("DELETE FROM articles WHERE id = \(bind: id)").run() } }
            let rest = Array(ids.dropFirst(8))
            try await database.write { db in try await RelatedArticles.store(chunk: rest, now: testNow, in: db, lookups: lookups.carry()) }
            for id in rest where !gone.contains(id) {
                let stored = try await database.read { db in
                    try await db.raw("SELECT related_id FROM article_related WHERE article_id = \(bind: id) ORDER BY position").all()
                        .map { try $0.int("related_id") }
                }
                #expect(!stored.isEmpty && !stored.contains(where: gone.contains), "article \(id): \(stored)")
            }
        }
    }

    /// The "Още:" similarity over numbered terms (sorted arrays) is the cosine of the two vectors.
    @Test func cosineOfNumberedTerms() {
        let a = RelatedArticles.Vector([(7, 2.0), (1, 1.0), (4, 3.0)])
        let b = RelatedArticles.Vector([(4, 1.0), (9, 5.0), (1, 2.0), (2, 1.0)])
        let expected = (1.0 * 2.0 + 3.0 * 1.0) / ((1.0 + 9.0 + 4.0).squareRoot() * (1.0 + 25.0 + 4.0 + 1.0).squareRoot())
        #expect(abs(RelatedArticles.cosine(a, b) - expected) < 1e-12)
        #expect(abs(RelatedArticles.cosine(b, a) - expected) < 1e-12)
        #expect(abs(RelatedArticles.cosine(a, a) - 1) < 1e-12)
        #expect(RelatedArticles.cosine(a, RelatedArticles.Vector([(3, 1.0), (8, 2.0)])) == 0)
        #expect(RelatedArticles.cosine(a, RelatedArticles.Vector()) == 0)
    }

    /// Merging the candidates' lists gives what sorting their union gave: the `limit` newest, the higher id first at
    /// the same second, each article once and the article itself left out, whatever order a list's ties come in.
    @Test func candidateListsMergeAsTheirSortedUnion() {
        typealias Entry = RelatedArticles.Entry
        func sortedUnion(_ lists: [[Entry]], excluding id: Int, limit: Int) -> [Int] {
            var seen = Set<Int>()
            var all: [Entry] = []
            for entry in lists.joined() where entry.id != id && seen.insert(entry.id).inserted { all.append(entry) }
            return all.sorted { $0.at != $1.at ? $0.at > $1.at : $0.id > $1.id }.prefix(limit).map(\.id)
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            // Few seconds and ids, so that ties and articles in several lists are common; an article's time is one.
            let at = (0..<30).map { _ in Int.random(in: 0..<8, using: &generator) }
            let lists = (0..<Int.random(in: 0...6, using: &generator)).map { _ -> [Entry] in
                let ids = Array((0..<30).shuffled(using: &generator).prefix(Int.random(in: 0...12, using: &generator)))
                let entries = ids.map { Entry(id: $0, at: at[$0]) }
                // A query's order (newest first, ties as they come), the sorted order, or any.
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: return entries.sorted { $0.at > $1.at }
                case 1: return RelatedArticles.newestFirst(entries)
                default: return entries
                }
            }
            let me = Int.random(in: 0..<30, using: &generator)
            let limit = Int.random(in: 1...20, using: &generator)
            let merged = RelatedArticles.newest(lists, excluding: me, limit: limit)
            #expect(merged == sortedUnion(lists, excluding: me, limit: limit), "\(lists) without \(me), \(limit)")
        }
        #expect(RelatedArticles.newest([], excluding: 1, limit: 5).isEmpty)
    }

    @Test(arguments: TestDatabase.all)
    func publishedBetweenGivesTheDayNewestFirst(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            try await articles.save(input("Сутрин", hoursAgo: 4), now: testNow)  // 08:00 Sofia
            try await articles.save(input("Обед", hoursAgo: 0.5), now: testNow)
            try await articles.save(input("Вчера вечерта", hoursAgo: 13), now: testNow)  // 23:00 the day before
            let midnight = SofiaTime.startOfDay(containing: testNow)
            let today = try await articles.published(from: midnight, to: testNow, limit: 10, now: testNow)
            #expect(today.map(\.title) == ["Обед", "Сутрин"])
        }
    }

    @Test(arguments: TestDatabase.all)
    func aChangedSlugLeavesTheOldOneAsARedirect(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            let id = try await articles.save(input("Старо заглавие"), now: testNow).id
            try await articles.changeSlug(articleID: id, to: "novo-zaglavie")
            #expect(try await articles.article(slug: "staro-zaglavie") == nil)
            #expect(try await articles.currentSlug(forOldSlug: "staro-zaglavie") == "novo-zaglavie")
            try await articles.changeSlug(articleID: id, to: "treto-zaglavie")
            #expect(try await articles.currentSlug(forOldSlug: "staro-zaglavie") == "treto-zaglavie")
            #expect(try await articles.currentSlug(forOldSlug: "novo-zaglavie") == "treto-zaglavie")
            let other = try await articles.save(input("Друго"), now: testNow).id
            await #expect(throws: InvalidInput.self) { try await articles.changeSlug(articleID: other, to: "treto-zaglavie") }
        }
    }

    @Test(arguments: TestDatabase.all)
    func invalidInputIsRefusedWithAReason(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            var bad = input("Заглавие")
            bad.slug = "Not A Slug"
            await #expect(throws: InvalidInput.self) { try await articles.save(bad, now: testNow) }
            var untitled = input("Заглавие")
            untitled.title = "   "
            await #expect(throws: InvalidInput.self) { try await articles.save(untitled, now: testNow) }
            let count = try await articles.count()
            #expect(count == 0)
        }
    }

    @Test(arguments: TestDatabase.all)
    func sectionsKeepTheirOrderAndAvoidReservedSlugs(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let taxonomy = TaxonomyRepository(database: database)
            try await taxonomy.saveSection(name: "Свят", position: 2)
            try await taxonomy.saveSection(name: "България", description: "Новини от страната", position: 1)
            try await taxonomy.saveSection(name: "Tag")
            let sections = try await taxonomy.sections()
            #expect(sections.map(\.slug) == ["bulgaria", "svyat", "tag-section"])
            #expect(sections.first?.description == "Новини от страната")
        }
    }

    @Test(arguments: TestDatabase.all)
    func settingsAreStoredAndReplaced(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let settings = SettingsRepository(database: database)
            #expect(try await settings.value("site.locale") == nil)
            try await settings.set("site.locale", to: "en")
            try await settings.set("site.locale", to: "bg")
            #expect(try await settings.value("site.locale") == "bg")
        }
    }

    @Test(arguments: TestDatabase.all)
    func readersRunInParallelWithAWriter(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 {
                    group.addTask { try await articles.save(input("Статия \(index)", hoursAgo: Double(index + 1)), now: testNow) }
                    group.addTask { _ = try await articles.list(.all, page: PageRequest(), now: testNow) }
                }
                try await group.waitForAll()
            }
            #expect(try await articles.count() == 20)
        }
    }
}
