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

    @Test func cutsAroundTheMatch() {
        let text = (1...100).map { "дума\($0)" }.joined(separator: " ") + " газа " + (1...100).map { "край\($0)" }.joined(separator: " ")
        let html = SearchSnippet.html(text, terms: ["gaz"], maxWords: 10)
        #expect(html.hasPrefix("… "))
        #expect(html.hasSuffix(" …"))
        #expect(html.contains("<mark>газа</mark>"))
    }
}
