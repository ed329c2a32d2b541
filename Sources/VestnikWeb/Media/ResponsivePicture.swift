import VestnikCore
import VestnikStore

/// A library picture as `<picture>`: `<source>`s in the better formats (AVIF, then WebP: the browser takes the first
/// it decodes) and the `<img>` in the picture's own format, each with a `srcset` of its widths, so a phone fetches
/// 640 pixels and a desktop 1280. Without renditions (not made yet, libvips missing, a GIF) only the original.
struct ResponsivePicture {
    /// The `<img>`'s address: its own format at a desktop's width, else the original.
    var src: String
    var srcset: String?
    var sources: [PictureSourceView]

    /// How wide the picture is drawn: the page's column, at most the site's 75rem wrap.
    static let articleSizes = "(max-width: 75rem) 100vw, 75rem"
    /// Preferred first.
    static let betterFormats: [ImageFormat] = [.avif, .webp]

    init(original: MediaAddress, renditions: [Rendition], sizes: String = Self.articleSizes) {
        self.init(original: original, files: renditions.filter { $0.crop == nil }, widest: 1280, sizes: sizes)
    }

    /// `files`: the renditions of one shape to offer; the `<img>` takes its own format's widest up to `widest`.
    init(original: MediaAddress, files: [Rendition], widest: Int, sizes: String) {
        func srcset(_ format: ImageFormat) -> String? {
            let list = files.filter { $0.format == format }.sorted { $0.width < $1.width }
            return list.isEmpty ? nil : list.map { "\($0.address.path) \($0.width)w" }.joined(separator: ", ")
        }
        let own = files.filter { $0.format == original.format }.sorted { $0.width < $1.width }
        src = (own.last { $0.width <= widest } ?? own.first)?.address.path ?? original.path
        self.srcset = srcset(original.format)
        sources = Self.betterFormats.filter { $0 != original.format }.compactMap { format in
            srcset(format).map { PictureSourceView(type: format.mediaType, srcset: $0, sizes: sizes) }
        }
    }

    /// The picture's three crops for Open Graph and JSON-LD (16×9 first: what link previews show), absolute.
    static func sharePictures(_ renditions: [Rendition], absolute: (String) -> String) -> [Picture] {
        renditions.shareCrops.map {
            Picture(url: absolute($0.address.path), width: $0.width, height: $0.height, mediaType: $0.format.mediaType, length: $0.bytes)
        }
    }
}

/// The pictures of a page's cards: the renditions of every featured picture its cards show, read in one query.
struct CardPictures: Sendable {
    var renditions: [String: [Rendition]]

    static let none = CardPictures(renditions: [:])

    /// How wide a card's picture is drawn (site.css `.card-picture`), and a lead story's (the main column, whole).
    static let cardSizes = "(max-width: 40rem) 7.5rem, 10rem"
    static let leadSizes = "(max-width: 48rem) 100vw, 48rem"

    /// A card's `<picture>`: the small crops (`RenditionPlan.cardRatio`) in AVIF, WebP and the picture's own format;
    /// the original, cut by CSS to the same shape, until they are made (or without libvips). A lead story's
    /// (`lead`) is the whole picture across the column, in every width.
    func view(_ image: ArticleImage, lead: Bool, lazy: Bool) -> CardPictureView {
        let made = renditions[image.address.hash] ?? []
        if lead {
            let picture = ResponsivePicture(original: image.address, renditions: made, sizes: Self.leadSizes)
            return CardPictureView(
                src: picture.src, srcset: picture.srcset, sizes: Self.leadSizes, sources: picture.sources, alt: image.alt,
                width: String(image.width), height: String(image.height), lazy: lazy)
        }
        let crops = made.cardCrops
        let largest = RenditionPlan.cardWidths.last!
        let shown = crops.last { $0.format == image.address.format && $0.width <= largest } ?? crops.last
        let picture = ResponsivePicture(original: image.address, files: crops, widest: largest, sizes: Self.cardSizes)
        return CardPictureView(
            src: picture.src, srcset: picture.srcset, sizes: Self.cardSizes, sources: picture.sources, alt: image.alt,
            width: String(shown?.width ?? image.width), height: String(shown?.height ?? image.height), lazy: lazy)
    }
}

extension Site {
    /// The renditions of the pictures of `summaries`, in one query.
    func cardPictures(_ summaries: [ArticleSummary]) async throws -> CardPictures {
        let hashes = summaries.compactMap { $0.picture?.address.hash }
        if hashes.isEmpty { return .none }
        return CardPictures(renditions: try await renditions.renditions(of: hashes))
    }
}
