import Foundation
import VestnikCore

/// Makes the files of one picture's renditions (`RenditionPlan`) with libvips, into the media folder. Blocking:
/// run it off the server's threads (`MediaRenditions.process`).
///
/// Memory: libvips streams the picture through (shrinking a JPEG or WebP while it decodes it), one thread, no
/// operation cache; the upload limits (50 megapixels, 12,000 pixels a side) bound the rest. bench/README.md has the
/// measured peak per job.
public struct RenditionMaker: Sendable {
    let files: MediaFiles

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
        var made: [Rendition] = []
        for spec in RenditionPlan.specs(format: item.address.format, width: header.width, height: header.height, avif: avif) {
            made.append(try make(spec, of: input, width: header.width, height: header.height, focus: item.focus))
        }
        return .made(made)
    }

    /// Renders into a temporary file beside the library, then stores it under its own content address.
    private func make(_ spec: RenditionSpec, of input: URL, width: Int, height: Int, focus: FocalPoint) throws -> Rendition {
        // The folder holds the original, so it is there.
        let temporary = files.folder.appendingPathComponent(".rendition-\(UUID().uuidString).\(spec.format.fileExtension)")
        defer { try? FileManager.default.removeItem(at: temporary) }
        let size: (width: Int, height: Int)
        if let ratio = spec.crop {
            // Shrink the whole picture so the crop comes out `spec.width` wide, then cut it: libvips never holds the
            // full-size picture.
            let rectangle = RenditionPlan.crop(width: width, height: height, ratio: ratio, focus: focus)
            let scale = Double(spec.width) / Double(rectangle.width)
            func scaled(_ value: Int) -> Int { Int((Double(value) * scale).rounded()) }
            size = try Vips.render(
                input, to: temporary, box: (scaled(width), Self.unbounded),
                crop: CropRectangle(
                    left: scaled(rectangle.left), top: scaled(rectangle.top), width: spec.width, height: scaled(rectangle.height)),
                quality: spec.quality)
        } else {
            size = try Vips.render(input, to: temporary, box: (spec.width, Self.unbounded), quality: spec.quality)
        }
        let bytes = [UInt8](try Data(contentsOf: temporary))
        let address = MediaAddress(bytes: bytes, format: spec.format)
        try files.store(bytes, at: address)
        return Rendition(crop: spec.crop, width: size.width, height: size.height, address: address, bytes: bytes.count)
    }

    /// A box height that never binds: the width decides.
    public static let unbounded = 10_000_000
}
