import CompressNIO
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport
@testable import VestnikWeb

/// Which pages a full page cache lets in (issue 28): a page read once is served but not stored, a scan of cold
/// pages leaves the hot ones alone, and the memory bound and purges hold as before.
@Suite struct PageAdmissionUnitTests {
    static let text = String(repeating: "x", count: 1_000)
    static func page(_ keys: String = "site") -> PageCache.Page {
        PageCache.Page(
            bytes: ByteBuffer(string: text), contentType: "text/html", lastModified: nil, etag: nil, surrogateKeys: keys, at: testNow)
    }
    /// Room for eight pages.
    static func cache(_ admission: PageCache.Admission) -> PageCache {
        PageCache(capacity: page().cost * 8 + 10, admission: admission, now: { testNow })
    }

    /// A request as the middleware makes it: look the page up, and on a miss store the rendered page if told to.
    @discardableResult
    static func request(_ path: String, in cache: PageCache) -> Bool {
        switch cache.lookup(path) {
        case .hit, .stale: return true
        case .rendering: return false  // only a collapsing look-up waits
        case .miss(let keep, let epoch, _):
            if keep { cache.store(page(), at: path, renderedAt: epoch) }
            return false
        }
    }

    @Test(arguments: [PageCache.Admission.secondRequest, .tinyLFU])
    func aPageReadOnceIsNotStoredAndReadTwiceIs(_ admission: PageCache.Admission) {
        let cache = Self.cache(admission)
        for number in 1...8 { Self.request("/\(number)", in: cache) }  // stored while there is room
        #expect(cache.stats.pages == 8)
        guard case .miss(let keep, let epoch, _) = cache.lookup("/new") else { Issue.record("a hit"); return }
        #expect(!keep)  // so the middleware makes no copy of it
        cache.store(Self.page(), at: "/new", renderedAt: epoch)  // and were it offered, it would not be taken
        #expect(!cache.holds("/new"))
        #expect(cache.stats.pages == 8 && cache.stats.rejected == 1)

        #expect(!Self.request("/new", in: cache))  // the second read renders it again, and keeps it
        #expect(cache.holds("/new"))
        #expect(!cache.holds("/1"))  // the least recently used made room
        #expect(Self.request("/new", in: cache))
        #expect(cache.stats.bytes <= cache.capacity)
    }

    /// Today's LRU keeps every page; the other policies keep the pages read often while a crawler reads 1,000 others
    /// once each, and also when it comes back for the same 1,000 (each read twice, still less than the hot ones).
    @Test(arguments: PageCache.Admission.allCases)
    func aScanOfColdPagesDoesNotEvictTheHotOnes(_ admission: PageCache.Admission) {
        let cache = Self.cache(admission)
        let hot = (1...4).map { "/hot/\($0)" }
        for _ in 1...5 { for path in hot { Self.request(path, in: cache) } }
        for number in 1...4 { Self.request("/warm/\(number)", in: cache) }
        var hotMisses = 0
        for _ in 1...(admission == .tinyLFU ? 2 : 1) {
            for number in 1...1_000 {
                Self.request("/archive/\(number)", in: cache)
                if number % 50 == 0 { for path in hot where !Self.request(path, in: cache) { hotMisses += 1 } }
            }
        }
        if admission == .lru {
            #expect(hotMisses > 0)  // the scan flushed them: what the other policies prevent
        } else {
            #expect(hotMisses == 0)
            #expect(hot.allSatisfy { cache.holds($0) })
        }
        #expect(cache.stats.bytes <= cache.capacity)
    }

    /// The bound holds whatever comes in: pages of many sizes, gzip added on hits, changes and re-stores.
    @Test(arguments: PageCache.Admission.allCases)
    func theMemoryBoundHolds(_ admission: PageCache.Admission) {
        let capacity = 200_000
        let cache = PageCache(capacity: capacity, admission: admission, now: { testNow })
        var generator = SystemRandomNumberGenerator()
        for step in 0..<5_000 {
            let number = Int.random(in: 0..<300, using: &generator) % (1 + Int.random(in: 0..<300, using: &generator))
            let path = "/p/\(number)"
            switch cache.lookup(path) {
            case .hit(let page), .stale(let page):
                cache.replace(page.withGzip(), at: path)
            case .rendering:
                Issue.record("a look-up without collapsing waited")
            case .miss(let keep, let epoch, _):
                let size = 500 + (number * 7_919) % 20_000
                let text = String(repeating: "абвгдежзий", count: size / 20) + "\(number)"
                let page = PageCache.Page(
                    bytes: ByteBuffer(string: text), contentType: "text/html", lastModified: nil, etag: nil,
                    surrogateKeys: "site a\(number % 20)", compress: step % 2 == 0, keep: keep, at: testNow)
                cache.store(page, at: path, renderedAt: epoch)
            }
            if step % 700 == 0 { cache.invalidate(ContentChange(keys: [CacheKey.article(step % 20)])) }
            #expect(cache.stats.bytes <= capacity)
            #expect(cache.stats.bytes >= 0)
        }
        #expect(cache.stats.pages > 0)
    }

    /// gzip is made on the first hit that takes it, counted in the bound, and not tried twice.
    @Test func gzipIsMadeOnTheFirstHitThatTakesIt() throws {
        let cache = PageCache(capacity: 1 << 20, admission: .tinyLFU, now: { testNow })
        let html = String(repeating: "<p>Абзац от статията, който се повтаря.</p>\n", count: 400)
        let plain = PageCache.Page(
            bytes: ByteBuffer(string: html), contentType: "text/html", lastModified: nil, etag: nil, surrogateKeys: "site a1",
            compress: false, keep: true, at: testNow)
        #expect(plain.gzip == nil && !plain.gzipTried)
        cache.store(plain, at: "/a", renderedAt: cache.epoch)
        let before = cache.stats.bytes
        let stored = try #require(cache.page("/a"))
        let zipped = stored.withGzip()
        #expect(zipped.gzipTried)
        var gzip = try #require(zipped.gzip)
        #expect(String(buffer: try gzip.decompress(with: .gzip())) == html)
        #expect(zipped.gzipHeaders[.contentEncoding] == "gzip")
        cache.replace(zipped, at: "/a")
        #expect(cache.stats.bytes == before - plain.cost + zipped.cost)
        #expect(try #require(cache.page("/a")).gzip != nil)
        // A purge drops the page with its gzip encoding.
        cache.invalidate(ContentChange(keys: [CacheKey.article(1)]))
        #expect(!cache.holds("/a"))
        #expect(cache.stats.bytes == 0)
        // A gzip copy made of a page that was dropped meanwhile is not put back.
        cache.replace(zipped, at: "/a")
        #expect(!cache.holds("/a"))
    }
}

/// The same in front of the real site, on both databases: a scan of the archive leaves the hot pages cached, a page
/// read once is not kept, and an edit still drops a kept page with its gzip encoding.
@Suite struct PageAdmissionTests {
    static let hot = [
        article("Ким Чен-ун се среща с Путин", tags: ["Русия"], hoursAgo: 1), article("Дронове над Киев", hoursAgo: 2),
        article("Санкции срещу Русия", section: "Икономика", hoursAgo: 3),
    ]
    static let archive = (1...40).map { number in
        article("Архивна статия номер \(number)", section: "Спорт", hoursAgo: 100 + Double(number))
    }
    static let hotPaths = ["/svyat/kim-chen-un-se-sreshta-s-putin", "/svyat/dronove-nad-kiev", "/ikonomika/sanktsii-sreshtu-rusia"]

    /// With today's LRU (for comparison) the walk flushes the hot pages, which shows the cache did overflow.
    @Test(arguments: TestDatabase.all, [PageCache.Admission.lru, .tinyLFU])
    func aScanOfTheArchiveLeavesTheHotPagesAndAnEditStillDropsThem(_ kind: TestDatabase, _ admission: PageCache.Admission) async throws {
        var server = ServerSettings()
        server.pageCacheBytes = 256 << 10  // a few pages: the archive overflows it several times
        server.pageCacheAdmission = admission
        try await withSite(kind, articles: Self.hot + Self.archive, server: server) { client, site in
            for _ in 1...3 {
                for path in Self.hotPaths {
                    #expect(try await client.get(path).status == .ok)
                    _ = try await client.get(path, headers: [.acceptEncoding: "gzip"])
                }
            }
            for path in Self.hotPaths {
                #expect(try await client.get(path).headers[.xCache] == "HIT", "\(path)")
                let zipped = try await client.get(path, headers: [.acceptEncoding: "gzip"])
                #expect(zipped.headers[.xCache] == "HIT" && zipped.headers[.contentEncoding] == "gzip", "\(path)")
            }
            // A crawler walks the archive once.
            var archivePaths: [String] = []
            for number in 1...40 {
                let path = "/sport/arhivna-statia-nomer-\(number)"
                let page = try await client.get(path, headers: [.userAgent: "Mozilla/5.0 (compatible; Googlebot/2.1)"])
                #expect(page.status == .ok, "\(path)")
                archivePaths.append(path)
            }
            var hits = 0
            for path in Self.hotPaths where try await client.get(path).headers[.xCache] == "HIT" { hits += 1 }
            if admission == .lru {
                #expect(hits < Self.hotPaths.count)
                return
            }
            #expect(hits == Self.hotPaths.count)
            // The last pages of the walk came once into a full cache: not kept, so a second read renders again.
            for path in archivePaths.suffix(5) { #expect(try await client.get(path).headers[.xCache] == "MISS", "\(path)") }

            // An edit drops the kept page and its gzip encoding.
            var edited = Self.hot[1]
            edited.title = "Дронове над Одеса"
            try await site.articles.save(edited, now: testNow)
            let zipped = try await client.get(Self.hotPaths[1], headers: [.acceptEncoding: "gzip"])
            #expect(zipped.headers[.xCache] == "MISS")
            var body = ByteBuffer(string: "")
            try await client.execute(uri: Self.hotPaths[1], method: .get, headers: [.acceptEncoding: "gzip"]) { response in
                body = response.body
                #expect(response.headers[.contentEncoding] == "gzip")
            }
            #expect(String(buffer: try body.decompress(with: .gzip())).contains("Дронове над Одеса"))
            #expect(try await client.get(Self.hotPaths[1]).body.contains("Дронове над Одеса"))
        }
    }
}
