import CompressNIO
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTesting
import Synchronization
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport
@testable import VestnikWeb

/// The page cache on its own: bytes, recency, keys, lifetime and the race with a change.
@Suite struct PageCacheUnitTests {
    static func page(_ text: String, keys: String, at date: Date = testNow) -> PageCache.Page {
        PageCache.Page(
            bytes: ByteBuffer(string: text), contentType: "text/html", lastModified: nil, etag: nil, surrogateKeys: keys,
            at: date)
    }

    @Test func theLeastRecentlyUsedPageGoesFirstWhenBytesRunOut() {
        let big = String(repeating: "x", count: 1_000)
        let cost = Self.page(big, keys: "site a1").cost
        let cache = PageCache(capacity: cost * 8 + 10, now: { testNow })  // room for eight pages
        for number in 1...8 { cache.store(Self.page(big, keys: "site a\(number)"), at: "/\(number)", renderedAt: cache.epoch) }
        #expect(cache.stats.pages == 8)
        #expect(cache.page("/1") != nil)  // now /2 is the least recently used
        cache.store(Self.page(big, keys: "site a9"), at: "/9", renderedAt: cache.epoch)
        #expect(cache.page("/2") == nil)
        #expect(cache.page("/1") != nil)
        #expect(cache.page("/9") != nil)
        #expect(cache.stats.bytes <= cache.capacity)
        // A page over an eighth of the capacity is not worth keeping.
        cache.store(Self.page(String(repeating: "y", count: cost * 2), keys: "site"), at: "/huge", renderedAt: cache.epoch)
        #expect(cache.page("/huge") == nil)
    }

    /// The bound is on memory: a page costs the storage its bytes sit in, which NIO sizes to a power of two.
    @Test func aPageCostsTheStorageItHolds() {
        let page = Self.page(String(repeating: "z", count: 1_100), keys: "site a1")
        #expect(page.identity.capacity >= 2_048)
        #expect(page.cost >= page.identity.capacity + (page.gzip?.capacity ?? 0))
    }

    /// Kept pages live in mappings of their own (`PageStorage`): bytes written there read back intact, also after the
    /// buffer grows and is copied to a larger mapping, and many buffers come and go without mixing their bytes.
    @Test func keptPagesStorageHoldsTheirBytes() {
        var buffers = (0..<64).map { index -> ByteBuffer in
            var buffer = PageStorage.allocator.buffer(capacity: 1_000 + index * 300)
            buffer.writeString(String(repeating: Character(UnicodeScalar(UInt8(65 + index % 26))), count: 1_000 + index * 300))
            return buffer
        }
        for index in stride(from: 0, to: 64, by: 2) { buffers[index] = ByteBuffer() }  // freed in the middle
        var grown = buffers[1]
        buffers[1] = ByteBuffer()  // the only reference left: growing reallocates in place of a copy
        grown.writeString(String(repeating: "!", count: 70_000))  // past its mapping: reallocated
        #expect(grown.readableBytes == 1_300 + 70_000)
        #expect(grown.getString(at: 0, length: 1_300) == String(repeating: "B", count: 1_300))
        #expect(grown.getString(at: 1_300, length: 70_000) == String(repeating: "!", count: 70_000))
        for index in stride(from: 3, to: 64, by: 2) {
            let letter = Character(UnicodeScalar(UInt8(65 + index % 26)))
            #expect(buffers[index].readableBytesView.allSatisfy { $0 == letter.asciiValue })
        }
        let page = Self.page(String(repeating: "z", count: 20_000), keys: "site")
        #expect(String(buffer: page.identity) == String(repeating: "z", count: 20_000))
    }

    @Test func aChangeDropsExactlyThePagesNamingItsKeys() {
        let cache = PageCache(capacity: 1 << 20, now: { testNow })
        cache.store(Self.page("home", keys: "site latest a1 a2"), at: "/", renderedAt: cache.epoch)
        cache.store(Self.page("one", keys: "site a1 p1 s1"), at: "/svyat/one", renderedAt: cache.epoch)
        cache.store(Self.page("two", keys: "site a2 p2 s1"), at: "/svyat/two", renderedAt: cache.epoch)
        cache.invalidate(ContentChange(keys: [CacheKey.articlePage(2)]))
        #expect(cache.page("/svyat/two") == nil)
        #expect(cache.page("/svyat/one") != nil)
        #expect(cache.page("/") != nil)
        cache.invalidate(ContentChange(keys: [CacheKey.article(1)]))
        #expect(cache.page("/") == nil)
        #expect(cache.page("/svyat/one") == nil)
        cache.store(Self.page("home", keys: "site latest"), at: "/", renderedAt: cache.epoch)
        cache.invalidate(.everything)
        #expect(cache.stats == PageCache.Statistics(pages: 0, bytes: 0, hits: 2, misses: 3, admitted: 4))
    }

    @Test func aPageRenderedAcrossAChangeIsNotKept() {
        let cache = PageCache(capacity: 1 << 20, now: { testNow })
        let started = cache.epoch
        cache.invalidate(ContentChange(keys: [CacheKey.article(7)]))  // an edit lands while the page renders
        cache.store(Self.page("old", keys: "site a7"), at: "/", renderedAt: started)
        #expect(cache.page("/") == nil)
    }

    @Test func pagesExpireAfterTheirLifetime() {
        let clock = TestClock()
        let cache = PageCache(capacity: 1 << 20, lifetime: 60, now: { clock.now })
        cache.store(Self.page("home", keys: "site", at: clock.now), at: "/", renderedAt: cache.epoch)
        clock.advance(59)
        #expect(cache.page("/") != nil)
        clock.advance(2)
        #expect(cache.page("/") == nil)
        #expect(cache.stats.pages == 0)
    }

    /// One request renders a page at a time: the others asking meanwhile wait for its render, or, for a page that only
    /// aged past its lifetime, get the expired copy within the grace; a changed page is never answered.
    @Test func aPageIsRenderedByOneRequestAtATime() async {
        let clock = TestClock()
        let cache = PageCache(capacity: 1 << 20, lifetime: 60, grace: 10, now: { clock.now })
        func text(_ page: PageCache.Page?) -> String? { page.map { String(buffer: $0.identity) } }
        guard case .miss(keep: true, let epoch, renders: true) = cache.lookup("/", collapsing: true) else {
            Issue.record("the first request does not render the page")
            return
        }
        guard case .rendering = cache.lookup("/", collapsing: true) else {
            Issue.record("the second request does not wait")
            return
        }
        let waiting = Task {
            await cache.waitForRender("/")
            return text(cache.page("/"))
        }
        cache.store(Self.page("home", keys: "site", at: clock.now), at: "/", renderedAt: epoch)
        cache.rendered("/")
        #expect(await waiting.value == "home")
        #expect(cache.stats.collapsed == 1)

        clock.advance(61)
        guard case .miss(_, let again, renders: true) = cache.lookup("/", collapsing: true) else {
            Issue.record("an aged page is not rendered again")
            return
        }
        guard case .stale(let stale) = cache.lookup("/", collapsing: true) else {
            Issue.record("the aged copy is not answered meanwhile")
            return
        }
        #expect(text(stale) == "home" && cache.stats.staleHits == 1)
        cache.store(Self.page("home, later", keys: "site", at: clock.now), at: "/", renderedAt: again)
        cache.rendered("/")
        #expect(text(cache.page("/")) == "home, later")

        // Past the grace the copy is not answered, and neither is a changed page.
        clock.advance(71)
        guard case .miss(_, _, renders: true) = cache.lookup("/", collapsing: true) else { return }
        guard case .rendering = cache.lookup("/", collapsing: true) else {
            Issue.record("a copy past its grace is answered")
            return
        }
        cache.rendered("/")
        cache.store(Self.page("home", keys: "site", at: clock.now), at: "/", renderedAt: cache.epoch)
        clock.advance(61)
        guard case .miss(_, _, renders: true) = cache.lookup("/", collapsing: true) else { return }
        cache.invalidate(ContentChange(keys: [CacheKey.site]))
        guard case .rendering = cache.lookup("/", collapsing: true) else {
            Issue.record("a changed page is answered")
            return
        }
        cache.rendered("/")

        // A path whose render was not a page to keep (search results, an error page): its requests render on their
        // own for a lifetime, as none of them would find the others' render kept.
        guard case .miss(_, _, renders: true) = cache.lookup("/tarsene", collapsing: true) else { return }
        cache.rendered("/tarsene", keepable: false)
        for _ in 0..<2 {
            guard case .miss(_, _, renders: false) = cache.lookup("/tarsene", collapsing: true) else {
                Issue.record("a request waits for a render that is never kept")
                return
            }
        }
        clock.advance(61)
        guard case .miss(_, _, renders: true) = cache.lookup("/tarsene", collapsing: true) else {
            Issue.record("a path is not tried again after a lifetime")
            return
        }
    }

    /// Readers asking for a page while it renders share that render, through the middleware.
    @Test func readersOfAPageBeingRenderedShareTheRender() async throws {
        let renders = Mutex(0)
        let cache = PageCache(capacity: 1 << 20)
        let router = Router()
        router.add(middleware: PageCacheMiddleware(cache: cache, policy: HTTPCachePolicy()))
        router.get("slow") { _, _ -> Response in
            renders.withLock { $0 += 1 }
            try await Task.sleep(for: .milliseconds(300))
            return Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8", .surrogateKey: "site"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "<p>бавна страница</p>")))
        }
        try await Application(router: router).test(.router) { client in
            let bodies = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<8 { group.addTask { try await client.execute(uri: "/slow", method: .get) { String(buffer: $0.body) } } }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(bodies == Array(repeating: "<p>бавна страница</p>", count: 8))
        }
        #expect(renders.withLock { $0 } == 1)
        #expect(cache.stats.misses == 1 && cache.stats.hits == 7 && cache.stats.collapsed > 0)
    }

    @Test func theDefaultSizeIsAnEighthOfTheMemoryBetween16And256MB() {
        let size = { (megabytes: UInt64) in ServerSettings.defaultPageCacheMegabytes(physicalMemory: megabytes << 20) }
        #expect(size(24 << 10) == 256 && size(2 << 10) == 256)
        #expect(size(1 << 10) == 128 && size(512) == 64)
        #expect(size(64) == 16)
    }

    @Test func aZeroCapacityKeepsNothing() {
        let cache = PageCache(capacity: 0)
        cache.store(Self.page("home", keys: "site"), at: "/", renderedAt: cache.epoch)
        #expect(cache.page("/") == nil)
    }

    /// With the cache off a shared block is still kept (cold article pages splice it in), dropped by its keys as with
    /// the cache on, kept no longer than the shared lists it is made from (2 s), and only while it is small.
    @Test func aCacheWithoutPagesKeepsTheSharedBlockBriefly() throws {
        let clock = TestClock()
        let cache = PageCache(capacity: 0, lifetime: 60, now: { clock.now })
        cache.storeFragment(try Self.fragment([5, 2, 9], at: clock.now), renderedAt: cache.epoch)
        #expect(cache.fragment("today") != nil)
        #expect(cache.stats.pages == 0)
        cache.invalidate(ContentChange(keys: [CacheKey.article(4)]))
        #expect(cache.fragment("today") != nil)
        cache.invalidate(ContentChange(keys: [CacheKey.article(2)]))
        #expect(cache.fragment("today") == nil)
        cache.storeFragment(try Self.fragment([5], at: clock.now), renderedAt: cache.epoch)
        cache.invalidate(ContentChange(keys: [CacheKey.latest]))  // a publication
        #expect(cache.fragment("today") == nil)
        cache.storeFragment(try Self.fragment([5], at: clock.now), renderedAt: cache.epoch)
        clock.advance(1.5)
        #expect(cache.fragment("today") != nil)
        clock.advance(1)
        #expect(cache.fragment("today") == nil)
        #expect(cache.stats.fragments == 0 && cache.stats.bytes == 0)
        // A block larger than the allowance is served, not kept.
        let large = try Self.fragment([1], at: clock.now, word: String(repeating: "дълго ", count: PageCache.fragmentAllowanceOff / 10))
        cache.storeFragment(large, renderedAt: cache.epoch)
        #expect(cache.fragment("today") == nil)
    }

    /// A shared block as `PublicController.todayFragments` makes one: a list leaving out the page's own article.
    static func fragment(_ items: [Int], at date: Date = testNow, word: String = "новина") throws -> SharedFragment {
        try SharedFragment(
            name: "today", keys: Set([CacheKey.latest] + items.map(CacheKey.article)), listed: items, renderedAt: date
        ) { excluded in
            ByteBuffer(string: "<ol>" + items.filter { $0 != excluded }.map { "<li>\(word) \($0)</li>" }.joined() + "</ol>")
        }
    }

    static let before =
        "<html><body><article>" + String(repeating: "<p>Абзац от статията, който се повтаря.</p>", count: 300)
        + "</article><aside>"
    static let after = "</aside>" + String(repeating: "<footer>Вестник – навигация</footer>", count: 50) + "</body></html>"

    static func splicedPage(article: Int, at date: Date = testNow) throws -> PageCache.Page {
        let html = ByteBuffer(string: before + "<!--splice:today--><ol>стар списък</ol><!--/splice:today-->" + after)
        let point = try #require(SplicePoint.find(in: html, header: "today \(article) a\(article) p\(article) site"))
        #expect(point.ownKeys == "a\(article) p\(article) site")
        return PageCache.Page(
            bytes: html, contentType: "text/html", lastModified: nil, etag: nil, surrogateKeys: point.ownKeys, splice: point,
            at: date)
    }

    static func joined(_ parts: [ByteBuffer]) -> ByteBuffer {
        var all = ByteBuffer()
        for var part in parts { all.writeBuffer(&part) }
        return all
    }

    /// The page kept as the parts around its block: sent with the block's variant for its article (the list leaves
    /// the article out, the same items otherwise), and gzip joined from deflate segments inflates (zlib) to exactly
    /// those bytes; a new version of the block gives a new ETag.
    @Test func aSplicedPageInflatesToItsIdentityBytes() throws {
        let fragment = try Self.fragment([5, 2, 9])
        let page = try Self.splicedPage(article: 2)
        #expect(String(buffer: page.identity) == Self.before)
        let (parts, etag) = try #require(page.spliced(with: fragment, gzip: false))
        let identity = String(buffer: Self.joined(parts))
        #expect(identity == Self.before + "<ol><li>новина 5</li><li>новина 9</li></ol>" + Self.after)
        let (zipped, zippedETag) = try #require(page.spliced(with: fragment, gzip: true))
        var body = Self.joined(zipped)
        #expect(body.readableBytes * 4 < identity.utf8.count)
        #expect(String(buffer: try body.decompress(with: .gzip())) == identity)
        #expect(zippedETag == PageCache.Page.gzipETag(etag))
        // A page of an article the block does not list shows every item.
        let other = try Self.splicedPage(article: 7)
        let (otherParts, _) = try #require(other.spliced(with: fragment, gzip: true))
        var otherBody = Self.joined(otherParts)
        #expect(
            String(buffer: try otherBody.decompress(with: .gzip()))
                == Self.before + "<ol><li>новина 5</li><li>новина 2</li><li>новина 9</li></ol>" + Self.after)
        // The block changes: so does the ETag, of both encodings.
        let newer = try Self.fragment([11, 5, 2, 9])
        let (newParts, newETag) = try #require(page.spliced(with: newer, gzip: false))
        #expect(newETag != etag)
        #expect(String(buffer: Self.joined(newParts)).contains("<li>новина 11</li>"))
        #expect(try #require(page.spliced(with: newer, gzip: true)).etag != zippedETag)
    }

    /// A page kept for a client that takes gzip holds its gzip copy alone (a fraction of the memory) and gives back
    /// exactly its bytes when a client that does not take gzip asks: whole, and around a shared block.
    @Test func aPageKeptCompressedGivesBackItsBytes() throws {
        let whole = Self.page(PageCompressionTests.html, keys: "site a1")
        let compressed = whole.withoutIdentity()
        #expect(!compressed.hasIdentity && compressed.identity.readableBytes == 0)
        #expect(compressed.gzip == whole.gzip)
        #expect(compressed.cost * 4 < whole.cost)
        let restored = try #require(compressed.withIdentity())
        #expect(restored.hasIdentity)
        #expect(restored.identity == whole.identity)
        #expect(restored.etag == whole.etag && restored.gzip == whole.gzip)

        let fragment = try Self.fragment([5, 2, 9])
        let spliced = try Self.splicedPage(article: 2)
        let kept = spliced.withoutIdentity()
        #expect(!kept.hasIdentity && kept.cost * 2 < spliced.cost)
        let back = try #require(kept.withIdentity())
        let expected = try #require(spliced.spliced(with: fragment, gzip: false))
        let answered = try #require(back.spliced(with: fragment, gzip: false))
        #expect(Self.joined(answered.parts) == Self.joined(expected.parts))
        #expect(answered.etag == expected.etag)
        let zipped = try #require(kept.spliced(with: fragment, gzip: true))
        #expect(Self.joined(zipped.parts) == Self.joined(try #require(spliced.spliced(with: fragment, gzip: true)).parts))

        // A page with no gzip copy (not asked for, or not smaller) keeps its bytes.
        let plain = PageCache.Page(
            bytes: ByteBuffer(string: "<p>x</p>"), contentType: "text/html", lastModified: nil, etag: nil, surrogateKeys: "a1",
            compress: false, at: testNow)
        #expect(plain.withoutIdentity().hasIdentity && plain.withoutIdentity().identity == plain.identity)
        let tiny = Self.page("<p>x</p>", keys: "a1")
        #expect(tiny.gzip == nil && tiny.withoutIdentity().hasIdentity)

        // Made for a gzip client (`plain: false`): the same page without its plain bytes ever copied, and one whose
        // gzip copy is not made keeps them.
        func made(_ text: String) -> PageCache.Page {
            PageCache.Page(
                bytes: ByteBuffer(string: text), contentType: "text/html", lastModified: nil, etag: nil, surrogateKeys: "site a1",
                plain: false, at: testNow)
        }
        let direct = made(PageCompressionTests.html)
        #expect(!direct.hasIdentity && direct.gzip == whole.gzip && direct.etag == whole.etag && direct.cost == compressed.cost)
        #expect(try #require(direct.withIdentity()).identity == whole.identity)
        let small = made("<p>x</p>")
        #expect(small.hasIdentity && small.identity == ByteBuffer(string: "<p>x</p>"))
    }

    @Test func theSpliceMarksAreFoundOrThePageIsKeptWhole() {
        let html = ByteBuffer(string: "<p><!--splice:today--> in the text</p><aside><!--splice:today-->x<!--/splice:today--></aside>")
        let point = SplicePoint.find(in: html, header: "today 3 site a3")
        // From the end: the marks around the block, not a look-alike in the article's text.
        #expect(point?.start == html.readableBytesView.firstRange(of: Array("<aside>".utf8)).map { $0.upperBound })
        #expect(SplicePoint.find(in: ByteBuffer(string: "<aside>no marks</aside>"), header: "today 3 site") == nil)
        #expect(SplicePoint.find(in: html, header: "today x site") == nil)
        #expect(SplicePoint.find(in: html, header: "to-day 3 site") == nil)
    }

    /// The marks are found eight bytes at a time from the end: wherever they fall against those eight-byte steps,
    /// among look-alikes ("!", "<!--", a mark cut short), at the very start and end, and in a buffer read from an offset.
    @Test func theSpliceMarksAreFoundWhereverTheyFall() {
        let open = "<!--splice:today-->"
        let close = "<!--/splice:today-->"
        for before in 0..<20 {
            for after in 0..<20 {
                let head = String(repeating: "!", count: before % 3) + String(repeating: "а", count: before) + "<!-- x -->"
                let block = "!<!--/splice:toda--><ol>!!</ol>"
                let tail = "<!--/splice:today" + String(repeating: "!", count: after)
                let text = head + open + block + close + tail
                var buffer = ByteBuffer(string: "!!!" + text)
                buffer.moveReaderIndex(forwardBy: 3)
                let point = SplicePoint.find(in: buffer, header: "today 3 site")
                #expect(point?.start == head.utf8.count, "\(before) \(after)")
                #expect(point?.end == (head + open + block + close).utf8.count, "\(before) \(after)")
            }
        }
        #expect(SplicePoint.find(in: ByteBuffer(string: open + close), header: "today 3 site")?.end == (open + close).utf8.count)
        #expect(SplicePoint.find(in: ByteBuffer(string: close + open), header: "today 3 site") == nil)
        #expect(SplicePoint.find(in: ByteBuffer(), header: "today 3 site") == nil)
    }

    /// The block is dropped by the keys of what it lists and `latest`, counted against the memory bound, expires
    /// with the pages' lifetime, and is not kept when rendered across a change; the pages around it stay.
    @Test func aSharedBlockIsDroppedByItsKeysAndCounted() throws {
        let clock = TestClock()
        let cache = PageCache(capacity: 1 << 20, lifetime: 60, now: { clock.now })
        let page = try Self.splicedPage(article: 7, at: clock.now)
        cache.store(page, at: "/svyat/7", renderedAt: cache.epoch)
        let fragment = try Self.fragment([5, 2, 9], at: clock.now)
        cache.storeFragment(fragment, renderedAt: cache.epoch)
        #expect(cache.stats.fragments == 1)
        #expect(cache.stats.bytes == page.cost + fragment.cost)
        cache.invalidate(ContentChange(keys: [CacheKey.article(4)]))
        #expect(cache.fragment("today") != nil)
        cache.invalidate(ContentChange(keys: [CacheKey.article(9)]))
        #expect(cache.fragment("today") == nil)
        #expect(cache.stats.bytes == page.cost)
        cache.storeFragment(fragment, renderedAt: cache.epoch)
        cache.invalidate(ContentChange(keys: [CacheKey.latest]))  // a publication
        #expect(cache.fragment("today") == nil)
        #expect(cache.page("/svyat/7") != nil)  // the page around it stays
        // Rendered across a change: served, not kept.
        let started = cache.epoch
        cache.invalidate(ContentChange(keys: [CacheKey.latest]))
        cache.storeFragment(fragment, renderedAt: started)
        #expect(cache.fragment("today") == nil)
        cache.storeFragment(try Self.fragment([5], at: clock.now), renderedAt: cache.epoch)
        clock.advance(61)
        #expect(cache.fragment("today") == nil)
        #expect(cache.stats.fragments == 0)
        cache.storeFragment(try Self.fragment([5], at: clock.now), renderedAt: cache.epoch)
        cache.invalidate(.everything)
        #expect(cache.stats.fragments == 0 && cache.stats.bytes == 0)
    }

    @Test func onlyThePageParameterNamesADifferentPage() {
        func path(_ text: String) -> String? { PageCacheMiddleware<BasicRequestContext>.cachePath(URI(text)) }
        #expect(path("/") == "/")
        #expect(path("/svyat?utm_source=facebook&fbclid=x") == "/svyat")
        #expect(path("/svyat?page=1") == "/svyat")
        #expect(path("/svyat?page=2&utm_medium=x") == "/svyat?page=2")
        #expect(path("/svyat?page=2&page=3") == nil)
        #expect(path("/svyat?page=abc") == nil)
        #expect(path("/svyat?page=0") == nil)
        #expect(path("/newsroom") == nil)
        #expect(path("/newsroom/articles/1") == nil)
        #expect(path("/api/reads/1") == nil)
    }

    @Test func gzipIsAcceptedUnlessRefused() {
        typealias M = PageCacheMiddleware<BasicRequestContext>
        #expect(M.acceptsGzip(["gzip, deflate, br"]))
        #expect(M.acceptsGzip(["br;q=1.0, gzip;q=0.8"]))
        #expect(M.acceptsGzip(["*"]))
        #expect(!M.acceptsGzip(["gzip;q=0"]))
        #expect(!M.acceptsGzip(["br"]))
        #expect(!M.acceptsGzip([]))
    }
}

/// The page cache in front of the real site: hits, encodings, validators, and exact invalidation on edits.
@Suite struct PageCacheTests {
    static let content: [ArticleInput] = [
        article("Ким Чен-ун се среща с Путин", kicker: "САЩ", topic: "Войната в Украйна", tags: ["Русия"], hoursAgo: 1),
        article("Дронове над Киев", topic: "Войната в Украйна", tags: ["Русия"], hoursAgo: 2),
        article("Санкции срещу Русия", section: "Икономика", tags: ["Русия"], hoursAgo: 3),
        article("Футболен мач от вчера", section: "Спорт", hoursAgo: 30, authors: [.init(name: "Петър Иванов", role: "Спортен репортер")]),
        article("Тенис във вторник", section: "Спорт", hoursAgo: 40, authors: [.init(name: "Петър Иванов", role: "Спортен репортер")]),
    ]

    static let articlePages: Set<String> = [
        "/svyat/kim-chen-un-se-sreshta-s-putin", "/svyat/dronove-nad-kiev", "/ikonomika/sanktsii-sreshtu-rusia",
        "/sport/futbolen-mach-ot-vchera", "/sport/tenis-vav-vtornik",
    ]

    static let pages = [
        "/", "/svyat", "/ikonomika", "/sport", "/tema/voynata-v-ukrayna", "/tag/rusia", "/avtor/maria-petrova",
        "/avtor/petar-ivanov", "/svyat/kim-chen-un-se-sreshta-s-putin", "/svyat/dronove-nad-kiev",
        "/ikonomika/sanktsii-sreshtu-rusia", "/sport/futbolen-mach-ot-vchera", "/sport/tenis-vav-vtornik", "/rss.xml",
        "/svyat/rss.xml", "/sport/atom.xml", "/tag/rusia/feed.json",
    ]

    @Test(arguments: TestDatabase.all)
    func aRepeatedRequestIsAnsweredFromTheCache(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, _ in
            let url = "/svyat/kim-chen-un-se-sreshta-s-putin"
            let first = try await client.get(url)
            #expect(first.status == .ok)
            #expect(first.headers[.xCache] == "MISS")
            #expect(first.headers[.cacheControl] == "public, max-age=30, s-maxage=60, stale-while-revalidate=30, stale-if-error=86400")
            #expect(first.headers[.vary] == "Accept-Encoding")
            let keys = Set((first.headers[.surrogateKey] ?? "").split(separator: " ").map(String.init))
            #expect(keys.isSuperset(of: ["site", "latest", "a1", "p1", "a2"]))

            let second = try await client.get(url + "?utm_source=facebook")
            #expect(second.headers[.xCache] == "HIT")
            #expect(second.body == first.body)
            let etag = try #require(first.headers[.eTag])
            #expect(second.headers[.eTag] == etag)

            // Compressed for clients that take gzip, with its own validator.
            let zipped = try await client.execute(uri: url, method: .get, headers: [.acceptEncoding: "gzip, br"]) { $0 }
            #expect(zipped.headers[.contentEncoding] == "gzip")
            #expect(zipped.headers[.eTag] != etag)
            var body = zipped.body
            #expect(String(buffer: try body.decompress(with: .gzip())) == first.body)
            #expect(zipped.body.readableBytes * 2 < first.body.utf8.count)

            // The client already has it: 304, no body.
            let again = try await client.get(url, headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified)
            #expect(again.body.isEmpty)
            #expect(try await client.get(url, headers: [.ifNoneMatch: "\"other\""]).status == .ok)
            // The plain bytes' validator still holds when the client now takes gzip, and the other way round.
            #expect(try await client.get(url, headers: [.ifNoneMatch: etag, .acceptEncoding: "gzip"]).status == .notModified)
            let zippedTag = try #require(zipped.headers[.eTag])
            #expect(try await client.get(url, headers: [.ifNoneMatch: zippedTag]).status == .notModified)
            let head = try await client.execute(uri: url, method: .head) { $0 }
            #expect(head.status == .ok)
            #expect(head.body.readableBytes == 0)
            #expect(head.headers[.eTag] == etag)
            // A HEAD first (a link checker) describes the page it will be, and keeps it.
            let headFirst = try await client.execute(uri: "/svyat", method: .head) { $0 }
            let section = try await client.get("/svyat")
            #expect(headFirst.headers[.eTag] == section.headers[.eTag])
            #expect(headFirst.headers[.contentLength] == String(section.body.utf8.count))
            #expect(section.headers[.xCache] == "HIT")

            // What is not a public page is never kept, nor labelled for CDNs.
            let login = try await client.get("/newsroom/login")
            #expect(login.headers[.xCache] == nil)
            #expect(login.headers[.surrogateKey] == nil)
            #expect(login.headers[.cacheControl]?.contains("no-store") == true)
            let missing = try await client.get("/svyat/no-such-story")
            #expect(missing.status == .notFound)
            #expect(missing.headers[.surrogateKey] == nil)
        }
    }

    /// A page first asked for with gzip is kept gzip-compressed only; a client that does not take gzip then gets a
    /// hit with the very bytes and validator a plain render gives, an article page (with "Новините днес" spliced in)
    /// and a section front alike, and both encodings are hits from then on.
    @Test(arguments: TestDatabase.all)
    func aPageKeptCompressedAnswersPlainClientsToo(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, _ in
            for url in ["/sport/futbolen-mach-ot-vchera", "/svyat"] {
                let zipped = try await client.execute(uri: url, method: .get, headers: [.acceptEncoding: "gzip"]) { $0 }
                #expect(zipped.headers[.xCache] == "MISS")
                #expect(zipped.headers[.contentEncoding] == "gzip")
                var body = zipped.body
                let bytes = String(buffer: try body.decompress(with: .gzip()))
                let plain = try await client.get(url)
                #expect(plain.headers[.xCache] == "HIT", "\(url)")
                #expect(plain.headers[.contentEncoding] == nil)
                #expect(plain.body == bytes, "\(url)")
                let zippedTag = try #require(zipped.headers[.eTag])
                #expect(plain.headers[.eTag].map(PageCache.Page.gzipETag) == zippedTag)
                #expect(try await client.get(url).headers[.xCache] == "HIT")
                let again = try await client.execute(uri: url, method: .get, headers: [.acceptEncoding: "gzip"]) { $0 }
                #expect(again.headers[.xCache] == "HIT" && again.headers[.eTag] == zippedTag)
                let head = try await client.execute(uri: url, method: .head) { $0 }
                #expect(head.headers[.contentLength] == String(bytes.utf8.count))
            }
        }
    }

    /// Edits the first article's headline and checks every page: exactly those that showed it (by their keys)
    /// render again and show the new headline on the very next request; every other page is still a cache hit.
    @Test(arguments: TestDatabase.all)
    func anEditShowsOnTheVeryNextRequestAndDropsNothingElse(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, site in
            var before: [String: (body: String, keys: Set<String>)] = [:]
            for url in Self.pages {
                let page = try await client.get(url)
                #expect(page.status == .ok, "\(url)")
                before[url] = (page.body, Set((page.headers[.surrogateKey] ?? "").split(separator: " ").map(String.init)))
                #expect(try await client.get(url).headers[.xCache] == "HIT", "\(url)")
            }
            var edited = Self.content[0]
            edited.title = "Ким Чен-ун пристигна във Владивосток"
            edited.lead = "Влакът пристигна сутринта."
            edited.bodyHTML = "<p>Първи абзац.</p>\n<p>Втори абзац.</p>"
            try await site.articles.save(edited, now: testNow)

            var dropped = 0
            for url in Self.pages {
                let page = try await client.get(url)
                let old = try #require(before[url])
                if old.keys.contains(CacheKey.article(1)) {
                    dropped += 1
                    // An article page showing it only in "Новините днес" is kept: the block is rendered anew.
                    #expect(page.headers[.xCache] == "MISS" || Self.articlePages.contains(url), "\(url)")
                    #expect(page.body.contains("Ким Чен-ун пристигна във Владивосток"), "\(url)")
                    #expect(!page.body.contains("Ким Чен-ун се среща с Путин"), "\(url)")
                } else {
                    #expect(page.headers[.xCache] == "HIT", "\(url)")
                    #expect(!old.body.contains("Ким Чен-ун се среща с Путин"), "\(url) showed the story without its key")
                }
            }
            #expect(dropped >= 8)
            // Yesterday's sports stories show the edited one only in "Новините днес", and stay cached.
            #expect(try await client.get("/sport/tenis-vav-vtornik").headers[.xCache] == "HIT")
            #expect(try await client.get("/sport/futbolen-mach-ot-vchera").headers[.xCache] == "HIT")
        }
    }

    @Test(arguments: TestDatabase.all)
    func publishingAndUnpublishingChangeTheListsAtOnce(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, site in
            let lists = ["/", "/svyat", "/tag/rusia", "/rss.xml", "/svyat/rss.xml", "/avtor/maria-petrova"]
            for url in lists { _ = try await client.get(url) }
            let fresh = article("Нова среща в Москва", tags: ["Русия"], hoursAgo: 0.1)
            try await site.articles.save(fresh, now: testNow)
            for url in lists {
                #expect(try await client.get(url).body.contains("Нова среща в Москва"), "\(url)")
            }
            let url = "/svyat/nova-sreshta-v-moskva"
            #expect(try await client.get(url).status == .ok)

            var unpublished = fresh
            unpublished.status = .unpublished
            try await site.articles.save(unpublished, now: testNow)
            #expect(try await client.get(url).status == .notFound)
            for url in lists {
                #expect(!(try await client.get(url).body.contains("Нова среща в Москва")), "\(url)")
            }
            // The "Още:" links of the other stories no longer name it either.
            #expect(!(try await client.get("/svyat/dronove-nad-kiev").body.contains("nova-sreshta-v-moskva")))
        }
    }

    /// Item 3 of issue 20: a publication renders "Новините днес" once and keeps the article pages it does not
    /// change; the next reader of an unrelated article gets the kept page with the new article in its list, a new
    /// ETag (an old one no longer answers 304), and gzip bytes that inflate to the plain ones.
    @Test(arguments: TestDatabase.all)
    func aPublicationKeepsUnrelatedArticlePagesAndSplicesTheNewList(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, site in
            func block(_ html: String) -> String {
                guard let start = html.range(of: "<section class=\"today\""),
                    let end = html.range(of: "</section>", range: start.upperBound..<html.endIndex)
                else { return "" }
                return String(html[start.lowerBound..<end.upperBound])
            }
            func items(_ html: String) -> Int { block(html).components(separatedBy: "<li>").count - 1 }
            let url = "/sport/futbolen-mach-ot-vchera"
            let first = try await client.get(url)
            #expect(first.headers[.xCache] == "MISS")
            #expect(items(first.body) == 3)  // today's three stories
            #expect(!first.body.contains("<!--splice"))
            let keys = Set((first.headers[.surrogateKey] ?? "").split(separator: " ").map(String.init))
            #expect(keys.isSuperset(of: ["latest", "a1", "a2", "a3", "a4", "p4", "site"]))  // the block's too, for CDNs
            let etag = try #require(first.headers[.eTag])
            #expect(try await client.get(url).headers[.xCache] == "HIT")
            // An article's own page leaves it out of the list: the other two.
            let own = try await client.get("/svyat/kim-chen-un-se-sreshta-s-putin")
            #expect(items(own.body) == 2)
            #expect(!block(own.body).contains("kim-chen-un-se-sreshta-s-putin"))

            // On a site of five articles every page's "Още:" would take the new one (and drop the page, rightly):
            // here the lists stay, so that only "Новините днес" changes.
            try await site.articles.save(
                article("Нова среща в Москва", tags: ["Русия"], hoursAgo: 0.1), now: testNow, refreshRelated: false)
            let after = try await client.get(url)
            #expect(after.headers[.xCache] == "HIT")
            #expect(block(after.body).contains("Нова среща в Москва"))
            #expect(items(after.body) == 4)
            #expect(
                after.body.replacingOccurrences(of: block(after.body), with: "")
                    == first.body.replacingOccurrences(of: block(first.body), with: ""))
            let newTag = try #require(after.headers[.eTag])
            #expect(newTag != etag)
            #expect(after.headers[.surrogateKey]?.split(separator: " ").contains("a6") == true)
            #expect(try await client.get(url, headers: [.ifNoneMatch: etag]).status == .ok)
            #expect(try await client.get(url, headers: [.ifNoneMatch: newTag]).status == .notModified)
            let zipped = try await client.execute(uri: url, method: .get, headers: [.acceptEncoding: "gzip"]) { $0 }
            #expect(zipped.headers[.contentEncoding] == "gzip")
            var body = zipped.body
            #expect(String(buffer: try body.decompress(with: .gzip())) == after.body)
            let zippedTag = try #require(zipped.headers[.eTag])
            #expect(try await client.get(url, headers: [.ifNoneMatch: zippedTag]).status == .notModified)
            let head = try await client.execute(uri: url, method: .head) { $0 }
            #expect(head.headers[.contentLength] == String(after.body.utf8.count))
            #expect(head.headers[.eTag] == newTag)
            #expect(head.body.readableBytes == 0)
            // The page's own change still drops it.
            var edited = Self.content[3]
            edited.title = "Футболен мач от вчера с продължения"
            try await site.articles.save(edited, now: testNow, refreshRelated: false)
            let renamed = try await client.get(url)
            #expect(renamed.headers[.xCache] == "MISS")
            #expect(renamed.body.contains("Футболен мач от вчера с продължения"))
            #expect(items(renamed.body) == 4)
        }
    }

    /// With the page cache off, an article page gets "Новините днес" spliced in from the block rendered once (the
    /// route leaves its own rendering of it empty): the bytes are those of the page rendered whole (as a request the
    /// cache does not name, `?page=x`, is) but for the splice marks, which no spliced page carries (a cached one
    /// never did); gzip inflates to them, and a publication, an edit of a listed article and an unpublication show on
    /// the very next request.
    @Test(arguments: TestDatabase.all)
    func aColdArticlePageSplicesTheBlockAndShowsChangesAtOnce(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content, server: ServerSettings(pageCacheBytes: 0)) { client, site in
            func block(_ html: String) -> String {
                guard let start = html.range(of: "<section class=\"today\""),
                    let end = html.range(of: "</section>", range: start.upperBound..<html.endIndex)
                else { return "" }
                return String(html[start.lowerBound..<end.upperBound])
            }
            for url in Self.articlePages {
                let cold = try await client.get(url)
                #expect(cold.status == .ok)
                #expect(cold.headers[.xCache] == "MISS")
                #expect(!cold.body.contains("<!--splice"))
                let whole = try await client.get(url + "?page=x")
                #expect(whole.status == .ok)
                #expect(whole.body.contains("<!--splice:today-->"))
                #expect(cold.body == Self.unmarked(whole.body), "\(url)")
                #expect(block(cold.body).contains("<li>"), "\(url)")
                let keys = Set((cold.headers[.surrogateKey] ?? "").split(separator: " ").map(String.init))
                #expect(keys.isSuperset(of: ["latest", "a1", "a2", "a3", "site"]), "\(url)")
                let zipped = try await client.execute(uri: url, method: .get, headers: [.acceptEncoding: "gzip"]) { $0 }
                #expect(zipped.headers[.contentEncoding] == "gzip")
                var body = zipped.body
                #expect(String(buffer: try body.decompress(with: .gzip())) == cold.body, "\(url)")
                let head = try await client.execute(uri: url, method: .head) { $0 }
                #expect(head.headers[.contentLength] == String(cold.body.utf8.count))
                #expect(head.headers[.eTag] == cold.headers[.eTag])
                let etag = try #require(cold.headers[.eTag])
                #expect(try await client.get(url, headers: [.ifNoneMatch: etag]).status == .notModified)
            }
            let url = "/sport/futbolen-mach-ot-vchera"
            let before = try await client.get(url)
            let fresh = article("Нова среща в Москва", tags: ["Русия"], hoursAgo: 0.1)
            try await site.articles.save(fresh, now: testNow, refreshRelated: false)
            let published = try await client.get(url)
            #expect(block(published.body).contains("Нова среща в Москва"))
            #expect(published.headers[.eTag] != before.headers[.eTag])
            #expect(try await client.get(url, headers: [.ifNoneMatch: before.headers[.eTag] ?? ""]).status == .ok)
            #expect(published.body == Self.unmarked(try await client.get(url + "?page=x").body))
            var edited = Self.content[0]
            edited.title = "Ким Чен-ун пристигна във Владивосток"
            try await site.articles.save(edited, now: testNow, refreshRelated: false)
            let renamed = try await client.get(url)
            #expect(block(renamed.body).contains("Ким Чен-ун пристигна във Владивосток"))
            #expect(!renamed.body.contains("Ким Чен-ун се среща с Путин"))
            var unpublished = fresh
            unpublished.status = .unpublished
            try await site.articles.save(unpublished, now: testNow, refreshRelated: false)
            #expect(!(try await client.get(url).body.contains("Нова среща в Москва")))
        }
    }

    /// A page rendered whole without its splice marks.
    static func unmarked(_ html: String) -> String {
        html.replacingOccurrences(of: "<!--splice:today-->", with: "").replacingOccurrences(of: "<!--/splice:today-->", with: "")
    }

    @Test(arguments: TestDatabase.all)
    func aSettingChangeDropsEverything(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: Self.content) { client, site in
            _ = try await client.get("/sport")
            #expect(try await client.get("/sport").headers[.xCache] == "HIT")
            try await site.taxonomy.saveSection(name: "Спорт", description: "Мачове и състезания")
            let page = try await client.get("/sport")
            #expect(page.headers[.xCache] == "MISS")
            #expect(page.body.contains("Мачове и състезания"))
        }
    }
}
