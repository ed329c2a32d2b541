/// What a reader typed in the search box, read into terms: words must all match, "quoted words" must match as a
/// phrase, and -word (or -"a phrase") must not match. Every word is already analysed (`SearchAnalyzer`).
public struct SearchQuery: Sendable, Equatable {
    /// One query word: it matches a text word whose term is any of `terms` (its own term first, then its lemmas'
    /// and the terms of forms they share with other words), and ranks higher where the text has `form` itself.
    public struct Word: Sendable, Hashable {
        public var terms: [String]
        public var form: String
        /// The word as the reader typed it (lowercased), for "did you mean".
        public var typed: String

        public var term: String { terms[0] }

        public init(terms: [String], form: String, typed: String = "") {
            self.terms = terms
            self.form = form
            self.typed = typed
        }
    }

    public enum Clause: Sendable, Hashable {
        case term(Word)
        case phrase([Word])

        public var words: [Word] {
            switch self {
            case .term(let word): return [word]
            case .phrase(let words): return words
            }
        }
    }

    public var required: [Clause]
    public var excluded: [Clause]

    /// Why a query cannot run, in a form the search page can explain.
    public enum Problem: Error, Sendable, Equatable {
        case empty
        case tooLong(limit: Int)
        /// Only exclusions or stopwords: nothing to look for.
        case nothingToFind
        /// More distinct words than `maximumTerms`.
        case tooManyTerms(limit: Int)
    }

    public static let maximumLength = 500
    /// Distinct terms a query may hold, phrases' words included. Every term is one more posting list the index
    /// walks and ranks for each match; a reader's query is a few words, a headline pasted whole about 15.
    public static let maximumTerms = 16

    /// Every term a result may be highlighted for.
    public var highlightTerms: Set<String> { Set(required.flatMap(\.words).flatMap(\.terms)) }

    public static func parse(_ text: String, analyzer: SearchAnalyzer = .shared) throws(Problem) -> SearchQuery {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .empty }
        guard trimmed.count <= maximumLength else { throw .tooLong(limit: maximumLength) }
        var required: [Clause] = []
        var excluded: [Clause] = []
        // Clauses are told apart by their terms: "газа газ" asks one thing.
        var seenRequired = Set<[[String]]>()
        var seenExcluded = Set<[[String]]>()
        var distinctTerms = Set<String>()
        var rest = Substring(trimmed)
        while let start = rest.firstIndex(where: { !$0.isWhitespace }) {
            rest = rest[start...]
            var negative = false
            if rest.first == "-" {
                negative = true
                rest = rest.dropFirst()
            }
            let chunk: Substring
            var isPhrase = false
            if let quote = rest.first, quote == "\"" || quote == "„" || quote == "“" {
                // An unclosed quote runs to the end of the query.
                rest = rest.dropFirst()
                let end = rest.firstIndex(where: { $0 == "\"" || $0 == "“" || $0 == "”" }) ?? rest.endIndex
                chunk = rest[..<end]
                rest = end < rest.endIndex ? rest[rest.index(after: end)...] : rest[end...]
                isPhrase = true
            } else {
                let end = rest.firstIndex(where: \.isWhitespace) ?? rest.endIndex
                chunk = rest[..<end]
                rest = rest[end...]
            }
            let analyses = analyzer.analyses(String(chunk))
            guard !analyses.isEmpty else { continue }
            // Counted before the alternatives are looked up, so a long query costs no dictionary walks.
            distinctTerms.formUnion(analyses.map(\.term))
            guard distinctTerms.count <= maximumTerms else { throw .tooManyTerms(limit: maximumTerms) }
            let words = analyses.map { Word(terms: analyzer.alternatives($0), form: $0.form, typed: $0.typed) }
            let clauses: [Clause] = isPhrase && words.count > 1 ? [.phrase(words)] : words.map(Clause.term)
            // A clause said twice asks nothing more: `kq kq kq …` is the query `kq`.
            for clause in clauses {
                let key = clause.words.map(\.terms)
                if negative {
                    if seenExcluded.insert(key).inserted { excluded.append(clause) }
                } else {
                    if seenRequired.insert(key).inserted { required.append(clause) }
                }
            }
        }
        guard !required.isEmpty else { throw .nothingToFind }
        return SearchQuery(required: required, excluded: excluded)
    }
}
