/// Several pictures of the media library shown together in an article body: a grid on the page that opens into a
/// full-screen viewer.
///
/// The body stores only a marker naming the pictures by their library names (content hash and extension), in order:
/// `<figure class="gallery" data-media="<sha256>.jpg <sha256>.png"></figure>`. Nothing else of what an editor posts
/// is kept (no addresses, no markup, no captions typed into the block): what readers see (alt text, caption, credit,
/// renditions) is written by our own page from the library's rows, so a pasted block can smuggle nothing in, and a
/// picture's words changed in the library change every gallery that shows it.
public struct Gallery: Sendable, Equatable {
    /// The pictures, in the order they are shown; never empty, no picture twice.
    public let pictures: [MediaAddress]

    /// More pictures than this in one gallery are left out (a body is not a library).
    public static let maxPictures = 60

    /// The first `maxPictures` distinct pictures of `pictures`; nil when there is none.
    public init?(pictures: [MediaAddress]) {
        var seen = Set<MediaAddress>()
        var kept: [MediaAddress] = []
        for picture in pictures where kept.count < Self.maxPictures && seen.insert(picture).inserted {
            kept.append(picture)
        }
        guard !kept.isEmpty else { return nil }
        self.pictures = kept
    }

    /// The marker's `data-media` attribute as posted: names separated by spaces (or commas). Anything that is not
    /// exactly a library name (`<64 hex digits>.<ext>`) is skipped; at most `maxPictures` names are read, so a
    /// hostile attribute costs no more than its length.
    public init?(attribute text: String) {
        var addresses: [MediaAddress] = []
        for name in text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\n" || $0 == "\t" }).prefix(Self.maxPictures * 4) {
            if let address = MediaAddress(fileName: String(name)) { addresses.append(address) }
        }
        self.init(pictures: addresses)
    }

    /// The stored marker (one body block).
    public var marker: String {
        Self.head + pictures.map(\.fileName).joined(separator: " ") + Self.tail
    }

    /// How every marker starts.
    public static let head = "<figure class=\"gallery\" data-media=\""
    static let tail = "\"></figure>"

    /// The gallery a stored body block marks, if the block is a marker as `marker` writes it.
    public init?(marker html: String) {
        guard html.hasPrefix(Self.head), html.hasSuffix(Self.tail), html.utf8.count >= Self.head.utf8.count + Self.tail.utf8.count
        else { return nil }
        self.init(attribute: String(html.dropFirst(Self.head.count).dropLast(Self.tail.count)))
    }

    /// Whether a stored block (its bytes) starts as a gallery marker: a cheap test before `init(marker:)`.
    public static func isMarker<Bytes: Collection<UInt8>>(_ block: Bytes) -> Bool {
        block.starts(with: head.utf8)
    }

    /// The galleries of a stored body, in order.
    public static func all(in bodyHTML: String) -> [Gallery] {
        guard bodyHTML.containsBytes(head) else { return [] }
        return ArticleBody.blocks(fromHTML: bodyHTML).compactMap { $0.kind == .figure ? Gallery(marker: $0.html) : nil }
    }
}
