import Foundation
import Testing
import VestnikTestSupport
@testable import VestnikCore

/// The Hunspell reader, on small dictionaries written here (in the format of Debian's bg_BG files).
@Suite struct BulgarianLexiconTests {
    static let aff = """
        SET UTF-8
        TRY абв

        SFX A Y 4
        SFX A   0         а         .
        SFX A   0         ът        .
        SFX A   0         и         .
        SFX A   0         ите       .

        SFX B Y 3
        SFX B   а         ата       .
        SFX B   а         и         .
        SFX B   а         ите       [^щ]а

        SFX C Y 2
        SFX C   о         а         .
        SFX C   0         то        .

        PFX P Y 1
        PFX P   0         най       .
        """
    static let dic = """
        5
        Бюджет/A
        цена/B
        хор/A
        хоро/C
        добър/P
        """

    static func lexicon() throws -> BulgarianLexicon {
        try BulgarianLexicon(aff: Array(aff.utf8), dic: Array(dic.utf8))
    }

    @Test func formsLeadToTheirLemmas() throws {
        let lexicon = try Self.lexicon()
        #expect(lexicon.wordCount == 5)
        #expect(lexicon.lemmas(of: "бюджети") == ["бюджет"])
        #expect(lexicon.lemmas(of: "бюджетът") == ["бюджет"])
        #expect(lexicon.lemmas(of: "бюджет") == ["бюджет"])  // a capitalised entry is read in lowercase
        #expect(lexicon.lemmas(of: "цените") == ["цена"])
        #expect(lexicon.lemmas(of: "цената") == ["цена"])
        #expect(lexicon.lemmas(of: "найдобър") == ["добър"])
        #expect(lexicon.lemmas(of: "бюджетове").isEmpty)
        #expect(lexicon.lemmas(of: "").isEmpty)
    }

    /// хора is a form of хор (plural with -а) and of хоро (-о → -а): both lemmas.
    @Test func aFormOfSeveralWordsHasEveryLemma() throws {
        let lexicon = try Self.lexicon()
        #expect(lexicon.lemmas(of: "хора") == ["хор", "хоро"])
        #expect(lexicon.forms(of: "хоро") == ["хоро", "хора", "хорото"])
        #expect(lexicon.forms(of: "хор") == ["хор", "хора", "хорът", "хори", "хорите"])
    }

    /// A rule applies only where the word ends in what it strips and meets its condition.
    @Test func stripsAndConditionsAreKept() throws {
        let lexicon = try BulgarianLexicon(
            aff: Array(Self.aff.utf8), dic: Array("2\nпеща/B\nкаса/B\n".utf8))
        #expect(lexicon.lemmas(of: "пещите").isEmpty)  // [^щ]а: not after щ
        #expect(lexicon.lemmas(of: "касите") == ["каса"])
        #expect(lexicon.lemmas(of: "пещи") == ["пеща"])
        // хор/B would strip an а it does not end in: no form.
        let strict = try BulgarianLexicon(aff: Array(Self.aff.utf8), dic: Array("хор/B\n".utf8))
        #expect(strict.formCount == 1)
    }

    @Test func longAndNumericFlags() throws {
        let long = try BulgarianLexicon(
            aff: Array("SET UTF-8\nFLAG long\nSFX Ab Y 1\nSFX Ab 0 и .\n".utf8), dic: Array("1\nград/Ab\n".utf8))
        #expect(long.lemmas(of: "гради") == ["град"])
        let numeric = try BulgarianLexicon(
            aff: Array("SET UTF-8\nFLAG num\nSFX 12 Y 1\nSFX 12 0 ове .\n".utf8), dic: Array("1\nград/7,12\n".utf8))
        #expect(numeric.lemmas(of: "градове") == ["град"])
    }

    @Test func badFilesSayWhy() {
        #expect(throws: BulgarianLexicon.LoadError.malformed("only UTF-8 dictionaries are read (SET UTF-8)")) {
            try BulgarianLexicon(aff: Array("SET KOI8-R\n".utf8), dic: [])
        }
        #expect(throws: BulgarianLexicon.LoadError.malformed("an affix condition opens [ without ]")) {
            try BulgarianLexicon(aff: Array("SFX A Y 1\nSFX A 0 а [бв\n".utf8), dic: [])
        }
        #expect(throws: BulgarianLexicon.LoadError.self) { try BulgarianLexicon(path: "/nonexistent/bg_BG") }
        // Junk is no dictionary, and no crash: every line that is not a rule or a word is skipped.
        let junk = (try? BulgarianLexicon(aff: Array(repeating: 0xFF, count: 1000), dic: Array("/\n\t\n//x\n".utf8)))
        #expect(junk?.wordCount == 0)
    }

    @Test func aMissingDictionaryLeavesTheLightStemmer() {
        let absent = BulgarianDictionary.load("/nonexistent/bg_BG")
        #expect(absent.lexicon == nil)
        #expect(absent.summary.contains("light stemmer only"))
        #expect(BulgarianDictionary.load("none").lexicon == nil)
    }
}

/// Search with the system's dictionary (Debian's hunspell-bg, installed by .ci/run): skipped, and says so, where it
/// is absent.
@Suite(.enabled(if: SearchAnalyzer.shared.lexicon != nil, "needs /usr/share/hunspell/bg_BG.dic: apt-get install hunspell-bg"))
struct DictionaryAnalysisTests {
    let analyzer = SearchAnalyzer.shared
    let judged = try! LemmaFamilies()

    func finds(_ query: String, _ text: String) -> Bool {
        analyzer.alternatives(analyzer.analyse(query)).contains(analyzer.term(text))
    }

    /// The examples: every form of the word finds every other.
    @Test func everyFormFindsEveryOther() {
        #expect(finds("бюджети", "бюджет") && finds("бюджет", "бюджетите"))
        #expect(finds("училища", "училище") && finds("училище", "училищата"))
        #expect(finds("самолети", "самолета") && finds("самолетът", "самолети"))
        #expect(finds("цените", "цена") && finds("трамваите", "трамвай"))
    }

    /// The families written out by hand: every form finds every other.
    @Test func theHandCheckedFamiliesMeet() {
        #expect(judged.checked.count >= 30)
        for family in judged.checked {
            for query in family {
                for text in family where text != query { #expect(finds(query, text), "\(query) → \(text)") }
            }
        }
    }

    /// Different words that the light stemmer puts under one stem do not find each other.
    @Test func differentWordsStayApart() {
        #expect(judged.confusable.count >= 15)
        for pair in judged.confusable {
            #expect(SearchAnalyzer.light.term(pair[0]) == SearchAnalyzer.light.term(pair[1]), "\(pair): not a light-stem pair")
            #expect(!finds(pair[0], pair[1]) && !finds(pair[1], pair[0]), "\(pair)")
        }
    }

    /// хора is a form of хор, of хоро and (by hand) of човек: a query for any of them finds it, and хора finds each.
    @Test func aFormOfSeveralLemmasIsFoundByEach() {
        for lemma in ["хор", "хоро", "човек"] {
            #expect(finds(lemma, "хора"), "\(lemma)")
            #expect(finds("хора", lemma), "\(lemma)")
        }
        #expect(!finds("хоро", "хорове"))
    }

    /// Words the dictionary does not know (names, new words) keep the light stemmer.
    @Test func unknownWordsFallBackToTheLightStem() {
        let word = "ковидизацията"
        #expect(analyzer.analyse(word).lemmas.isEmpty)
        #expect(analyzer.term(word) == SearchAnalyzer.light.term(word))
    }

    /// At least 300 judged lemma families, nearly all known to the dictionary, and every form pair of each meets.
    @Test func theJudgedFamiliesMeet() throws {
        let lexicon = try #require(analyzer.lexicon)
        #expect(judged.lemmas.count >= 300)
        let families = judged.lemmas.map { (lemma: $0, forms: lexicon.forms(of: $0)) }.filter { !$0.forms.isEmpty }
        #expect(families.count >= 300)
        var found = 0
        var pairs = 0
        for family in families {
            let analysed = family.forms.map { analyzer.analyse($0) }
            for (q, query) in analysed.enumerated() {
                let wanted = Set(analyzer.alternatives(query))
                for (t, text) in analysed.enumerated() where t != q {
                    pairs += 1
                    if wanted.contains(text.term) { found += 1 }
                }
            }
        }
        #expect(Double(found) / Double(pairs) >= 0.99, "\(found) of \(pairs)")
    }
}
