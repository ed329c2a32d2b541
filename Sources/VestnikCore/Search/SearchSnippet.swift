/// A short passage of an article around the words a reader searched for, with those words marked.
public enum SearchSnippet {
    /// HTML: escaped text with `<mark>` around every word whose search term is in `terms`.
    public static func html(_ text: String, terms: Set<String>, maxWords: Int = 36) -> String {
        let words = splitWords(text)
        guard !words.isEmpty else { return "" }
        let hits = words.indices.filter { words[$0].isWord && terms.contains(SearchAnalyzer.term(words[$0].text.lowercased())) }
        // Start a little before the first window that holds the most hits.
        var best = 0
        var bestCount = -1
        for hit in hits {
            let count = hits.filter { $0 >= hit && $0 < hit + maxWords * 2 }.count
            if count > bestCount {
                best = hit
                bestCount = count
            }
        }
        let first = max(0, best - 8)
        var pieces: [String] = []
        var taken = 0
        var index = first
        while index < words.count && taken < maxWords * 2 {
            let piece = words[index]
            let escaped = HTML.escape(piece.text)
            pieces.append(hits.contains(index) ? "<mark>\(escaped)</mark>" : escaped)
            taken += 1
            index += 1
        }
        let body = pieces.joined().trimmingCharacters(in: .whitespaces)
        return (first > 0 ? "… " : "") + body + (index < words.count ? " …" : "")
    }

    /// The text cut into alternating words and separators, so it can be put back together unchanged.
    private static func splitWords(_ text: String) -> [(text: String, isWord: Bool)] {
        var pieces: [(text: String, isWord: Bool)] = []
        for character in text {
            let isWord = character.isLetter || character.isNumber
            if let last = pieces.last, last.isWord == isWord {
                pieces[pieces.count - 1].text.append(character)
            } else {
                pieces.append((String(character), isWord))
            }
        }
        return pieces
    }
}
