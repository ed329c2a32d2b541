import Foundation
import VestnikCore
import VestnikStore

/// The parts of every public page that are the same for all of them and change rarely: the sections (the
/// navigation) and "Новините днес". Reading them from the database for every page was a third of an article page's
/// queries; here they are read once and reused while nothing was written and for at most `maxAge` seconds.
///
/// A copy is dropped at every change event (`Database.changes`: a save, a publication, a new section, a setting,
/// and on PostgreSQL other nodes' changes, relayed by LISTEN) and after any write through this `Database`
/// (`Database.writeCount`), so a page rendered after a change shows it, as before. What this process cannot hear
/// of — a write by another node or by the command line before notifications are relayed, or an article whose
/// publication time passes without a write — shows within `maxAge` (2 s).
final class SharedLists: @unchecked Sendable {
    private let database: Database
    private let articles: ArticleRepository
    private let taxonomy: TaxonomyRepository
    private let maxAge: TimeInterval
    private let lock = NSLock()
    private var sectionsCopy: Copy<[Section]>?
    private var todayCopy: Copy<[ArticleSummary]>?
    private var bannerCopy: Copy<BreakingNews?>?
    /// Bumped by `invalidate()`, so copies taken before it are not used again.
    private var epoch = 0

    /// "Новините днес" holds at most this many articles.
    static let todayLength = 15

    private struct Copy<Value> {
        var value: Value
        /// `Database.writeCount` and `epoch` before the read.
        var writes: Int
        var epoch: Int
        /// The clock when it was read, and (for "today") the Sofia midnight it started from.
        var fetched: Date
        var day: Date?
    }

    init(database: Database, maxAge: TimeInterval = 2) {
        self.database = database
        self.articles = ArticleRepository(database: database)
        self.taxonomy = TaxonomyRepository(database: database)
        self.maxAge = maxAge
        database.changes.subscribe { [weak self] _ in self?.invalidate() }
    }

    /// Forgets every copy.
    func invalidate() {
        lock.withLock {
            epoch += 1
            sectionsCopy = nil
            todayCopy = nil
            bannerCopy = nil
        }
    }

    /// The sections in home-page order.
    func sections(now: Date) async throws -> [Section] {
        let (writes, epoch, cached) = lock.withLock { (database.writeCount, self.epoch, sectionsCopy) }
        if let cached, isFresh(cached, writes: writes, epoch: epoch, now: now, day: nil) { return cached.value }
        let sections = try await taxonomy.sections()
        lock.withLock { sectionsCopy = Copy(value: sections, writes: writes, epoch: epoch, fetched: now, day: nil) }
        return sections
    }

    /// What was published since midnight in Sofia, newest first.
    func today(now: Date) async throws -> [ArticleSummary] {
        let midnight = SofiaTime.startOfDay(containing: now)
        let (writes, epoch, cached) = lock.withLock { (database.writeCount, self.epoch, todayCopy) }
        if let cached, isFresh(cached, writes: writes, epoch: epoch, now: now, day: midnight) { return cached.value }
        let today = try await articles.published(
            from: midnight, to: now.addingTimeInterval(1), limit: Self.todayLength, now: now)
        lock.withLock { todayCopy = Copy(value: today, writes: writes, epoch: epoch, fetched: now, day: midnight) }
        return today
    }

    /// The breaking-news banner, if one is up at `now`. Read again after every change event (setting or clearing it
    /// announces everything, on every node), so a page rendered after the change shows it.
    func banner(now: Date) async throws -> BreakingNews? {
        let (writes, epoch, cached) = lock.withLock { (database.writeCount, self.epoch, bannerCopy) }
        if let cached, isFresh(cached, writes: writes, epoch: epoch, now: now, day: nil) {
            return cached.value.flatMap { $0.until > now ? $0 : nil }
        }
        let banner = try await BreakingNewsRepository(database: database).current(now: now)
        lock.withLock { bannerCopy = Copy(value: banner, writes: writes, epoch: epoch, fetched: now, day: nil) }
        return banner
    }

    private func isFresh<Value>(_ copy: Copy<Value>, writes: Int, epoch: Int, now: Date, day: Date?) -> Bool {
        copy.writes == writes && copy.epoch == epoch && copy.day == day && copy.fetched <= now
            && now.timeIntervalSince(copy.fetched) < maxAge
    }
}
