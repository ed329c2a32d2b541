/// What a reader typed in the search box, read into terms: words must all match, "quoted words" must match as a
/// phrase, and -word (or -"a phrase") must not match. Every term is already analysed (`SearchAnalyzer.term`).
public struct SearchQuery: Sendable, Equatable {
    public enum Clause: Sendable, Hashable {
        case term(String)
        case phrase([String])
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
    public var highlightTerms: Set<String> {
        Set(
            required.flatMap { clause -> [String] in
                switch clause {
                case .term(let term): return [term]
                case .phrase(let terms): return terms
                }
            })
    }

    public static func parse(_ text: String) throws(Problem) -> SearchQuery {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .empty }
        guard trimmed.count <= maximumLength else { throw .tooLong(limit: maximumLength) }
        var required: [Clause] = []
        var excluded: [Clause] = []
        var seenRequired = Set<Clause>()
        var seenExcluded = Set<Clause>()
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
            let terms = SearchAnalyzer.terms(String(chunk))
            guard !terms.isEmpty else { continue }
            let clauses: [Clause] = isPhrase && terms.count > 1 ? [.phrase(terms)] : terms.map(Clause.term)
            // A clause said twice asks nothing more: `kq kq kq …` is the query `kq`.
            for clause in clauses {
                if negative {
                    if seenExcluded.insert(clause).inserted { excluded.append(clause) }
                } else {
                    if seenRequired.insert(clause).inserted { required.append(clause) }
                }
            }
            distinctTerms.formUnion(terms)
            guard distinctTerms.count <= maximumTerms else { throw .tooManyTerms(limit: maximumTerms) }
        }
        guard !required.isEmpty else { throw .nothingToFind }
        return SearchQuery(required: required, excluded: excluded)
    }
}
