import Foundation
import NIOCore
import Testing
@testable import VestnikWeb

/// A page is gzip-compressed only when it may be kept or is sent compressed, and a page that may be kept holds
/// buffers sized for what they hold.
@Suite struct PageCompressionTests {
    static let html = String(repeating: "<p>Абзац от статията, който се повтаря.</p>\n", count: 400)

    @Test func compressionOnlyWhenAsked() {
        let bytes = ByteBuffer(string: Self.html)
        let plain = PageCache.Page(
            bytes: bytes, contentType: "text/html; charset=utf-8", lastModified: nil, etag: nil, surrogateKeys: "a1",
            compress: false, at: Date())
        #expect(plain.gzip == nil)
        #expect(plain.identity == bytes)
        let kept = PageCache.Page(
            bytes: bytes, contentType: "text/html; charset=utf-8", lastModified: nil, etag: nil, surrogateKeys: "a1",
            at: Date())
        #expect(kept.identity == bytes)
        #expect(kept.etag == plain.etag)
        let gzip = try! #require(kept.gzip)
        #expect(gzip.readableBytes < bytes.readableBytes / 4)
        // Sized for what they hold (NIO rounds allocations up to a power of two), not for gzip's worst case.
        #expect(gzip.capacity < 2 * gzip.readableBytes)
        #expect(kept.identity.capacity < 2 * kept.identity.readableBytes)
    }
}
