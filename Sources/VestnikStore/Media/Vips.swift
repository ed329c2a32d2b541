import CVips
import Foundation
import VestnikCore

/// libvips as the media library uses it (Sources/CVips opens it at run time). Without libvips the site runs and
/// serves every picture as uploaded; `Vips.availability` says why renditions are off.
public enum Vips {
    public enum Availability: Sendable, Equatable {
        /// libvips' version, and whether it can encode AVIF here (libheif with an AV1 encoder).
        case ready(version: String, avif: Bool)
        /// Why not: the loader's own words (`libvips.so.42: cannot open shared object file…`).
        case missing(String)

        public var isReady: Bool { if case .ready = self { true } else { false } }
    }

    /// Looked up once, on first use. `VESTNIK_RENDITIONS=off` in the environment turns renditions off without
    /// uninstalling libvips (and lets the benchmarks measure pages without them).
    public static let availability: Availability = {
        if ProcessInfo.processInfo.environment["VESTNIK_RENDITIONS"] == "off" { return .missing("VESTNIK_RENDITIONS=off") }
        if let problem = vestnik_vips_open() { return .missing(String(cString: problem)) }
        return .ready(version: String(cString: vestnik_vips_version()), avif: vestnik_vips_can_save(".avif") == 1)
    }()

    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// libvips' message, e.g. `VipsJpeg: Premature end of input file`.
        public var message: String
        public var description: String { message }
    }

    /// What a picture's header says (orientation applied), read without decoding its pixels.
    public struct Header: Sendable, Equatable {
        public var width: Int
        public var height: Int
        /// Frames of an animation (GIF, WebP), pages of a document; 1 for a still picture.
        public var pages: Int
        public var bands: Int
        /// 8 or 16 bits a sample.
        public var bits: Int
    }

    public static func header(of file: URL) throws(Failure) -> Header {
        var width: Int32 = 0, height: Int32 = 0, pages: Int32 = 0, bands: Int32 = 0, bits: Int32 = 0
        var error = [CChar](repeating: 0, count: 1024)
        let status = file.path.withCString { path in
            vestnik_vips_header(path, &width, &height, &pages, &bands, &bits, &error, error.count)
        }
        if status != 0 { throw Failure(message: message(error)) }
        return Header(width: Int(width), height: Int(height), pages: Int(pages), bands: Int(bands), bits: Int(bits))
    }

    /// A picture decoded into memory once (`decode`), shrunk to the largest rendition it is for: the job makes every
    /// other rendition from it instead of reading and decoding the file again for each. Holds width × height × bands
    /// bytes until the last reference to it goes.
    public final class Picture: @unchecked Sendable {
        // libvips' images are reference counted and may be read from any thread; only `Vips` calls into it.
        fileprivate let pointer: OpaquePointer
        public let width: Int
        public let height: Int

        fileprivate init(pointer: OpaquePointer, width: Int, height: Int) {
            self.pointer = pointer
            self.width = width
            self.height = height
        }

        deinit { vestnik_vips_release(pointer) }
    }

    /// Decodes `input` into memory, shrunk to fit `box` (never enlarged), upright and sRGB (as `render` shrinks it).
    /// Blocks its thread: call it off the server's threads.
    public static func decode(_ input: URL, box: (width: Int, height: Int)) throws(Failure) -> Picture {
        var width: Int32 = 0, height: Int32 = 0
        var pointer: OpaquePointer?
        var error = [CChar](repeating: 0, count: 1024)
        let status = input.path.withCString { path in
            vestnik_vips_decode(path, Int32(box.width), Int32(box.height), &pointer, &width, &height, &error, error.count)
        }
        guard status == 0, let pointer else { throw Failure(message: message(error)) }
        return Picture(pointer: pointer, width: Int(width), height: Int(height))
    }

    /// What a rendition is made from: the picture's file (decoded anew, with shrink-on-load), or a `Picture` decoded
    /// already.
    public enum Source {
        case file(URL)
        case decoded(Picture)
    }

    /// Writes one rendition of `input` to `output` (its format from the suffix): shrunk to fit `box` (never
    /// enlarged), orientation applied, sRGB, no metadata, then cut to `crop` (in the shrunk picture's pixels) if
    /// given. Returns its size. Blocks its thread for the whole encode: call it off the server's threads.
    public static func render(
        _ input: URL, to output: URL, box: (width: Int, height: Int), crop: CropRectangle? = nil, quality: Int
    ) throws(Failure) -> (width: Int, height: Int) {
        try render(.file(input), to: output, box: box, crop: crop, quality: quality)
    }

    /// The same from either source; from a decoded picture, `box` shrinks that picture (never enlarging it).
    public static func render(
        _ source: Source, to output: URL, box: (width: Int, height: Int), crop: CropRectangle? = nil, quality: Int
    ) throws(Failure) -> (width: Int, height: Int) {
        var width: Int32 = 0, height: Int32 = 0
        var error = [CChar](repeating: 0, count: 1024)
        let (boxWidth, boxHeight) = (Int32(box.width), Int32(box.height))
        let (left, top) = (Int32(crop?.left ?? 0), Int32(crop?.top ?? 0))
        let (cropWidth, cropHeight) = (Int32(crop?.width ?? 0), Int32(crop?.height ?? 0))
        let status: Int32 = output.path.withCString { outPath in
            switch source {
            case .file(let input):
                return input.path.withCString { inPath in
                    vestnik_vips_render(
                        inPath, outPath, boxWidth, boxHeight, left, top, cropWidth, cropHeight, Int32(quality), &width, &height,
                        &error, error.count)
                }
            case .decoded(let picture):
                return withExtendedLifetime(picture) {
                    vestnik_vips_render_picture(
                        picture.pointer, outPath, boxWidth, boxHeight, left, top, cropWidth, cropHeight, Int32(quality), &width,
                        &height, &error, error.count)
                }
            }
        }
        if status != 0 { throw Failure(message: message(error)) }
        return (Int(width), Int(height))
    }

    /// Where libvips' attention finder sees the most interest in `file` (as shown: orientation applied): the
    /// default focal point of a picture an editor did not set one for. Blocks its thread: call it off the server's.
    public static func attention(of file: URL) throws(Failure) -> FocalPoint {
        var x = 0.5, y = 0.5
        var error = [CChar](repeating: 0, count: 1024)
        let status = file.path.withCString { path in vestnik_vips_attention(path, &x, &y, &error, error.count) }
        if status != 0 { throw Failure(message: message(error)) }
        return FocalPoint(x: x, y: y)
    }

    /// libvips' message up to its first line (the rest repeats it for each tile).
    private static func message(_ buffer: [CChar]) -> String {
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.split(separator: "\n").first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? "libvips failed"
    }
}
