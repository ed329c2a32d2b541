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
    @Test func tokenisesLowercasesDropsStopwordsAndStems() {
        #expect(SearchAnalyzer.words("Ким Чен-ун се среща с Путин в 2026!") == ["ким", "чен", "ун", "среща", "путин", "2026"])
        #expect(SearchAnalyzer.terms("Градовете и пътищата") == ["grad", "pat"])
        #expect(BulgarianStopwords.all.count >= 180)
        #expect(BulgarianStopwords.contains("и") && BulgarianStopwords.contains("които") && !BulgarianStopwords.contains("град"))
    }

    @Test func latinQueriesMeetCyrillicText() {
        #expect(SearchAnalyzer.term("putin") == SearchAnalyzer.term("путин"))
        #expect(SearchAnalyzer.term("putina") == SearchAnalyzer.term("путин"))
        #expect(SearchAnalyzer.term("sofia") == SearchAnalyzer.term("софия"))
        #expect(SearchAnalyzer.term("bulgaria") == SearchAnalyzer.term("българия"))
        #expect(SearchAnalyzer.term("evroligata") == SearchAnalyzer.term("евролигата"))
        #expect(SearchAnalyzer.term("shtastie") == SearchAnalyzer.term("щастие"))
    }

    /// A "word" of a million letters is read as its first `maxWordLength` letters, in documents and queries alike.
    @Test func longWordsAreCut() {
        let long = String(repeating: "я", count: 1_000_000)
        let cut = String(repeating: "я", count: SearchAnalyzer.maxWordLength)
        #expect(SearchAnalyzer.words(long + " град") == [cut, "град"])
        #expect(SearchAnalyzer.term(long) == SearchAnalyzer.term(cut))
    }

    /// A document is analysed up to its limit of words (stopwords count), and the rest of it is not read.
    @Test func documentsAreReadUpToTheirLimit() {
        let text = String(repeating: "газ и ", count: 30) + "сняг"
        #expect(SearchAnalyzer.terms(text, limit: 60) == Array(repeating: "gaz", count: 30))
        #expect(SearchAnalyzer.terms(text, limit: 61).last == "snyag")
        #expect(SearchAnalyzer.terms(text) == SearchAnalyzer.terms(text, limit: .max))
    }

    @Test func definiteFormsOfIyaNounsMeet() {
        #expect(SearchAnalyzer.term("инфлация") == SearchAnalyzer.term("инфлацията"))
        #expect(SearchAnalyzer.term("германия") == SearchAnalyzer.term("германията"))
    }
}

@Suite struct SearchQueryTests {
    @Test func readsTermsPhrasesAndExclusions() throws {
        let query = try SearchQuery.parse("бюджет \"цените на газа\" -учители -„зелена надбавка“")
        #expect(query.required == [.term("byudzhet"), .phrase(["tseni", "gaz"])])
        #expect(query.excluded == [.term("uchityal"), .phrase(["zeln", "nadbavk"])])
        #expect(query.highlightTerms == ["byudzhet", "tseni", "gaz"])
    }

    /// A word said twice asks nothing more: a query of one word 166 times is the query of that word (each repeat
    /// once cost the index another walk of that word's positions in every matching article).
    @Test func repeatedClausesCountOnce() throws {
        let repeated = try SearchQuery.parse(Array(repeating: "kq", count: 166).joined(separator: " "))
        #expect(repeated == SearchQuery(required: [.term(SearchAnalyzer.term("kq"))], excluded: []))
        let mixed = try SearchQuery.parse("газа газ \"цените на газа\" „цените на газа“ -сняг -сняг газ -„зелена надбавка“")
        #expect(mixed.required == [.term("gaz"), .phrase(["tseni", "gaz"])])
        #expect(mixed.excluded == [.term("snyag"), .phrase(["zeln", "nadbavk"])])
        // Wanted and unwanted stay apart: "газ -газ" still finds nothing rather than everything with газ.
        let both = try SearchQuery.parse("газ -газ")
        #expect(both.required == [.term("gaz")] && both.excluded == [.term("gaz")])
        // A phrase keeps its repeated words: they are positions.
        #expect(try SearchQuery.parse("\"газ газ\"").required == [.phrase(["gaz", "gaz"])])
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
        #expect(try SearchQuery.parse("\"цените на газа").required == [.phrase(["tseni", "gaz"])])
    }

    @Test func badQueriesSayWhy() {
        #expect(throws: SearchQuery.Problem.empty) { try SearchQuery.parse("   ") }
        #expect(throws: SearchQuery.Problem.tooLong(limit: 500)) { try SearchQuery.parse(String(repeating: "а", count: 501)) }
        #expect(throws: SearchQuery.Problem.nothingToFind) { try SearchQuery.parse("-газ") }
        #expect(throws: SearchQuery.Problem.nothingToFind) { try SearchQuery.parse("и на в \"\" - --") }
    }
}

@Suite struct SearchSnippetTests {
    @Test func marksMatchedWordsAndEscapes() {
        let html = SearchSnippet.html("Цените на газа <скочиха> днес.", terms: ["gaz"])
        #expect(html == "Цените на <mark>газа</mark> &lt;скочиха&gt; днес.")
    }

    /// Only the first `scannedWords` words are read: a match past them is not looked for, and the text is cut.
    @Test func readsOnlyTheStartOfAHugeText() {
        let filler = (1...SearchSnippet.scannedWords).map { "дума\($0 % 100)" }.joined(separator: " ")
        let html = SearchSnippet.html(filler + " газа", terms: ["gaz"], maxWords: 10)
        #expect(!html.contains("<mark>"))
        #expect(html.hasPrefix("дума1 дума2 "))
        #expect(html.hasSuffix(" …"))
    }

    /// A body of one word a million times: every word a hit, and still the first window, every word marked.
    @Test func aMillionHitsGiveTheFirstWindow() {
        let html = SearchSnippet.html(String(repeating: "газа ", count: 1_000_000), terms: ["gaz"], maxWords: 3)
        #expect(html == "<mark>газа</mark> <mark>газа</mark> <mark>газа</mark> …")
    }

    /// A "word" of 150,000 letters shows as its first `maxPieceLength` letters, not as the whole of it.
    @Test func hugeWordsAreCut() {
        let html = SearchSnippet.html("газа " + String(repeating: "я", count: 150_000) + " край", terms: ["gaz"])
        #expect(html == "<mark>газа</mark> " + String(repeating: "я", count: SearchSnippet.maxPieceLength) + " край")
    }

    /// The window with the most hits, found by a sliding window, is the one a direct count of every window gives.
    @Test func choosesTheDensestWindow() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let words = (0..<Int.random(in: 1...120, using: &random)).map { _ in Bool.random(using: &random) ? "газа" : "сняг" }
            let maxWords = Int.random(in: 1...6, using: &random)
            let html = SearchSnippet.html(words.joined(separator: " "), terms: ["gaz"], maxWords: maxWords)
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
        let html = SearchSnippet.html(text, terms: ["gaz"], maxWords: 10)
        #expect(html.hasPrefix("… "))
        #expect(html.hasSuffix(" …"))
        #expect(html.contains("<mark>газа</mark>"))
    }
}
