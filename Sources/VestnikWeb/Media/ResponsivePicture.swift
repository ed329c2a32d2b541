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
        let whole = renditions.filter { $0.crop == nil }
        func srcset(_ format: ImageFormat) -> String? {
            let list = whole.filter { $0.format == format }.sorted { $0.width < $1.width }
            return list.isEmpty ? nil : list.map { "\($0.address.path) \($0.width)w" }.joined(separator: ", ")
        }
        let own = whole.filter { $0.format == original.format }.sorted { $0.width < $1.width }
        src = (own.last { $0.width <= 1280 } ?? own.first)?.address.path ?? original.path
        self.srcset = srcset(original.format)
        sources = Self.betterFormats.filter { $0 != original.format }.compactMap { format in
            srcset(format).map { PictureSourceView(type: format.mediaType, srcset: $0, sizes: sizes) }
        }
    }

    /// The picture's three crops for Open Graph and JSON-LD (16×9 first: what link previews show), absolute.
    static func sharePictures(_ renditions: [Rendition], absolute: (String) -> String) -> [Picture] {
        CropRatio.allCases.compactMap { ratio in
            renditions.first { $0.crop == ratio }.map {
                Picture(
                    url: absolute($0.address.path), width: $0.width, height: $0.height, mediaType: $0.format.mediaType, length: $0.bytes)
            }
        }
    }
}
