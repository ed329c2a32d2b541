import Foundation
import VestnikStore

/// "Най-четени": the most read articles of the last day, week and month, queried at most once a minute.
///
/// Every page that shows a list takes it from here, so a busy home page costs the database one query a minute per
/// window, and a list is never older than `maxAge`.
final class MostReadLists: @unchecked Sendable {
    enum Window: Int, CaseIterable, Sendable {
        case day = 24
        case week = 168
        case month = 720

        /// The window's first hour: the current hour and the `hours - 1` before it.
        func since(_ now: Date) -> Date { now.addingTimeInterval(-Double(rawValue - 1) * 3600) }
    }

    /// How many articles a list holds; pages show the first few.
    static let length = 20

    private let reads: ReadRepository
    private let maxAge: TimeInterval
    private let now: @Sendable () -> Date
    private let lock = NSLock()
    private var lists: [Window: (fetched: Date, articles: [MostReadArticle])] = [:]

    init(reads: ReadRepository, maxAge: TimeInterval, now: @escaping @Sendable () -> Date) {
        self.reads = reads
        self.maxAge = maxAge
        self.now = now
    }

    func articles(_ window: Window) async throws -> [MostReadArticle] {
        let date = now()
        if let cached = lock.withLock({ lists[window] }), date.timeIntervalSince(cached.fetched) < maxAge, cached.fetched <= date {
            return cached.articles
        }
        let articles = try await reads.mostRead(since: window.since(date), limit: Self.length, now: date)
        lock.withLock { lists[window] = (date, articles) }
        return articles
    }
}
