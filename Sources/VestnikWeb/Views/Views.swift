import Foundation
import VestnikCore

// View models: plain values with every string already formatted, so templates only place them.

/// What every page's layout needs: language, navigation, titles, meta tags.
///
/// A class, as `ArticleCard` is: templates reach the layout a dozen times per page (`{{layout.t.…}}`), and a struct
/// of this size was copied into a new box, every field retained, at each of them; a reference is retained once.
final class LayoutView: Sendable {
    let lang: String
    let ogLocale: String
    let siteName: String
    let pageTitle: String
    let description: String
    let canonical: String?
    let cssURL: String
    let searchURL: String
    let nav: [NavLink]
    let t: LocaleStrings
    let year: String
    let meta: ArticleMeta?
    /// `<link rel="alternate">` to the site's feeds and the page's own.
    let feeds: [FeedLink]
    /// The page's picture for Open Graph and Twitter cards.
    let image: Picture
    /// JSON-LD blocks as UTF-8 bytes, serialised and safe to place unescaped inside `<script>` (slices of one
    /// buffer: no string is made and validated of what goes straight back out as bytes).
    let jsonLD: [ArraySlice<UInt8>]

    init(
        lang: String, ogLocale: String, siteName: String, pageTitle: String, description: String, canonical: String?,
        cssURL: String, searchURL: String = SiteURLs.search, nav: [NavLink], t: LocaleStrings, year: String,
        meta: ArticleMeta?, feeds: [FeedLink], image: Picture, jsonLD: [ArraySlice<UInt8>]
    ) {
        self.lang = lang
        self.ogLocale = ogLocale
        self.siteName = siteName
        self.pageTitle = pageTitle
        self.description = description
        self.canonical = canonical
        self.cssURL = cssURL
        self.searchURL = searchURL
        self.nav = nav
        self.t = t
        self.year = year
        self.meta = meta
        self.feeds = feeds
        self.image = image
        self.jsonLD = jsonLD
    }
}

final class FeedLink: Sendable {
    let title: String
    let type: String
    let url: String

    init(title: String, type: String, url: String) {
        self.title = title
        self.type = type
        self.url = url
    }
}

/// An image with an absolute URL, as machines take it.
final class Picture: Sendable {
    let url: String
    let width: Int?
    let height: Int?
    let mediaType: String
    /// In bytes; 0 when unknown.
    let length: Int

    init(url: String, width: Int? = nil, height: Int? = nil, mediaType: String, length: Int) {
        self.url = url
        self.width = width
        self.height = height
        self.mediaType = mediaType
        self.length = length
    }
}

final class NavLink: Sendable {
    let name: String
    let url: String
    let current: Bool

    init(name: String, url: String, current: Bool) {
        self.name = name
        self.url = url
        self.current = current
    }
}

/// Meta tags of an article page that machines read (Open Graph, author, dates).
final class ArticleMeta: Sendable {
    let author: String
    /// The authors' pages, absolute (`article:author`).
    let authorURLs: [String]
    let section: String
    let published: String
    let modified: String
    let tags: [String]

    init(author: String, authorURLs: [String], section: String, published: String, modified: String, tags: [String]) {
        self.author = author
        self.authorURLs = authorURLs
        self.section = section
        self.published = published
        self.modified = modified
        self.tags = tags
    }
}

/// One article in a list. Its fields are formatted when a template asks for them: a page shows about thirty cards,
/// and each template uses a few of their dozen strings (today.mustache the clock time, card.mustache the dates,
/// the "Още:" links neither). A class: sections over a list of cards then retain a reference, not a dozen strings.
final class ArticleCard: Sendable {
    let summary: ArticleSummary
    let format: CardFormat

    init(_ summary: ArticleSummary, format: CardFormat) {
        self.summary = summary
        self.format = format
    }

    var url: String { SiteURLs.article(summary) }
    var kicker: String? { summary.kicker.isEmpty ? nil : summary.kicker }
    var markers: [String] { format.markers(summary.media) }
    var sectionURL: String { SiteURLs.section(summary.sectionSlug) }
    var time: String { format.time(summary.publishedAt) }
    var dateLine: String { format.dateLine(summary.publishedAt) }
    /// Relative to the formatter's `now` when the page is rendered, which follows its building at once.
    var relative: String { format.relative(summary.publishedAt) }
    var datetime: String { format.datetime(summary.publishedAt) }
    var reads: String { String(summary.reads) }
}

/// What cards format their fields with: one per `ViewFactory`, shared by all its cards. Cards call its methods rather
/// than `format.dates.…`: a formatter reached through two references was copied, all its strings retained, per call.
final class CardFormat: Sendable {
    private let dates: NewsDateFormatter
    private let relativeTime: RelativeTimeFormatter
    /// The four marker lists, made once: index `video + 2 × gallery`.
    private let markerLists: [[String]]

    init(dates: NewsDateFormatter, relative: RelativeTimeFormatter, locale: SiteLocale) {
        self.dates = dates
        relativeTime = relative
        let video = locale["marker_video"], gallery = locale["marker_gallery"]
        markerLists = [[], [video], [gallery], [video, gallery]]
    }

    func time(_ date: Date) -> String { dates.shortTime(date) }
    func dateLine(_ date: Date) -> String { dates.dateLine(date) }
    func relative(_ date: Date) -> String { relativeTime.string(for: date) }
    func datetime(_ date: Date) -> String { dates.isoDateTime(date) }

    /// `(ВИДЕО)`, `(СНИМКИ)`: what the article carries.
    func markers(_ media: MediaMarkers) -> [String] {
        markerLists[(media.video ? 1 : 0) + (media.gallery ? 2 : 0)]
    }
}

final class Pager: Sendable {
    let previousURL: String?
    let nextURL: String?
    let label: String

    init(previousURL: String? = nil, nextURL: String? = nil, label: String) {
        self.previousURL = previousURL
        self.nextURL = nextURL
        self.label = label
    }
}

final class ListView: Sendable {
    let layout: LayoutView
    let heading: String
    let kind: String
    let subtitle: String?
    /// An author's portrait on the author's page.
    let photo: String?
    let description: String?
    /// A topic's lead story, chosen by an editor.
    let pinned: ArticleCard?
    let cards: [ArticleCard]
    let days: [DayGroup]?
    let pager: Pager?
    let empty: Bool

    init(
        layout: LayoutView, heading: String, kind: String, subtitle: String? = nil, photo: String? = nil,
        description: String? = nil, pinned: ArticleCard? = nil, cards: [ArticleCard], days: [DayGroup]? = nil,
        pager: Pager? = nil, empty: Bool
    ) {
        self.layout = layout
        self.heading = heading
        self.kind = kind
        self.subtitle = subtitle
        self.photo = photo
        self.description = description
        self.pinned = pinned
        self.cards = cards
        self.days = days
        self.pager = pager
        self.empty = empty
    }
}

/// A day of a topic's timeline.
final class DayGroup: Sendable {
    let label: String
    let cards: [ArticleCard]

    init(label: String, cards: [ArticleCard]) {
        self.label = label
        self.cards = cards
    }
}

final class HomeView: Sendable {
    let layout: LayoutView
    let lead: ArticleCard?
    let latest: [ArticleCard]
    let sections: [SectionBlock]
    let today: [ArticleCard]
    let mostRead: MostReadView?

    init(
        layout: LayoutView, lead: ArticleCard? = nil, latest: [ArticleCard], sections: [SectionBlock],
        today: [ArticleCard], mostRead: MostReadView? = nil
    ) {
        self.layout = layout
        self.lead = lead
        self.latest = latest
        self.sections = sections
        self.today = today
        self.mostRead = mostRead
    }
}

final class SectionBlock: Sendable {
    let name: String
    let url: String
    let cards: [ArticleCard]

    init(name: String, url: String, cards: [ArticleCard]) {
        self.name = name
        self.url = url
        self.cards = cards
    }
}

final class BylineView: Sendable {
    let name: String
    let role: String?
    let url: String
    /// The author's portrait, if the newsroom set one (checked by `PhotoURL` when saved).
    let photo: String?

    init(name: String, role: String? = nil, url: String, photo: String? = nil) {
        self.name = name
        self.role = role
        self.url = url
        self.photo = photo
    }
}

final class TagLink: Sendable {
    let name: String
    let url: String

    init(name: String, url: String) {
        self.name = name
        self.url = url
    }
}

/// A piece of the article body: a block of text, or an "Още:" block of links.
final class BodySegment: Sendable {
    /// The block's HTML as the body stores it (`ArticleBody.blocks(fromUTF8:)`), written into the page as it is.
    let html: ArraySlice<UInt8>?
    let more: MoreBlock?

    init(html: ArraySlice<UInt8>? = nil, more: MoreBlock? = nil) {
        self.html = html
        self.more = more
    }
}

final class MoreBlock: Sendable {
    let links: [ArticleCard]

    init(links: [ArticleCard]) {
        self.links = links
    }
}

final class ArticleView: Sendable {
    let layout: LayoutView
    let sectionName: String
    let sectionURL: String
    let kicker: String?
    let title: String
    let markers: [String]
    let dateLine: String
    let datetime: String
    let reads: String
    let lead: String
    /// The article's featured picture, above the body.
    let featured: FeaturedFigureView?
    let body: [BodySegment]
    let sources: String?
    let topicLink: TagLink?
    let tags: [TagLink]
    let authors: [BylineView]
    let today: [ArticleCard]
    let followURL: String
    let mostRead: MostReadView?
    /// Nil on previews, which must not count as reads.
    let beacon: ReadBeaconView?

    init(
        layout: LayoutView, sectionName: String, sectionURL: String, kicker: String? = nil, title: String,
        markers: [String], dateLine: String, datetime: String, reads: String, lead: String,
        featured: FeaturedFigureView? = nil, body: [BodySegment], sources: String? = nil, topicLink: TagLink? = nil,
        tags: [TagLink], authors: [BylineView], today: [ArticleCard], followURL: String, mostRead: MostReadView? = nil,
        beacon: ReadBeaconView? = nil
    ) {
        self.layout = layout
        self.sectionName = sectionName
        self.sectionURL = sectionURL
        self.kicker = kicker
        self.title = title
        self.markers = markers
        self.dateLine = dateLine
        self.datetime = datetime
        self.reads = reads
        self.lead = lead
        self.featured = featured
        self.body = body
        self.sources = sources
        self.topicLink = topicLink
        self.tags = tags
        self.authors = authors
        self.today = today
        self.followURL = followURL
        self.mostRead = mostRead
        self.beacon = beacon
    }
}

/// A featured picture as `<figure>`: width and height let the browser keep its place before it loads.
final class FeaturedFigureView: Sendable {
    let src: String
    let alt: String
    let width: String
    let height: String
    let caption: String?
    /// `Снимка: БТА`.
    let credit: String?
    /// Whether there is a `<figcaption>` to write (templates see stored properties only).
    let hasCaption: Bool
    /// The `<img>`'s widths in the picture's own format, and the `<source>`s in WebP and AVIF (`ResponsivePicture`);
    /// none until the renditions are made.
    let srcset: String?
    let sizes: String
    let sources: [PictureSourceView]

    init(
        src: String, alt: String, width: Int, height: Int, caption: String?, credit: String?, srcset: String? = nil,
        sizes: String = "", sources: [PictureSourceView] = []
    ) {
        self.src = src
        self.alt = alt
        self.width = String(width)
        self.height = String(height)
        self.caption = caption
        self.credit = credit
        hasCaption = caption != nil || credit != nil
        self.srcset = srcset
        self.sizes = sizes
        self.sources = sources
    }
}

/// `<source type="image/webp" srcset="…" sizes="…">`.
final class PictureSourceView: Sendable {
    let type: String
    let srcset: String
    let sizes: String

    init(type: String, srcset: String, sizes: String) {
        self.type = type
        self.srcset = srcset
        self.sizes = sizes
    }
}

final class ErrorView: Sendable {
    let layout: LayoutView
    let status: Int
    let heading: String
    let message: String

    init(layout: LayoutView, status: Int, heading: String, message: String) {
        self.layout = layout
        self.status = status
        self.heading = heading
        self.message = message
    }
}
