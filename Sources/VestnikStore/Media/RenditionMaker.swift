import Foundation
import VestnikCore

/// Makes the files of one picture's renditions (`RenditionPlan`) with libvips, into the media folder. Blocking:
/// run it off the server's threads (`MediaRenditions.process`).
///
/// Memory: libvips streams the picture through (shrinking a JPEG or WebP while it decodes it) into one decoded copy
/// at the largest rendition's size (at most `decodedBudget`), one thread, no operation cache; the upload limits (50
/// megapixels, 12,000 pixels a side) bound the rest. bench/README.md has the measured peak per job.
public struct RenditionMaker: Sendable {
    let files: MediaFiles
    /// The most memory a job's decoded copy of its picture may take (`Vips.decode`): 32 MiB, so a job stays under the
    /// 100 MB bound with the AVIF encoder's own (bench/README.md). 0 decodes the file anew for every rendition (what
    /// bench/renditions.sh compares with).
    public var decodedBudget = 32 << 20

    public init(files: MediaFiles) { self.files = files }

    public enum Outcome: Sendable, Equatable {
        case made([Rendition])
        /// Nothing to make, and why (for the newsroom): `RenditionJob.skippedGIF` or `.skippedAnimation`.
        case skipped(String)
    }

    public func make(_ item: MediaItem, avif: Bool) throws -> Outcome {
        guard Vips.availability.isReady else { throw Vips.Failure(message: "libvips is not installed") }
        if item.address.format == .gif { return .skipped(RenditionJob.skippedGIF) }
        let input = files.url(of: item.address)
        guard FileManager.default.fileExists(atPath: input.path) else { throw Vips.Failure(message: "the picture's file is missing") }
        let header = try Vips.header(of: input)
        if header.pages > 1 { return .skipped(RenditionJob.skippedAnimation) }
        let plans = RenditionPlan.specs(format: item.address.format, width: header.width, height: header.height, avif: avif)
            .map { spec in (spec, Self.shrink(spec, width: header.width, height: header.height, focus: item.focus)) }
        // The file is decoded once, shrunk to the largest rendition's size, and every rendition is shrunk from that
        // in memory (the widths, the formats of each width, the crops), instead of decoding the file again for each
        // of the 24. A picture whose decoded copy would pass `decodedBudget` (a tall one: 1920 × 4,400) is read from
        // its file for each rendition, streaming.
        let largest = plans.map(\.1.boxWidth).max() ?? 0
        var source = Vips.Source.file(input)
        if largest > 0, Self.decodedBytes(boxWidth: largest, width: header.width, height: header.height) <= decodedBudget {
            source = .decoded(try Vips.decode(input, box: (largest, Self.unbounded)))
        }
        var made: [Rendition] = []
        for (spec, shrink) in plans { made.append(try make(spec, from: source, shrink: shrink)) }
        return .made(made)
    }

    /// How a rendition is cut from the picture: the whole picture shrunk to `boxWidth`, then `crop` of that (in its
    /// pixels) for the crops.
    struct Shrink: Equatable {
        var boxWidth: Int
        var crop: CropRectangle?
    }

    static func shrink(_ spec: RenditionSpec, width: Int, height: Int, focus: FocalPoint) -> Shrink {
        guard let ratio = spec.crop else { return Shrink(boxWidth: spec.width, crop: nil) }
        // Shrink the whole picture so the crop comes out `spec.width` wide, then cut it: libvips never holds the
        // full-size picture.
        let rectangle = RenditionPlan.crop(width: width, height: height, ratio: ratio, focus: focus)
        let scale = Double(spec.width) / Double(rectangle.width)
        func scaled(_ value: Int) -> Int { Int((Double(value) * scale).rounded()) }
        return Shrink(
            boxWidth: scaled(width),
            crop: CropRectangle(
                left: scaled(rectangle.left), top: scaled(rectangle.top), width: spec.width, height: scaled(rectangle.height)))
    }

    /// The bytes of a `width`×`height` picture decoded shrunk to `boxWidth` (never enlarged), at 4 bytes a pixel
    /// (8-bit sRGB with alpha: what libvips' shrink makes of any picture, 16-bit and CMYK included).
    static func decodedBytes(boxWidth: Int, width: Int, height: Int) -> Int {
        let shown = min(boxWidth, width)
        return shown * ((height * shown + width - 1) / max(1, width)) * 4
    }

    /// Renders into a temporary file beside the library, then stores it under its own content address.
    private func make(_ spec: RenditionSpec, from source: Vips.Source, shrink: Shrink) throws -> Rendition {
        // The folder holds the original, so it is there.
        let temporary = files.folder.appendingPathComponent(".rendition-\(UUID().uuidString).\(spec.format.fileExtension)")
        defer { try? FileManager.default.removeItem(at: temporary) }
        let size = try Vips.render(source, to: temporary, box: (shrink.boxWidth, Self.unbounded), crop: shrink.crop, quality: spec.quality)
        let bytes = [UInt8](try Data(contentsOf: temporary))
        let address = MediaAddress(bytes: bytes, format: spec.format)
        try files.store(bytes, at: address)
        return Rendition(crop: spec.crop, width: size.width, height: size.height, address: address, bytes: bytes.count)
    }

    /// A box height that never binds: the width decides.
    public static let unbounded = 10_000_000
}
