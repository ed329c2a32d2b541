import Foundation

/// Whether an article id names an article a reader can see now, remembered for a short while so that beacons do
/// not each cost a query.
///
/// A visible article is remembered for a minute (unpublishing it stops the count within that minute); an unknown or
/// unpublished one for five seconds only, so a story counts within seconds of going live. At most `capacity` ids
/// are remembered; when full, the memory starts afresh.
final class ReadableArticles: @unchecked Sendable {
    private let lookup: @Sendable (Int, Date) async throws -> Bool
    private let now: @Sendable () -> Date
    private let capacity: Int
    static let visibleFor: TimeInterval = 60
    static let invisibleFor: TimeInterval = 5

    private let lock = NSLock()
    private var known: [Int: (visible: Bool, until: Date)] = [:]

    init(capacity: Int = 50_000, now: @escaping @Sendable () -> Date, lookup: @escaping @Sendable (Int, Date) async throws -> Bool) {
        self.capacity = max(1, capacity)
        self.now = now
        self.lookup = lookup
    }

    func isReadable(_ articleID: Int) async throws -> Bool {
        let date = now()
        if let entry = lock.withLock({ known[articleID] }), entry.until > date { return entry.visible }
        let visible = try await lookup(articleID, date)
        lock.withLock {
            if known.count >= capacity { known.removeAll(keepingCapacity: true) }
            known[articleID] = (visible, date.addingTimeInterval(visible ? Self.visibleFor : Self.invisibleFor))
        }
        return visible
    }
}
