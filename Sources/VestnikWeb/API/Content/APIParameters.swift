import Foundation
import Hummingbird
import HummingbirdCore
import VestnikCore
import VestnikStore

/// The query string of a content API request, checked: each parameter named at most once, only parameters the
/// operation knows, every value in its form. Anything else is a 400 that names the parameter.
struct APIParameters {
    private let values: FormQuery
    private let known: Set<String>

    /// The most a page may hold, and what it holds when `limit` is not given.
    static let maxLimit = 100
    static let defaultLimit = 20
    /// Longer query strings are refused outright: no valid request needs them.
    static let maxQueryLength = 2_000

    init(_ uri: URI, known: Set<String>) throws {
        if let query = uri.query, query.utf8.count > Self.maxQueryLength {
            throw APIProblem(.badRequest, "the query string is longer than \(Self.maxQueryLength) bytes")
        }
        values = FormQuery(uri.query)
        self.known = known
        for name in Self.names(uri.query) where !known.contains(name) {
            throw APIProblem(
                .badRequest, "unknown parameter \(name.prefix(40)); this operation takes \(known.sorted().joined(separator: ", "))")
        }
    }

    /// The parameter names of a query string, decoded.
    private static func names(_ query: String?) -> Set<String> {
        Set(FormURLEncoding.pairs(query ?? "").map(\.name))
    }

    /// The one value of `name`, nil when absent; given twice is a 400.
    func one(_ name: String) throws -> String? {
        let all = values.all(name)
        guard all.count <= 1 else { throw APIProblem(.badRequest, "\(name) is given more than once") }
        return all.first
    }

    /// `limit`: 1 to 100, else a 400.
    func limit(default fallback: Int = defaultLimit) throws -> Int {
        guard let text = try one("limit") else { return fallback }
        guard text.count <= 3, let limit = Int(text), (1...Self.maxLimit).contains(limit) else {
            throw APIProblem(.badRequest, "limit must be a whole number from 1 to \(Self.maxLimit)")
        }
        return limit
    }

    /// A comma-separated list whose items must come from `allowed` (`fields=`, `include=`); nil when absent.
    func list(_ name: String, allowed: Set<String>) throws -> Set<String>? {
        guard let text = try one(name) else { return nil }
        let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard items.count <= allowed.count * 2 else { throw APIProblem(.badRequest, "\(name) names too many items") }
        for item in items where !allowed.contains(item) {
            throw APIProblem(.badRequest, "\(name) may name \(allowed.sorted().joined(separator: ", ")), not \(item.prefix(40))")
        }
        return Set(items)
    }

    /// A time: RFC 3339 (`2026-11-25T08:00:00+02:00`, `…Z`, with or without fractions) or a day (`2026-11-25`, the
    /// Sofia midnight that starts it).
    func time(_ name: String) throws -> Date? {
        guard let text = try one(name) else { return nil }
        if let date = Self.parseTime(text) { return date }
        throw APIProblem(.badRequest, "\(name) must be an RFC 3339 time (2026-11-25T08:00:00+02:00) or a day (2026-11-25)")
    }

    static func parseTime(_ text: String) -> Date? {
        guard text.utf8.count <= 40 else { return nil }
        let upper = text.uppercased()
        for options in [ISO8601DateFormatter.Options.withInternetDateTime, [.withInternetDateTime, .withFractionalSeconds]] {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: upper) { return date }
        }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.utf8.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        return SofiaTime.date(from: LocalDateTime(year: year, month: month, day: day))
    }

    /// The article list's cursor (`1795600800-42`: publication time, id).
    func articleCursor() throws -> KeysetCursor<Int>? {
        guard let text = try one("cursor") else { return nil }
        guard let cursor = KeysetCursor<Int>(text) else { throw APIProblem(.badRequest, "cursor is not one this API gave out") }
        return cursor
    }

    /// A term list's cursor: the last id of the previous page.
    func idCursor() throws -> Int {
        guard let text = try one("cursor") else { return 0 }
        guard text.count <= 12, let id = Int(text), id >= 0 else { throw APIProblem(.badRequest, "cursor is not one this API gave out") }
        return id
    }
}
