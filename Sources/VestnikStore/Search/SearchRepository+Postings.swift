import Foundation
import SQLKit
import VestnikCore

/// PostgreSQL's word queries matched in Swift: the words' postings are read for a range of the newest ids from
/// `search_postings` (a few packed rows per term, `SearchPostings`) and intersected and summed here, where merging
/// sorted ids costs nanoseconds a posting; PostgreSQL's executor costs microseconds for anything done per candidate
/// (a look-up of a word's share, a lateral subquery) and 0.1-0.4 µs for each posting it reads from `article_terms`.
/// PostgreSQL then checks the visibility of the newest matches (one statement) and ranks the best `exactlyRanked` by
/// ts_rank, as the SQL paths do: the same candidates with the same shares, so the same page.
extension SearchRepository {
    /// Where PostgreSQL intersects the words of a query without a phrase: in SQL (a walk of the rarest word's postings
    /// or GIN), in Swift over the packed postings, or in Swift whenever `postingsAreCheaper` expects it to cost less.
    enum Intersection { case sql, swift, cheaper }

    /// Rows of packed postings (a term's block each, about 0.5 µs) read at most for one query; a query whose words
    /// would need more (a rare word with common ones, whose every block back to the rare word's oldest match would be
    /// read) is left to the SQL paths, which look the common words up per candidate instead.
    static let rowBudget = 8_000
    /// The first range of blocks is sized to hold this many times the matches needed, by the words' frequencies.
    static let rangeMargin = 1.3

    /// One term's postings in a range of ids, ascending, with its share of ts_rank for each.
    struct Postings: Equatable {
        var ids: [Int] = []
        var ranks: [Float] = []
    }

    /// The postings of a word of several terms: every article holding any of them, its share the sum of theirs (in
    /// the terms' order, as PostgreSQL's `SUM` over the (article, term) key adds them).
    static func union(_ lists: [Postings]) -> Postings {
        guard var result = lists.first else { return Postings() }
        for list in lists.dropFirst() {
            var merged = Postings()
            merged.ids.reserveCapacity(result.ids.count + list.ids.count)
            merged.ranks.reserveCapacity(result.ids.count + list.ids.count)
            var i = 0
            var j = 0
            while i < result.ids.count || j < list.ids.count {
                if j == list.ids.count || i < result.ids.count && result.ids[i] < list.ids[j] {
                    merged.ids.append(result.ids[i])
                    merged.ranks.append(result.ranks[i])
                    i += 1
                } else if i == result.ids.count || list.ids[j] < result.ids[i] {
                    merged.ids.append(list.ids[j])
                    merged.ranks.append(list.ranks[j])
                    j += 1
                } else {
                    merged.ids.append(result.ids[i])
                    merged.ranks.append(result.ranks[i] + list.ranks[j])
                    i += 1
                    j += 1
                }
            }
            result = merged
        }
        return result
    }

    /// The articles in every one of `words` (each a word's postings, in the query's order) and in none of
    /// `excluded`, each with the words' shares summed in the query's order (as the SQL paths add them).
    static func intersect(_ words: [Postings], excluding excluded: [Postings]) -> Postings {
        guard var result = words.first else { return Postings() }
        for word in words.dropFirst() {
            var kept = Postings()
            var j = 0
            for (i, id) in result.ids.enumerated() {
                while j < word.ids.count && word.ids[j] < id { j += 1 }
                if j < word.ids.count && word.ids[j] == id {
                    kept.ids.append(id)
                    kept.ranks.append(result.ranks[i] + word.ranks[j])
                }
            }
            result = kept
        }
        for word in excluded where !word.ids.isEmpty {
            var kept = Postings()
            var j = 0
            for (i, id) in result.ids.enumerated() {
                while j < word.ids.count && word.ids[j] < id { j += 1 }
                if j == word.ids.count || word.ids[j] != id {
                    kept.ids.append(id)
                    kept.ranks.append(result.ranks[i])
                }
            }
            result = kept
        }
        return result
    }

    /// What reading one packed row (a term's block) costs against one look-up by article, and what the two statements
    /// the Swift path adds (a round trip each) cost, for `postingsAreCheaper`.
    static let packedRowCost = 0.15
    static let roundTrips = 300.0

    /// Whether intersecting in Swift costs less than the SQL path's `sqlCost` (in look-ups by article) and stays within
    /// `rowBudget`: it reads a packed row per term and block of the range expected to hold the newest `walked` matches
    /// (no more rows than a term has postings: each term's count in `postings`; `rate` is the matches expected per id)
    /// and looks the `expected` matches up once each for their visibility.
    static func postingsAreCheaper(postings: [Int], rate: Double, walked: Int, expected: Double, topID: Int, sqlCost: Double) -> Bool {
        let blocks = Double(max(1, topID)) / Double(SearchPostings.blockSize)
        let reach = min(1, Double(walked) * rangeMargin / max(rate, 1e-9) / Double(max(1, topID)))
        let rows = postings.reduce(0.0) { $0 + min(Double($1), blocks) * reach }
        return rows <= Double(rowBudget) && rows * packedRowCost + expected + roundTrips < sqlCost
    }

    /// The newest `need` articles holding every word (each a set of terms, distinct) and no excluded term, newest
    /// first, with their shares; `complete`: these are all of them. The terms' packed postings (`SearchPostings`) are
    /// read by ranges of blocks newest first (the first sized by `rate`, the matches expected per id), each twice as
    /// wide as the one before, until enough match. nil when more than twice `rowBudget` rows would be read (the
    /// caller takes the SQL path).
    static func newestMatches(
        words: [[String]], excluded: [String], rate: Double, topID: Int, need: Int, in db: any SQLDatabase
    ) async throws -> (ids: [Int], ranks: [Float], complete: Bool)? {
        let terms = Array(Set(words.flatMap { $0 } + excluded)).sorted()
        let size = SearchPostings.blockSize
        var span = max(1, Int((Double(need) * rangeMargin / max(rate, 1e-9) / Double(size)).rounded(.up)))
        var high = Int.max
        var low = max(0, topID / size + 1 - span)
        var ids: [Int] = []
        var ranks: [Float] = []
        var read = 0
        while true {
            var postings: [String: Postings] = [:]
            // One row per term, its blocks in order (a row per block cost more to decode than to read).
            for row in try await db.raw(
                """
                SELECT term, COUNT(*) AS n,
                    string_agg(int8send(block) || int4send(octet_length(postings)) || postings, CAST('' AS BYTEA) ORDER BY block) AS blocks
                FROM search_postings WHERE term IN (\(binds: terms)) AND block >= \(bind: low) AND block < \(bind: high) GROUP BY term
                """
            ).all() {
                SearchPostings.unpack(
                    blocks: try row.decode(column: "blocks", as: Data.self), into: &postings[try row.string("term"), default: Postings()])
                read += try row.int("n")
            }
            let matched = intersect(
                words.map { union($0.sorted().map { postings[$0] ?? Postings() }) },
                excluding: excluded.map { postings[$0] ?? Postings() })
            let taken = min(need - ids.count, matched.ids.count)
            for index in stride(from: matched.ids.count - 1, through: matched.ids.count - taken, by: -1) {
                ids.append(matched.ids[index])
                ranks.append(matched.ranks[index])
            }
            if ids.count >= need { return (ids, ranks, low == 0 && taken == matched.ids.count) }
            if low == 0 { return (ids, ranks, true) }
            guard read <= 2 * rowBudget else { return nil }
            high = low
            span *= 2
            low = max(0, low - span)
        }
    }
}
