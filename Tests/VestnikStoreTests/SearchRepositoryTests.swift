import Foundation
import Testing
import VestnikCore
import VestnikTestSupport
@testable import VestnikStore

@Suite struct SearchRepositoryTests {
    static func seed(_ database: Database) async throws {
        let articles = ArticleRepository(database: database)
        var gas = input("Цените на газа скочиха", section: "Икономика", tags: ["енергетика"], hoursAgo: 2)
        gas.bodyHTML = "<p>Газът в Европа поскъпна с 9%, съобщи Reuters.</p>\n<p>Путин заплаши с нови мерки.</p>"
        try await articles.save(gas, now: testNow)
        var budget = input("Бюджетът за учителите", section: "България", tags: ["бюджет"], hoursAgo: 5)
        budget.bodyHTML = "<p>Учителите ще получат повече, а цените на газа остават риск.</p>"
        try await articles.save(budget, now: testNow)
        var old = input("Газови доставки от миналото", section: "Свят", hoursAgo: 24 * 60)
        old.bodyHTML = "<p>Газът отново е тема, но отдавна.</p>"
        try await articles.save(old, now: testNow)
        var draft = input("Чернова за газа", status: .draft)
        draft.bodyHTML = "<p>Газ.</p>"
        try await articles.save(draft, now: testNow)
        var snow = input("Сняг в София", section: "България", hoursAgo: 1, authors: [.init(name: "Боян Илиев")])
        snow.bodyHTML = "<p>Снегът затрупа столицата.</p>"
        try await articles.save(snow, now: testNow)
    }

    func titles(_ database: Database, _ text: String, filters: SearchFilters = SearchFilters()) async throws -> [String] {
        try await SearchRepository(database: database).search(
            try SearchQuery.parse(text), filters: filters, page: PageRequest(), now: testNow
        ).items.map(\.article.title)
    }

    @Test(arguments: TestDatabase.all)
    func findsStemmedWordsRanksTitlesFirstAndHidesDrafts(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            try await Self.seed(database)
            let found = try await titles(database, "газ")
            #expect(found.first == "Цените на газа скочиха")
            // "Газови" is another word (an adjective): never found. "Газът" is газ: the dictionary finds it (in the old
            // story's body); the light stemmer alone (gazat) does not.
            let withGasAt: Set<String> = SearchAnalyzer.shared.lexicon == nil ? [] : ["Газови доставки от миналото"]
            #expect(Set(found) == Set(["Цените на газа скочиха", "Бюджетът за учителите"]).union(withGasAt))
            #expect(!found.contains("Чернова за газа"))
            #expect(try await titles(database, "putin") == ["Цените на газа скочиха"])
            #expect(try await titles(database, "sofia snyag") == ["Сняг в София"])
        }
    }

    @Test(arguments: TestDatabase.all)
    func phrasesExclusionsAndFilters(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            try await Self.seed(database)
            #expect(try await titles(database, "\"цените на газа\"").sorted() == ["Бюджетът за учителите", "Цените на газа скочиха"])
            #expect(try await titles(database, "\"газа цените\"").isEmpty)
            // With the dictionary, газа also finds the old story's "Газът" (the same word).
            let gasAt: Set<String> = SearchAnalyzer.shared.lexicon == nil ? [] : ["Газови доставки от миналото"]
            #expect(Set(try await titles(database, "газа -учители")) == Set(["Цените на газа скочиха"]).union(gasAt))
            let taxonomy = TaxonomyRepository(database: database)
            let bulgaria = try #require(try await taxonomy.section(slug: "bulgaria"))
            #expect(try await titles(database, "газа", filters: SearchFilters(sectionID: bulgaria.id)) == ["Бюджетът за учителите"])
            let author = try #require(try await taxonomy.author(slug: "boyan-iliev"))
            #expect(try await titles(database, "сняг", filters: SearchFilters(authorID: author.id)) == ["Сняг в София"])
            let lastWeek = SearchFilters(from: testNow.addingTimeInterval(-7 * 86_400), until: testNow)
            #expect(try await titles(database, "доставки") == ["Газови доставки от миналото"])
            #expect(!(try await titles(database, "доставки", filters: lastWeek)).contains("Газови доставки от миналото"))
        }
    }

    @Test(arguments: TestDatabase.all)
    func theIndexFollowsEditsInTheSameSave(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            try await Self.seed(database)
            var snow = input("Сняг в София", section: "България", hoursAgo: 1)
            snow.bodyHTML = "<p>Слънце и пролет.</p>"
            snow.title = "Пролет в София"
            try await ArticleRepository(database: database).save(snow, now: testNow)
            #expect(try await titles(database, "пролет") == ["Пролет в София"])
            #expect(try await titles(database, "снегът").isEmpty)
        }
    }

    @Test(arguments: TestDatabase.all)
    func pagesAndCounts(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            for index in 1...12 {
                try await articles.save(input("Новина за газа \(index)", hoursAgo: Double(index)), now: testNow, refreshRelated: false)
            }
            let search = SearchRepository(database: database)
            let second = try await search.search(try SearchQuery.parse("газа"), page: PageRequest(number: 2, size: 5), now: testNow)
            #expect(second.total == 12)
            #expect(second.items.count == 5)
            #expect(second.pageCount == 3)
        }
    }

    /// Words whose terms no article holds: excluded, they exclude nothing; required, nothing matches; beside held
    /// terms of the same word (a lemma alternative the site never printed), they change nothing.
    @Test(arguments: TestDatabase.all)
    func termsNoArticleHoldsChangeNothing(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            try await Self.seed(database)
            let gas = try await titles(database, "газ")
            #expect(!gas.isEmpty)
            #expect(try await titles(database, "газ -qzxwvk") == gas)
            #expect(try await titles(database, "газ qzxwvk").isEmpty)
            let search = SearchRepository(database: database)
            var query = try SearchQuery.parse("газ")
            guard case .term(var word) = query.required[0] else { throw CancellationError() }
            word.terms += ["qzxwvk", "qzxwvj"]
            query.required[0] = .term(word)
            let widened = try await search.search(query, page: PageRequest(), now: testNow)
            #expect(widened.items.map(\.article.title) == gas)
        }
    }
}

/// What outside text can make a search cost: drafts, huge bodies, and whose articles the newsroom's search lists.
@Suite struct SearchBoundsTests {
    /// Drafts are filtered out before the candidates are counted out and ranked: 1,001 newer drafts holding the
    /// word once filled the public search's pool of newest matches and hid the published article.
    @Test(arguments: TestDatabase.all)
    func draftsDoNotCrowdOutPublishedMatches(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            try await articles.save(input("Газ от миналото", hoursAgo: 100), now: testNow, refreshRelated: false)
            let drafts = (0...SearchRepository.newestMatches).map { index in
                var draft = input("Чернова \(index)", status: .draft)
                draft.bodyHTML = "<p>Газ.</p>"
                return draft
            }
            try await articles.saveAll(drafts, now: testNow)
            let search = SearchRepository(database: database)
            let found = try await search.search(try SearchQuery.parse("газ"), page: PageRequest(), now: testNow)
            #expect(found.items.map(\.article.title) == ["Газ от миналото"])
            #expect(found.total == 1)
            // The newsroom's search sees the drafts, but ranks no more than its candidates.
            let newsroom = try await search.search(
                try SearchQuery.parse("газ"), filters: SearchFilters(includeUnpublished: true), page: PageRequest(number: 1, size: 200),
                now: testNow)
            #expect(newsroom.items.count == 200)
            #expect(newsroom.total == SearchRepository.countLimit + 1)
            // A page past the last still tells how many there are (no row carries the count there).
            let past = try await search.search(
                try SearchQuery.parse("газ"), filters: SearchFilters(includeUnpublished: true), page: PageRequest(number: 100, size: 20),
                now: testNow)
            #expect(past.items.isEmpty)
            #expect(past.total == SearchRepository.countLimit + 1)
        }
    }

    /// A body is indexed up to `SearchAnalyzer.maxDocumentWords` words: what comes after is not findable, and a
    /// body of one word repeated costs every search for that word no more than a long article.
    @Test(arguments: TestDatabase.all)
    func aBodyIsIndexedUpToItsLimit(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            var long = input("Дълъг текст")
            long.bodyHTML = "<p>" + String(repeating: "kq ", count: SearchAnalyzer.maxDocumentWords) + "</p>\n<p>Уникалнадума.</p>"
            try await ArticleRepository(database: database).save(long, now: testNow)
            let search = SearchRepository(database: database)
            #expect(try await search.search(try SearchQuery.parse("kq"), page: PageRequest(), now: testNow).total == 1)
            #expect(try await search.search(try SearchQuery.parse("уникалнадума"), page: PageRequest(), now: testNow).total == 0)
        }
    }

    /// A result's text is cut from the first `snippetBodyCharacters` of its body, never inside a tag.
    @Test(arguments: TestDatabase.all)
    func aResultsTextComesFromTheStartOfItsBody(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            var huge = input("Огромен газ")
            // The cut falls just after the `<p` that opens the second paragraph.
            let first = "<p>газ " + String(repeating: "я", count: SearchRepository.snippetBodyCharacters - 14) + "</p>"
            huge.bodyHTML = first + "\n<p>" + String(repeating: "край ", count: 100_000) + "</p>"
            try await ArticleRepository(database: database).save(huge, now: testNow)
            let found = try await SearchRepository(database: database).search(
                try SearchQuery.parse("газ"), page: PageRequest(), now: testNow)
            let text = try #require(found.items.first?.text)
            // Booleans, not the text: a failure must not print 700,000 characters.
            let (length, endsInTheFirstParagraph, reachesTheSecond, holdsATag) =
                (text.count, text.hasSuffix("я"), text.contains("край"), text.contains("<"))
            #expect(length < SearchRepository.snippetBodyCharacters + 100)
            #expect(endsInTheFirstParagraph && !reachesTheSecond && !holdsATag)
        }
    }

    /// The newsroom's search can be kept to the articles one user created (what a contributor may see).
    @Test(arguments: TestDatabase.all)
    func theNewsroomSearchCanBeKeptToItsOwner(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let accounts = AccountRepository(database: database)
            let writer = try await accounts.createUser(
                email: "pisatel@example.bg", name: "Писател", role: .contributor, passwordHash: "x", now: testNow)
            let editor = try await accounts.createUser(
                email: "redaktor@example.bg", name: "Редактор", role: .editor, passwordHash: "x", now: testNow)
            let writes = ArticleWriteService(database: database)
            for (title, user, status) in [
                (("Газ в моята чернова", writer), ArticleStatus.draft), (("Газ в чужда чернова", editor), .draft),
                (("Газ под ембарго", editor), .scheduled), (("Газ, публикуван", editor), .published),
            ].map({ ($0.0.0, $0.0.1, $0.1) }) {
                var draft = input(title, status: status)
                if status == .scheduled { draft.publishedAt = testNow.addingTimeInterval(86_400) }
                _ = try await writes.save(
                    draft, articleID: nil, baseRevision: 0, by: ArticleWriter(userID: user.id, role: user.role), now: testNow)
            }
            let search = SearchRepository(database: database)
            func titles(_ filters: SearchFilters) async throws -> Set<String> {
                Set(
                    try await search.search(try SearchQuery.parse("газ"), filters: filters, page: PageRequest(), now: testNow).items.map(
                        \.article.title))
            }
            #expect(try await titles(SearchFilters(includeUnpublished: true, ownerID: writer.id)) == ["Газ в моята чернова"])
            #expect(try await titles(SearchFilters(includeUnpublished: true)).count == 4)
            #expect(try await titles(SearchFilters()) == ["Газ, публикуван"])
        }
    }
}

@Suite struct RelatedArticlesTests {
    @Test(arguments: TestDatabase.all)
    func choosesBySubjectNeverItselfOrDraftsAndRefreshesOlderLists(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            var war = input("Атака с дронове над Киев", section: "Свят", topic: "Войната в Украйна", tags: ["Украйна"], hoursAgo: 30)
            war.bodyHTML = "<p>Дронове атакуваха Киев през нощта, противовъздушната отбрана свали повечето.</p>"
            try await articles.save(war, now: testNow)
            var football = input("Футболен мач в Пловдив", section: "Спорт", hoursAgo: 2)
            football.bodyHTML = "<p>Голове и зрители на стадиона.</p>"
            try await articles.save(football, now: testNow)
            var draft = input("Чернова за дроновете над Киев", section: "Свят", topic: "Войната в Украйна", status: .draft)
            draft.bodyHTML = war.bodyHTML
            try await articles.save(draft, now: testNow)
            // A newer story on the same subject, in another section, published after the first.
            var energy = input(
                "Удари по енергийни обекти в Украйна", section: "Икономика", topic: "Войната в Украйна", tags: ["Украйна"], hoursAgo: 1)
            energy.bodyHTML = "<p>Нова атака с дронове над Киев остави квартали без ток.</p>"
            try await articles.save(energy, now: testNow)

            let first = try #require(try await articles.article(slug: war.slug))
            let related = try await articles.related(to: first, limit: 5, now: testNow)
            #expect(related.first?.title == "Удари по енергийни обекти в Украйна")
            #expect(!related.contains { $0.id == first.id })
            #expect(!related.contains { $0.title.hasPrefix("Чернова") })
            #expect(Set(related.map(\.id)).count == related.count)
            // The article page reads both in one go, with the same answers.
            let page = try #require(try await articles.article(slug: war.slug, relatedLimit: 5, liveEntries: 10, now: testNow))
            #expect(page.article == first)
            #expect(page.related == related)
            #expect(try await articles.article(slug: "nyama-takava", relatedLimit: 5, liveEntries: 10, now: testNow) == nil)
        }
    }

    @Test func diversityKeepsAtMostTwoOfOneSubjectAndHour() {
        func facts(_ id: Int, topic: Int?, at: Int) -> RelatedArticles.Facts {
            .init(id: id, sectionID: 1, topicID: topic, publishedAt: at, reads: 0, tags: [])
        }
        let scored = [
            (facts(1, topic: 7, at: 1000), 9.0), (facts(2, topic: 7, at: 1200), 8.0), (facts(3, topic: 7, at: 1300), 7.0),
            (facts(4, topic: 8, at: 1300), 6.0), (facts(5, topic: 7, at: 9000), 5.0),
        ]
        #expect(RelatedArticles.diversify(scored).map(\.0.id) == [1, 2, 4, 5])
    }
}

@Suite struct SearchBackfillTests {
    @Test(arguments: TestDatabase.all)
    func articlesSavedBeforeTheIndexExistedAreIndexedByItsMigration(_ kind: TestDatabase) async throws {
        try await kind.with(migrate: false) { database in
            let before = Migrator(migrations: Migrations.all.filter { $0.version < Migrations.searchIndexVersion })
            try await before.migrate(database)
            // Write an article the way the first schema knew, without the search tables.
            try await database.write { db in
                try await db.raw("INSERT INTO sections (slug, name, position) VALUES ('svyat', 'Свят', 1)").run()
                try await db.raw(
                    """
                    INSERT INTO articles (slug, title, lead, body_html, section_id, status, published_at, created_at, updated_at)
                    VALUES ('stara', 'Стара статия за газа', 'Резюме', '<p>Газът поскъпна.</p>', 1, 'published', 1, 1, 1)
                    """
                ).run()
            }
            try await Migrator().migrate(database)
            let found = try await SearchRepository(database: database).search(
                try SearchQuery.parse("газ"), page: PageRequest(), now: testNow)
            #expect(found.items.map(\.article.title) == ["Стара статия за газа"])
        }
    }
}
