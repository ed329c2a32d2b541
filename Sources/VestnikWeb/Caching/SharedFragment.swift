import CCompressZlib
import CompressNIO
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization
import VestnikCore
import VestnikStore

/// A block that many cached pages show and that changes more often than they do: "Новините днес" on every article
/// page changes with each publication, and when it was part of each page, every publication emptied the cache of every
/// article page. Such a page is kept as the bytes before the block and those after it (`PageCache.Page.splice`), and
/// the block is rendered once per change of what it lists and spliced in when the page is sent.
///
/// An article page's list leaves the article itself out, so the block is kept in a few variants: as shown on pages
/// of articles it does not list (`variants[0]`), and as shown on the page of each article it lists.
public struct SharedFragment: Sendable {
    /// One way the block is shown: its bytes, and the same as a raw deflate segment for gzip responses.
    struct Variant: Sendable {
        let identity: ByteBuffer
        let deflate: DeflateSegment
        /// A fingerprint of the bytes, part of the ETag of each page showing them.
        let tag: String
    }

    /// The block's name in the splice marks (`<!--splice:NAME-->`).
    let name: String
    /// What it shows: a change naming any of these drops it (`CacheKey.latest` and each listed article).
    let keys: Set<String>
    /// `keys` as a `Surrogate-Key` value, added to each page showing the block: a CDN cannot splice, so to it the
    /// page shows the block like any other part.
    let surrogateKeys: String
    let variants: [Int: Variant]
    let renderedAt: Date
    /// `renderedAt` as an HTTP date: the `Last-Modified` of a page showing a block newer than itself.
    let lastModified: String

    /// `render(excluded)` renders the block as shown on the page of article `excluded` (0: of no listed article).
    init(name: String, keys: Set<String>, listed: [Int], renderedAt: Date, render: (Int) throws -> ByteBuffer) throws {
        self.name = name
        self.keys = keys
        surrogateKeys = keys.sorted().joined(separator: " ")
        self.renderedAt = renderedAt
        lastModified = NewsDateFormatter.httpDate(renderedAt)
        let compressor = try ZlibCompressor(algorithm: .deflate)
        var variants: [Int: Variant] = [:]
        for excluded in [0] + listed where variants[excluded] == nil {
            let bytes = try render(excluded)
            variants[excluded] = Variant(
                identity: bytes, deflate: try DeflateSegment(bytes, compressor: compressor),
                tag: StaticAssets.fingerprint(bytes.readableBytesView))
        }
        self.variants = variants
    }

    /// Set by `PageCacheMiddleware` while a route renders a page it will send with the block spliced in, cache on or
    /// off: what the page renders between the splice marks is cut out, so the route may leave it empty ("Новините
    /// днес" was about 5 % of a cold article page's CPU, rendered for each page and thrown away).
    @TaskLocal static var willSplice = false

    /// The block as the page of article `id` shows it.
    func variant(excluding id: Int) -> Variant { variants[id] ?? variants[0]! }

    /// The memory it holds, counted against the page cache's bound.
    var cost: Int {
        variants.values.reduce(surrogateKeys.utf8.count * 5 + 512) { $0 + $1.identity.capacity + $1.deflate.bytes.capacity + 64 }
    }
}

/// What the hits of one kept page with a shared block were last answered with, by encoding, made once per version of
/// the block: the buffers, the ETag and the headers, so that a hit builds no string and runs no `crc32_combine`.
/// Shared by the copies of the page (its gzip copy is added to a copy).
final class SplicedHits: Sendable {
    struct Made: Sendable {
        /// The block's variant (`SharedFragment.Variant.tag`) and version (`SharedFragment.renderedAt`).
        let tag: String
        let renderedAt: Date
        /// The block's `surrogateKeys`.
        let keys: String
        let parts: [ByteBuffer]
        let length: Int
        /// The ETag of the page's bytes as is (a client may hold either encoding's).
        let plainETag: String
        let headers: HTTPFields
        let lastModified: Date?
        /// The head of a 200 hit as bytes (`HTTP1Head.ok`).
        let head: ByteBuffer?
    }

    private let kept = Mutex<(identity: Made?, gzip: Made?)>((nil, nil))

    /// What was made for `variant` of `fragment` in that encoding, if it was.
    func made(gzip: Bool, variant: SharedFragment.Variant, of fragment: SharedFragment) -> Made? {
        let made = kept.withLock { gzip ? $0.gzip : $0.identity }
        guard let made, made.renderedAt == fragment.renderedAt, made.tag == variant.tag, made.keys == fragment.surrogateKeys
        else { return nil }
        return made
    }

    func keep(_ made: Made, gzip: Bool) {
        kept.withLock { if gzip { $0.gzip = made } else { $0.identity = made } }
    }
}

/// Where a rendered page shows a shared block: the response's `X-Vestnik-Splice` header (never sent out) says which
/// block, for which article, and the page's own keys; the marks `<!--splice:NAME-->` and `<!--/splice:NAME-->` around
/// the block in the HTML say where.
struct SplicePoint: Sendable, Equatable {
    let fragment: String
    /// The article whose page it is (the block leaves it out), 0 for none.
    let excluded: Int
    /// The page's keys without the block's.
    let ownKeys: String
    /// Where the start mark begins, and where the end mark ends: what lies between is left out when the page is kept.
    let start: Int
    let end: Int

    /// The header's value as the controller writes it: "NAME ARTICLE KEY KEY…".
    static func header(fragment: String, excluded: Int, ownKeys: String) -> String { "\(fragment) \(excluded) \(ownKeys)" }

    /// The splice point of `bytes` as `header` describes it, nil when the header is malformed or the page lacks the
    /// marks (a theme of its own that left them out: the page is then kept whole, under all its keys). The marks are
    /// looked for from the end, as the block comes after the article's text.
    static func find(in bytes: ByteBuffer, header: String) -> SplicePoint? {
        let parts = header.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count == 3, let excluded = Int(parts[1]), parts[0].allSatisfy({ $0.isLetter || $0 == "_" }) else { return nil }
        let name = String(parts[0])
        let open = Array("<!--splice:\(name)-->".utf8)
        let close = Array("<!--/splice:\(name)-->".utf8)
        let found = bytes.withUnsafeReadableBytes { raw -> Range<Int>? in
            guard let closing = lastRange(of: close, in: raw, before: raw.count),
                let opening = lastRange(of: open, in: raw, before: closing.lowerBound)
            else { return nil }
            return opening.lowerBound..<closing.upperBound
        }
        guard let found else { return nil }
        return SplicePoint(
            fragment: name, excluded: excluded, ownKeys: String(parts[2]), start: found.lowerBound, end: found.upperBound)
    }

    /// The last place `needle` (a mark: "<!--" and more) ends at or before `end`. Looked for by its second byte, "!",
    /// eight bytes at a time: the block lies some kilobytes before the page's end, and a walk byte by byte through a
    /// `ByteBufferView` was 1 % of a cold article page's CPU.
    private static func lastRange(of needle: [UInt8], in raw: UnsafeRawBufferPointer, before end: Int) -> Range<Int>? {
        let count = needle.count
        guard count >= 2, end <= raw.count, end >= count, let base = raw.baseAddress else { return nil }
        let key = needle[1]
        let spread = UInt64(key) &* 0x0101_0101_0101_0101
        func matches(at start: Int) -> Bool {
            needle.withUnsafeBytes { memcmp(base + start, $0.baseAddress!, count) == 0 }
        }
        // `at`: where the key byte of a match starting at `at - 1` would be, from the last possible down to 1.
        var at = end - count + 1
        while at >= 1 {
            if at >= 8 {
                let word = UInt64(littleEndian: (base + at - 7).loadUnaligned(as: UInt64.self)) ^ spread
                // No byte of the eight (at-7 ... at) is the key: skip them all.
                if (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080 == 0 {
                    at -= 8
                    continue
                }
                for position in stride(from: at, through: at - 7, by: -1) where raw[position] == key && matches(at: position - 1) {
                    return (position - 1)..<(position - 1 + count)
                }
                at -= 8
                continue
            }
            if raw[at] == key && matches(at: at - 1) { return (at - 1)..<(at - 1 + count) }
            at -= 1
        }
        return nil
    }
}

/// Bytes compressed as a raw deflate segment that ends on a byte boundary (a sync flush, not the final block), with
/// what a gzip member joining several segments needs of them: their CRC-32 and length. Segments compressed apart
/// join into one deflate stream as they are: the member is `header`, the segments, `finalBlock` and `trailer`.
struct DeflateSegment: Sendable {
    let bytes: ByteBuffer
    let crc: UInt32
    let length: Int

    init(_ source: ByteBuffer, compressor: ZlibCompressor, allocator: ByteBufferAllocator = ByteBufferAllocator()) throws {
        length = source.readableBytes
        crc = Self.crc(source)
        guard length > 0 else {
            bytes = ByteBuffer()
            return
        }
        try compressor.reset()
        var input = source
        var output = ByteBufferAllocator().buffer(capacity: compressor.maxSize(from: source))
        try compressor.deflate(from: &input, to: &output, flush: .sync)
        guard input.readableBytes == 0 else { throw CompressNIOError.bufferOverflow }
        // In storage sized for what it holds (deflate's output buffer is allocated for the worst case).
        var exact = allocator.buffer(capacity: output.readableBytes)
        exact.writeBuffer(&output)
        bytes = exact
    }

    static func crc(_ buffer: ByteBuffer, seed: UInt32 = 0) -> UInt32 {
        buffer.withUnsafeReadableBytes { raw in
            guard let base = raw.baseAddress, raw.count > 0 else { return seed }
            return UInt32(crc32(uLong(seed), base.assumingMemoryBound(to: Bytef.self), uInt(raw.count)))
        }
    }

    /// The CRC-32 of two byte runs one after the other, from theirs.
    static func combine(_ first: UInt32, _ second: UInt32, secondLength: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: crc32_combine(uLong(first), uLong(second), .init(secondLength)))
    }

    /// A gzip member's header: deflate, no name, no time, Unix.
    static let header: [UInt8] = [0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]
    /// An empty final block with fixed codes: ends the deflate stream after the last sync-flushed segment.
    static let finalBlock: [UInt8] = [0x03, 0x00]

    /// A gzip member's trailer: the CRC-32 and the length (modulo 2³²) of the uncompressed bytes, little-endian.
    static func trailer(crc: UInt32, length: Int) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(8)
        buffer.writeInteger(crc, endianness: .little)
        buffer.writeInteger(UInt32(truncatingIfNeeded: length), endianness: .little)
        return buffer
    }
}

/// Renders the shared blocks that pages splice in, by name (nil for a name it does not know), as of `now`.
public struct FragmentRenderer: Sendable {
    let render: @Sendable (_ name: String, _ now: Date) async throws -> SharedFragment?
}

/// One render of a block at a time: when a publication drops "Новините днес", the readers' requests that find it
/// missing wait for one render instead of each rendering it.
final class FragmentRenders: @unchecked Sendable {
    private let lock = NSLock()
    private var running: [String: (epoch: UInt64, task: Task<SharedFragment?, any Error>)] = [:]

    func run(
        _ name: String, epoch: UInt64, _ work: @escaping @Sendable () async throws -> SharedFragment?
    ) async throws -> SharedFragment? {
        let task = lock.withLock { () -> Task<SharedFragment?, any Error> in
            if let current = running[name], current.epoch == epoch { return current.task }
            let task = Task { try await work() }
            running[name] = (epoch, task)
            return task
        }
        defer { lock.withLock { if running[name]?.task == task { running[name] = nil } } }
        return try await task.value
    }
}

extension HTTPField.Name {
    /// Between the public controller and the page cache only (removed before a response leaves): which shared block
    /// the page shows, for which article, and the page's own keys (`SplicePoint`).
    static let vestnikSplice = Self("X-Vestnik-Splice")!
}
