import VestnikCore
import VestnikStore

/// The library's pictures in an article's body, as readers get them: the stored
/// `<figure><img src="/media/…" alt width height loading="lazy">…</figure>` (the sanitizer's one shape, see
/// `BodySanitizer.figure`) inside a `<picture>` with the renditions' WebP/AVIF `<source>`s and `srcset`, once they are
/// made; as stored before.
struct BodyPictures: Sendable {
    /// Renditions by picture hash (`MediaRenditions.renditions(of:)`).
    var renditions: [String: [Rendition]]

    static let none = BodyPictures(renditions: [:])

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

    private static func find(_ needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard haystack.count >= needle.count, let first = needle.first else { return nil }
        var index = haystack.startIndex
        while index <= haystack.endIndex - needle.count {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    /// The block with its picture's renditions, or the block as it is (not a library picture, none made yet).
    func render(_ block: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
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
