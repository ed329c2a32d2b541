import Foundation
import VaporCSQLite

/// `vestnik_rank(article_search, weight…, articles…)`: FTS5's bm25 (same formula, k1 1.2, b 0.75, a weight per
/// column), with each phrase's number of matching articles given by the caller instead of counted per query.
///
/// Why: bm25 counts, once per query, the rows of every phrase of the query by walking its whole doclist
/// (`xQueryPhrase`): for a word in a third of a million articles that is 35-69 ms, most of a search at 1,000,000
/// articles (bench/README, "Eighth session"). The index already keeps that count per term, `search_terms.df`, updated
/// in the same transaction as the full-text entry; `SearchRepository` passes it per phrase (`FTS5Phrase`).
///
/// Arguments after the table: one weight per column of the table, then one count per phrase of the query in FTS5's
/// order. A missing or NULL count is counted as bm25 does, so the function is right for any caller, only slower.
enum SearchRankFunction {
    static let name = "vestnik_rank"

    /// Registers the function on a connection; false if this SQLite has no FTS5 (then a search fails with "no such
    /// function", as it would without the table).
    @discardableResult
    static func register(on handle: OpaquePointer) -> Bool {
        guard let api = fts5API(of: handle) else { return false }
        return api.pointee.xCreateFunction(api, name, nil, rank, nil) == SQLITE_OK
    }

    /// FTS5's API object, as SQLite's documentation gets it: `SELECT fts5(?1)` with a pointer bound to receive it.
    private static func fts5API(of handle: OpaquePointer) -> UnsafeMutablePointer<fts5_api>? {
        var statement: OpaquePointer?
        guard sqlite_nio_sqlite3_prepare_v2(handle, "SELECT fts5(?1)", -1, &statement, nil) == SQLITE_OK else { return nil }
        defer { sqlite_nio_sqlite3_finalize(statement) }
        let api = UnsafeMutablePointer<UnsafeMutablePointer<fts5_api>?>.allocate(capacity: 1)
        defer { api.deallocate() }
        api.initialize(to: nil)
        // The type is compared by SQLite while the statement runs: a static string outlives it.
        let type = UnsafeRawPointer(StaticString("fts5_api_ptr").utf8Start).assumingMemoryBound(to: CChar.self)
        guard sqlite_nio_sqlite3_bind_pointer(statement, 1, api, type, nil) == SQLITE_OK else { return nil }
        _ = sqlite_nio_sqlite3_step(statement)
        return api.pointee
    }

    static let k1 = 1.2
    static let b = 0.75

    /// Per query (FTS5's aux data, freed with the query): how many phrases and columns, the average row length, each
    /// phrase's IDF and each column's weight, and room for one row's phrase frequencies.
    private struct Layout {
        let phrases: Int
        let columns: Int
        var size: Int { 3 + 2 * phrases + columns }
        static let phrases = 0, columns = 1, averageLength = 2
        var idf: Int { 3 }
        var frequency: Int { 3 + phrases }
        var weight: Int { 3 + 2 * phrases }
    }

    private static let rank: fts5_extension_function = { api, fts, context, count, values in
        guard let api, let fts, let context else { return }
        let status = score(api: api, fts: fts, count: Int(count), values: values) { sqlite_nio_sqlite3_result_double(context, $0) }
        if status != SQLITE_OK { sqlite_nio_sqlite3_result_error_code(context, status) }
    }

    private static func score(
        api: UnsafePointer<Fts5ExtensionApi>, fts: OpaquePointer, count: Int, values: UnsafeMutablePointer<OpaquePointer?>?,
        result: (Double) -> Void
    ) -> Int32 {
        let data: UnsafeMutablePointer<Double>
        if let kept = api.pointee.xGetAuxdata(fts, 0) {
            data = kept.assumingMemoryBound(to: Double.self)
        } else {
            var made: UnsafeMutablePointer<Double>?
            let status = prepare(api: api, fts: fts, count: count, values: values, into: &made)
            guard status == SQLITE_OK, let made else { return status }
            data = made
        }
        let layout = Layout(phrases: Int(data[Layout.phrases]), columns: Int(data[Layout.columns]))
        let frequency = data + layout.frequency
        frequency.update(repeating: 0, count: layout.phrases)
        var instances: Int32 = 0
        var status = api.pointee.xInstCount(fts, &instances)
        var phrase: Int32 = 0
        var column: Int32 = 0
        var offset: Int32 = 0
        var index: Int32 = 0
        while status == SQLITE_OK && index < instances {
            status = api.pointee.xInst(fts, index, &phrase, &column, &offset)
            if status == SQLITE_OK, phrase >= 0, Int(phrase) < layout.phrases, column >= 0, Int(column) < layout.columns {
                frequency[Int(phrase)] += data[layout.weight + Int(column)]
            }
            index += 1
        }
        var tokens: Int32 = 0
        if status == SQLITE_OK { status = api.pointee.xColumnSize(fts, -1, &tokens) }
        guard status == SQLITE_OK else { return status }
        let norm = k1 * (1 - b + b * Double(tokens) / data[Layout.averageLength])
        var score = 0.0
        for i in 0..<layout.phrases where frequency[i] > 0 {
            score += data[layout.idf + i] * (frequency[i] * (k1 + 1)) / (frequency[i] + norm)
        }
        result(score)
        return SQLITE_OK
    }

    /// The per-query data, kept as the query's aux data.
    private static func prepare(
        api: UnsafePointer<Fts5ExtensionApi>, fts: OpaquePointer, count: Int, values: UnsafeMutablePointer<OpaquePointer?>?,
        into made: inout UnsafeMutablePointer<Double>?
    ) -> Int32 {
        let layout = Layout(phrases: Int(api.pointee.xPhraseCount(fts)), columns: Int(api.pointee.xColumnCount(fts)))
        var rows: Int64 = 0
        var tokens: Int64 = 0
        var status = api.pointee.xRowCount(fts, &rows)
        if status == SQLITE_OK { status = api.pointee.xColumnTotalSize(fts, -1, &tokens) }
        guard status == SQLITE_OK else { return status }
        guard let raw = sqlite_nio_sqlite3_malloc64(UInt64(layout.size * MemoryLayout<Double>.stride)) else { return SQLITE_NOMEM }
        let data = raw.bindMemory(to: Double.self, capacity: layout.size)
        data.initialize(repeating: 0, count: layout.size)
        data[Layout.phrases] = Double(layout.phrases)
        data[Layout.columns] = Double(layout.columns)
        // bm25's average row length, kept at 1 or more where bm25 would divide by zero (a table of empty rows).
        data[Layout.averageLength] = rows > 0 ? max(1, Double(tokens) / Double(rows)) : 1
        func value(_ i: Int) -> OpaquePointer? { i < count ? values?[i] : nil }
        for column in 0..<layout.columns {
            data[layout.weight + column] = value(column).map { sqlite_nio_sqlite3_value_double($0) } ?? 1
        }
        for phrase in 0..<layout.phrases {
            var hits: Int64 = 0
            if let given = value(layout.columns + phrase), sqlite_nio_sqlite3_value_type(given) != SQLITE_NULL {
                hits = min(rows, max(0, sqlite_nio_sqlite3_value_int64(given)))
            } else {
                status = api.pointee.xQueryPhrase(fts, Int32(phrase), &hits, countRow)
                guard status == SQLITE_OK else {
                    sqlite_nio_sqlite3_free(raw)
                    return status
                }
            }
            // bm25's IDF, with its floor for a phrase in over half the rows.
            let idf = log((Double(rows) - Double(hits) + 0.5) / (Double(hits) + 0.5))
            data[layout.idf + phrase] = idf > 0 ? idf : 1e-6
        }
        status = api.pointee.xSetAuxdata(fts, raw, sqlite_nio_sqlite3_free)
        guard status == SQLITE_OK else { return status }  // xSetAuxdata frees it on failure
        made = data
        return SQLITE_OK
    }

    /// `xQueryPhrase`'s callback: one more row holds the phrase.
    private static let countRow: @convention(c) (UnsafePointer<Fts5ExtensionApi>?, OpaquePointer?, UnsafeMutableRawPointer?) -> Int32 = {
        _, _, counter in
        counter?.assumingMemoryBound(to: Int64.self).pointee += 1
        return SQLITE_OK
    }
}
