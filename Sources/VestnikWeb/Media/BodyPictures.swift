import VestnikCore
import VestnikStore

/// The library's pictures in an article's body, as readers get them: the stored
/// `<figure><img src="/media/…" alt width height loading="lazy">…</figure>` (the sanitizer's one shape, see
/// `BodySanitizer.figure`) inside a `<picture>` with the renditions' WebP/AVIF `<source>`s and `srcset`, once they are
/// made; as stored before.
///
/// An outside picture (`https://…`) the library holds a copy of (`BodyPictureCopies`, `copies`: by address) is served
/// as that copy, with its renditions: readers' browsers never ask the other site.
struct BodyPictures: Sendable {
    /// Renditions by picture hash (`MediaRenditions.renditions(of:)`).
    var renditions: [String: [Rendition]]
    /// The library's copies of outside pictures, by their address (unescaped).
    var copies: [String: MediaAddress] = [:]

    static let none = BodyPictures(renditions: [:])

    private static let outside = Array(BodyPictureCopies.figureStart.utf8)

    /// Whether a stored body shows any outside picture (a scan of its bytes).
    static func hasOutsidePictures(_ body: [UInt8]) -> Bool { find(outside, in: body[...]) != nil }

    /// The block with its outside picture's address replaced by the library copy's, if there is one.
    private func copied(_ block: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        let text = String(decoding: block, as: UTF8.self)
        guard let src = BodyPictureCopies.attribute("src", in: text), let copy = copies[HTML.unescape(src)],
            let range = text.range(of: "src=\"\(src)\"")
        else { return nil }
        return Array(text.replacingCharacters(in: range, with: "src=\"\(copy.path)\"").utf8)[...]
    }

    /// A whole stored body with the outside pictures that have copies pointing at them (feeds).
    func withCopies(_ html: String) -> String {
        guard !copies.isEmpty, html.contains(BodyPictureCopies.figureStart) else { return html }
        return ArticleBody.blocks(fromHTML: html).map { block in
            guard block.kind == .figure, let swapped = copied(Array(block.html.utf8)[...]) else { return block.html }
            return String(decoding: swapped, as: UTF8.self)
        }.joined(separator: "\n")
    }

    private static let start = Array("<figure><img src=\"/media/".utf8)

    /// The library pictures a stored body shows, by hash (a linear scan of its bytes).
    static func hashes(in body: [UInt8]) -> [String] {
        var found: [String] = []
        var index = body.startIndex
        while let at = Self.find(start, in: body[index...]) {
            let name = at + start.count
            let end = min(body.endIndex, name + 64)
            let hash = String(decoding: body[name..<end], as: UTF8.self)
            if MediaAddress.isHash(hash) { found.append(hash) }
            index = end
        }
        return found
    }

    static func find(_ needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? { haystack.firstIndex(ofBytes: needle) }

    /// The block with its picture's renditions, or the block as it is (not a library picture, none made yet).
    func render(_ block: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        if !copies.isEmpty, block.starts(with: Self.outside), let swapped = copied(block) { return render(swapped) }
        guard block.starts(with: Self.start) else { return block }
        let text = String(decoding: block, as: UTF8.self)
        let opening = "<figure><img src=\""
        guard let quote = text.dropFirst(opening.count).firstIndex(of: "\""),
            let address = MediaAddress(path: String(text[text.index(text.startIndex, offsetBy: opening.count)..<quote])),
            let made = renditions[address.hash], let close = text[quote...].firstIndex(of: ">")
        else { return block }
        let picture = ResponsivePicture(original: address, renditions: made)
        guard picture.srcset != nil || !picture.sources.isEmpty else { return block }
        var html = "<figure><picture>"
        for source in picture.sources {
            html += "<source type=\"\(source.type)\" srcset=\"\(source.srcset)\" sizes=\"\(source.sizes)\">"
        }
        html += "<img src=\"\(picture.src)\""
        if let srcset = picture.srcset { html += " srcset=\"\(srcset)\" sizes=\"\(ResponsivePicture.articleSizes)\"" }
        // The stored attributes after the address (alt, width, height, loading), already escaped.
        html += text[text.index(after: quote)...close]
        html += "</picture>"
        html += text[text.index(after: close)...]
        return Array(html.utf8)[...]
    }
}
