/// A short passage of an article around the words a reader searched for, with those words marked.
///
/// Its work is linear in the text and capped: only the first `scannedWords` words are read (a body of one word
/// repeated 200,000 times once made every search for that word take tens of seconds and stall the site).
public enum SearchSnippet {
    /// How many words of a text are looked at for the passage. Far more than any real article (a long read is
    /// 3,000–8,000 words); past it, a snippet taken from further on would not help a reader pick a result.
    public static let scannedWords = 20_000
    /// And how many characters at most, whatever they are (20,000 Bulgarian words with their spaces are about
    /// 150,000): a text of only punctuation has no words to stop at.
    public static let scannedCharacters = 200_000

    /// HTML: escaped text with `<mark>` around every word whose search term is in `terms`.
    public static func html(_ text: String, terms: Set<String>, maxWords: Int = 36) -> String {
        let (words, cut) = splitWords(text, maxWords: scannedWords)
        guard !words.isEmpty else { return "" }
        // A word's term once per distinct spelling: a text of one word repeated analyses that word once.
        var termOf: [String: String] = [:]
        var hits: [Int] = []
        for index in words.indices where words[index].isWord {
            let lowercased = words[index].text.lowercased()
            let term: String
            if let known = termOf[lowercased] {
                term = known
            } else {
                term = SearchAnalyzer.term(lowercased)
                termOf[lowercased] = term
            }
            if terms.contains(term) { hits.append(index) }
        }
        let span = maxWords * 2
        // Start a little before the first window of `span` pieces that holds the most hits: both ends of the window
        // only move forward over the (ascending) hit positions.
        var best = 0
        var bestCount = -1
        var end = 0
        for (start, hit) in hits.enumerated() {
            end = max(end, start)
            while end < hits.count, hits[end] < hit + span { end += 1 }
            if end - start > bestCount {
                best = hit
                bestCount = end - start
            }
        }
        let first = max(0, best - 8)
        var pieces: [String] = []
        var nextHit = hits.firstIndex { $0 >= first } ?? hits.count
        var index = first
        while index < words.count && index - first < span {
            let escaped = HTML.escape(words[index].text)
            if nextHit < hits.count, hits[nextHit] == index {
                pieces.append("<mark>\(escaped)</mark>")
                nextHit += 1
            } else {
                pieces.append(escaped)
            }
            index += 1
        }
        let body = pieces.joined().trimmingCharacters(in: .whitespaces)
        return (first > 0 ? "… " : "") + body + (index < words.count || cut ? " …" : "")
    }

    /// The text cut into alternating words and separators, so it can be put back together unchanged; it stops
    /// before the word after the first `maxWords` (`cut` says the text went on).
    /// A piece longer than `maxPieceLength` characters (a "word" of a million letters) keeps only its start.
    static func splitWords(_ text: String, maxWords: Int) -> (pieces: [(text: String, isWord: Bool)], cut: Bool) {
        var pieces: [(text: String, isWord: Bool)] = []
        var wordCount = 0
        var lastLength = 0
        var seen = 0
        for character in text {
            seen += 1
            guard seen <= scannedCharacters else { return (pieces, true) }
            let isWord = character.isLetter || character.isNumber
            if let last = pieces.last, last.isWord == isWord {
                if lastLength < maxPieceLength { pieces[pieces.count - 1].text.append(character) }
                lastLength += 1
            } else {
                if isWord {
                    guard wordCount < maxWords else { return (pieces, true) }
                    wordCount += 1
                }
                pieces.append((String(character), isWord))
                lastLength = 1
            }
        }
        return (pieces, false)
    }

    /// Longer than any word (or run of spaces and punctuation) of real prose.
    static let maxPieceLength = 100
}
