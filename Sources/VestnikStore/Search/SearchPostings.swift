import Foundation
import SQLKit

/// PostgreSQL: each term's postings packed by block of `blockSize` article ids (`search_postings`, migration 30), one
/// row per term and block holding the block's articles with the term and its share of ts_rank, as 6 bytes each (the
/// id's offset in the block, a big-endian `int2`; the share, a big-endian `float4`), in id order. A search reads a
/// term's newest postings as a few rows and intersects them in Swift (`SearchRepository.newestMatches`): read from
/// `article_terms`, PostgreSQL's executor spent 0.1-0.4 µs on each posting, more than the whole intersection.
/// `article_terms` stays the truth: every write that changes it re-packs the blocks it touched from it, in the same
/// transaction (`refresh`), under the article-write lock all such writes hold, so no two writers pack one block.
enum SearchPostings {
    /// Small enough that a block of the commonest term (256 × 6 bytes) stays in its row, not in TOAST, and a save
    /// re-packs at most 256 postings per term.
    static let blockSize = 256

    /// The packing of `article_terms` rows `t` grouped by term and block (`article_id / blockSize`), for migration 30
    /// and `refresh`.
    static let packed =
        "string_agg(int2send(CAST(t.article_id % \(blockSize) AS SMALLINT)) || float4send(t.rank), CAST('' AS BYTEA) ORDER BY t.article_id)"

    /// Re-packs the blocks of `rows` (articles whose terms were written or taken out) for their terms, from
    /// `article_terms` as it now stands: a block that no longer holds the term loses its row.
    static func refresh(_ rows: [(articleID: Int, term: String)], in db: any SQLDatabase) async throws {
        struct Key: Hashable, Comparable {
            var term: String
            var block: Int
            static func < (a: Key, b: Key) -> Bool { (a.term, a.block) < (b.term, b.block) }
        }
        let keys = Set(rows.map { Key(term: $0.term, block: $0.articleID / blockSize) }).sorted()
        for start in stride(from: 0, to: keys.count, by: 10_000) {
            let chunk = keys[start..<min(start + 10_000, keys.count)]
            let pairs: SQLQueryString = """
                unnest(CAST(\(bind: chunk.map(\.term)) AS TEXT[]), CAST(\(bind: chunk.map(\.block)) AS BIGINT[])) AS v (term, block)
                """
            try await db.raw("DELETE FROM search_postings p USING \(pairs) WHERE p.term = v.term AND p.block = v.block").run()
            try await db.raw(
                """
                INSERT INTO search_postings (term, block, postings)
                SELECT v.term, v.block, \(unsafeRaw: packed)
                FROM \(pairs) JOIN article_terms t
                    ON t.term = v.term AND t.article_id >= v.block * \(literal: blockSize) AND t.article_id < (v.block + 1) * \(literal: blockSize)
                GROUP BY v.term, v.block
                """
            ).run()
        }
    }

    /// A term's packed blocks, each as its number (8 bytes), its length (4 bytes) and its postings, in block order,
    /// appended to `list` (so the ids stay ascending). A short or malformed tail ends the reading.
    static func unpack(blocks bytes: Data, into list: inout SearchRepository.Postings) {
        bytes.withUnsafeBytes { raw in
            var at = 0
            while at + 12 <= raw.count {
                let base = Int(UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self))) * blockSize
                let length = Int(UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: at + 8, as: UInt32.self)))
                let end = min(raw.count, at + 12 + length)
                var offset = at + 12
                while offset + 6 <= end {
                    list.ids.append(base + Int(UInt16(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self))))
                    list.ranks.append(Float(bitPattern: UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: offset + 2, as: UInt32.self))))
                    offset += 6
                }
                at = end
            }
        }
    }
}
