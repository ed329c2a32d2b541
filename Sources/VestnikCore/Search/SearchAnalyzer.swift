import Foundation

/// Turns text into search terms, the same way for documents and queries: tokenise (Unicode letters and digits),
/// lowercase, drop Bulgarian stopwords, map each word to its lemmas through the Bulgarian dictionary
/// (`BulgarianLexicon`) or, for a word it does not know, stem it with `BulgarianStemmer`, and spell the result in
/// Latin letters.
///
/// Spelling every term in Latin (by the Transliteration Act) puts Cyrillic and Latin text in one space: a reader who
/// types `putin` finds `Путин`, because a Latin query word is first read back into Cyrillic, analysed, and spelled
/// in Latin again.
///
/// A word has one term, kept at its position so phrases match: its lemma (училища → uchilishte); a form of several
/// lemmas gets one term for the set (хора → khor0khoro), which a query for any of them also asks for; a word the
/// dictionary does not know gets its light stem. Its exact form (`Analysis.form`) is indexed beside, so that an
/// exact match ranks above a match of another form.
public struct SearchAnalyzer: Sendable, CustomStringConvertible {
    /// A longer run of letters is cut to this many (the longest Bulgarian words have about 30): the stemmer and the
    /// Latin reading never see a "word" of a million letters.
    public static let maxWordLength = 64
    /// The words of a document analysed for the index: its first 20,000 (a long read is 3,000–8,000). Past it a
    /// body is not indexed, so a body of one word repeated costs the index, and every search that reads it, no
    /// more than a long article.
    public static let maxDocumentWords = 20_000
    /// Joins the Latin lemmas of a form of several lemmas into one term (terms are otherwise letters and digits of
    /// words, and no word has a digit between letters of a lemma).
    static let lemmaJoiner = "0"
    /// A query word asks for at most this many terms: its lemmas and the shared forms' terms (the dictionary's worst
    /// lemma has five); more would only cost the index.
    static let maxAlternatives = 12

    /// Definite articles, longest first.
    static let articles = ["ът", "ят", "та", "то", "те", "а", "я"]

    /// nil: the light stemmer alone.
    public let lexicon: BulgarianLexicon?
    /// The analyses of words this analyser has seen, shared by every text it analyses: a newsroom's vocabulary
    /// repeats from article to article, and looking a word up in the dictionary (its readings, lemmas, their Latin
    /// spelling) costs far more than finding it here. An analysis depends on the word and the dictionary only.
    private let memo = AnalysisMemo()

    public init(lexicon: BulgarianLexicon?) { self.lexicon = lexicon }

    /// The light stemmer alone, as before the dictionary (and wherever it is not installed).
    public static let light = SearchAnalyzer(lexicon: nil)
    /// The site's analyser: the system dictionary (`BulgarianDictionary.system`) when it is there.
    public static let shared = SearchAnalyzer(lexicon: BulgarianDictionary.system.lexicon)

    /// What the index records it was built with: an index built by another analyser is rebuilt.
    public var identity: String { lexicon?.identity ?? "light" }

    public var description: String { identity }

    /// What one word is for the index.
    public struct Analysis: Sendable, Hashable {
        /// The term at the word's position.
        public var term: String
        /// The word as written, in Latin letters.
        public var form: String
        /// Its Cyrillic lemmas; empty for a word the dictionary does not know.
        public var lemmas: [String]
        /// The word to show for the term (a lemma, or the word itself).
        public var display: String
        /// The word as given (lowercase, cut at `maxWordLength`).
        public var typed: String
    }

    /// The words of `text` in order, lowercased, with stopwords removed; at most `limit` of them (counted before
    /// stopwords are dropped), the rest of the text is not read.
    public static func words(_ text: String, limit: Int = .max) -> [String] {
        scalarWords(text, limit: limit) ?? characterWords(text, limit: limit)
    }

    /// `words`, character by character (any text).
    static func characterWords(_ text: String, limit: Int) -> [String] {
        var words: [String] = []
        var current = ""
        var length = 0
        var count = 0
        func finish() {
            let word = current.lowercased()
            if !BulgarianStopwords.contains(word) { words.append(word) }
            current = ""
            length = 0
            count += 1
        }
        for character in text {
            if character.isLetter || character.isNumber {
                if length < maxWordLength { current.append(character) }
                length += 1
            } else if length > 0 {
                finish()
                if count >= limit { return words }
            }
        }
        if length > 0 { finish() }
        return words
    }

    /// `words` read scalar by scalar, for a text whose every scalar is a character of its own (Latin and Cyrillic
    /// letters, digits, punctuation, spaces, currency and letter-like signs: no combining marks, joiners or emoji),
    /// which is nearly every news text; nil for any other text (`words` then reads it by characters). Finding
    /// character boundaries cost more than the rest of the analysis of a plain text. A word is cut from the text in
    /// one piece, and one of ASCII and Cyrillic letters and digits is lowercased here (their mappings are one to one);
    /// any other goes through `lowercased()`. Its stopword test compares bytes (`ByteKey`): such a word has no
    /// decomposed letters, so equal bytes are what equal strings are.
    static func scalarWords(_ text: String, limit: Int) -> [String]? {
        var words: [String] = []
        let scalars = text.unicodeScalars
        var start = scalars.startIndex
        var cut = start
        var length = 0
        // The word so far (its first `maxWordLength` scalars) has a capital, or a letter lowercased by the library.
        var upper = false
        var other = false
        var count = 0
        func word() -> String {
            let slice = scalars[start..<cut]
            if other { return String(Substring(slice)).lowercased() }
            guard upper else { return String(Substring(slice)) }
            var lowered = String.UnicodeScalarView()
            for scalar in slice {
                switch scalar.value {
                case 0x41...0x5A, 0x410...0x42F: lowered.append(Unicode.Scalar(scalar.value + 0x20)!)
                case 0x400...0x40F: lowered.append(Unicode.Scalar(scalar.value + 0x50)!)
                default: lowered.append(scalar)
                }
            }
            return String(lowered)
        }
        var index = scalars.startIndex
        while index < scalars.endIndex {
            let scalar = scalars[index]
            let inWord: Bool
            var capital = false
            var unusual = false
            switch scalar.value {
            case 0x30...0x39, 0x61...0x7A, 0x430...0x45F: inWord = true
            case 0x41...0x5A, 0x400...0x42F:
                inWord = true
                capital = true
            case 0x20...0x7E: inWord = false
            default:
                guard scalar.standsAlone else { return nil }
                let character = Character(scalar)
                inWord = character.isLetter || character.isNumber
                unusual = true
            }
            if inWord {
                if length == 0 {
                    start = index
                    upper = false
                    other = false
                }
                if length < maxWordLength {
                    upper = upper || capital
                    other = other || unusual
                    cut = scalars.index(after: index)
                }
                length += 1
            } else if length > 0 {
                let found = word()
                if !stopwordBytes.contains(ByteKey(found)) { words.append(found) }
                length = 0
                count += 1
                if count >= limit { return words }
            }
            index = scalars.index(after: index)
        }
        if length > 0 {
            let found = word()
            if !stopwordBytes.contains(ByteKey(found)) { words.append(found) }
        }
        return words
    }

    /// `BulgarianStopwords`, compared by bytes (`scalarWords`).
    static let stopwordBytes = Set(BulgarianStopwords.all.map(ByteKey.init))

    /// The search term of one lowercase word, by the site's analyser.
    public static func term(_ word: String) -> String { shared.term(word) }

    /// The terms of `text` by the site's analyser.
    public static func terms(_ text: String, limit: Int = .max) -> [String] { shared.terms(text, limit: limit) }

    /// The search term of one lowercase word.
    public func term(_ word: String) -> String { analyse(word).term }

    /// One lowercase word for the index.
    public func analyse(_ word: String) -> Analysis {
        let word = word.utf8.count > Self.maxWordLength ? String(word.prefix(Self.maxWordLength)) : word
        let isCyrillic = word.unicodeScalars.contains { (0x0400...0x04FF).contains($0.value) }
        let form = Self.latin(word)
        let lemmas = lexicon.map { self.lemmas(of: word, isCyrillic: isCyrillic, in: $0) } ?? []
        if !lemmas.isEmpty {
            var latin: [String] = []
            for lemma in lemmas {
                let spelled = Self.lemmaTerm(lemma)
                if !spelled.isEmpty, !latin.contains(spelled) { latin.append(spelled) }
            }
            if !latin.isEmpty {
                return Analysis(
                    term: latin.sorted().joined(separator: Self.lemmaJoiner), form: form, lemmas: lemmas, display: lemmas[0],
                    typed: word)
            }
        }
        return Analysis(
            term: Self.stemTerm(word, isCyrillic: isCyrillic), form: form, lemmas: [], display: word,
            typed: word)
    }

    /// The lemmas of a lowercase word (of each Cyrillic reading of a Latin one).
    func lemmas(of word: String, isCyrillic: Bool, in lexicon: BulgarianLexicon) -> [String] {
        var found: [String] = []
        for reading in isCyrillic ? [word] : Self.cyrillicReadings(word) {
            for lemma in Self.lemmas(of: reading, in: lexicon) where !found.contains(lemma) { found.append(lemma) }
        }
        // The dictionary lists names without their definite forms (Германия, not Германията): a word it does not know
        // is read as a known word with the article on.
        if found.isEmpty, isCyrillic {
            for article in Self.articles where word.count > article.count + 2 && word.hasSuffix(article) {
                found = Self.lemmas(of: String(word.dropLast(article.count)), in: lexicon)
                if !found.isEmpty { break }
            }
        }
        return found
    }

    /// The terms a query word asks for: its own; each of its lemmas; and the term of every form that one of its
    /// lemmas shares with another (`хор` asks for khor0khoro too, the term of хора).
    public func alternatives(_ analysis: Analysis) -> [String] {
        var terms = [analysis.term]
        guard let lexicon, analysis.lemmas.count > 0 else { return terms }
        func add(_ term: String) {
            if !term.isEmpty, !terms.contains(term), terms.count < Self.maxAlternatives { terms.append(term) }
        }
        for lemma in analysis.lemmas { add(Self.lemmaTerm(lemma)) }
        for lemma in analysis.lemmas {
            for form in lexicon.forms(of: lemma) + (BulgarianIrregulars.formsOfLemma[lemma] ?? []) {
                let shared = Self.lemmas(of: form, in: lexicon)
                guard shared.count > 1 else { continue }
                var latin: [String] = []
                for other in shared where !latin.contains(Self.lemmaTerm(other)) { latin.append(Self.lemmaTerm(other)) }
                if latin.count > 1 { add(latin.sorted().joined(separator: Self.lemmaJoiner)) }
            }
        }
        return terms
    }

    /// What the dictionary says of a form, and the hand-written irregular forms (`BulgarianIrregulars`).
    static func lemmas(of form: String, in lexicon: BulgarianLexicon) -> [String] {
        var lemmas = lexicon.lemmas(of: form)
        for lemma in BulgarianIrregulars.lemmasOfForm[form] ?? [] where !lemmas.contains(lemma) { lemmas.insert(lemma, at: 0) }
        // An irregular form the dictionary lists as a word of its own is that word's form, not a lemma of its own.
        if BulgarianIrregulars.lemmasOfForm[form] != nil { lemmas.removeAll { $0 == form } }
        return lemmas
    }

    /// The terms of `text` in order (positions kept, so phrases can be matched), from at most its first `limit`
    /// words. Each distinct word is analysed once.
    public func terms(_ text: String, limit: Int = .max) -> [String] {
        analyses(text, limit: limit).map(\.term)
    }

    /// The analysis of every word of `text` that has a term, in order, from at most its first `limit` words.
    public func analyses(_ text: String, limit: Int = .max) -> [Analysis] {
        // By bytes: hashing and comparing Cyrillic strings normalises them, and a text repeats its words. A word
        // written another equivalent way is looked up in `memo`, by string, as before.
        var analysisOf: [ByteKey: Analysis] = [:]
        return Self.words(text, limit: limit).compactMap { word in
            let key = ByteKey(word)
            if let known = analysisOf[key] { return known.term.isEmpty ? nil : known }
            let analysis = memo.analysis(of: word) { self.analyse(word) }
            analysisOf[key] = analysis
            return analysis.term.isEmpty ? nil : analysis
        }
    }

    /// A word's Latin spelling, letters and digits only.
    static func latin(_ word: String) -> String {
        Slug.transliterate(word).filter { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    /// A lemma's term: its Latin spelling, with ъ as x (which the transliteration never writes), so that lemmas
    /// the transliteration would merge stay apart (път and пат, съм and сам); a Latin-typed query reads a as both.
    static func lemmaTerm(_ lemma: String) -> String {
        latin(lemma.replacingOccurrences(of: "ъ", with: "x"))
    }

    /// The light stemmer's term, for words the dictionary does not know.
    static func stemTerm(_ word: String, isCyrillic: Bool) -> String {
        // The law spells the country "Bulgaria", not "Balgaria": read it as the Cyrillic word it stands for.
        let latin = !isCyrillic && word.hasPrefix("bulgar") ? "balgar" + word.dropFirst(6) : word
        var stem = BulgarianStemmer.stem(isCyrillic ? word : LatinToCyrillic.guess(latin))
        // The light stemmer leaves -ия nouns split: инфлация → инфлац but инфлацията → инфлаци. Folding a final
        // и of a longer stem joins them again (Германия, Германията → герман).
        if stem.count > 4, stem.hasSuffix("и") { stem.removeLast() }
        return Self.latin(stem)
    }

    /// The Cyrillic words a Latin-typed word may stand for: the transliteration writes both а and ъ as a, so each
    /// of the first `maxAmbiguous` a's is read both ways (64 readings at most).
    static func cyrillicReadings(_ word: String) -> [String] {
        let latin = word.hasPrefix("bulgar") ? "balgar" + word.dropFirst(6) : word
        let guess = LatinToCyrillic.guess(latin)
        guard guess.unicodeScalars.allSatisfy({ !($0.isASCII && $0.properties.isAlphabetic) }) else { return [] }
        var readings = [""]
        var ambiguous = 0
        for character in guess {
            if character == "а", ambiguous < 6 {
                ambiguous += 1
                readings = readings.flatMap { [$0 + "а", $0 + "ъ"] }
            } else {
                readings = readings.map { $0 + String(character) }
            }
        }
        return readings
    }
}

/// A best guess at the Cyrillic spelling of a word typed in Latin letters (the reverse of `Slug.transliterate`).
/// It need not be exact: the guess is only stemmed and spelled back in Latin.
enum LatinToCyrillic {
    private static let digraphs: [(String, String)] = [
        ("sht", "щ"), ("zh", "ж"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"), ("yu", "ю"), ("ya", "я"), ("ia", "ия"),
    ]
    private static let letters: [Character: String] = [
        "a": "а", "b": "б", "v": "в", "g": "г", "d": "д", "e": "е", "z": "з", "i": "и", "y": "й", "k": "к", "l": "л",
        "m": "м", "n": "н", "o": "о", "p": "п", "r": "р", "s": "с", "t": "т", "u": "у", "f": "ф", "h": "х", "c": "ц",
        "w": "в", "q": "к", "x": "кс", "j": "дж",
    ]

    static func guess(_ word: String) -> String {
        var result = ""
        var rest = Substring(word)
        outer: while let first = rest.first {
            for (latin, cyrillic) in digraphs where rest.hasPrefix(latin) {
                // "ia" is "ия" only at the end of a word (София → sofia); elsewhere it is "иа".
                if latin == "ia" && rest.count > 2 { continue }
                result += cyrillic
                rest = rest.dropFirst(latin.count)
                continue outer
            }
            result += letters[first] ?? String(first)
            rest = rest.dropFirst()
        }
        return result
    }
}

/// `SearchAnalyzer`'s memory of analysed words: at most `capacity` (a few megabytes), forgotten all at once when full,
/// so that a flood of distinct words (a hostile text, a huge import) costs a fresh start, never unbounded memory.
final class AnalysisMemo: @unchecked Sendable {
    static let capacity = 50_000
    private let lock = NSLock()
    private var known: [String: SearchAnalyzer.Analysis] = [:]

    func analysis(of word: String, _ analyse: () -> SearchAnalyzer.Analysis) -> SearchAnalyzer.Analysis {
        if let found = lock.withLock({ known[word] }) { return found }
        let analysis = analyse()
        lock.withLock {
            if known.count >= Self.capacity { known.removeAll(keepingCapacity: true) }
            known[word] = analysis
        }
        return analysis
    }
}

/// A string compared and hashed by its UTF-8 bytes, without the Unicode normalisation `String`'s own `==` and hash
/// do for any text that is not ASCII: for the words of one analysis, looked up again and again.
struct ByteKey: Hashable {
    let text: String

    init(_ text: String) { self.text = text }

    func hash(into hasher: inout Hasher) {
        var copy = text
        copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    static func == (a: ByteKey, b: ByteKey) -> Bool {
        var (x, y) = (a.text, b.text)
        return x.withUTF8 { p in y.withUTF8 { q in p.elementsEqual(q) } }
    }
}
