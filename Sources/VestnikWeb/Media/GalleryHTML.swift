import VestnikCore
import VestnikStore

/// The galleries of a stored body (see `Gallery`) as readers get them, written from the library's rows: on the
/// article page a grid of the pictures' small 4×3 crops (AVIF/WebP `<source>`s, `srcset`/`sizes`, width and height,
/// lazy), each a link to the whole picture with its caption and credit under it; the page's own script
/// (`gallery.js`, no third party) opens the links in a full-screen viewer made from the data attributes written
/// here. In feeds, plain figures (`<figure><img><figcaption>`) with absolute addresses.
///
/// A picture the library no longer has is left out; a gallery left with none is not shown.
struct GalleryHTML: Sendable {
    /// The galleries' pictures, by hash (`MediaRepository.items(hashes:)`), and their renditions.
    var items: [String: MediaItem]
    var renditions: [String: [Rendition]]
    let locale: SiteLocale

    /// How wide a picture of the grid is drawn (site.css `.gallery-grid`: two columns on a phone, up to four).
    static let gridSizes = "(max-width: 40rem) 50vw, 16rem"
    /// The viewer shows a picture across the screen.
    static let viewerSizes = "100vw"

    /// The library hashes the galleries of a stored body name (a block-by-block look at the figures only).
    static func hashes(in blocks: [StoredBlock]) -> [String] {
        blocks.filter { $0.kind == .figure && Gallery.isMarker($0.html) }.flatMap {
            Gallery(marker: $0.text)?.pictures.map(\.hash) ?? []
        }
    }

    private static let markerHead = Array(Gallery.head.utf8)

    /// The same for a whole stored body; a body without a marker is only scanned for one.
    static func hashes(inBody body: [UInt8]) -> [String] {
        guard BodyPictures.find(markerHead, in: body[...]) != nil else { return [] }
        return hashes(in: ArticleBody.blocks(fromUTF8: body))
    }

    /// The galleries of `body` with their pictures' rows, in order; those whose pictures are all gone are skipped.
    func galleries(in blocks: [StoredBlock]) -> [[MediaItem]] {
        blocks.compactMap { block -> [MediaItem]? in
            guard block.kind == .figure, Gallery.isMarker(block.html), let gallery = Gallery(marker: block.text) else { return nil }
            let shown = shown(gallery)
            return shown.isEmpty ? nil : shown
        }
    }

    private func shown(_ gallery: Gallery) -> [MediaItem] {
        gallery.pictures.compactMap { address in items[address.hash].flatMap { $0.address == address ? $0 : nil } }
    }

    /// A stored block for the article page: a gallery marker rendered (`number`: its place among the page's
    /// galleries, for its anchor), nil for any other block.
    func render(_ block: StoredBlock, number: Int) -> ArraySlice<UInt8>? {
        guard Gallery.isMarker(block.html), let gallery = Gallery(marker: block.text) else { return nil }
        let pictures = shown(gallery)
        guard !pictures.isEmpty else { return [] }
        let count = String(pictures.count)
        var html =
            "<figure class=\"gallery\" id=\"galeriya-\(number)\" data-viewer=\"\(attribute(locale["gallery_viewer"]))\""
            + " data-close=\"\(attribute(locale["gallery_close"]))\" data-previous=\"\(attribute(locale["gallery_previous"]))\""
            + " data-next=\"\(attribute(locale["gallery_next"]))\" data-position=\"\(attribute(locale["gallery_position"]))\">"
        html += "<figcaption class=\"gallery-title\">" + HTML.escape(locale.format("gallery_title", ["count": count])) + "</figcaption>"
        html += "<ul class=\"gallery-grid\">"
        // Each picture stands in a paragraph of its own: reader modes drop a block with more pictures than
        // paragraphs (readability's "too many images": more than 1 + 1.3 × its <p>s), which took the lead and the
        // paragraphs around a gallery with it. A picture per paragraph never outweighs the text.
        for (index, item) in pictures.enumerated() {
            html +=
                "<li><figure class=\"gallery-item\"><p class=\"gallery-picture\">" + link(item, index: index, of: count) + "</p>"
                + caption(item) + "</figure></li>"
        }
        html += "</ul></figure>"
        return Array(html.utf8)[...]
    }

    /// One picture of the grid: a link to the whole picture (what readers without JavaScript get), carrying what
    /// the viewer shows in data attributes.
    private func link(_ item: MediaItem, index: Int, of count: String) -> String {
        let made = renditions[item.address.hash] ?? []
        let whole = ResponsivePicture(original: item.address, renditions: made, sizes: Self.viewerSizes)
        var html = "<a class=\"gallery-open\" href=\"\(whole.src)\" data-index=\"\(index)\""
        if let srcset = whole.srcset { html += " data-srcset=\"\(srcset)\"" }
        for source in whole.sources {
            html += " data-\(source.type == ImageFormat.avif.mediaType ? "avif" : "webp")=\"\(source.srcset)\""
        }
        html += " data-width=\"\(item.width)\" data-height=\"\(item.height)\">"
        // The grid: the small 4×3 crops where they are made, else the whole picture (CSS cuts it to the same box).
        let crops = made.cardCrops
        let largest = RenditionPlan.cardWidths.last!
        let shown = crops.last { $0.format == item.address.format && $0.width <= largest } ?? crops.last
        let grid =
            crops.isEmpty
            ? ResponsivePicture(original: item.address, renditions: made, sizes: Self.gridSizes)
            : ResponsivePicture(original: item.address, files: crops, widest: largest, sizes: Self.gridSizes)
        html += "<picture>"
        for source in grid.sources { html += "<source type=\"\(source.type)\" srcset=\"\(source.srcset)\" sizes=\"\(source.sizes)\">" }
        html += "<img src=\"\(grid.src)\""
        if let srcset = grid.srcset { html += " srcset=\"\(srcset)\" sizes=\"\(Self.gridSizes)\"" }
        html += " alt=\"\(attribute(item.alt))\" width=\"\(shown?.width ?? item.width)\" height=\"\(shown?.height ?? item.height)\""
        html += " loading=\"lazy\" decoding=\"async\"></picture></a>"
        return html
    }

    private func caption(_ item: MediaItem) -> String {
        let caption = item.caption.trimmingCharacters(in: .whitespacesAndNewlines)
        let credit = item.credit.trimmingCharacters(in: .whitespacesAndNewlines)
        if caption.isEmpty && credit.isEmpty { return "" }
        var html = "<figcaption>" + HTML.escape(caption)
        if !credit.isEmpty {
            html +=
                (caption.isEmpty ? "" : " ") + "<span class=\"credit\">"
                + HTML.escape(locale.format("photo_credit", ["credit": credit])) + "</span>"
        }
        return html + "</figcaption>"
    }

    private func attribute(_ text: String) -> String { HTML.escape(text) }

    /// A whole stored body for feeds: each gallery becomes plain figures of its pictures (the originals, at their
    /// root-relative address: the feed makes them absolute), one per line; everything else as it is.
    func plainBody(_ html: String) -> String {
        guard html.contains("<figure class=\"gallery\"") else { return html }
        return ArticleBody.blocks(fromHTML: html).map { block -> String in
            guard block.kind == .figure, let gallery = Gallery(marker: block.html) else { return block.html }
            return shown(gallery).map { item in
                var figure =
                    "<figure><img src=\"\(item.address.path)\" alt=\"\(attribute(item.alt))\""
                    + " width=\"\(item.width)\" height=\"\(item.height)\">"
                let words = caption(item)
                if !words.isEmpty { figure += words }
                return figure + "</figure>"
            }.joined(separator: "\n")
        }.joined(separator: "\n")
    }
}

extension Site {
    /// The rows and renditions of the pictures of a stored body's galleries (of several, joined), in two queries (none without a gallery).
    func galleryHTML(body: [UInt8]) async throws -> GalleryHTML {
        let hashes = GalleryHTML.hashes(inBody: body)
        if hashes.isEmpty { return GalleryHTML(items: [:], renditions: [:], locale: locale) }
        return GalleryHTML(
            items: try await media.items(hashes: hashes),
            renditions: try await renditions.renditions(of: hashes), locale: locale)
    }

    /// The library's copies of the outside pictures a stored body (or several, joined) shows, by address; none when
    /// the body shows none (a scan of its bytes, no query).
    func outsidePictureCopies(_ body: [UInt8]) async throws -> [String: MediaAddress] {
        guard BodyPictures.hasOutsidePictures(body) else { return [:] }
        let pictures = BodyPictureCopies.pictures(in: String(decoding: body, as: UTF8.self))
        return try await BodyPictureCopies(database: database).copies(of: pictures.map(\.url))
    }
}
