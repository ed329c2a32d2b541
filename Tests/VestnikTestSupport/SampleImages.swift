/// Minimal but well-formed headers of each format, built byte by byte.
public enum SampleImages {
    public static func be16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    public static func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    public static func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
    public static func le24(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF)] }
    public static func le32(_ v: Int) -> [UInt8] { le16(v & 0xFFFF) + le16(v >> 16) }

    public static func png(width: Int, height: Int) -> [UInt8] {
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + be32(13) + Array("IHDR".utf8) + be32(width) + be32(height)
            + [8, 2, 0, 0, 0] + [0, 0, 0, 0] + be32(0) + Array("IEND".utf8) + [0xAE, 0x42, 0x60, 0x82]
    }

    /// APP0 (JFIF), a DQT-like segment, then SOF2 (progressive) with the size, then the end.
    public static func jpeg(width: Int, height: Int, sof: UInt8 = 0xC2) -> [UInt8] {
        [0xFF, 0xD8] + [0xFF, 0xE0] + be16(16) + Array("JFIF".utf8) + [0, 1, 1, 0] + be16(1) + be16(1) + [0, 0]
            + [0xFF, 0xDB] + be16(4) + [0, 0]
            + [0xFF, sof] + be16(17) + [8] + be16(height) + be16(width) + [3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]
            + [0xFF, 0xD9]
    }

    public static func gif(width: Int, height: Int) -> [UInt8] {
        Array("GIF89a".utf8) + le16(width) + le16(height) + [0, 0, 0] + [0x3B]
    }

    public static func webp(chunk: String, payload: [UInt8]) -> [UInt8] {
        let body = Array("WEBP".utf8) + Array(chunk.utf8) + le32(payload.count) + payload
        return Array("RIFF".utf8) + le32(body.count) + body
    }

    public static func webpLossy(width: Int, height: Int) -> [UInt8] {
        webp(chunk: "VP8 ", payload: [0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A] + le16(width) + le16(height) + [0, 0])
    }

    public static func webpLossless(width: Int, height: Int) -> [UInt8] {
        let bits = (width - 1) | (height - 1) << 14
        return webp(chunk: "VP8L", payload: [0x2F] + le32(bits) + [0, 0, 0, 0, 0])
    }

    public static func webpExtended(width: Int, height: Int) -> [UInt8] {
        webp(chunk: "VP8X", payload: [0x10, 0, 0, 0] + le24(width - 1) + le24(height - 1))
    }
}

/// Pictures as a phone or an agency's software leaves them: EXIF (orientation, owner, camera serial, a GPS block
/// with coordinates and an embedded thumbnail), XMP with coordinates, IPTC, comments, text chunks, trailing data.
/// `secrets` are byte strings none of which may survive the scrubber.
public enum PhoneMetadata {
    public static let artist = "Иван Петров, БТА"
    public static let serial = "SN-4417-0042-SECRET"
    public static let comment = "Taken from the source's balcony"
    public static let place = "Mladost 4, block 411"
    /// A stand-in for the thumbnail JPEG in IFD1, which shows the picture before it was cropped.
    public static let thumbnail: [UInt8] = [0xFF, 0xD8] + Array("THUMBNAIL-OF-THE-UNCROPPED-FRAME".utf8) + [0xFF, 0xD9]
    /// Latitude 42°41'54.3", longitude 23°19'21.7" as EXIF rationals: distinctive bytes.
    static let latitude: [(Int, Int)] = [(42, 1), (41, 1), (543, 10)]
    static let longitude: [(Int, Int)] = [(23, 1), (19, 1), (217, 10)]
    public static let xmp = Array(
        #"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="42,41.905N" exif:GPSLongitude="23,19.362E" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" photoshop:City="XMP-CITY-SOFIA"/></rdf:RDF></x:xmpmeta>"#
            .utf8)

    public static var secrets: [[UInt8]] {
        [
            Array(artist.utf8), Array(serial.utf8), Array(comment.utf8), Array(place.utf8), thumbnail,
            Array("GPSLatitude".utf8), Array("XMP-CITY-SOFIA".utf8), rationals(latitude, littleEndian: false),
            rationals(latitude, littleEndian: true), rationals(longitude, littleEndian: false), Array("TRAILING-SECOND-IMAGE".utf8),
        ]
    }

    /// Whether `bytes` hold any of the secrets.
    public static func leaks(_ bytes: [UInt8]) -> [String] {
        secrets.filter { secret in
            bytes.count >= secret.count
                && (0...(bytes.count - secret.count)).contains { bytes[$0..<$0 + secret.count].elementsEqual(secret) }
        }.map { String(decoding: $0, as: UTF8.self) }
    }

    enum Value {
        case short(Int)
        case long(Int)
        case ascii(String)
        case rational([(Int, Int)])
        /// The offset of another block (an IFD or raw bytes).
        case offset(Int)
    }

    static func rationals(_ values: [(Int, Int)], littleEndian: Bool) -> [UInt8] {
        values.flatMap { u32($0.0, littleEndian) + u32($0.1, littleEndian) }
    }

    static func u16(_ v: Int, _ le: Bool) -> [UInt8] { le ? SampleImages.le16(v) : SampleImages.be16(v) }
    static func u32(_ v: Int, _ le: Bool) -> [UInt8] { le ? SampleImages.le32(v) : SampleImages.be32(v) }

    /// A TIFF structure as cameras write it: IFD0 (make, orientation, artist, Exif and GPS pointers), the Exif IFD
    /// (body serial number), the GPS IFD (coordinates), IFD1 (the thumbnail) and the thumbnail's bytes.
    public static func tiff(orientation: Int = 6, littleEndian: Bool = false, withArtist: Bool = true) -> [UInt8] {
        let le = littleEndian
        var ifd0: [(Int, Value)] = [(0x010F, .ascii("PhoneMaker")), (0x0112, .short(orientation))]
        if withArtist { ifd0.append((0x013B, .ascii(artist))) }
        ifd0 += [(0x8769, .offset(1)), (0x8825, .offset(2))]
        let blocks: [[(Int, Value)]?] = [
            ifd0, [(0xA431, .ascii(serial))],
            [(0x0001, .ascii("N")), (0x0002, .rational(latitude)), (0x0003, .ascii("E")), (0x0004, .rational(longitude))],
            [(0x0103, .short(6)), (0x0201, .offset(4)), (0x0202, .long(thumbnail.count))], nil,
        ]
        func data(_ value: Value) -> (type: Int, count: Int, bytes: [UInt8]) {
            switch value {
            case .short(let v): (3, 1, u16(v, le) + [0, 0])
            case .long(let v): (4, 1, u32(v, le))
            case .ascii(let s): (2, s.utf8.count + 1, Array(s.utf8) + [0])
            case .rational(let r): (5, r.count, rationals(r, littleEndian: le))
            case .offset: (4, 1, [0, 0, 0, 0])
            }
        }
        func size(_ block: [(Int, Value)]?) -> Int {
            guard let block else { return thumbnail.count }
            return 2 + block.count * 12 + 4 + block.map { data($0.1).bytes.count > 4 ? (data($0.1).bytes.count + 1) & ~1 : 0 }.reduce(0, +)
        }
        var offsets: [Int] = []
        var at = 8
        for block in blocks {
            offsets.append(at)
            at += size(block)
        }
        var out = (le ? Array("II".utf8) : Array("MM".utf8)) + u16(42, le) + u32(8, le)
        for (index, block) in blocks.enumerated() {
            guard let block else {
                out += thumbnail
                continue
            }
            var extra: [UInt8] = []
            var entries = u16(block.count, le)
            let extraAt = offsets[index] + 2 + block.count * 12 + 4
            for (tag, value) in block {
                let (type, count, bytes) = data(value)
                entries += u16(tag, le) + u16(type, le) + u32(count, le)
                if case .offset(let target) = value {
                    entries += u32(offsets[target], le)
                } else if bytes.count <= 4 {
                    entries += bytes + [UInt8](repeating: 0, count: 4 - bytes.count)
                } else {
                    entries += u32(extraAt + extra.count, le)
                    extra += bytes + (bytes.count % 2 == 1 ? [0] : [])
                }
            }
            entries += u32(index == 0 ? offsets[3] : 0, le)
            out += entries + extra
        }
        return out
    }

    static func segment(_ marker: UInt8, _ payload: [UInt8]) -> [UInt8] { [0xFF, marker] + SampleImages.be16(payload.count + 2) + payload }

    /// A JPEG as a phone sends it: JFIF, EXIF, XMP, IPTC, an ICC profile, a comment, the frame, a scan whose data
    /// holds stuffed bytes and a restart marker, the end, and a second image appended after it.
    public static func jpeg(width: Int, height: Int, orientation: Int = 6, littleEndian: Bool = false) -> [UInt8] {
        [0xFF, 0xD8] + segment(0xE0, Array("JFIF".utf8) + [0, 1, 1, 0] + SampleImages.be16(1) + SampleImages.be16(1) + [0, 0])
            + segment(0xE1, Array("Exif".utf8) + [0, 0] + tiff(orientation: orientation, littleEndian: littleEndian))
            + segment(0xE1, Array("http://ns.adobe.com/xap/1.0/".utf8) + [0] + xmp)
            + segment(
                0xED,
                Array("Photoshop 3.0".utf8) + [0] + Array("8BIM".utf8) + [0x04, 0x04, 0, 0, 0, 0, 0, 24, 0x1C, 0x02, 0x5A, 0, 20]
                    + Array(place.utf8))
            + segment(0xE2, Array("ICC_PROFILE".utf8) + [0, 1, 1] + Array("ICC-PROFILE-KEPT".utf8))
            + segment(0xFE, Array(comment.utf8))
            + segment(0xDB, [0] + [UInt8](repeating: 1, count: 64))
            + segment(0xC0, [8] + SampleImages.be16(height) + SampleImages.be16(width) + [3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1])
            + segment(0xDA, [3, 1, 0, 2, 0x11, 3, 0x11, 0, 0x3F, 0])
            + [0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD0, 0x78, 0xFF, 0xD9] + Array("TRAILING-SECOND-IMAGE".utf8)
    }

    static func pngChunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        SampleImages.be32(data.count) + Array(type.utf8) + data + [0, 0, 0, 0]  // the scrubber does not check CRCs
    }

    public static func png(width: Int, height: Int) -> [UInt8] {
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            + pngChunk("IHDR", SampleImages.be32(width) + SampleImages.be32(height) + [8, 2, 0, 0, 0])
            + pngChunk("sRGB", [0]) + pngChunk("eXIf", tiff(littleEndian: true))
            + pngChunk("tEXt", Array("Author".utf8) + [0] + Array(artist.utf8))
            + pngChunk("iTXt", Array("XML:com.adobe.xmp".utf8) + [0, 0, 0, 0, 0] + xmp)
            + pngChunk("zTXt", Array("Comment".utf8) + [0, 0] + Array(comment.utf8)) + pngChunk("tIME", [0x07, 0xEA, 12, 6, 8, 0, 0])
            + pngChunk("IDAT", [0x78, 0x9C, 0x63, 0, 0, 0, 1, 0, 1]) + pngChunk("IEND", [])
    }

    static func riffChunk(_ fourCC: String, _ data: [UInt8]) -> [UInt8] {
        Array(fourCC.utf8) + SampleImages.le32(data.count) + data + (data.count % 2 == 1 ? [0] : [])
    }

    /// An extended WebP (VP8X with the EXIF and XMP flags) with EXIF and XMP chunks after the image.
    public static func webp(width: Int, height: Int, orientation: Int = 1) -> [UInt8] {
        let vp8x: [UInt8] = [0x0C, 0, 0, 0] + SampleImages.le24(width - 1) + SampleImages.le24(height - 1)
        let vp8: [UInt8] = [0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A] + SampleImages.le16(width) + SampleImages.le16(height) + [0, 0]
        let body =
            Array("WEBP".utf8) + riffChunk("VP8X", vp8x) + riffChunk("VP8 ", vp8)
            + riffChunk("EXIF", tiff(orientation: orientation, littleEndian: true)) + riffChunk("XMP ", xmp)
        return Array("RIFF".utf8) + SampleImages.le32(body.count) + body + Array("TRAILING-SECOND-IMAGE".utf8)
    }

    static func subBlocks(_ data: [UInt8]) -> [UInt8] {
        stride(from: 0, to: data.count, by: 255).flatMap { start -> [UInt8] in
            let piece = data[start..<min(start + 255, data.count)]
            return [UInt8(piece.count)] + piece
        } + [0]
    }

    /// A looping GIF with a comment and an XMP application extension.
    public static func gif(width: Int, height: Int) -> [UInt8] {
        Array("GIF89a".utf8) + SampleImages.le16(width) + SampleImages.le16(height) + [0x80, 0, 0] + [0, 0, 0, 255, 255, 255]
            + [0x21, 0xFF, 11] + Array("NETSCAPE2.0".utf8) + [3, 1, 0, 0, 0]
            + [0x21, 0xFE] + subBlocks(Array(comment.utf8))
            + [0x21, 0xFF, 11] + Array("XMP DataXMP".utf8) + subBlocks(xmp)
            + [0x21, 0xFF, 11] + Array("MAKERNOTE1.0".utf8.prefix(11)) + subBlocks(Array(serial.utf8))
            + [0x21, 0xF9, 4, 0, 0, 0, 0, 0]
            + [0x2C] + SampleImages.le16(0) + SampleImages.le16(0) + SampleImages.le16(width) + SampleImages.le16(height) + [0]
            + [2, 2, 0x44, 0x01, 0] + [0x3B] + Array("TRAILING-SECOND-IMAGE".utf8)
    }
}
