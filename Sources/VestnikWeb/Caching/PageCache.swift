import CompressNIO
import Foundation
import HTTPTypes
import Hummingbird
import VestnikStore

/// Rendered public pages kept in memory, bounded by bytes: the least recently used page goes first when a new one
/// does not fit. Each page keeps the `CacheKey`s of what it shows, so a `ContentChange` drops exactly the pages
/// showing the changed thing; a page also expires after `lifetime`, for what changes with the clock alone
/// ("преди 5 минути", read counts, "Най-четени").
///
/// A render that began before a change may finish after it; `epoch` counts invalidations, and a page rendered
/// across one is served to its own request but not kept.
public final class PageCache: @unchecked Sendable {
    /// A stored page: the bytes as rendered and pre-compressed, and what a response needs to describe them.
    public struct Page: Sendable {
        public let identity: ByteBuffer
        public let gzip: ByteBuffer?
        public let etag: String
        public let contentType: String
        public let lastModified: String?
        public let surrogateKeys: String
        /// The response headers of a hit, made once: for the page as is, and gzip-compressed.
        let identityHeaders: HTTPFields
        let gzipHeaders: HTTPFields
        let storedAt: Date
        /// The surrogate keys one by one (split only for a page that is kept: most cold pages never are).
        var keys: [String] { surrogateKeys.split(separator: " ").map(String.init) }

        /// The memory the page holds: both encodings' storage (NIO rounds it up to a power of two, so a page of
        /// 17 KB holds 32 KB; counting the bytes alone let a full 64 MB cache hold up to twice that) plus a rough
        /// allowance for the bookkeeping.
        var cost: Int { identity.capacity + (gzip?.capacity ?? 0) + surrogateKeys.utf8.count * 5 + 512 }
    }

    public struct Statistics: Sendable, Equatable {
        public var pages = 0
        public var bytes = 0
        public var hits = 0
        public var misses = 0
    }

    /// The most bytes the pages may take; 0 keeps nothing.
    public let capacity: Int
    public let lifetime: TimeInterval
    private let now: @Sendable () -> Date
    private let lock = NSLock()
    private var pages: [String: Node] = [:]
    private var byKey: [String: Set<String>] = [:]
    /// Most recently used at `head`.
    private var head: Node?
    private var tail: Node?
    private var statistics = Statistics()
    private var invalidations: UInt64 = 0

    /// `now` is the site's clock, so a page expires by the same time the site renders with.
    public init(capacity: Int, lifetime: TimeInterval = 60, now: @escaping @Sendable () -> Date = { Date() }) {
        self.capacity = max(0, capacity)
        self.lifetime = lifetime
        self.now = now
    }

    public var isEnabled: Bool { capacity > 0 }

    /// The clock pages are stamped with.
    var clock: @Sendable () -> Date { now }

    /// The page stored under `path`, if it is there and not expired; it becomes the most recently used.
    func page(_ path: String) -> Page? {
        let date = now()
        return lock.withLock {
            guard let node = pages[path] else {
                statistics.misses += 1
                return nil
            }
            guard date.timeIntervalSince(node.page.storedAt) < lifetime, node.page.storedAt <= date else {
                remove(node)
                statistics.misses += 1
                return nil
            }
            moveToFront(node)
            statistics.hits += 1
            return node.page
        }
    }

    /// Counts changes; pass it to `store` to keep a page only if nothing changed while it was rendered.
    var epoch: UInt64 { lock.withLock { invalidations } }

    /// Keeps `page` under `path` unless a change came after `epoch` or it is too big to be worth it (over an
    /// eighth of the capacity), making room by dropping the least recently used pages.
    func store(_ page: Page, at path: String, renderedAt epoch: UInt64) {
        guard isEnabled, page.cost <= capacity / 8 else { return }
        lock.withLock {
            guard invalidations == epoch else { return }
            if let old = pages[path] { remove(old) }
            while statistics.bytes + page.cost > capacity, let last = tail { remove(last) }
            let node = Node(path: path, page: page)
            pages[path] = node
            for key in page.keys { byKey[key, default: []].insert(path) }
            statistics.bytes += page.cost
            statistics.pages += 1
            insertAtFront(node)
        }
    }

    /// Drops every page showing something `change` names (all of them for `ContentChange.everything`).
    public func invalidate(_ change: ContentChange) {
        lock.withLock {
            invalidations &+= 1
            if change.isEverything {
                pages.removeAll()
                byKey.removeAll()
                head = nil
                tail = nil
                statistics.pages = 0
                statistics.bytes = 0
                return
            }
            for key in change.keys {
                guard let paths = byKey[key] else { continue }
                for path in paths { if let node = pages[path] { remove(node) } }
            }
        }
    }

    public var stats: Statistics { lock.withLock { statistics } }

    // MARK: The recency list (call with the lock held)

    private final class Node {
        let path: String
        let page: Page
        var previous: Node?
        var next: Node?
        init(path: String, page: Page) {
            self.path = path
            self.page = page
        }
    }

    private func remove(_ node: Node) {
        pages[node.path] = nil
        for key in node.page.keys {
            byKey[key]?.remove(node.path)
            if byKey[key]?.isEmpty == true { byKey[key] = nil }
        }
        statistics.bytes -= node.page.cost
        statistics.pages -= 1
        unlink(node)
    }

    private func unlink(_ node: Node) {
        node.previous?.next = node.next
        node.next?.previous = node.previous
        if head === node { head = node.next }
        if tail === node { tail = node.previous }
        node.previous = nil
        node.next = nil
    }

    private func insertAtFront(_ node: Node) {
        node.next = head
        head?.previous = node
        head = node
        if tail == nil { tail = node }
    }

    private func moveToFront(_ node: Node) {
        guard head !== node else { return }
        unlink(node)
        insertAtFront(node)
    }
}

extension PageCache.Page {
    /// A page from rendered bytes: its ETag from the bytes, a gzip copy when that is smaller. `compress: false`
    /// skips the gzip copy (a page neither kept nor sent compressed: gzip was a quarter of a cold page's CPU).
    init(
        bytes: ByteBuffer, contentType: String, lastModified: String?, etag: String?, surrogateKeys: String,
        cacheControl: String = HTTPCachePolicy().cacheControl, compress: Bool = true, at date: Date
    ) {
        var source = bytes
        let compressed = compress ? try? source.compress(with: .gzip()) : nil
        // A page that may be kept holds buffers sized for what they hold (NIO rounds up to a power of two): gzip's
        // output buffer is allocated for the worst case, the input's size, about four times what it keeps, and the
        // rendered body may share a larger storage. Without the copies a full 64 MB cache held 250 MB (bench/pages.sh).
        identity = compress ? Self.exactCopy(bytes) : bytes
        gzip = compressed.flatMap { $0.readableBytes < bytes.readableBytes ? Self.exactCopy($0) : nil }
        let etag = etag ?? "\"\(StaticAssets.fingerprint(bytes.readableBytesView))\""
        self.etag = etag
        self.contentType = contentType
        self.lastModified = lastModified
        self.surrogateKeys = surrogateKeys
        storedAt = date
        var headers: HTTPFields = [
            .contentType: contentType, .eTag: etag, .cacheControl: cacheControl, .vary: "Accept-Encoding",
            .surrogateKey: surrogateKeys, .xCache: "HIT",
        ]
        if let lastModified { headers[.lastModified] = lastModified }
        identityHeaders = headers
        if gzip == nil {
            gzipHeaders = headers  // never sent: there is no gzip copy to send them with
        } else {
            headers[.eTag] = Self.gzipETag(etag)
            headers[.contentEncoding] = "gzip"
            gzipHeaders = headers
        }
    }

    /// The ETag of the gzip encoding: a different representation needs a different strong validator.
    var gzipETag: String { Self.gzipETag(etag) }

    /// `buffer`'s bytes in storage of their own, allocated for their size.
    private static func exactCopy(_ buffer: ByteBuffer) -> ByteBuffer {
        var copy = ByteBufferAllocator().buffer(capacity: buffer.readableBytes)
        copy.writeImmutableBuffer(buffer)
        return copy
    }

    private static func gzipETag(_ etag: String) -> String {
        etag.hasSuffix("\"") ? String(etag.dropLast()) + "-gz\"" : etag + "-gz"
    }
}
