import Foundation

/// Turns text into search terms, the same way for documents and queries: tokenise (Unicode letters and digits),
/// lowercase, drop Bulgarian stopwords, stem with `BulgarianStemmer`, and spell the stem in Latin letters.
///
/// Spelling every term in Latin (by the Transliteration Act) puts Cyrillic and Latin text in one space: a reader who
/// types `putin` finds `Путин`, because a Latin query word is first read back into Cyrillic, stemmed, and spelled
/// in Latin again.
public enum SearchAnalyzer {
    /// A longer run of letters is cut to this many (the longest Bulgarian words have about 30): the stemmer and the
    /// Latin reading never see a "word" of a million letters.
    public static let maxWordLength = 64
    /// The words of a document analysed for the index: its first 20,000 (a long read is 3,000–8,000). Past it a
    /// body is not indexed, so a body of one word repeated costs the index, and every search that reads it, no
    /// more than a long article.
    public static let maxDocumentWords = 20_000

    /// The words of `text` in order, lowercased, with stopwords removed; at most `limit` of them (counted before
    /// stopwords are dropped), the rest of the text is not read.
    public static func words(_ text: String, limit: Int = .max) -> [String] {
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

    /// The search term of one lowercase word.
    public static func term(_ word: String) -> String {
        let word = word.utf8.count > maxWordLength ? String(word.prefix(maxWordLength)) : word
        let isCyrillic = word.unicodeScalars.contains { (0x0400...0x04FF).contains($0.value) }
        // The law spells the country "Bulgaria", not "Balgaria": read it as the Cyrillic word it stands for.
        let latin = !isCyrillic && word.hasPrefix("bulgar") ? "balgar" + word.dropFirst(6) : word
        var stem = BulgarianStemmer.stem(isCyrillic ? word : LatinToCyrillic.guess(latin))
        // The light stemmer leaves -ия nouns split: инфлация → инфлац but инфлацията → инфлаци. Folding a final
        // и of a longer stem joins them again (Германия, Германията → герман).
        if stem.count > 4, stem.hasSuffix("и") { stem.removeLast() }
        return Slug.transliterate(stem).filter { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    /// The terms of `text` in order (positions kept, so phrases can be matched), from at most its first `limit`
    /// words. Each distinct word is analysed once.
    public static func terms(_ text: String, limit: Int = .max) -> [String] {
        var termOf: [String: String] = [:]
        return words(text, limit: limit).compactMap { word in
            if let known = termOf[word] { return known.isEmpty ? nil : known }
            let term = self.term(word)
            termOf[word] = term
            return term.isEmpty ? nil : term
        }
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
