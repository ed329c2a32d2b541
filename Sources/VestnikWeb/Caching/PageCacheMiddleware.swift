import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import VestnikCore
import VestnikStore

/// Answers public pages from the `PageCache` and gives every cacheable page its HTTP caching headers.
///
/// A route opts in by answering 200 with a `Surrogate-Key` header (`Response.page`). Such a page is kept under its
/// path plus `?page=` (the only parameter public pages read; `utm_…` and the like must not split the cache), served
/// gzip-compressed to clients that accept it, and answered with 304 when the client's `If-None-Match` names it.
///
/// Every page has one path: a GET or HEAD of the same path spelled with doubled or trailing slashes (`//a/x`,
/// `/a//x`, `/a/x/`) is sent there with a 301, and one with `.` or `..` segments is a 404, before the cache or a
/// route sees it. Otherwise each spelling would render anew and take its own place in the cache, and a flood of
/// spellings would push every real page out.
///
/// A page showing a shared block (`SharedFragment`: "Новините днес" on article pages) is kept without it and gets
/// the block's current version spliced in when it is sent (copied into one buffer with it); its gzip encoding joins
/// deflate segments compressed once each. A change to the block renders the block again, not the pages.
struct PageCacheMiddleware<Context: RequestContext>: RouterMiddleware {
    let cache: PageCache
    /// The `Cache-Control` of every cacheable page (from the site's `HTTPCachePolicy`).
    let cacheControl: String

    /// An imported site's old addresses: WordPress writes its links with a trailing slash, and such a link goes to
    /// its new page in one hop instead of two.
    let oldAddresses: LegacyRedirectResolver?
    /// The cache's name for a request, nil for one it must not keep (`cachePath` for pages; the content API names
    /// its answers by path and query: `ContentAPICache`).
    let key: @Sendable (URI) -> String?
    /// Renders the shared blocks pages splice in; without it every page is kept whole.
    let fragments: FragmentRenderer?
    private let renders = FragmentRenders()

    init(
        cache: PageCache, policy: HTTPCachePolicy, oldAddresses: LegacyRedirectResolver? = nil,
        key: @escaping @Sendable (URI) -> String? = { Self.cachePath($0) }, fragments: FragmentRenderer? = nil
    ) {
        self.cache = cache
        cacheControl = policy.cacheControl
        self.oldAddresses = oldAddresses
        self.key = key
        self.fragments = fragments
    }

    /// The current version of the shared block `name`: kept, or rendered now (once for all requests waiting for it,
    /// and kept unless a change came while it was rendered).
    private func fragment(_ name: String) async throws -> SharedFragment? {
        if let kept = cache.fragment(name) { return kept }
        guard let fragments else { return nil }
        let epoch = cache.epoch
        let cache = cache
        let fragment = try await renders.run(name, epoch: epoch) {
            let made = try await fragments.render(name, cache.clock())
            if let made { cache.storeFragment(made, renderedAt: epoch) }
            return made
        }
        return fragment
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get || request.method == .head else { return try await next(request, context) }
        switch Self.pathForm(request.uri.path) {
        case .canonical: break
        case .moved(let canonical):
            // Best effort: with the database away, the plain redirect below still answers (this runs before the
            // error pages, so a failure here must not escape).
            if let oldAddresses, let location = try? await oldAddresses.location(path: canonical, query: request.uri.query) {
                return Response(status: .movedPermanently, headers: [.location: location])
            }
            let query = request.uri.query.map { "?" + $0 } ?? ""
            return Response(status: .movedPermanently, headers: [.location: canonical + query])
        case .notFound:
            // Answered here, in front of the router and its error pages: no reader ever follows such a link.
            return Response(
                status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "Not Found\n")))
        }
        guard let path = key(request.uri) else {
            // Not a page the cache names (`?page=x`): sent as rendered, block and all.
            var response = try await next(request, context)
            response.headers[.vestnikSplice] = nil
            return response
        }
        let gzip = Self.acceptsGzip(request.headers[values: .acceptEncoding])
        var keep = false
        var epoch: UInt64 = 0
        // Whether this request renders the page for the others asking meanwhile (`PageCache.lookup(_:collapsing:)`).
        var renders = false
        var keepable: Bool?
        defer { if renders { cache.rendered(path, keepable: keepable) } }
        if cache.isEnabled {
            var found = cache.lookup(path, collapsing: true)
            if case .rendering = found {
                await cache.waitForRender(path)
                // Once: a render that was not kept either (a cookie, an error page) is done here, not waited for again.
                found = cache.lookup(path)
            }
            switch found {
            case .hit(let page), .stale(let page):
                if let response = try await answerKept(page, at: path, to: request, gzip: gzip) { return response }
                epoch = cache.epoch
            case .rendering:
                epoch = cache.epoch
            case .miss(let mayKeep, let renderedAt, let rendersForOthers):
                keep = mayKeep
                epoch = renderedAt
                renders = rendersForOthers
            }
        }
        // A HEAD is rendered as the GET it describes, so that its validators and length are the page's.
        var head = request.head
        head.method = .get
        let routed = request.method == .head ? Request(head: head, body: request.body) : request
        // A shared block is spliced in below, cache on or off: the route need not render it (`willSplice`).
        var response = try await SharedFragment.$willSplice.withValue(fragments != nil) { try await next(routed, context) }
        let spliceHeader = response.headers[.vestnikSplice]
        if spliceHeader != nil { response.headers[.vestnikSplice] = nil }
        keepable = false
        guard response.status == .ok, let keys = response.headers[.surrogateKey], response.headers[.setCookie] == nil,
            response.headers[.contentEncoding] == nil
        else { return response }
        keepable = true
        let bytes = try await Self.collect(response.body)
        // A page showing a shared block is kept without it, under its own keys (not the block's). With the cache off
        // the block is spliced in too: it is rendered once per change (and at most every 2 s), not for each page.
        let point = fragments == nil ? nil : spliceHeader.flatMap { SplicePoint.find(in: bytes, header: $0) }
        // A page that will not be kept costs what it costs with the cache off: gzip only for a client that takes
        // it, no copies, no bookkeeping. One that may be kept is kept as this client takes it: gzip-compressed only
        // for a client that takes gzip (`PageCache.Page`), whose answer is the gzip copy.
        let page = PageCache.Page(
            bytes: bytes, contentType: response.headers[.contentType] ?? "text/html; charset=utf-8",
            lastModified: response.headers[.lastModified], etag: response.headers[.eTag], surrogateKeys: point?.ownKeys ?? keys,
            cacheControl: cacheControl, compress: gzip, keep: keep, plain: !gzip, splice: point, at: cache.clock())
        if let point, let fragment = try await fragment(point.fragment) {
            if keep { cache.store(page, at: path, renderedAt: epoch) }
            return answer(page, with: fragment, to: request.head, gzip: gzip, hit: false).response
        }
        guard point == nil else {
            // No block to splice in: the page as rendered, under all its keys.
            let whole = PageCache.Page(
                bytes: bytes, contentType: page.contentType, lastModified: page.lastModified, etag: response.headers[.eTag],
                surrogateKeys: keys, cacheControl: cacheControl, compress: gzip, keep: false, at: cache.clock())
            return answer(whole, to: request.head, gzip: gzip, hit: false).response
        }
        if keep { cache.store(page, at: path, renderedAt: epoch) }
        return answer(page, to: request.head, gzip: gzip, hit: false).response
    }

    /// The answer from a kept page, its gzip copy made or its plain bytes inflated and kept if this client is the
    /// first to need them; nil when it must be rendered whole instead (no renderer for its shared block, or plain bytes
    /// that would not inflate: neither can happen).
    private func answerKept(_ kept: PageCache.Page, at path: String, to request: Request, gzip: Bool) async throws -> Response? {
        var page = kept
        if gzip, !page.gzipTried {
            // Compressed on the first hit that takes gzip, not on the miss: most pages rendered are never kept.
            page = page.withGzip()
            cache.replace(page, at: path)
        }
        if !gzip, !page.hasIdentity, let plain = page.withIdentity() {
            // A page kept gzip-compressed only, asked for by a client that does not take gzip: its bytes are
            // inflated once and kept beside the gzip copy.
            page = plain
            cache.replace(page, at: path)
        }
        guard gzip || page.hasIdentity else { return nil }
        guard let splice = page.splice else { return answer(page, to: request.head, gzip: gzip, hit: true).response }
        guard let fragment = try await fragment(splice.fragment) else { return nil }
        return answer(page, with: fragment, to: request.head, gzip: gzip, hit: true).response
    }

    /// The answer to a GET or HEAD of a kept page when it needs no waiting: the page is kept and fresh, its gzip copy
    /// was made if the client takes gzip, and its shared block is kept; counted as a hit. Nil for anything else, with
    /// nothing counted: `handle` decides the request as it decides every other. The event loop answers such hits
    /// itself (`EventLoopHits`), so this and `handle`'s hit are one code path: `answer`.
    func readyAnswer(to request: HTTPRequest, uri: URI) -> CachedAnswer? {
        guard request.method == .get || request.method == .head, cache.isEnabled, Self.pathForm(uri.path) == .canonical,
            let path = key(uri)
        else { return nil }
        let gzip = Self.acceptsGzip(request.headerFields[values: .acceptEncoding])
        guard let hit = cache.readyHit(path, gzip: gzip) else { return nil }
        guard let fragment = hit.fragment else { return answer(hit.page, to: request, gzip: gzip, hit: true) }
        return answer(hit.page, with: fragment, to: request, gzip: gzip, hit: true)
    }

    /// A page with its shared block spliced in: its ETag joins the page's and the block's, its keys add the block's
    /// (a CDN cannot splice), and the body is the parts as they are kept. A hit takes what the last hit with the same
    /// version of the block made (`SplicedHits`).
    private func answer(
        _ page: PageCache.Page, with fragment: SharedFragment, to request: HTTPRequest, gzip: Bool, hit: Bool
    )
        -> CachedAnswer
    {
        let compressed = gzip && page.gzip != nil
        guard let splice = page.splice else { return answer(page, to: request, gzip: gzip, hit: hit) }
        let variant = fragment.variant(excluding: splice.excluded)
        let made: SplicedHits.Made
        if hit, let kept = page.splicedHits?.made(gzip: compressed, variant: variant, of: fragment) {
            made = kept
        } else {
            made = Self.splice(page, with: fragment, variant: variant, gzip: compressed, hit: hit)
            if hit { page.splicedHits?.keep(made, gzip: compressed) }
        }
        var headers = made.headers
        if !hit { headers[.xCache] = "MISS" }
        if !request.headerFields[values: .ifNoneMatch].isEmpty || request.headerFields[.ifModifiedSince] != nil,
            [made.plainETag, PageCache.Page.gzipETag(made.plainETag)].contains(where: {
                Response.clientHasIt(request.headerFields, etag: $0, lastModified: made.lastModified)
            })
        {
            headers[.contentType] = nil
            headers[.contentEncoding] = nil
            return CachedAnswer(status: .notModified, headers: headers, body: [])
        }
        // A HEAD's head is the GET's: its length goes last, as the GET's does.
        let encoded = hit ? made.head : nil
        if request.method == .head {
            headers[.contentLength] = String(made.length)
            return CachedAnswer(status: .ok, headers: headers, body: [], encodedHead: encoded)
        }
        return CachedAnswer(status: .ok, headers: headers, body: made.parts, encodedHead: encoded)
    }

    /// What `answer(_:with:…)` sends of a page with `variant` of its block, before the request's validators and method.
    /// `hit`: whether it is kept for the next hits (`SplicedHits`), which alone write its head as bytes: a miss, the
    /// cold render of every article page, does not make one.
    private static func splice(
        _ page: PageCache.Page, with fragment: SharedFragment, variant: SharedFragment.Variant, gzip: Bool, hit: Bool
    )
        -> SplicedHits.Made
    {
        let (parts, etag) = page.spliced(with: variant, gzip: gzip)
        var headers = gzip ? page.gzipHeaders : page.identityHeaders
        headers[.eTag] = etag
        headers[.surrogateKey] = page.surrogateKeys + " " + fragment.surrogateKeys
        // The later of the page's and the block's, so that a block newer than the page is not answered with a 304.
        var lastModified = page.lastModifiedDate
        if let modified = lastModified, modified < fragment.renderedAt {
            lastModified = fragment.renderedAt
            headers[.lastModified] = fragment.lastModified
        }
        let length = parts.reduce(0) { $0 + $1.readableBytes }
        return SplicedHits.Made(
            tag: variant.tag, renderedAt: fragment.renderedAt, keys: fragment.surrogateKeys, parts: parts, length: length,
            plainETag: gzip ? String(etag.dropLast(4)) + "\"" : etag, headers: headers, lastModified: lastModified,
            head: hit ? HTTP1Head.ok(headers, length: length) : nil)
    }

    private func answer(_ page: PageCache.Page, to request: HTTPRequest, gzip: Bool, hit: Bool) -> CachedAnswer {
        let compressed = gzip ? page.gzip : nil
        var headers = compressed == nil ? page.identityHeaders : page.gzipHeaders
        if !hit { headers[.xCache] = "MISS" }
        // Either encoding's validator will do: a reader that cached the plain bytes and now accepts gzip (or the
        // other way round) has the same page.
        if !request.headerFields[values: .ifNoneMatch].isEmpty || request.headerFields[.ifModifiedSince] != nil,
            [page.etag, page.gzipETag].contains(where: { etag in
                Response.clientHasIt(request.headerFields, etag: etag, lastModified: page.lastModifiedDate)
            })
        {
            headers[.contentType] = nil
            headers[.contentEncoding] = nil
            return CachedAnswer(status: .notModified, headers: headers, body: [])
        }
        let body = compressed ?? page.identity
        let encoded = hit ? (compressed == nil ? page.identityHead : page.gzipHead) : nil
        if request.method == .head {
            headers[.contentLength] = String(body.readableBytes)
            return CachedAnswer(status: .ok, headers: headers, body: [], encodedHead: encoded)
        }
        return CachedAnswer(status: .ok, headers: headers, body: [body], encodedHead: encoded)
    }

    enum PathForm: Equatable {
        case canonical
        /// The same path without its doubled and trailing slashes.
        case moved(String)
        /// A path with `.` or `..` segments names no page.
        case notFound
    }

    /// Whether `path` is the one spelling of a page's path: `/`, or segments joined by single slashes, none of them
    /// empty, `.` or `..`. One pass over the path.
    static func pathForm(_ path: String) -> PathForm {
        isPlainlyCanonical(path) ? .canonical : parsedPathForm(path)
    }

    /// `pathForm` by splitting the path (every path not `isPlainlyCanonical`).
    static func parsedPathForm(_ path: String) -> PathForm {
        let bytes = path.utf8
        guard bytes.first == UInt8(ascii: "/") else { return .notFound }
        var canonical = true
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            if segment == "." || segment == ".." { return .notFound }
            if segment.isEmpty { canonical = false } else { segments.append(segment) }
        }
        // "/" itself splits into one empty segment, and is the home page's path.
        if path == "/" { return .canonical }
        return canonical ? .canonical : .moved("/" + segments.joined(separator: "/"))
    }

    /// `pathForm`'s common case in one pass without allocating: `/`, or segments none of which is empty, `.` or `..`
    /// (false sends the path to the full check).
    static func isPlainlyCanonical(_ path: String) -> Bool {
        var bytes = path.utf8.makeIterator()
        guard bytes.next() == UInt8(ascii: "/") else { return false }
        guard path.utf8.count > 1 else { return true }
        // The current segment's length, and how many of its bytes are dots.
        var length = 0
        var dots = 0
        while let byte = bytes.next() {
            if byte == UInt8(ascii: "/") {
                if length == 0 || (dots == length && length <= 2) { return false }
                length = 0
                dots = 0
            } else {
                length += 1
                if byte == UInt8(ascii: ".") { dots += 1 }
            }
        }
        return length > 0 && !(dots == length && length <= 2)
    }

    /// The cache's name for a request: the path, plus `?page=n` for a later page. Nil when the request cannot be a
    /// cached page (several or malformed `page` values are the route's to reject).
    static func cachePath(_ uri: URI) -> String? {
        let path = uri.path
        // The APIs keep their answers in a cache of their own, named by the whole query (`ContentAPICache`).
        guard path.hasPrefix("/"), !path.hasPrefix("/newsroom"), !path.hasPrefix("/api/"), !path.hasPrefix("/wp-json") else { return nil }
        guard uri.query != nil else { return path }
        // `/?p=123` is an imported site's old post, not the home page (`LegacyRedirectMiddleware`).
        if LegacyRedirectResolver.namesOldPost(path: path, query: uri.query) { return nil }
        let pages = uri.queryParameters.getAll("page")
        switch pages.count {
        case 0: return path
        case 1:
            guard let number = Int(pages[0]), number >= 1, number < 1_000_000 else { return nil }
            return number == 1 ? path : "\(path)?page=\(number)"
        default: return nil
        }
    }

    /// Whether `Accept-Encoding` allows gzip (named, or `*`, without `q=0`).
    static func acceptsGzip(_ values: [String]) -> Bool {
        if values.count == 1, let plain = plainCodingsNameGzip(values[0]) { return plain }
        return parsedAcceptsGzip(values)
    }

    /// `acceptsGzip` by splitting the values into codings and parameters (all but `plainCodingsNameGzip`'s values).
    static func parsedAcceptsGzip(_ values: [String]) -> Bool {
        for item in values.flatMap({ $0.split(separator: ",") }) {
            let parts: [String] = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let coding = parts.first, ["gzip", "x-gzip", "*"].contains(coding) else { continue }
            let refused = parts.dropFirst().contains { (part: String) -> Bool in
                part.hasPrefix("q=") && Double(part.dropFirst(2)) == 0
            }
            return !refused
        }
        return false
    }

    /// `acceptsGzip`'s common case (`gzip, deflate, br`: ASCII codings without parameters or `*`) in one pass without
    /// allocating: whether one of them is gzip; nil for anything else, which takes the full parse.
    static func plainCodingsNameGzip(_ value: String) -> Bool? {
        // The current coding's first eight bytes in lower case, its length, and whether a space ended it.
        var word: UInt64 = 0
        var length = 0
        var ended = false
        let gzip = UInt64(0x677a_6970)  // "gzip"
        let xGzip = UInt64(0x782d_677a_6970)  // "x-gzip"
        func isGzip() -> Bool { (length == 4 && word == gzip) || (length == 6 && word == xGzip) }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: ";"), UInt8(ascii: "*"), 0x80...: return nil
            case UInt8(ascii: ","):
                if isGzip() { return true }
                (word, length, ended) = (0, 0, false)
            case UInt8(ascii: " "), UInt8(ascii: "\t"):
                ended = length > 0
            default:
                if ended { return nil }
                if length < 8 { word = word << 8 | UInt64(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) }
                length += 1
            }
        }
        return isGzip()
    }

    /// The whole body of a rendered response (pages are rendered into one buffer, so this is a copy at most).
    static func collect(_ body: ResponseBody) async throws -> ByteBuffer {
        let collected = CollectedBytes()
        try await body.write(CollectingWriter(into: collected))
        return collected.buffer
    }
}

/// Where `CollectingWriter` puts the bytes (the writer itself is consumed by `ResponseBody.write`).
private final class CollectedBytes: @unchecked Sendable {
    var buffer = ByteBuffer()
}

/// A response body writer that keeps what is written.
private struct CollectingWriter: ResponseBodyWriter {
    let into: CollectedBytes

    mutating func write(_ part: ByteBuffer) async throws {
        var part = part
        if into.buffer.readableBytes == 0 { into.buffer = part } else { into.buffer.writeBuffer(&part) }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

/// What the page cache answers a request with, before the headers every answer gets (`SecurityHeadersResponder`,
/// `RequestIDResponder`, the date and the server's name).
struct CachedAnswer {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    /// The body's buffers in order; none for a 304 or a HEAD (whose `Content-Length` is in `headers`).
    var body: [ByteBuffer]
    /// `head` as bytes (`HTTP1Head.ok`) without its empty line, when the page keeps it ready: a 200 hit.
    var encodedHead: ByteBuffer? = nil

    /// The body's length.
    var length: Int { body.reduce(0) { $0 + $1.readableBytes } }

    /// As Hummingbird's responder chain answers it. The body goes as one buffer: Hummingbird sends a one-buffer body
    /// with its head and end in one write, and a body of several buffers in three, each its own hop to the event loop.
    var response: Response {
        guard body.count > 1 else {
            return Response(status: status, headers: headers, body: body.first.map { ResponseBody(byteBuffer: $0) } ?? ResponseBody())
        }
        var joined = ByteBufferAllocator().buffer(capacity: length)
        for part in body { joined.writeImmutableBuffer(part) }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: joined))
    }

    /// The response head `response` has (`Response` adds the body's length unless the headers have one).
    var head: HTTPResponse {
        var head = HTTPResponse(status: status, headerFields: headers)
        if !headers.contains(.contentLength) { head.headerFields[.contentLength] = String(length) }
        return head
    }
}

/// The page cache in front of a whole responder (the router), so that a hit skips route resolution as well.
struct PageCacheResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context: RequestContext {
    typealias Context = Inner.Context
    let inner: Inner
    let cache: PageCacheMiddleware<Inner.Context>

    @Sendable func respond(to request: Request, context: Context) async throws -> Response {
        try await cache.handle(request, context: context) { request, context in
            try await inner.respond(to: request, context: context)
        }
    }
}
