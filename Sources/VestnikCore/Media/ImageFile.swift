/// The picture formats the media library takes: what a browser shows everywhere and a newsroom sends; and AVIF,
/// which only renditions are (`ImageFile.inspect` never answers it, so no upload is one).
public enum ImageFormat: String, Sendable, Codable, CaseIterable {
    case jpeg, png, webp, gif, avif

    /// The extension of the file's public address (`/media/<hash>.jpg`).
    public var fileExtension: String {
        switch self {
        case .jpeg: "jpg"
        case .png: "png"
        case .webp: "webp"
        case .gif: "gif"
        case .avif: "avif"
        }
    }

    public var mediaType: String { "image/" + rawValue }

    public init?(fileExtension: String) {
        guard let format = Self.allCases.first(where: { $0.fileExtension == fileExtension }) else { return nil }
        self = format
    }
}

/// What the bytes of an uploaded picture say about themselves.
public struct ImageInfo: Sendable, Equatable {
    public var format: ImageFormat
    public var width: Int
    public var height: Int

    public init(format: ImageFormat, width: Int, height: Int) {
        self.format = format
        self.width = width
        self.height = height
    }
}

/// Why an upload is not a picture we take.
public enum ImageProblem: Error, Sendable, Equatable {
    /// The bytes do not start like a JPEG, PNG, WebP or GIF, whatever the file's name or declared type say.
    case notAnImage
    /// It starts like one, but its header is cut short or does not hold together.
    case damaged
    /// More pixels than `ImageFile.maxPixels` or a side longer than `ImageFile.maxPixelSide`: decoded, it would
    /// take gigabytes in every browser that shows the library (a decompression bomb).
    case tooManyPixels
}

/// Reads the type and size of a picture from its own bytes: the magic number first, then the header that holds the
/// dimensions (JPEG's SOF marker, PNG's IHDR chunk, GIF's logical screen, WebP's VP8, VP8L or VP8X chunk). A file's
/// name and the browser's Content-Type are never trusted; nothing here decodes pixels.
public enum ImageFile {
    /// Larger sides than this are refused as damaged: no newspaper picture is 30,000 pixels wide.
    public static let maxSide = 30_000
    /// What the library takes: a 50-megapixel camera's frame, no side over 12,000 pixels. Decoded at 4 bytes a pixel
    /// that is at most 200 MB; a 30,000×30,000 PNG of a few kilobytes would be 3.6 GB.
    public static let maxPixels = 50_000_000
    public static let maxPixelSide = 12_000
    /// An animation (GIF) may have at most this many frames, and all its frames together at most `maxPixels`
    /// pixels: a browser keeps decoded frames, so a thousand frames of a modest size also take gigabytes.
    public static let maxFrames = 500

    /// Whether an animation of `frames` frames of `width`×`height` stays within the limits.
    public static func framesFit(_ frames: Int, width: Int, height: Int) -> Bool {
        frames <= maxFrames && frames * width * height <= maxPixels
    }

    public static func inspect(_ bytes: [UInt8]) -> Result<ImageInfo, ImageProblem> {
        let reader = ByteReader(bytes)
        let found: (ImageFormat, Int, Int)?
        if reader.starts(with: [0xFF, 0xD8, 0xFF]) {
            found = jpeg(reader).map { (.jpeg, $0.0, $0.1) }
        } else if reader.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            found = png(reader).map { (.png, $0.0, $0.1) }
        } else if reader.starts(with: Array("GIF87a".utf8)) || reader.starts(with: Array("GIF89a".utf8)) {
            found = gif(reader).map { (.gif, $0.0, $0.1) }
        } else if reader.starts(with: Array("RIFF".utf8)), reader.matches(Array("WEBP".utf8), at: 8) {
            found = webp(reader).map { (.webp, $0.0, $0.1) }
        } else {
            return .failure(.notAnImage)
        }
        guard let (format, width, height) = found, (1...maxSide).contains(width), (1...maxSide).contains(height) else {
            return .failure(.damaged)
        }
        if width > maxPixelSide || height > maxPixelSide || width * height > maxPixels { return .failure(.tooManyPixels) }
        return .success(ImageInfo(format: format, width: width, height: height))
    }

    /// Walks the marker segments up to the first start-of-frame (SOF0–SOF15 but DHT, JPG and DAC): it holds the
    /// frame's height and width. Reaching the scan data (SOS) or the end first means there is no usable header.
    private static func jpeg(_ r: ByteReader) -> (Int, Int)? {
        var i = 2
        while i < r.count {
            guard r[i] == 0xFF else { return nil }
            while i < r.count, r[i] == 0xFF { i += 1 }
            guard i < r.count else { return nil }
            let marker = r[i]
            i += 1
            if marker == 0x01 || (0xD0...0xD7).contains(marker) { continue }
            if marker == 0xD9 || marker == 0xDA { return nil }
            guard let length = r.uint16BE(i), length >= 2 else { return nil }
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                guard length >= 7, let height = r.uint16BE(i + 3), let width = r.uint16BE(i + 5) else { return nil }
                return (width, height)
            }
            i += length
        }
        return nil
    }

    /// The IHDR chunk must come first; the file must end with IEND, so a cut-short upload is refused.
    private static func png(_ r: ByteReader) -> (Int, Int)? {
        guard r.uint32BE(8) == 13, r.matches(Array("IHDR".utf8), at: 12), let width = r.uint32BE(16), let height = r.uint32BE(20),
            r.count >= 33 + 12, Array(r.bytes.suffix(8).prefix(4)) == Array("IEND".utf8)
        else { return nil }
        return (width, height)
    }

    /// The logical screen descriptor just after the signature; little-endian.
    private static func gif(_ r: ByteReader) -> (Int, Int)? {
        guard r.count >= 13, let width = r.uint16LE(6), let height = r.uint16LE(8) else { return nil }
        return (width, height)
    }

    /// The RIFF size must fit the bytes we have; then the first chunk says which flavour: lossy (VP8), lossless
    /// (VP8L) or extended (VP8X, with the canvas size).
    private static func webp(_ r: ByteReader) -> (Int, Int)? {
        guard let riffSize = r.uint32LE(4), riffSize + 8 <= r.count, riffSize >= 4 + 8 + 10 else { return nil }
        let chunk = 12
        let data = chunk + 8
        if r.matches(Array("VP8 ".utf8), at: chunk) {
            guard r.matches([0x9D, 0x01, 0x2A], at: data + 3), let w = r.uint16LE(data + 6), let h = r.uint16LE(data + 8) else {
                return nil
            }
            return (w & 0x3FFF, h & 0x3FFF)
        }
        if r.matches(Array("VP8L".utf8), at: chunk) {
            guard data + 5 <= r.count, r[data] == 0x2F, let bits = r.uint32LE(data + 1) else { return nil }
            return ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
        }
        if r.matches(Array("VP8X".utf8), at: chunk) {
            guard let w = r.uint24LE(data + 4), let h = r.uint24LE(data + 7) else { return nil }
            return (w + 1, h + 1)
        }
        return nil
    }
}

/// Bounds-checked reads of big- and little-endian numbers: every read past the end is `nil`, never a crash.
struct ByteReader {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    var count: Int { bytes.count }
    subscript(_ i: Int) -> UInt8 { bytes[i] }

    func starts(with prefix: [UInt8]) -> Bool { matches(prefix, at: 0) }

    func matches(_ expected: [UInt8], at offset: Int) -> Bool {
        offset >= 0 && offset + expected.count <= bytes.count && Array(bytes[offset..<offset + expected.count]) == expected
    }

    private func number(_ offset: Int, _ size: Int, bigEndian: Bool) -> Int? {
        guard offset >= 0, offset + size <= bytes.count else { return nil }
        let slice = bytes[offset..<offset + size]
        return (bigEndian ? Array(slice) : slice.reversed()).reduce(0) { $0 << 8 | Int($1) }
    }

    func uint16BE(_ offset: Int) -> Int? { number(offset, 2, bigEndian: true) }
    func uint32BE(_ offset: Int) -> Int? { number(offset, 4, bigEndian: true) }
    func uint16LE(_ offset: Int) -> Int? { number(offset, 2, bigEndian: false) }
    func uint24LE(_ offset: Int) -> Int? { number(offset, 3, bigEndian: false) }
    func uint32LE(_ offset: Int) -> Int? { number(offset, 4, bigEndian: false) }
}
