import Testing
@testable import VestnikCore

@Suite struct BulgarianStemmerTests {
    /// REFERENCE §3's examples, then pairs worked by hand through the rules (step by step in the comment).
    @Test(arguments: [
        ("градовете", "град"), ("пътищата", "път"), ("собствениците", "собственик"), ("подлозите", "подлог"),
        ("красивият", "красив"), ("мъжът", "мъжът"),
        ("град", "град"),  // n = 4: only steps 4–6 apply, none matches
        ("ски", "ски"),  // n < 4: unchanged
        ("градът", "град"),  // article -ът
        ("градове", "град"),  // plural -ове (n > 6)
        ("бюджета", "бюдж"),  // article -та, then final -е dropped in step 4
        ("ученици", "ученик"),  // plural -ци → к
        ("пътници", "пътник"),
        ("орехи", "орех"),  // plural -и (n > 4)
        ("стихове", "стих"),
        ("учителите", "учитял"),  // article -те, then е…и → я (Savoy's rule, kept exactly)
        ("войната", "войн"),  // article -та, then -а
        ("президентът", "президент"),
        ("новините", "новин"),
        ("министрите", "министр"),
        ("министърът", "министр"),  // step 6: ъ before the last letter goes
        ("кореята", "кор"),  // article -та, then -я, then -е
        ("българия", "българ"),  // article -ия
        ("жените", "жени"),  // article -те leaves жени (n = 4): too short for the plural rules
        ("летища", "лет"),  // step 1: -ища
        ("момчета", "момч"),  // plural -та (n > 5), then final -е
        ("братовчеди", "братовчяд"),  // е…и → я
        ("книгите", "книг"),
        ("царевци", "царевк"),
        ("героите", "гер"),  // article -те, plural -и, final -о
    ])
    func stems(_ pair: (String, String)) {
        #expect(BulgarianStemmer.stem(pair.0) == pair.1, "\(pair.0)")
    }
}

@Suite struct SearchAnalyzerTests {
    /// The site's analyser (with the dictionary where hunspell-bg is installed) and the light stemmer alone.
    static let analyzers = [SearchAnalyzer.shared, SearchAnalyzer.light]

    @Test func tokenisesLowercasesDropsStopwordsAndStems() {
        #expect(SearchAnalyzer.words("Ким Чен-ун се среща с Путин в 2026!") == ["ким", "чен", "ун", "среща", "путин", "2026"])
        #expect(SearchAnalyzer.light.terms("Градовете и пътищата") == ["grad", "pat"])
        #expect(BulgarianStopwords.all.count >= 180)
        #expect(BulgarianStopwords.contains("и") && BulgarianStopwords.contains("които") && !BulgarianStopwords.contains("град"))
    }

    @Test(arguments: analyzers)
    func latinQueriesMeetCyrillicText(_ analyzer: SearchAnalyzer) {
        func meet(_ latin: String, _ cyrillic: String) -> Bool {
            analyzer.alternatives(analyzer.analyse(latin)).contains(analyzer.term(cyrillic))
        }
        #expect(meet("putin", "путин"))
        #expect(meet("putina", "путин"))
        #expect(meet("sofia", "софия"))
        #expect(meet("bulgaria", "българия"))
        #expect(meet("evroligata", "евролигата"))
        #expect(meet("shtastie", "щастие"))
    }

    /// A "word" of a million letters is read as its first `maxWordLength` letters, in documents and queries alike.
    @Test(arguments: analyzers)
    func longWordsAreCut(_ analyzer: SearchAnalyzer) {
        let long = String(repeating: "я", count: 1_000_000)
        let cut = String(repeating: "я", count: SearchAnalyzer.maxWordLength)
        #expect(SearchAnalyzer.words(long + " град") == [cut, "град"])
        #expect(analyzer.term(long) == analyzer.term(cut))
    }

    /// A document is analysed up to its limit of words (stopwords count), and the rest of it is not read.
    @Test(arguments: analyzers)
    func documentsAreReadUpToTheirLimit(_ analyzer: SearchAnalyzer) {
        let text = String(repeating: "газ и ", count: 30) + "сняг"
        #expect(analyzer.terms(text, limit: 60) == Array(repeating: "gaz", count: 30))
        #expect(analyzer.terms(text, limit: 61).last == "snyag")
        #expect(analyzer.terms(text) == analyzer.terms(text, limit: .max))
    }

    @Test(arguments: analyzers)
    func definiteFormsOfIyaNounsMeet(_ analyzer: SearchAnalyzer) {
        #expect(analyzer.term("инфлация") == analyzer.term("инфлацията"))
        #expect(analyzer.term("германия") == analyzer.term("германията"))
    }
}

/// The own term of each word of each clause.
func terms(_ clauses: [SearchQuery.Clause]) -> [[String]] { clauses.map { $0.words.map(\.term) } }

@Suite struct SearchQueryTests {
    @Test func readsTermsPhrasesAndExclusions() throws {
        let query = try SearchQuery.parse("бюджет \"цените на газа\" -учители -„зелена надбавка“", analyzer: .light)
        #expect(terms(query.required) == [["byudzhet"], ["tseni", "gaz"]])
        #expect(terms(query.excluded) == [["uchityal"], ["zeln", "nadbavk"]])
        #expect(query.highlightTerms == ["byudzhet", "tseni", "gaz"])
        #expect(query.required[0].words[0].form == "byudzhet" && query.required[1].words[0].form == "tsenite")
    }

    /// A word said twice asks nothing more: a query of one word 166 times is the query of that word (each repeat
    /// once cost the index another walk of that word's positions in every matching article).
    @Test(arguments: SearchAnalyzerTests.analyzers)
    func repeatedClausesCountOnce(_ analyzer: SearchAnalyzer) throws {
        let repeated = try SearchQuery.parse(Array(repeating: "kq", count: 166).joined(separator: " "), analyzer: analyzer)
        #expect(terms(repeated.required) == [[analyzer.term("kq")]] && repeated.excluded.isEmpty)
        let mixed = try SearchQuery.parse(
            "газа газа \"цените на газа\" „цените на газа“ -сняг -сняг газа -„зелена надбавка“", analyzer: analyzer)
        let (gas, prices, snow) = (analyzer.term("газ"), analyzer.term("цените"), analyzer.term("сняг"))
        #expect(terms(mixed.required) == [[analyzer.term("газа")], [prices, analyzer.term("газа")]])
        #expect(terms(mixed.excluded) == [[snow], [analyzer.term("зелена"), analyzer.term("надбавка")]])
        // Wanted and unwanted stay apart: "газ -газ" still finds nothing rather than everything with газ.
        let both = try SearchQuery.parse("газ -газ", analyzer: analyzer)
        #expect(terms(both.required) == [[gas]] && terms(both.excluded) == [[gas]])
        // A phrase keeps its repeated words: they are positions.
        #expect(terms(try SearchQuery.parse("\"газ газ\"", analyzer: analyzer).required) == [[gas, gas]])
    }

    @Test func atMostSixteenDistinctTerms() throws {
        let words = (1...17).map { "дума\($0)" }
        #expect(SearchQuery.maximumTerms == 16)
        #expect(try SearchQuery.parse(words.prefix(16).joined(separator: " ")).required.count == 16)
        // Repeats are free, and phrase and excluded words count.
        #expect(try SearchQuery.parse((words.prefix(16) + words.prefix(16)).joined(separator: " ")).required.count == 16)
        #expect(throws: SearchQuery.Problem.tooManyTerms(limit: 16)) { try SearchQuery.parse(words.joined(separator: " ")) }
        #expect(throws: SearchQuery.Problem.tooManyTerms(limit: 16)) {
            try SearchQuery.parse(words.prefix(15).joined(separator: " ") + " \"" + words[15] + " " + words[16] + "\"")
        }
        #expect(throws: SearchQuery.Problem.tooManyTerms(limit: 16)) {
            try SearchQuery.parse(words.prefix(16).joined(separator: " ") + " -" + words[16])
        }
    }

    @Test func unbalancedQuotesRunToTheEnd() throws {
        #expect(terms(try SearchQuery.parse("\"цените на газа", analyzer: .light).required) == [["tseni", "gaz"]])
    }

    @Test func badQueriesSayWhy() {
        #expect(throws: SearchQuery.Problem.empty) { try SearchQuery.parse("   ") }
        #expect(throws: SearchQuery.Problem.tooLong(limit: 500)) { try SearchQuery.parse(String(repeating: "а", count: 501)) }
        #expect(throws: SearchQuery.Problem.nothingToFind) { try SearchQuery.parse("-газ") }
        #expect(throws: SearchQuery.Problem.nothingToFind) { try SearchQuery.parse("и на в \"\" - --") }
    }
}

@Suite struct SearchSnippetTests {
    /// What a search for газ highlights (with the dictionary: газ and the forms it shares, газа among them).
    static let gas = try! SearchQuery.parse("газ").highlightTerms

    @Test func marksMatchedWordsAndEscapes() {
        let html = SearchSnippet.html("Цените на газа <скочиха> днес.", terms: Self.gas)
        #expect(html == "Цените на <mark>газа</mark> &lt;скочиха&gt; днес.")
    }

    /// Only the first `scannedWords` words are read: a match past them is not looked for, and the text is cut.
    @Test func readsOnlyTheStartOfAHugeText() {
        let filler = (1...SearchSnippet.scannedWords).map { "дума\($0 % 100)" }.joined(separator: " ")
        let html = SearchSnippet.html(filler + " газа", terms: Self.gas, maxWords: 10)
        #expect(!html.contains("<mark>"))
        #expect(html.hasPrefix("дума1 дума2 "))
        #expect(html.hasSuffix(" …"))
    }

    /// A body of one word a million times: every word a hit, and still the first window, every word marked.
    @Test func aMillionHitsGiveTheFirstWindow() {
        let html = SearchSnippet.html(String(repeating: "газа ", count: 1_000_000), terms: Self.gas, maxWords: 3)
        #expect(html == "<mark>газа</mark> <mark>газа</mark> <mark>газа</mark> …")
    }

    /// A "word" of 150,000 letters shows as its first `maxPieceLength` letters, not as the whole of it.
    @Test func hugeWordsAreCut() {
        let html = SearchSnippet.html("газа " + String(repeating: "я", count: 150_000) + " край", terms: Self.gas)
        #expect(html == "<mark>газа</mark> " + String(repeating: "я", count: SearchSnippet.maxPieceLength) + " край")
    }

    /// The window with the most hits, found by a sliding window, is the one a direct count of every window gives.
    @Test func choosesTheDensestWindow() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let words = (0..<Int.random(in: 1...120, using: &random)).map { _ in Bool.random(using: &random) ? "газа" : "сняг" }
            let maxWords = Int.random(in: 1...6, using: &random)
            let html = SearchSnippet.html(words.joined(separator: " "), terms: Self.gas, maxWords: maxWords)
            // The direct count over word pieces (a word and its space are two pieces, as the snippet counts them).
            let hits = words.indices.filter { words[$0] == "газа" }.map { $0 * 2 }
            var best = 0
            var bestCount = -1
            for hit in hits {
                let count = hits.filter { $0 >= hit && $0 < hit + maxWords * 2 }.count
                if count > bestCount { (best, bestCount) = (hit, count) }
            }
            let first = max(0, best - 8)
            let shown = (first..<min(words.count * 2 - 1, first + maxWords * 2)).filter { $0 % 2 == 0 }.map { words[$0 / 2] }
            let expected =
                (first > 0 ? "… " : "")
                + shown.map { $0 == "газа" ? "<mark>газа</mark>" : $0 }.joined(separator: " ")
                + (first + maxWords * 2 < words.count * 2 - 1 ? " …" : "")
            #expect(html == expected, "\(words) \(maxWords)")
        }
    }

    @Test func cutsAroundTheMatch() {
        let text = (1...100).map { "дума\($0)" }.joined(separator: " ") + " газа " + (1...100).map { "край\($0)" }.joined(separator: " ")
        let html = SearchSnippet.html(text, terms: Self.gas, maxWords: 10)
        #expect(html.hasPrefix("… "))
        #expect(html.hasSuffix(" …"))
        #expect(html.contains("<mark>газа</mark>"))
    }
}

/// Words and plain text are read scalar by scalar when every scalar is a character of its own; the result must be
/// what reading by characters gives, and any other text must be read by characters.
@Suite struct ScalarReadingTests {
    static let texts = [
        "Министърът на финансите „обясни“ – бюджетът за 2027 г. е 42,5 млрд. лв… (или €21 млрд.)",
        "Café naïve ½ ª º µ ² № 5 ™ — \u{00A0}нов\u{00A0}ред\r\nи\tтаб\u{2028}край\u{200B}нула",
        "ЁЖИК ѝ Ѝ ЀЁЂ џ Ѣ ѣ Ѫ ѫ IBM-ът и НАТО: «цитат» · § 3 ¶",
        "е\u{301}кзотика с ударение и емоджи 👍🏽 и 👨‍👩‍👧",
        "ZWJ\u{200D}joined и ZWNJ\u{200C}word; комбинирана\u{0483} буква",
        "  водещи   и   крайни   интервали  ",
        String(repeating: "ДългаДУМАЁЀЏ", count: 8) + " İSTANBUL Straße ÀÉÎ KELVIN\u{212A} ÅNGSTRÖM\u{212B} ПРЕДИ",
        "управляващи\u{1C}знаци\u{7F}и\u{0B}\u{0C}\u{85}разделители\u{1F}тук\u{0}",
        "",
    ]

    @Test(arguments: texts)
    func wordsAreTheSameByScalarsAndByCharacters(_ text: String) {
        #expect(SearchAnalyzer.words(text) == SearchAnalyzer.characterWords(text, limit: .max))
        #expect(SearchAnalyzer.words(text, limit: 3) == SearchAnalyzer.characterWords(text, limit: 3))
        // No tag or entity in these: the byte-level plain text only collapses their white space, as Characters do.
        #expect(ArticleBody.plainText(text) == text.split(whereSeparator: \.isWhitespace).joined(separator: " "))
        // The sanitizer's white space collapsing, and the slug check that spares a slug its transliteration.
        for keepEdges in [false, true] {
            #expect(BlockWriter.collapse(text, keepEdges: keepEdges) == BlockWriter.collapsedCharacters(text, keepEdges: keepEdges))
        }
        let slug = Slug.make(text)
        #expect(Slug.isSlug(slug) == !slug.isEmpty)
        #expect(Slug.make(slug) == slug)
    }

    @Test func aSlugIsRecognisedOnlyWhenMakingItChangesNothing() {
        for text in ["a", "abc-123", "a-b-c", "-a", "a-", "a--b", "A-b", "а-б", "a_b", "a b", "", "-", "9"] {
            #expect(Slug.isSlug(text) == (!text.isEmpty && Slug.make(text) == text), "\(text)")
        }
    }

    @Test func textsWithCombiningMarksJoinersOrEmojiAreReadByCharacters() {
        #expect(SearchAnalyzer.scalarWords(Self.texts[3], limit: .max) == nil)
        #expect(SearchAnalyzer.scalarWords(Self.texts[4], limit: .max) == nil)
        #expect(SearchAnalyzer.scalarWords(Self.texts[0], limit: .max) != nil)
        #expect(SearchAnalyzer.scalarWords(Self.texts[1], limit: .max) != nil)
    }
}
