/// The shapes an article's picture is cut to for Open Graph and Google's article results, which want 16×9, 4×3 and
/// 1×1 images at least 1200 pixels wide.
public enum CropRatio: String, Sendable, CaseIterable, Codable {
    case wide = "16x9"
    case standard = "4x3"
    case square = "1x1"

    public var width: Int {
        switch self {
        case .wide: 16
        case .standard: 4
        case .square: 1
        }
    }

    public var height: Int {
        switch self {
        case .wide: 9
        case .standard: 3
        case .square: 1
        }
    }
}

/// A rectangle of a picture, in its pixels.
public struct CropRectangle: Sendable, Equatable {
    public var left: Int
    public var top: Int
    public var width: Int
    public var height: Int

    public init(left: Int, top: Int, width: Int, height: Int) {
        self.left = left
        self.top = top
        self.width = width
        self.height = height
    }

    public func contains(x: Double, y: Double) -> Bool {
        x >= Double(left) && x <= Double(left + width) && y >= Double(top) && y <= Double(top + height)
    }
}

/// The point of a picture its crops keep in view, as fractions of its width and height (0…1 from the top left).
public struct FocalPoint: Sendable, Equatable {
    public var x: Double
    public var y: Double

    public static let centre = FocalPoint(x: 0.5, y: 0.5)

    /// Clamped to the picture; NaN becomes the centre.
    public init(x: Double, y: Double) {
        self.x = x.isNaN ? 0.5 : min(1, max(0, x))
        self.y = y.isNaN ? 0.5 : min(1, max(0, y))
    }
}

/// One file made from a library picture: the whole picture at a width, or a crop.
public struct RenditionSpec: Sendable, Hashable {
    public var format: ImageFormat
    public var width: Int
    public var crop: CropRatio?

    public init(format: ImageFormat, width: Int, crop: CropRatio? = nil) {
        self.format = format
        self.width = width
        self.crop = crop
    }

    /// Lower is smaller at the same quality; WebP and AVIF also carry transparency, so they stand in for PNG too.
    public var quality: Int {
        switch format {
        case .avif: 55
        case .webp: 75
        default: 80
        }
    }
}

/// Which renditions a picture gets. Widths are the steps a `srcset` offers a phone, a tablet and a desktop; none is
/// wider than the picture itself (never enlarged), and a picture narrower than the widest step also gets one at its
/// own width, so the browser always has the full picture in the smaller formats.
public enum RenditionPlan {
    public static let widths = [320, 640, 960, 1280, 1920]
    /// Open Graph and Google's article results want images at least this wide.
    public static let cropWidth = 1200

    public static func widths(forWidth width: Int) -> [Int] {
        var steps = widths.filter { $0 <= width }
        if width < widths.last!, steps.last != width { steps.append(width) }
        return steps
    }

    /// The picture's own format (for browsers without WebP), WebP, and AVIF where libvips can encode it. A GIF gets
    /// none: a rendition would lose its animation, and libvips makes still pictures of it.
    public static func formats(of original: ImageFormat, avif: Bool) -> [ImageFormat] {
        guard original != .gif, original != .avif else { return [] }
        var formats = [original]
        if original != .webp { formats.append(.webp) }
        if avif { formats.append(.avif) }
        return formats
    }

    /// The shape of the small pictures on cards (home page, lists, search results), and their widths: a card's
    /// picture is drawn 8 to 20rem wide, so 320 and 640 pixels cover one and two device pixels per CSS pixel.
    public static let cardRatio = CropRatio.standard
    public static let cardWidths = [320, 640]

    /// Every rendition of a `width`×`height` picture: each width in each format, the three crops in the picture's
    /// own format (what Open Graph readers surely decode), and the cards' small crops (`cardRatio`) in each format.
    /// A crop is never wider than the picture's largest rectangle of its shape; a card crop is narrower than the
    /// shared crop of its shape (which, being the same shape, cards use too).
    public static func specs(format: ImageFormat, width: Int, height: Int, avif: Bool) -> [RenditionSpec] {
        let formats = formats(of: format, avif: avif)
        guard !formats.isEmpty else { return [] }
        var specs = formats.flatMap { f in widths(forWidth: width).map { RenditionSpec(format: f, width: $0) } }
        for ratio in CropRatio.allCases {
            let rectangle = crop(width: width, height: height, ratio: ratio, focus: .centre)
            specs.append(RenditionSpec(format: format, width: min(cropWidth, rectangle.width), crop: ratio))
        }
        let shared = min(cropWidth, crop(width: width, height: height, ratio: cardRatio, focus: .centre).width)
        for f in formats {
            specs += cardWidths.filter { $0 < shared }.map { RenditionSpec(format: f, width: $0, crop: cardRatio) }
        }
        return specs
    }

    /// The largest rectangle of `ratio` in a `width`×`height` picture, centred on `focus` as far as the picture's
    /// edges allow: so it always contains the focal point.
    public static func crop(width: Int, height: Int, ratio: CropRatio, focus: FocalPoint) -> CropRectangle {
        var cropWidth = width
        var cropHeight = max(1, width * ratio.height / ratio.width)
        if cropHeight > height {
            cropHeight = height
            cropWidth = max(1, min(width, height * ratio.width / ratio.height))
        }
        func place(_ point: Double, _ size: Int, _ whole: Int) -> Int {
            min(whole - size, max(0, Int((point * Double(whole) - Double(size) / 2).rounded())))
        }
        return CropRectangle(
            left: place(focus.x, cropWidth, width), top: place(focus.y, cropHeight, height), width: cropWidth, height: cropHeight)
    }
}
