/// A picture with what it said about where, when and by whom it was taken taken out: the file readers get.
public struct ScrubbedImage: Sendable, Equatable {
    public var bytes: [UInt8]
    /// What was taken out (`MetadataKind`s), empty when the file was clean (then `bytes` are the input's).
    public var removed: Set<MetadataKind>
    /// The EXIF orientation that was kept (1...8): a JPEG, PNG or WebP keeps a block that holds only it.
    public var orientation: Int
    /// The photographer's name from EXIF Artist (else Copyright), for an empty credit field.
    public var credit: String?
    /// The frames of a GIF (its image descriptors); 1 for the other formats.
    public var frames = 1

    /// Width and height as the picture is shown: orientations 5–8 turn it by a quarter.
    public func displayed(width: Int, height: Int) -> (width: Int, height: Int) {
        (5...8).contains(orientation) ? (height, width) : (width, height)
    }
}

/// What a picture file may carry besides its pixels.
public enum MetadataKind: String, Sendable, CaseIterable, Comparable {
    /// Coordinates: an EXIF GPS block or XMP `exif:GPS…` fields.
    case location
    /// EXIF: camera, serial numbers, dates, owner.
    case exif
    /// A small copy of the picture inside the metadata (EXIF IFD1, JFIF/JFXX thumbnails), which editing tools
    /// leave unchanged: it can show what was cropped out.
    case thumbnail
    case xmp
    /// IPTC/Photoshop (JPEG APP13): captions, names, places.
    case iptc
    /// JPEG COM, GIF comment extensions.
    case comment
    /// PNG tEXt/zTXt/iTXt and tIME.
    case text
    /// Other application blocks (maker data, MPF, FlashPix, GIF application extensions).
    case application
    /// Bytes after the end of the picture (where phones append second images).
    case trailer

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// Takes location, camera, owner and editing metadata out of a JPEG, PNG, WebP or GIF without touching its pixels:
/// the container's blocks are walked once, each kept block copied as it was, so a clean file comes out byte for
/// byte the same (and its content address does not change). Colour profiles and what decoders need stay: JFIF,
/// ICC profiles, Adobe APP14; PNG's iCCP, sRGB, gAMA, cHRM; WebP's ICCP; GIF looping.
///
/// Pixels are not re-encoded (that needs an image library; see issue 17), so orientation cannot be applied to them:
/// instead a minimal EXIF block holding only the Orientation tag is kept when it is not 1, which browsers
/// (`image-orientation: from-image`, the default) and decoders follow.
///
/// Outside input: every length is checked against what is left, every loop moves forward, and a file whose
/// structure is cut short or does not hold together is refused (`ImageProblem.damaged`), never half-written.
/// Compiles on its own with `ImageFile.swift` and `ExifBlock.swift` (no imports), for the fuzz target in `fuzz/`.
public enum ImageScrubber {
    public static func scrub(_ bytes: [UInt8], format: ImageFormat) -> Result<ScrubbedImage, ImageProblem> {
        var result: ScrubbedImage?
        switch format {
        case .jpeg: result = jpeg(bytes)
        case .png: result = png(bytes)
        case .webp: result = webp(bytes)
        case .gif: result = gif(bytes)
        // Only renditions are AVIF, made by libvips without metadata; the library never takes one in.
        case .avif: result = nil
        }
        guard var scrubbed = result else { return .failure(.damaged) }
        if scrubbed.removed.isEmpty { scrubbed.bytes = bytes }
        return .success(scrubbed)
    }

    /// What a walk over one file has found so far.
    private struct Findings {
        var removed: Set<MetadataKind> = []
        var orientation = 1
        var credit: String?
        /// Notes an EXIF block about to be dropped; true when it is the first one and its orientation must be kept.
        mutating func exif(_ block: ArraySlice<UInt8>) -> Bool {
            let summary = ExifSummary(tiff: block)
            let first = orientation == 1 && !removed.contains(.exif)
            // The block this scrubber writes is kept as it is, so a second pass changes nothing.
            if first, summary.orientation != 1,
                block.dropFirst(block.starts(with: ExifBlock.exifHeader) ? 6 : 0)
                    .elementsEqual(ExifBlock.orientationOnly(summary.orientation))
            {
                orientation = summary.orientation
                return true
            }
            removed.insert(.exif)
            if summary.hasLocation { removed.insert(.location) }
            if summary.hasThumbnail { removed.insert(.thumbnail) }
            if first {
                orientation = summary.orientation
                credit = summary.credit
            }
            return first && orientation != 1
        }
        mutating func xmp(_ block: ArraySlice<UInt8>) {
            removed.insert(.xmp)
            if ImageScrubber.mentionsPosition(block) { removed.insert(.location) }
        }
        var frames = 1
        func result(_ bytes: [UInt8]) -> ScrubbedImage {
            ScrubbedImage(bytes: bytes, removed: removed, orientation: orientation, credit: credit, frames: frames)
        }
    }

    // MARK: JPEG

    private static let jfif = Array("JFIF\u{0}".utf8)
    private static let jfxx = Array("JFXX\u{0}".utf8)
    private static let exif = ExifBlock.exifHeader
    private static let xmpNamespace = Array("http://ns.adobe.com/xap/1.0/\u{0}".utf8)
    private static let xmpExtension = Array("http://ns.adobe.com/xmp/extension/\u{0}".utf8)
    private static let iccProfile = Array("ICC_PROFILE\u{0}".utf8)
    private static let adobe = Array("Adobe".utf8)

    /// Marker segments are copied or dropped one by one up to the end of the image (EOI); the entropy-coded data
    /// of each scan is copied as it is, up to the next marker. Anything after EOI is dropped.
    private static func jpeg(_ b: [UInt8]) -> ScrubbedImage? {
        let n = b.count
        guard n >= 4, b[0] == 0xFF, b[1] == 0xD8 else { return nil }
        var out: [UInt8] = [0xFF, 0xD8]
        out.reserveCapacity(n)
        var found = Findings()
        var i = 2
        while i < n {
            let start = i
            guard b[i] == 0xFF else { return nil }
            while i < n, b[i] == 0xFF { i += 1 }  // fill bytes
            guard i < n else { return nil }
            let marker = b[i]
            i += 1
            if marker == 0xD9 {
                out += b[start..<i]
                if i < n { found.removed.insert(.trailer) }
                return found.result(out)
            }
            if marker == 0x00 { return nil }
            if marker == 0x01 || (0xD0...0xD7).contains(marker) {
                out += b[start..<i]
                continue
            }
            guard i + 2 <= n else { return nil }
            let length = Int(b[i]) << 8 | Int(b[i + 1])
            guard length >= 2, i + length <= n else { return nil }
            let payload = b[(i + 2)..<(i + length)]
            let end = i + length
            switch marker {
            case 0xE0 where payload.starts(with: jfif):
                // JFIF's own thumbnail (rare) goes: the 14 bytes before it stay, with a 0×0 thumbnail.
                if payload.count > 14, payload.dropFirst(12).prefix(2).contains(where: { $0 != 0 }) {
                    out += [0xFF, 0xE0, 0x00, 16] + payload.prefix(12) + [0, 0]
                    found.removed.insert(.thumbnail)
                } else {
                    out += b[start..<end]
                }
            case 0xE0 where payload.starts(with: jfxx):
                found.removed.insert(.thumbnail)
            case 0xE1 where payload.starts(with: exif):
                if found.exif(payload) { out += ExifBlock.jpegSegment(found.orientation) }
            case 0xE1 where payload.starts(with: xmpNamespace) || payload.starts(with: xmpExtension):
                found.xmp(payload)
            case 0xE2 where payload.starts(with: iccProfile), 0xEE where payload.starts(with: adobe):
                out += b[start..<end]
            case 0xED:
                found.removed.insert(.iptc)
            case 0xE0...0xEF:
                found.removed.insert(.application)
            case 0xFE:
                found.removed.insert(.comment)
            case 0xDA:
                out += b[start..<end]
                let scanEnd = entropyCodedEnd(b, from: end)
                out += b[end..<scanEnd]
                i = scanEnd
                continue
            default:
                out += b[start..<end]
            }
            i = end
        }
        return nil  // no EOI: cut short
    }

    /// Where a scan's entropy-coded data ends: at the first 0xFF that is neither a stuffed zero (FF 00) nor a
    /// restart marker (FF D0–D7); the end of the bytes if there is none (the caller then finds no EOI).
    private static func entropyCodedEnd(_ b: [UInt8], from: Int) -> Int {
        b.withUnsafeBufferPointer { p in
            var i = from
            let n = p.count
            while i < n {
                if p[i] != 0xFF {
                    i += 1
                    continue
                }
                guard i + 1 < n else { return n }
                let next = p[i + 1]
                if next == 0x00 || (0xD0...0xD7).contains(next) {
                    i += 2
                    continue
                }
                return i
            }
            return n
        }
    }

    // MARK: PNG

    private static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    private static let xmpKeyword = Array("XML:com.adobe.xmp\u{0}".utf8)

    /// Chunks are copied or dropped one by one; IHDR must come first and IEND end the file. CRCs are not checked
    /// (decoders do that), only lengths.
    private static func png(_ b: [UInt8]) -> ScrubbedImage? {
        let n = b.count
        guard b.starts(with: pngSignature) else { return nil }
        var out = pngSignature
        out.reserveCapacity(n)
        var found = Findings()
        var i = 8
        var first = true
        while i + 12 <= n {
            let length = Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3])
            let type = b[(i + 4)..<(i + 8)]
            guard length <= 0x7FFF_FFFF, length <= n - i - 12, type.allSatisfy(isLetter) else { return nil }
            let end = i + 12 + length
            let data = b[(i + 8)..<(i + 8 + length)]
            let name = String(decoding: type, as: UTF8.self)
            if first, name != "IHDR" { return nil }
            first = false
            switch name {
            case "IEND":
                out += b[i..<end]
                if end < n { found.removed.insert(.trailer) }
                return found.result(out)
            case "eXIf":
                if found.exif(data) { out += pngChunk("eXIf", ExifBlock.orientationOnly(found.orientation)) }
            case "iTXt" where data.starts(with: xmpKeyword):
                found.xmp(data)
            case "tEXt", "zTXt", "iTXt", "tIME":
                found.removed.insert(.text)
                if mentionsPosition(data) { found.removed.insert(.location) }
            default:
                out += b[i..<end]
            }
            i = end
        }
        return nil  // no IEND: cut short
    }

    private static func isLetter(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }

    private static func pngChunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + data
        let crc = CRC32.checksum(typed)
        return bigEndian32(data.count) + typed + bigEndian32(Int(crc))
    }

    private static func bigEndian32(_ v: Int) -> [UInt8] {
        [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
    }
    private static func littleEndian32(_ v: Int) -> [UInt8] {
        [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24 & 0xFF)]
    }

    // MARK: WebP

    /// The RIFF's chunks are copied or dropped one by one (EXIF, XMP); the extended header's EXIF and XMP flags
    /// then say what is left and the RIFF size is set anew. Bytes past the RIFF are dropped.
    private static func webp(_ b: [UInt8]) -> ScrubbedImage? {
        let n = b.count
        guard n >= 12, b.starts(with: Array("RIFF".utf8)), Array(b[8..<12]) == Array("WEBP".utf8) else { return nil }
        let riffSize = Int(b[4]) | Int(b[5]) << 8 | Int(b[6]) << 16 | Int(b[7]) << 24
        guard riffSize >= 4, riffSize <= n - 8 else { return nil }
        let riffEnd = 8 + riffSize
        var out = Array(b[0..<12])
        out.reserveCapacity(n)
        var found = Findings()
        var flagsAt: Int?
        var keptExif = false
        var i = 12
        while i < riffEnd {
            guard i + 8 <= riffEnd else { return nil }
            let fourCC = String(decoding: b[i..<(i + 4)], as: UTF8.self)
            let size = Int(b[i + 4]) | Int(b[i + 5]) << 8 | Int(b[i + 6]) << 16 | Int(b[i + 7]) << 24
            guard size <= riffEnd - i - 8 else { return nil }
            // Chunks are padded to an even size; a writer that left out the last pad byte is forgiven.
            let end = min(i + 8 + size + (size & 1), riffEnd)
            let data = b[(i + 8)..<(i + 8 + size)]
            switch fourCC {
            case "EXIF":
                if found.exif(data) {
                    if flagsAt != nil {
                        out +=
                            Array("EXIF".utf8) + littleEndian32(ExifBlock.orientationOnly(2).count)
                            + ExifBlock.orientationOnly(found.orientation)
                        keptExif = true
                    } else {
                        found.orientation = 1  // a simple WebP has no flag to announce it: nothing is kept, nothing turns
                    }
                }
            case "XMP ":
                found.xmp(data)
            case "VP8X":
                if i == 12, size >= 10 { flagsAt = out.count + 8 }
                out += b[i..<end]
            default:
                out += b[i..<end]
            }
            i = end
        }
        if riffEnd < n { found.removed.insert(.trailer) }
        if let flagsAt {
            // 0x08: EXIF present, 0x04: XMP present.
            out[flagsAt] = (out[flagsAt] & ~0x0C) | (keptExif ? 0x08 : 0)
        }
        let size = out.count - 8
        out.replaceSubrange(4..<8, with: littleEndian32(size))
        return found.result(out)
    }

    // MARK: GIF

    private static let keptApplications = ["NETSCAPE2.0", "ANIMEXTS1.0", "ICCRGBG1012"].map { Array($0.utf8) }

    /// Blocks are copied or dropped one by one up to the trailer (0x3B): comment extensions and application
    /// extensions other than looping (NETSCAPE2.0, ANIMEXTS1.0) and the colour profile (ICCRGBG1) go.
    private static func gif(_ b: [UInt8]) -> ScrubbedImage? {
        let n = b.count
        guard n >= 13 else { return nil }
        var i = 13 + colourTableSize(b[10])
        guard i <= n else { return nil }
        var out = Array(b[0..<i])
        out.reserveCapacity(n)
        var found = Findings()
        found.frames = 0
        while i < n {
            let start = i
            switch b[i] {
            case 0x3B:
                out.append(0x3B)
                if i + 1 < n { found.removed.insert(.trailer) }
                return found.result(out)
            case 0x2C:
                guard i + 10 <= n else { return nil }
                let dataAt = i + 10 + colourTableSize(b[i + 9])
                guard dataAt + 1 <= n, let end = subBlocksEnd(b, from: dataAt + 1) else { return nil }
                out += b[start..<end]
                found.frames += 1
                i = end
            case 0x21:
                guard i + 2 <= n, let end = subBlocksEnd(b, from: i + 2) else { return nil }
                let label = b[i + 1]
                let body = b[(i + 2)..<end]
                if label == 0xFE {
                    found.removed.insert(.comment)
                } else if label == 0xFF, !(body.first == 11 && keptApplications.contains { body.dropFirst().starts(with: $0) }) {
                    if body.dropFirst().starts(with: Array("XMP DataXMP".utf8)) {
                        found.xmp(body)
                    } else {
                        found.removed.insert(.application)
                    }
                } else {
                    out += b[start..<end]
                }
                i = end
            default:
                return nil
            }
        }
        return nil  // no trailer: cut short
    }

    /// A global or local colour table's size from its descriptor's packed byte.
    private static func colourTableSize(_ packed: UInt8) -> Int { packed & 0x80 == 0 ? 0 : 3 << (Int(packed & 0x07) + 1) }

    /// Just past the zero-length block that ends a run of sub-blocks, or nil when the bytes end first.
    private static func subBlocksEnd(_ b: [UInt8], from: Int) -> Int? {
        var i = from
        while i < b.count {
            let size = Int(b[i])
            i += 1 + size
            if size == 0 { return i }
        }
        return nil
    }

    // MARK: Pieces

    private static let positionWords = ["GPSLatitude", "GPSLongitude"].map { Array($0.utf8) }

    /// Whether a text block names coordinates (XMP's `exif:GPSLatitude`…). Linear: each needle is short.
    static func mentionsPosition(_ block: ArraySlice<UInt8>) -> Bool {
        positionWords.contains { word in
            guard block.count >= word.count else { return false }
            var i = block.startIndex
            let last = block.endIndex - word.count
            while i <= last {
                if block[i] == word[0], block[i..<(i + word.count)].elementsEqual(word) { return true }
                i += 1
            }
            return false
        }
    }
}

/// CRC-32 (ISO 3309, as PNG chunks use it).
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in bytes { c = table[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
