import Foundation
import SQLKit
import VestnikCore

/// "Did you mean": for a query that found nothing or little, the same query with each word the index does not know
/// replaced by the closest term the site's own articles hold (edit distance over the Latin-spelled terms of
/// `search_terms`, the most frequent among the closest), shown as that term's word. nil when every word is known or
/// nothing is close.
extension SearchRepository {
    /// Below this many results a query gets a suggestion.
    public static let suggestBelow = 3
    /// Vocabulary rows read for one unknown word: those of its first letter and about its length, the most frequent.
    static let suggestionCandidates = 5_000

    public func suggestion(for query: SearchQuery) async throws -> String? {
        var changed = false
        var parts: [String] = []
        for clause in query.required {
            var words: [String] = []
            for word in clause.words {
                if let better = try await closestKnown(word) {
                    words.append(better)
                    changed = true
                } else {
                    words.append(word.typed)
                }
            }
            if case .phrase = clause { parts.append("\"" + words.joined(separator: " ") + "\"") } else { parts += words }
        }
        for clause in query.excluded {
            let words = clause.words.map(\.typed)
            if case .phrase = clause { parts.append("-\"" + words.joined(separator: " ") + "\"") } else { parts += words.map { "-" + $0 } }
        }
        return changed ? parts.joined(separator: " ") : nil
    }

    /// The word of the vocabulary term closest to `word`, if the index knows none of its terms.
    func closestKnown(_ word: SearchQuery.Word) async throws -> String? {
        let term = word.term
        guard let first = term.unicodeScalars.first, term.count >= 3, !term.contains(where: \.isNumber),
            let next = UnicodeScalar(first.value + 1)
        else { return nil }
        let terms: [any Encodable & Sendable] = word.terms
        let maxDistance = term.count <= 5 ? 1 : 2
        let rows = try await database.readAside { db in
            let known = try await db.raw("SELECT 1 AS k FROM search_terms WHERE term IN (\(binds: terms)) AND df > 0 LIMIT 1").first()
            guard known == nil else { return [SQLRow]() }
            // Terms are [a-z0-9]: the ones that begin with the same letter sort between it and the next.
            return try await db.raw(
                """
                SELECT term, word, df FROM search_terms
                WHERE term >= \(bind: String(first)) AND term < \(bind: String(next)) AND df > 0
                    AND length(term) BETWEEN \(bind: term.count - maxDistance) AND \(bind: term.count + maxDistance)
                ORDER BY df DESC LIMIT \(literal: Self.suggestionCandidates)
                """
            ).all()
        }
        var best: (distance: Int, word: String)?
        let target = Array(term.utf8)
        for row in rows {
            let candidate = try row.string("term")
            let display = try row.string("word")
            guard !display.isEmpty, !candidate.contains(where: \.isNumber) else { continue }
            // Rows come most frequent first: a later one wins only by being closer.
            let limit = best.map { $0.distance - 1 } ?? maxDistance
            guard limit >= 0, let distance = Self.editDistance(target, Array(candidate.utf8), atMost: limit) else { continue }
            best = (distance, display)
        }
        return best?.word
    }

    /// Levenshtein distance, or nil when it is more than `limit` (rows of the table stop early once every cell is).
    static func editDistance(_ a: [UInt8], _ b: [UInt8], atMost limit: Int) -> Int? {
        guard abs(a.count - b.count) <= limit else { return nil }
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowMin = current[0]
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                rowMin = min(rowMin, current[j])
            }
            if rowMin > limit { return nil }
            swap(&previous, &current)
        }
        return previous[b.count] <= limit ? previous[b.count] : nil
    }
}
