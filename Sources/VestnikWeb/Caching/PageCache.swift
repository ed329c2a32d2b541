import CompressNIO
import Foundation
import HTTPTypes
import Hummingbird
import VestnikCore
import VestnikStore

/// Rendered public pages kept in memory, bounded by bytes: the least recently used page goes first when a new one
/// does not fit. Each page keeps the `CacheKey`s of what it shows, so a `ContentChange` drops exactly the pages
/// showing the changed thing; a page also expires after `lifetime`, for what changes with the clock alone
/// ("преди 5 минути", read counts, "Най-четени").
///
/// Once the cache is full, `admission` decides whether a new page may push others out. On a big archive most
/// misses are pages nobody asks for again before they would be evicted (a crawler's walk, the long tail): those are
/// served as rendered and never stored, so they cost what a cold render costs and flush nothing.
///
/// A render that began before a change may finish after it; `epoch` counts invalidations, and a page rendered
/// across one is served to its own request but not kept.
///
/// A page is rendered by one request at a time (`lookup(_:collapsing:)`), as Varnish and nginx's `proxy_cache_lock`
/// do: the others asking for it meanwhile wait for that render, or get the expired copy within `grace`. Otherwise a
/// publication, which drops the home page read by a tenth of all readers, set every one of them rendering it at once.
public final class PageCache: @unchecked Sendable {
    /// Which new pages may take a full cache's room.
    public enum Admission: String, Sendable, CaseIterable {
        /// Every page, pushing out the least recently used (the cache before issue 28; for comparison).
        case lru
        /// A page asked for a second time within the sketch's window, like nginx's `proxy_cache_min_uses 2`.
        case secondRequest = "second"
        /// A page asked for again, and lately more often than each page it would push out (TinyLFU).
        case tinyLFU = "tinylfu"
    }

    /// A stored page: the bytes as rendered, gzip-compressed once a client asks for that, and what a response
    /// needs to describe them.
    ///
    /// A page first asked for by a client that takes gzip (nearly every browser) is kept gzip-compressed only, as
    /// Varnish keeps its objects: a quarter of its bytes or less, so the same cache holds about three times the pages
    /// (at 10,000 articles, 64 MB answered 96 % of bench/mixed.sh's readers instead of 82 %). The plain bytes are made
    /// again from the gzip copy when a client that does not take gzip asks (`withIdentity`), and then kept beside it.
    public struct Page: Sendable {
        /// The page's bytes; of a page with a shared block (`splice`), those before the block. Empty while the page
        /// is kept gzip-compressed only (`hasIdentity`).
        public private(set) var identity: ByteBuffer
        /// Whether `identity` (and the splice's `suffix`) hold the page's bytes.
        public private(set) var hasIdentity = true
        /// The length of `identity` when it is there.
        let identityLength: Int
        /// gzip-compressed; of a page with a shared block, the gzip header and the bytes before the block as a
        /// deflate segment (`DeflateSegment`).
        public private(set) var gzip: ByteBuffer?
        /// Whether gzip was tried (a page whose gzip copy would not be smaller has none, and is not tried again).
        private(set) var gzipTried = false
        public let etag: String
        public let contentType: String
        public let lastModified: String?
        /// `lastModified` read (once, not on each hit that compares it).
        let lastModifiedDate: Date?
        /// The page's keys; of a page with a shared block, without the block's (the response adds them).
        public let surrogateKeys: String
        /// Where a shared block is spliced in at send time, and the page's bytes after it.
        private(set) var splice: Splice?
        /// Of a page with a shared block, what its last hits were answered with.
        let splicedHits: SplicedHits?
        /// The response headers of a hit, made once: for the page as is, and gzip-compressed.
        let identityHeaders: HTTPFields
        private(set) var gzipHeaders: HTTPFields
        /// The head of a 200 hit as bytes (`HTTP1Head.ok`), for each encoding: what the event loop writes before the
        /// chain's headers (`EventLoopHits`). Nil for a page with a shared block (`SplicedHits.Made.head`) and for one
        /// that is not kept.
        private(set) var identityHead: ByteBuffer?
        private(set) var gzipHead: ByteBuffer?
        let storedAt: Date
        /// What `cost` counts for a kept page's bookkeeping, beyond its keys' text.
        static let bookkeeping = 4_096

        /// The surrogate keys one by one (split only for a page that is kept: most cold pages never are).
        var keys: [String] { surrogateKeys.split(separator: " ").map(String.init) }

        /// The memory the page holds: both encodings' storage (NIO rounds it up to a power of two, so a page of
        /// 17 KB holds 32 KB; counting the bytes alone let a full 64 MB cache hold up to twice that) plus what a kept
        /// page carries besides: its headers as fields for each encoding, its last hits' answers (`SplicedHits`), its
        /// place under each of its keys. That is about 4 KB a page, measured: 10,008 pages kept gzip-compressed
        /// counted 57.6 MB with a 512-byte allowance and took 101 MB of the server's memory (bench/README).
        var cost: Int {
            identity.capacity + (gzip?.capacity ?? 0) + surrogateKeys.utf8.count * 5 + Self.bookkeeping
                + (identityHead?.capacity ?? 0) + (gzipHead?.capacity ?? 0)
                + (splice.map { $0.suffix.capacity + ($0.gzipSuffix?.capacity ?? 0) } ?? 0)
        }
    }

    /// The part of a page after its shared block, and what joining the block's gzip segment needs.
    struct Splice: Sendable {
        /// The block's name (`SharedFragment.name`) and the article whose page this is (left out of the block).
        let fragment: String
        let excluded: Int
        /// Empty while the page is kept gzip-compressed only (`Page.hasIdentity`).
        var suffix: ByteBuffer
        let suffixLength: Int
        /// The bytes after the block as a deflate segment, followed by the final block; with the CRC-32 of the
        /// bytes before and after the block.
        var gzipSuffix: ByteBuffer?
        var prefixCRC: UInt32 = 0
        var suffixCRC: UInt32 = 0
    }

    public struct Statistics: Sendable, Equatable {
        public var pages = 0
        public var bytes = 0
        public var hits = 0
        /// Of `hits`, those answered on the connection's event loop (`EventLoopHits`).
        public var eventLoopHits = 0
        public var misses = 0
        /// Rendered pages the admission policy did not let in.
        public var rejected = 0
        /// Rendered pages stored.
        public var admitted = 0
        /// Pages dropped to make room (not those dropped because they changed or expired).
        public var evictions = 0
        /// Of `hits`, those answered with an expired copy while another request rendered the page again (`grace`).
        public var staleHits = 0
        /// Requests that waited for another request's render of the page instead of rendering it too.
        public var collapsed = 0
        /// Shared blocks kept (`SharedFragment`), counted in `bytes` too.
        public var fragments = 0
    }

    /// What `lookup` found.
    enum Lookup {
        case hit(Page)
        /// An expired page, within `grace`, while another request renders it again: answer with it.
        case stale(Page)
        /// Another request is rendering the page: `waitForRender`, then look it up again.
        case rendering
        /// `keep`: whether the page, once rendered, may be stored (so it is worth copying into storage of its own);
        /// `epoch`: what to pass to `store`; `renders`: whether this request renders it for the others asking, and
        /// must call `rendered` when done, kept or not.
        case miss(keep: Bool, epoch: UInt64, renders: Bool = false)
    }

    /// The most bytes the pages may take; 0 keeps nothing.
    public let capacity: Int
    public let lifetime: TimeInterval
    /// How long past `lifetime` an expired page may still answer while one request renders it again, as Varnish's
    /// grace: a page that only aged (its clock's parts: "преди 5 минути", read counts) need not make its readers wait.
    /// A changed page is dropped at once and never answered.
    public let grace: TimeInterval
    public let admission: Admission
    private let now: @Sendable () -> Date
    private let lock = NSLock()
    /// How often each path was asked for lately (unused by `.lru`).
    private var sketch: FrequencySketch
    private var pages: [String: Node] = [:]
    private var byKey: [String: Set<String>] = [:]
    /// Most recently used at `head`.
    private var head: Node?
    private var tail: Node?
    private var statistics = Statistics()
    private var invalidations: UInt64 = 0
    /// Shared blocks by name (`SharedFragment`).
    private var fragments: [String: SharedFragment] = [:]
    /// The paths being rendered by a request for the others (`lookup(_:collapsing:)`), with the requests waiting.
    private var rendering: [String: [CheckedContinuation<Void, Never>]] = [:]
    /// Paths whose last render was not a page to keep (the search results under one path for every query, an error
    /// page, a reader's own page), and when: their requests render each on their own for a `lifetime`, as Varnish's
    /// hit-for-miss, instead of waiting for one another's renders to find nothing kept.
    private var notKept: [String: Date] = [:]
    /// The most paths `notKept` remembers (a flood of made-up addresses must not grow it).
    static let notKeptLimit = 4_096

    /// `now` is the site's clock, so a page expires by the same time the site renders with. The plain LRU is the
    /// default here; the server's default is in `ServerSettings`.
    public init(
        capacity: Int, lifetime: TimeInterval = 60, grace: TimeInterval = 10, admission: Admission = .lru,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.capacity = max(0, capacity)
        self.lifetime = lifetime
        self.grace = max(0, grace)
        self.admission = admission
        self.now = now
        // Sized for about as many pages as the capacity holds at 16 KB a page (a generated article's cost).
        sketch = FrequencySketch(pages: admission == .lru ? 0 : self.capacity / 16_384)
    }

    public var isEnabled: Bool { capacity > 0 }

    /// The clock pages are stamped with.
    var clock: @Sendable () -> Date { now }

    /// The page stored under `path`, if it is there and not expired (it becomes the most recently used), and
    /// otherwise whether it may be kept once rendered. Counts the request either way.
    ///
    /// `collapsing`: one request renders the page for all that ask meanwhile. If another request is rendering it,
    /// the answer is its expired copy within `grace` (`stale`), or `rendering`; otherwise a miss that may be kept (or
    /// has such a copy) makes this request the one that renders it (`renders`), and the copy stays until replaced.
    func lookup(_ path: String, collapsing: Bool = false) -> Lookup {
        let date = now()
        let hash = path.hashValue
        return lock.withLock {
            if admission != .lru { sketch.record(hash) }
            var stale: Page?
            if let node = pages[path] {
                if !isExpired(node, at: date) {
                    moveToFront(node)
                    statistics.hits += 1
                    return .hit(node.page)
                }
                if collapsing && isWithinGrace(node, at: date) { stale = node.page } else { remove(node) }
            }
            let collapses = collapsing && !isNotKept(path, at: date)
            if collapses, rendering[path] != nil {
                guard let stale else {
                    statistics.collapsed += 1
                    return .rendering
                }
                statistics.hits += 1
                statistics.staleHits += 1
                return .stale(stale)
            }
            statistics.misses += 1
            let keep = mayKeep(hash)
            let renders = collapses && (keep || stale != nil)
            if renders { rendering[path] = [] }
            return .miss(keep: keep, epoch: invalidations, renders: renders)
        }
    }

    /// Returns once no request is rendering `path` (`lookup(_:collapsing:)`).
    func waitForRender(_ path: String) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let waits = lock.withLock {
                guard rendering[path] != nil else { return false }
                rendering[path]?.append(continuation)
                return true
            }
            if !waits { continuation.resume() }
        }
    }

    /// Ends the render of `path` that `lookup` gave this request (`renders`), stored or not: the requests waiting
    /// look it up again. `keepable`: whether the answer was a page to keep (nil when the render failed).
    func rendered(_ path: String, keepable: Bool? = nil) {
        let date = now()
        let waiting = lock.withLock {
            if keepable == false {
                if notKept.count >= Self.notKeptLimit { notKept = notKept.filter { Self.isWithin(lifetime, of: $0.value, at: date) } }
                if notKept.count >= Self.notKeptLimit { notKept.removeAll() }
                notKept[path] = date
            } else if keepable == true {
                notKept[path] = nil
            }
            return rendering.removeValue(forKey: path) ?? []
        }
        for request in waiting { request.resume() }
    }

    /// The page stored under `path` and, for a page with a shared block, the block's current version, counted as a
    /// hit as `lookup` counts it: only when both are there, unexpired, and the page's gzip copy was tried if `gzip`
    /// (its plain bytes are there if not).
    /// Otherwise nil, and nothing is counted nor dropped: the request goes on to `lookup`, which decides the rest
    /// (the event loop's answer to a hit, `EventLoopHits`, asks this; it must not wait).
    func readyHit(_ path: String, gzip: Bool) -> (page: Page, fragment: SharedFragment?)? {
        let date = now()
        let hash = path.hashValue
        return lock.withLock {
            guard let node = pages[path], !isExpired(node, at: date), !gzip || node.page.gzipTried, gzip || node.page.hasIdentity
            else { return nil }
            var fragment: SharedFragment?
            if let splice = node.page.splice {
                guard let kept = fragments[splice.fragment], isFresh(kept, at: date) else { return nil }
                fragment = kept
            }
            if admission != .lru { sketch.record(hash) }
            moveToFront(node)
            statistics.hits += 1
            statistics.eventLoopHits += 1
            return (node.page, fragment)
        }
    }

    /// The page stored under `path`, if any (`lookup` without the verdict on a miss).
    func page(_ path: String) -> Page? {
        if case .hit(let page) = lookup(path) { return page }
        return nil
    }

    /// Whether a page is stored under `path` (expired or not), without counting a request.
    func holds(_ path: String) -> Bool { lock.withLock { pages[path] != nil } }

    /// Counts changes; pass it to `store` to keep a page only if nothing changed while it was rendered.
    var epoch: UInt64 { lock.withLock { invalidations } }

    /// Keeps `page` under `path` unless a change came after `epoch`, it is too big to be worth it (over an eighth of
    /// the capacity), or the cache is full and `admission` prefers the pages it would push out; room is made by
    /// dropping the least recently used pages.
    func store(_ page: Page, at path: String, renderedAt epoch: UInt64) {
        guard isEnabled, page.cost <= capacity / 8 else { return }
        let hash = path.hashValue
        let date = now()
        lock.withLock {
            guard invalidations == epoch else { return }
            if let old = pages[path] { remove(old) }
            guard admits(cost: page.cost, hash: hash, at: date) else {
                statistics.rejected += 1
                return
            }
            while statistics.bytes + page.cost > capacity, let last = tail {
                remove(last)
                statistics.evictions += 1
            }
            statistics.admitted += 1
            let node = Node(path: path, hash: hash, page: page)
            pages[path] = node
            for key in page.keys { byKey[key, default: []].insert(path) }
            statistics.bytes += page.cost
            statistics.pages += 1
            insertAtFront(node)
        }
    }

    /// Puts `page` (the stored one with its gzip encoding added on a hit) in its place, if the page stored under
    /// `path` is still the one it was made from.
    func replace(_ page: Page, at path: String) {
        lock.withLock {
            guard let node = pages[path], node.page.storedAt == page.storedAt, node.page.etag == page.etag else { return }
            statistics.bytes += page.cost - node.page.cost
            node.page = page
            while statistics.bytes > capacity, let last = tail, last !== node {
                remove(last)
                statistics.evictions += 1
            }
        }
    }

    /// Drops every page showing something `change` names (all of them for `ContentChange.everything`).
    public func invalidate(_ change: ContentChange) {
        lock.withLock {
            invalidations &+= 1
            if change.isEverything {
                pages.removeAll()
                byKey.removeAll()
                fragments.removeAll()
                head = nil
                tail = nil
                statistics.pages = 0
                statistics.bytes = 0
                statistics.fragments = 0
                return
            }
            for fragment in fragments.values where !fragment.keys.isDisjoint(with: change.keys) { removeFragment(fragment.name) }
            for key in change.keys {
                guard let paths = byKey[key] else { continue }
                for path in paths { if let node = pages[path] { remove(node) } }
            }
        }
    }

    public var stats: Statistics { lock.withLock { statistics } }

    // MARK: Shared blocks

    /// The shared block `name`, if it is kept and not expired.
    func fragment(_ name: String) -> SharedFragment? {
        let date = now()
        return lock.withLock {
            guard let fragment = fragments[name] else { return nil }
            guard isFresh(fragment, at: date) else {
                removeFragment(name)
                return nil
            }
            return fragment
        }
    }

    /// Keeps `fragment` unless a change came after `epoch` (as `store`); its memory counts against the capacity, room
    /// made by dropping the least recently used pages.
    /// With the cache off (no pages, `capacity` 0) a block is still kept, within `fragmentAllowanceOff`: the cold
    /// render of an article page splices it in as a kept page is.
    func storeFragment(_ fragment: SharedFragment, renderedAt epoch: UInt64) {
        guard fragment.cost <= (isEnabled ? capacity / 8 : Self.fragmentAllowanceOff) else { return }
        lock.withLock {
            guard invalidations == epoch else { return }
            removeFragment(fragment.name)
            fragments[fragment.name] = fragment
            statistics.bytes += fragment.cost
            statistics.fragments += 1
            while statistics.bytes > capacity, let last = tail {
                remove(last)
                statistics.evictions += 1
            }
        }
    }

    /// Call with the lock held.
    private func removeFragment(_ name: String) {
        guard let fragment = fragments.removeValue(forKey: name) else { return }
        statistics.bytes -= fragment.cost
        statistics.fragments -= 1
    }

    // MARK: Admission (call with the lock held)

    private func isFresh(_ fragment: SharedFragment, at date: Date) -> Bool {
        Self.isWithin(fragmentLifetime, of: fragment.renderedAt, at: date)
    }

    /// Whether `date` is less than `limit` after `stamp` (and not before it: a clock set back counts as expired).
    private static func isWithin(_ limit: TimeInterval, of stamp: Date, at date: Date) -> Bool {
        date.timeIntervalSince(stamp) < limit && stamp <= date
    }

    /// Memory a shared block may take with the cache off (a "Новините днес" of 15 articles, in its 16 variants with
    /// their deflate segments, is about 100 KB).
    static let fragmentAllowanceOff = 1 << 20

    /// How long a shared block is kept: a page's lifetime; with the cache off, no longer than the shared lists it is
    /// rendered from (`SharedLists`, 2 s), so that an article whose publication time passes without a write shows as
    /// soon as it did when each page rendered the block itself. Changes drop it at once either way (`invalidate`).
    private var fragmentLifetime: TimeInterval { isEnabled ? lifetime : min(lifetime, 2) }

    private func isExpired(_ node: Node, at date: Date) -> Bool {
        !Self.isWithin(lifetime, of: node.page.storedAt, at: date)
    }

    /// Whether `path`'s last render, within a `lifetime`, was not a page to keep (call with the lock held).
    private func isNotKept(_ path: String, at date: Date) -> Bool {
        guard let when = notKept[path] else { return false }
        return Self.isWithin(lifetime, of: when, at: date)
    }

    private func isWithinGrace(_ node: Node, at date: Date) -> Bool {
        Self.isWithin(lifetime + grace, of: node.page.storedAt, at: date)
    }

    /// A guess before rendering, so that a page that will not be kept is not copied: there is room, or the policy
    /// may let it in (`admits` decides).
    private func mayKeep(_ hash: Int) -> Bool {
        let average = statistics.pages == 0 ? 0 : statistics.bytes / statistics.pages
        return admission == .lru || statistics.bytes + average <= capacity || sketch.frequency(hash) >= 2
    }

    /// Whether a page of `cost` may come in: always while it fits, otherwise as `admission` says.
    private func admits(cost: Int, hash: Int, at date: Date) -> Bool {
        if admission == .lru || statistics.bytes + cost <= capacity { return true }
        let frequency = sketch.frequency(hash)
        guard frequency >= 2 else { return false }
        guard admission == .tinyLFU else { return true }
        // The pages it would push out, least recently used first: each must have been asked for less often
        // (expired ones are gone anyway).
        var room = capacity - statistics.bytes
        var victim = tail
        while room < cost, let node = victim {
            if !isExpired(node, at: date), sketch.frequency(node.hash) >= frequency { return false }
            room += node.page.cost
            victim = node.previous
        }
        return true
    }

    // MARK: The recency list (call with the lock held)

    private final class Node {
        let path: String
        let hash: Int
        var page: Page
        var previous: Node?
        var next: Node?
        init(path: String, hash: Int, page: Page) {
            self.path = path
            self.hash = hash
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
    /// A page from rendered bytes: its ETag from the bytes, and a gzip copy when `compress` and that is smaller.
    /// `keep` (by default `compress`) copies the bytes into storage of their own, for a page that may be stored: a
    /// page served once needs neither the copies nor gzip unless its client takes gzip (gzip was a quarter of a cold
    /// page's CPU).
    ///
    /// `splice`: where a shared block lies in `bytes`; the page keeps what is before and after it. `plain`: whether a
    /// kept page keeps its plain bytes beside its gzip copy; false keeps the gzip copy alone (`withoutIdentity`), and
    /// the plain bytes are then never copied into storage (each page kept for a gzip client was a copy, a mapping
    /// made and at once unmade), unless the gzip copy is not made.
    init(
        bytes: ByteBuffer, contentType: String, lastModified: String?, etag: String?, surrogateKeys: String,
        cacheControl: String = HTTPCachePolicy().cacheControl, compress: Bool = true, keep: Bool? = nil, plain: Bool = true,
        splice point: SplicePoint? = nil, at date: Date
    ) {
        let keep = keep ?? compress
        let copies = keep && (plain || !compress)
        let tag: String
        if let point {
            let prefix = bytes.getSlice(at: bytes.readerIndex, length: point.start)!
            let suffix = bytes.getSlice(at: bytes.readerIndex + point.end, length: bytes.readableBytes - point.end)!
            identity = copies ? Self.exactCopy(prefix) : prefix
            splice = PageCache.Splice(
                fragment: point.fragment, excluded: point.excluded, suffix: copies ? Self.smallCopy(suffix) : suffix,
                suffixLength: suffix.readableBytes)
            // The ETag sent is this one joined with the block's (`splicedETag`).
            tag = "\"\(StaticAssets.fingerprint(Self.joinedBytes(prefix, suffix)))\""
        } else {
            // A page that may be kept holds buffers sized for what they hold (NIO rounds up to a power of two): the
            // rendered body may share a larger storage. Without the copies a full 64 MB cache held 250 MB (bench/pages.sh).
            identity = copies ? Self.exactCopy(bytes) : bytes
            splice = nil
            tag = etag ?? "\"\(StaticAssets.fingerprint(bytes.readableBytesView))\""
        }
        self.etag = tag
        identityLength = identity.readableBytes
        splicedHits = point == nil ? nil : SplicedHits()
        self.contentType = contentType
        self.lastModified = lastModified
        lastModifiedDate = lastModified.flatMap(NewsDateFormatter.date(fromHTTPDate:))
        self.surrogateKeys = surrogateKeys
        storedAt = date
        var headers: HTTPFields = [
            .contentType: contentType, .eTag: tag, .cacheControl: cacheControl, .vary: "Accept-Encoding",
            .surrogateKey: surrogateKeys, .xCache: "HIT",
        ]
        if let lastModified { headers[.lastModified] = lastModified }
        identityHeaders = headers
        gzipHeaders = headers  // never sent without a gzip copy to send them with
        if compress { self.compress(exact: keep) }
        if keep && !copies {
            dropIdentity()
            if hasIdentity {
                // No gzip copy (not smaller): the plain bytes stay, in storage of their own.
                identity = Self.exactCopy(identity)
                if let suffix = splice?.suffix { splice?.suffix = Self.smallCopy(suffix) }
            }
        }
        // Only a page that is kept has hits (a cold render is answered as a miss).
        if keep { identityHead = plainHead }
    }

    /// The head of a 200 hit with the plain bytes, for a page without a shared block that has them.
    private var plainHead: ByteBuffer? {
        splice == nil && hasIdentity ? HTTP1Head.ok(identityHeaders, length: identityLength) : nil
    }

    /// The page as kept for a client that takes gzip: its gzip copy alone, when it has one.
    func withoutIdentity() -> Self {
        var page = self
        page.dropIdentity()
        return page
    }

    /// Drops the plain bytes when the gzip copy can stand for them.
    private mutating func dropIdentity() {
        guard hasIdentity, gzip != nil, splice == nil || splice?.gzipSuffix != nil else { return }
        identity = ByteBuffer()
        splice?.suffix = ByteBuffer()
        hasIdentity = false
        identityHead = nil
    }

    /// The page with its plain bytes, made again from its gzip copy if it is kept without them; nil if that copy
    /// does not inflate to bytes of the lengths the page had (which would be a fault of this code).
    func withIdentity() -> Self? {
        guard !hasIdentity else { return self }
        guard let gzip else { return nil }
        var page = self
        if var splice {
            // The gzip header, then the bytes before the block as a sync-flushed deflate segment: ended by a final
            // block, a raw deflate stream of its own. The part after the block already ends with one.
            guard let tail = splice.gzipSuffix else { return nil }
            var head = ByteBufferAllocator().buffer(capacity: gzip.readableBytes + DeflateSegment.finalBlock.count)
            var segment = gzip
            segment.moveReaderIndex(forwardBy: min(DeflateSegment.header.count, segment.readableBytes))
            head.writeBuffer(&segment)
            head.writeBytes(DeflateSegment.finalBlock)
            guard let prefix = Self.inflate(head, algorithm: .deflate(), length: identityLength),
                let suffix = Self.inflate(tail, algorithm: .deflate(), length: splice.suffixLength)
            else { return nil }
            page.identity = Self.exactCopy(prefix)
            splice.suffix = Self.smallCopy(suffix)
            page.splice = splice
        } else {
            guard let whole = Self.inflate(gzip, algorithm: .gzip(), length: identityLength) else { return nil }
            page.identity = Self.exactCopy(whole)
        }
        page.hasIdentity = true
        page.identityHead = page.plainHead
        return page
    }

    /// `compressed` inflated, if that gives exactly `length` bytes.
    private static func inflate(_ compressed: ByteBuffer, algorithm: CompressionAlgorithm, length: Int) -> ByteBuffer? {
        var input = compressed
        guard let bytes = try? input.decompress(with: algorithm, maxSize: length + 1), bytes.readableBytes == length else { return nil }
        return bytes
    }

    /// The page with its gzip encoding, made now if it was not tried yet.
    func withGzip() -> Self {
        guard !gzipTried else { return self }
        var page = self
        page.compress(exact: true)
        return page
    }

    /// Adds the gzip encoding when it is smaller; `exact`: in storage of its own (gzip's output buffer is allocated
    /// for the worst case, the input's size, about four times what it keeps).
    private mutating func compress(exact: Bool) {
        gzipTried = true
        if var splice {
            // The parts as deflate segments, compressed once; the block's segment goes between them when sent.
            guard let compressor = try? ZlibCompressor(algorithm: .deflate),
                let before = try? DeflateSegment(identity, compressor: compressor),
                let after = try? DeflateSegment(splice.suffix, compressor: compressor)
            else { return }
            var head = ByteBufferAllocator().buffer(capacity: DeflateSegment.header.count + before.bytes.readableBytes)
            head.writeBytes(DeflateSegment.header)
            head.writeImmutableBuffer(before.bytes)
            if exact { head = Self.smallCopy(head) }
            // Small: in malloc's heap (a mapping would take a whole memory page for it).
            var tail = ByteBufferAllocator().buffer(capacity: after.bytes.readableBytes + DeflateSegment.finalBlock.count)
            tail.writeImmutableBuffer(after.bytes)
            tail.writeBytes(DeflateSegment.finalBlock)
            gzip = head
            splice.gzipSuffix = tail
            splice.prefixCRC = before.crc
            splice.suffixCRC = after.crc
            self.splice = splice
            var headers = identityHeaders
            headers[.contentEncoding] = "gzip"
            gzipHeaders = headers
            return
        }
        var source = identity
        guard let made = try? source.compress(with: .gzip()), made.readableBytes < identity.readableBytes else { return }
        // A gzip copy is often under a memory page: `smallCopy`, not a mapping of a whole page for it.
        gzip = exact ? Self.smallCopy(made) : made
        var headers = identityHeaders
        headers[.eTag] = gzipETag
        headers[.contentEncoding] = "gzip"
        gzipHeaders = headers
        gzipHead = exact ? HTTP1Head.ok(headers, length: made.readableBytes) : nil
    }

    /// The ETag of the gzip encoding: a different representation needs a different strong validator.
    var gzipETag: String { Self.gzipETag(etag) }

    /// The ETag of the page with `variant` of its shared block: it changes when the block does.
    func splicedETag(_ variant: SharedFragment.Variant) -> String { String(etag.dropLast()) + "." + variant.tag + "\"" }

    /// The page as sent with `fragment` spliced in: the buffers to write, in order (no copy into one), and the ETag.
    func spliced(with fragment: SharedFragment, gzip compressed: Bool) -> (parts: [ByteBuffer], etag: String)? {
        guard let splice else { return nil }
        return spliced(with: fragment.variant(excluding: splice.excluded), gzip: compressed)
    }

    /// The page as sent with `variant` of its shared block (call only for a page with one).
    func spliced(with variant: SharedFragment.Variant, gzip compressed: Bool) -> (parts: [ByteBuffer], etag: String) {
        let splice = splice!
        let etag = splicedETag(variant)
        guard compressed, let head = gzip, let tail = splice.gzipSuffix else {
            return ([identity, variant.identity, splice.suffix], etag)
        }
        let length = identityLength + variant.deflate.length + splice.suffixLength
        let crc = DeflateSegment.combine(
            DeflateSegment.combine(splice.prefixCRC, variant.deflate.crc, secondLength: variant.deflate.length), splice.suffixCRC,
            secondLength: splice.suffixLength)
        return ([head, variant.deflate.bytes, tail, DeflateSegment.trailer(crc: crc, length: length)], Self.gzipETag(etag))
    }

    /// The bytes of `first` and then `second` in one array, copied once each (for the ETag of a page around its block).
    private static func joinedBytes(_ first: ByteBuffer, _ second: ByteBuffer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: first.readableBytes + second.readableBytes) { storage, count in
            let head = first.withUnsafeReadableBytes { storage.initialize(fromContentsOf: $0) }
            let rest = UnsafeMutableBufferPointer(rebasing: storage[head...])
            let tail = second.withUnsafeReadableBytes { rest.initialize(fromContentsOf: $0) }
            count = head + tail
        }
    }

    /// `buffer`'s bytes in storage of their own, allocated for their size, outside malloc's heap (`PageStorage`).
    private static func exactCopy(_ buffer: ByteBuffer) -> ByteBuffer {
        var copy = PageStorage.allocator.buffer(capacity: buffer.readableBytes)
        copy.writeImmutableBuffer(buffer)
        return copy
    }

    /// `buffer`'s bytes in storage of their own, allocated for their size: in a mapping when it takes memory pages of
    /// its own (`exactCopy`), in malloc's heap when smaller than one (the part of a page after its shared block).
    private static func smallCopy(_ buffer: ByteBuffer) -> ByteBuffer {
        guard buffer.readableBytes < 4_096 else { return exactCopy(buffer) }
        var copy = ByteBufferAllocator().buffer(capacity: buffer.readableBytes)
        copy.writeImmutableBuffer(buffer)
        return copy
    }

    static func gzipETag(_ etag: String) -> String {
        etag.hasSuffix("\"") ? String(etag.dropLast()) + "-gz\"" : etag + "-gz"
    }
}
