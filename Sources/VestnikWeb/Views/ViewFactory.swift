import Foundation
import VestnikCore
import VestnikStore

/// Turns newsroom objects into view models in the site's language. A class: pages pass it around and make cards
/// with `map(views.card)`, and a struct of formatters and locale strings was copied, every string retained, each time.
final class ViewFactory: Sendable {
    let locale: SiteLocale
    let assets: StaticAssets
    let siteName: String
    let publicURL: String
    let dates: NewsDateFormatter
    let relative: RelativeTimeFormatter
    let structuredData: StructuredData
    let cardFormat: CardFormat
    /// The locale's strings for `{{layout.t.…}}`, made once rather than per page.
    let strings: LocaleStrings
    /// `shareImages` as pictures: the same for every page that has none of its own.
    let sharePictures: [Picture]
    /// Addresses with the assets' fingerprints, and the whole site's feed links: the same on every page.
    let cssURL: String
    let readsScriptURL: String
    /// The script that loads an embedded post's frame when a reader clicks its facade.
    let embedsScriptURL: String
    /// The share links' copy button and the phone's share sheet.
    let shareScriptURL: String
    let siteFeeds: [FeedLink]
    /// The feed links of the lists pages were made for (an article page shows its section's): the same until a list
    /// is renamed, which changes the key.
    private let listFeeds = FeedLinkMemo()

    init(locale: SiteLocale, assets: StaticAssets, siteName: String, publicURL: String, now: @escaping @Sendable () -> Date) {
        self.locale = locale
        self.assets = assets
        self.siteName = siteName
        self.publicURL = publicURL
        dates = NewsDateFormatter(vocabulary: locale.dates)
        relative = RelativeTimeFormatter(vocabulary: locale.dates, now: now)
        cardFormat = CardFormat(dates: dates, relative: relative, locale: locale)
        strings = LocaleStrings(locale.strings)
        sharePictures = Self.shareImages.map { Self.picture($0, in: assets, publicURL: publicURL) }
        cssURL = assets.url("site.css")
        readsScriptURL = assets.url("reads.js")
        embedsScriptURL = assets.url("embeds.js")
        shareScriptURL = assets.url("share.js")
        siteFeeds = Self.feedLinks(.site, locale: locale, siteName: siteName)
        structuredData = StructuredData(
            siteName: siteName, publicURL: publicURL, language: locale.language,
            logo: Self.picture(Self.logo, in: assets, publicURL: publicURL), homeName: locale["nav_home"], dates: dates)
    }

    /// `jsonLD` blocks are serialised here (see `StructuredData.script`); `subject` adds that list's feeds to the
    /// site's, and `feeds` a page's own (the corrections'); `image` is the page's picture, the theme's share image
    /// when `nil`; `banner`: the breaking news up now (`SharedLists.banner`), which every public page shows.
    /// `exactTitle`: the page's `<title>` as written (an article's SEO title), instead of `title | site name`; the
    /// share cards keep `title | site name` unless `shareTitle` says otherwise, and `description` unless
    /// `shareDescription` does.
    func layout(
        title: String?, exactTitle: String? = nil, description: String? = nil, canonical: String?, sections: [Section],
        banner: BreakingNews?, currentSection: String? = nil,
        meta: ArticleMeta? = nil, subject: ListSubject? = nil, feeds: [FeedLink] = [], image: Picture? = nil,
        jsonLD: [StructuredData.Block] = [], now: Date, shareTitle: String? = nil, shareDescription: String? = nil
    ) -> LayoutView {
        LayoutView(
            lang: locale.language, ogLocale: locale.ogLocale, siteName: siteName, pageTitle: exactTitle ?? pageTitle(title),
            description: description ?? locale["site_description"],
            shareTitle: shareTitle ?? (exactTitle == nil ? nil : pageTitle(title)), shareDescription: shareDescription,
            canonical: canonical.map(absolute), cssURL: cssURL,
            nav: sections.map { NavLink(name: $0.name, url: SiteURLs.section($0.slug), current: $0.slug == currentSection) },
            t: strings, year: String(SofiaTime.components(of: now).year), meta: meta,
            feeds: siteFeeds + (subject.flatMap { $0.isWholeSite ? nil : feedLinks($0) } ?? []) + feeds,
            image: image ?? sharePictures[0], jsonLD: StructuredData.scripts(jsonLD),
            banner: banner.map { BannerView(text: $0.text, url: $0.url) })
    }

    /// `title | site name`, or the site's name alone.
    func pageTitle(_ title: String?) -> String {
        title.map { "\($0) | \(siteName)" } ?? siteName
    }

    func absolute(_ path: String) -> String { SiteURLs.absolute(path, on: publicURL) }

    /// Autodiscovery links to the feeds of a list, one per format.
    func feedLinks(_ subject: ListSubject) -> [FeedLink] {
        if subject.isWholeSite { return siteFeeds }
        let key = FeedLinkMemo.Key(path: subject.path, name: subject.name)
        if let links = listFeeds[key] { return links }
        let links = Self.feedLinks(subject, locale: locale, siteName: siteName)
        listFeeds[key] = links
        return links
    }

    private static func feedLinks(_ subject: ListSubject, locale: SiteLocale, siteName: String) -> [FeedLink] {
        let pattern = locale["feed_link"]
        let name = subject.name ?? siteName
        // On every list and article page: the pattern's two names answered directly, no dictionary per link.
        return FeedFormat.allCases.map { format in
            FeedLink(
                title: Placeholders.fill(pattern) { $0 == "name" ? name : $0 == "format" ? format.displayName : nil },
                type: format.mediaType, url: SiteURLs.feed(of: subject.path, format))
        }
    }

    // MARK: Pictures

    static let logo = "logo.png"
    /// The theme's pictures for pages and articles without one of their own, widest first: Google asks for 16:9,
    /// 4:3 and 1:1, each at least 50,000 pixels (REFERENCE §5).
    static let shareImages = ["share-16x9.png", "share-4x3.png", "share-1x1.png"]

    /// An article's pictures: its featured picture (with its size), else the first picture of its body: a gallery's
    /// first (from the library, with its size and crops) or an image (its address resolved against the article's,
    /// ASCII), whichever comes first; else the theme's share images. `blocks`: the body already split, when the
    /// caller has it; `copies`: the library's copies of outside pictures (`BodyPictureCopies`), used instead;
    /// `galleries`: the galleries' pictures and renditions (`Site.galleryHTML`).
    func pictures(
        for article: Article?, blocks: [StoredBlock]? = nil, renditions: [Rendition] = [], copies: [String: MediaAddress] = [:],
        galleries: GalleryHTML? = nil
    ) -> [Picture] {
        if let image = article?.featuredImage {
            return libraryPictures(image.address, width: image.width, height: image.height, bytes: image.bytes, renditions: renditions)
        }
        let blocks = blocks ?? article.map { ArticleBody.blocks(fromUTF8: $0.bodyUTF8) } ?? []
        for block in blocks where block.kind == .figure {
            guard Gallery.isMarker(block.html) else {
                if ArticleBody.firstImageURL(in: [block]) != nil { break }
                continue
            }
            if let item = galleries?.galleries(in: [block]).first?.first {
                return libraryPictures(
                    item.address, width: item.width, height: item.height, bytes: item.bytes,
                    renditions: galleries?.renditions[item.address.hash] ?? [])
            }
        }
        if let src = ArticleBody.firstImageURL(in: blocks), let copy = copies[src] {
            return [Picture(url: absolute(copy.path), width: nil, height: nil, mediaType: copy.format.mediaType, length: 0)]
        }
        if let article, let src = ArticleBody.firstImageURL(in: blocks),
            let url = URL(string: URLText.percentEncoded(src), relativeTo: URL(string: absolute(SiteURLs.article(article)))),
            ["http", "https"].contains(url.scheme?.lowercased())
        {
            return [Picture(url: url.absoluteString, width: nil, height: nil, mediaType: Self.imageType(src), length: 0)]
        }
        return sharePictures
    }

    /// A library picture as share cards and machines take it: its crops (16×9, 4×3, 1×1, 1200 wide where it is that
    /// large) once they are made, else the picture itself with its size.
    func libraryPictures(_ address: MediaAddress, width: Int, height: Int, bytes: Int, renditions: [Rendition]) -> [Picture] {
        let crops = ResponsivePicture.sharePictures(renditions, absolute: absolute)
        if !crops.isEmpty { return crops }
        return [Picture(url: absolute(address.path), width: width, height: height, mediaType: address.format.mediaType, length: bytes)]
    }

    static func picture(_ name: String, in assets: StaticAssets, publicURL: String) -> Picture {
        let asset = assets[name]
        return Picture(
            url: SiteURLs.absolute(assets.url(name), on: publicURL), width: asset?.pixelSize?.width,
            height: asset?.pixelSize?.height, mediaType: asset?.contentType ?? imageType(name),
            length: asset?.bytes.readableBytes ?? 0)
    }

    /// The media type an image URL's extension names; JPEG when it names none.
    static func imageType(_ url: String) -> String {
        let path = url.split(whereSeparator: { $0 == "?" || $0 == "#" }).first.map(String.init) ?? url
        let type = StaticAssets.contentType(for: path)
        return type.hasPrefix("image/") ? type : "image/jpeg"
    }

    func markers(_ media: MediaMarkers) -> [String] { cardFormat.markers(media) }

    func card(_ summary: ArticleSummary) -> ArticleCard { ArticleCard(summary: summary, format: cardFormat) }

    /// Cards with their pictures (a lead story's whole, `lead`); the first `eager` pictures load at once (above the
    /// fold), the rest lazily.
    func cards(_ summaries: some Sequence<ArticleSummary>, pictures: CardPictures, lead: Bool = false, eager: Int = 0) -> [ArticleCard] {
        summaries.enumerated().map { index, summary in
            ArticleCard(
                summary: summary, format: cardFormat,
                picture: summary.picture.map { pictures.view($0, lead: lead, lazy: index >= eager) })
        }
    }

    func pager<T>(_ page: Page<T>, base: String) -> Pager? {
        pager(page, url: { SiteURLs.page(base, $0) })
    }

    /// A pager whose links `url` builds from a page number; none when everything fits on one page.
    func pager<T>(_ page: Page<T>, url: (Int) -> String) -> Pager? {
        guard page.pageCount > 1, page.number <= page.pageCount else { return nil }
        return Pager(
            previousURL: page.hasPrevious ? url(page.number - 1) : nil,
            nextURL: page.hasNext ? url(page.number + 1) : nil,
            label: locale.format("pager_label", ["page": String(page.number), "pages": String(page.pageCount)]))
    }

    /// Groups a timeline by Sofia day, keeping the order it was given in.
    func days(_ summaries: [ArticleSummary]) -> [DayGroup] {
        var groups: [(label: String, cards: [ArticleCard])] = []
        var currentDay: Date?
        for summary in summaries {
            let day = SofiaTime.startOfDay(containing: summary.publishedAt)
            if day != currentDay {
                let parts = SofiaTime.components(of: summary.publishedAt)
                let label = "\(parts.day) \(locale.dates.months[parts.month - 1]) \(parts.year)"
                groups.append((label, []))
                currentDay = day
            }
            groups[groups.count - 1].cards.append(card(summary))
        }
        return groups.map { DayGroup(label: $0.label, cards: $0.cards) }
    }
}

/// `ViewFactory.feedLinks` by list: filling the locale's pattern three times was 0.9 % of a cold article page. At
/// most `limit` lists are kept (tags can be many); past that it starts over.
private final class FeedLinkMemo: @unchecked Sendable {
    struct Key: Hashable {
        let path: String
        let name: String?
    }

    private let lock = NSLock()
    private var links: [Key: [FeedLink]] = [:]
    private let limit = 4096

    subscript(key: Key) -> [FeedLink]? {
        get { lock.withLock { links[key] } }
        set {
            lock.withLock {
                if links.count >= limit { links.removeAll(keepingCapacity: true) }
                links[key] = newValue
            }
        }
    }
}
