/// What the scrubber reads out of an EXIF block (a TIFF structure) before it throws the block away: the orientation
/// to keep, whether it held a position or a thumbnail, and the photographer's name for the credit field.
///
/// Only IFD0 is walked, with every offset and count checked against the block; a block that does not hold together
/// yields what could be read (it is dropped whole either way, so a damaged EXIF never refuses a good picture).
/// Compiles on its own (no imports) so that `fuzz/run.sh` can build it into the fuzz target.
public struct ExifSummary: Sendable, Equatable {
    /// The EXIF orientation, 1...8 (1: as stored).
    public var orientation = 1
    /// A GPS sub-IFD was there.
    public var hasLocation = false
    /// An IFD1 (the embedded thumbnail) was there.
    public var hasThumbnail = false
    /// Artist (0x013B), else Copyright (0x8298): printable text, at most `maxTextLength` characters.
    public var credit: String?

    public init() {}

    static let maxEntries = 512
    static let maxTextLength = 200

    /// `tiff` starts at the byte-order mark (`II*\0` or `MM\0*`); a leading `Exif\0\0` (how JPEG and some WebP
    /// writers frame it) is skipped.
    public init(tiff input: ArraySlice<UInt8>) {
        var tiff = Array(input)
        if tiff.starts(with: ExifBlock.exifHeader) { tiff.removeFirst(ExifBlock.exifHeader.count) }
        guard tiff.count >= 8 else { return }
        let little: Bool
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return
        }
        func u16(_ at: Int) -> Int? {
            guard at >= 0, at + 2 <= tiff.count else { return nil }
            return little ? Int(tiff[at]) | Int(tiff[at + 1]) << 8 : Int(tiff[at]) << 8 | Int(tiff[at + 1])
        }
        func u32(_ at: Int) -> Int? {
            guard let a = u16(at), let b = u16(at + 2) else { return nil }
            return little ? a | b << 16 : a << 16 | b
        }
        guard u16(2) == 42, let ifd = u32(4), let count = u16(ifd), count <= Self.maxEntries else { return }
        var artist: String?
        var copyright: String?
        for n in 0..<count {
            let entry = ifd + 2 + n * 12
            guard let tag = u16(entry), let type = u16(entry + 2), let items = u32(entry + 4) else { return }
            switch tag {
            case 0x0112:
                if type == 3, items >= 1, let value = u16(entry + 8), (1...8).contains(value) { orientation = value }
            case 0x8825:
                hasLocation = true
            case 0x013B, 0x8298:
                guard type == 2, items > 0 else { continue }
                let start = items <= 4 ? entry + 8 : (u32(entry + 8) ?? -1)
                let length = min(items, Self.maxTextLength * 4)
                guard start >= 0, start + length <= tiff.count else { continue }
                let text = Self.text(tiff[start..<start + length])
                if tag == 0x013B { artist = text } else { copyright = text }
            default: continue
            }
        }
        if let next = u32(ifd + 2 + count * 12), next != 0, next + 2 <= tiff.count, u16(next).map({ $0 > 0 }) == true {
            hasThumbnail = true
        }
        credit = artist ?? copyright
    }

    /// The text before the first NUL, as UTF-8 (EXIF says ASCII; many cameras write UTF-8), with control characters
    /// gone and at most `maxTextLength` characters; nil when nothing is left.
    static func text(_ bytes: ArraySlice<UInt8>) -> String? {
        let upToNul = bytes.prefix { $0 != 0 }
        guard let decoded = String(validating: upToNul, as: UTF8.self) else { return nil }
        var out = ""
        for scalar in decoded.unicodeScalars where !(scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)) {
            out.unicodeScalars.append(scalar)
        }
        while out.first == " " { out.removeFirst() }
        while out.last == " " { out.removeLast() }
        let result = String(out.prefix(Self.maxTextLength))
        return result.isEmpty ? nil : result
    }
}

/// The smallest EXIF block a decoder reads orientation from: big-endian TIFF, IFD0 with the one Orientation entry,
/// no next IFD. Nothing else of the camera's block survives.
public enum ExifBlock {
    static let exifHeader: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0, 0]  // "Exif\0\0"

    /// The TIFF structure alone (PNG's eXIf and WebP's EXIF chunks hold this).
    public static func orientationOnly(_ orientation: Int) -> [UInt8] {
        precondition((2...8).contains(orientation))
        return [0x4D, 0x4D, 0x00, 0x2A, 0, 0, 0, 8]  // "MM", 42, IFD0 at 8
            + [0, 1]  // one entry
            + [0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1, 0, UInt8(orientation), 0, 0]  // Orientation, SHORT, 1, value
            + [0, 0, 0, 0]  // no IFD1: no thumbnail
    }

    /// A JPEG APP1 segment holding `Exif\0\0` and the TIFF structure.
    public static func jpegSegment(_ orientation: Int) -> [UInt8] {
        let payload = exifHeader + orientationOnly(orientation)
        let length = payload.count + 2
        return [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
    }
}
