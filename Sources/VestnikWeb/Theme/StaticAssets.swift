import Foundation
import NIOCore

/// The theme's CSS, images and scripts, read once at start-up and served from memory.
///
/// Each asset's URL carries a fingerprint of its bytes (`/static/site.css?v=…`), so browsers and CDNs may keep it
/// for a year and still see a new version the moment it changes.
public struct StaticAssets: Sendable {
    public struct Asset: Sendable {
        public var bytes: ByteBuffer
        public var contentType: String
        public var fingerprint: String
        /// Width and height of a PNG image (machines that show a picture want to know its size up front).
        public var pixelSize: (width: Int, height: Int)?
    }

    private(set) var assets: [String: Asset] = [:]

    static func load(from folder: URL) throws -> StaticAssets {
        var result = StaticAssets()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for name in names where !name.hasPrefix(".") {
            let data = try Data(contentsOf: folder.appendingPathComponent(name))
            result.assets[name] = Asset(
                bytes: ByteBuffer(bytes: data), contentType: contentType(for: name), fingerprint: fingerprint(data),
                pixelSize: pngSize(data))
        }
        return result
    }

    mutating func merge(_ other: StaticAssets) {
        assets.merge(other.assets) { _, new in new }
    }

    public subscript(_ name: String) -> Asset? { assets[name] }

    /// The URL to put in a page for `name`.
    public func url(_ name: String) -> String {
        guard let asset = assets[name] else { return "/static/\(name)" }
        return "/static/\(name)?v=\(asset.fingerprint)"
    }

    static func contentType(for name: String) -> String {
        switch (name as NSString).pathExtension.lowercased() {
        case "css": return "text/css; charset=utf-8"
        case "js": return "text/javascript; charset=utf-8"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "webp": return "image/webp"
        case "ico": return "image/x-icon"
        case "woff2": return "font/woff2"
        case "txt": return "text/plain; charset=utf-8"
        default: return "application/octet-stream"
        }
    }

    /// The size a PNG's header (`IHDR`, always first) declares; `nil` for anything else.
    static func pngSize(_ data: Data) -> (width: Int, height: Int)? {
        let bytes = [UInt8](data.prefix(24))
        guard bytes.count == 24, bytes[0..<8].elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
            bytes[12..<16].elementsEqual(Array("IHDR".utf8))
        else { return nil }
        func bigEndian(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        return (bigEndian(16), bigEndian(20))
    }

    /// A 64-bit hash of the bytes, 32 at a time: a cache-busting tag and an ETag, not a security measure. Every
    /// page without a cache hit is hashed for its ETag; FNV-1a's byte-at-a-time chain of multiplications took 5 % of
    /// an article page's CPU, and one chain of eight-byte steps still 2 %, so four independent lanes run side by side.
    static func fingerprint(_ data: some Sequence<UInt8>) -> String {
        let hash = data.withContiguousStorageIfAvailable { hash64(UnsafeRawBufferPointer($0)) } ?? hash64(Array(data))
        return String(hash, radix: 16)
    }

    private static func hash64(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { hash64($0) }
    }

    private static let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15

    private static func mix(_ hash: UInt64, _ word: UInt64) -> UInt64 {
        let mixed = (hash ^ word) &* multiplier
        return mixed ^ (mixed >> 29)
    }

    private static func hash64(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        func word(_ at: Int) -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
        let seed: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(bytes.count)
        var lanes = (seed, seed &+ 0x6A09_E667_F3BC_C908, seed &+ 0xBB67_AE85_84CA_A73B, seed &+ 0x3C6E_F372_FE94_F82B)
        var offset = 0
        while offset + 32 <= bytes.count {
            lanes.0 = mix(lanes.0, word(offset))
            lanes.1 = mix(lanes.1, word(offset + 8))
            lanes.2 = mix(lanes.2, word(offset + 16))
            lanes.3 = mix(lanes.3, word(offset + 24))
            offset += 32
        }
        var hash = mix(mix(mix(lanes.0, lanes.1), lanes.2), lanes.3)
        while offset + 8 <= bytes.count {
            hash = mix(hash, word(offset))
            offset += 8
        }
        while offset < bytes.count {
            hash = (hash ^ UInt64(bytes[offset])) &* 0x100_0000_01b3
            offset += 1
        }
        hash ^= hash >> 32
        hash = hash &* multiplier
        return hash ^ (hash >> 29)
    }
}
