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
    let t: [String: String]
    let year: String
    let meta: ArticleMeta?
    /// `<link rel="alternate">` to the site's feeds and the page's own.
    let feeds: [FeedLink]
    /// The page's picture for Open Graph and Twitter cards.
    let image: Picture
    /// JSON-LD blocks, serialised and safe to place unescaped inside `<script>`.
    let jsonLD: [String]

    init(
        lang: String, ogLocale: String, siteName: String, pageTitle: String, description: String, canonical: String?,
        cssURL: String, searchURL: String = SiteURLs.search, nav: [NavLink], t: [String: String], year: String,
        meta: ArticleMeta?, feeds: [FeedLink], image: Picture, jsonLD: [String]
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

struct FeedLink {
    var title: String
    var type: String
    var url: String
}

/// An image with an absolute URL, as machines take it.
struct Picture {
    var url: String
    var width: Int?
    var height: Int?
    var mediaType: String
    /// In bytes; 0 when unknown.
    var length: Int
}

struct NavLink {
    var name: String
    var url: String
    var current: Bool
}

/// Meta tags of an article page that machines read (Open Graph, author, dates).
struct ArticleMeta {
    var author: String
    /// The authors' pages, absolute (`article:author`).
    var authorURLs: [String]
    var section: String
    var published: String
    var modified: String
    var tags: [String]
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

struct Pager {
    var previousURL: String?
    var nextURL: String?
    var label: String
}

struct ListView {
    var layout: LayoutView
    var heading: String
    var kind: String
    var subtitle: String?
    /// An author's portrait on the author's page.
    var photo: String?
    var description: String?
    /// A topic's lead story, chosen by an editor.
    var pinned: ArticleCard?
    var cards: [ArticleCard]
    var days: [DayGroup]?
    var pager: Pager?
    var empty: Bool
}

/// A day of a topic's timeline.
struct DayGroup {
    var label: String
    var cards: [ArticleCard]
}

struct HomeView {
    var layout: LayoutView
    var lead: ArticleCard?
    var latest: [ArticleCard]
    var sections: [SectionBlock]
    var today: [ArticleCard]
    var mostRead: MostReadView?
}

struct SectionBlock {
    var name: String
    var url: String
    var cards: [ArticleCard]
}

struct BylineView {
    var name: String
    var role: String?
    var url: String
    /// The author's portrait, if the newsroom set one (checked by `PhotoURL` when saved).
    var photo: String? = nil
}

struct TagLink {
    var name: String
    var url: String
}

/// A piece of the article body: a block of text, or an "Още:" block of links.
struct BodySegment {
    var html: String?
    var more: MoreBlock?
}

struct MoreBlock {
    var links: [ArticleCard]
}

struct ArticleView {
    var layout: LayoutView
    var sectionName: String
    var sectionURL: String
    var kicker: String?
    var title: String
    var markers: [String]
    var dateLine: String
    var datetime: String
    var reads: String
    var lead: String
    /// The article's featured picture, above the body.
    var featured: FeaturedFigureView?
    var body: [BodySegment]
    var sources: String?
    var topicLink: TagLink?
    var tags: [TagLink]
    var authors: [BylineView]
    var today: [ArticleCard]
    var followURL: String
    var mostRead: MostReadView?
    /// Nil on previews, which must not count as reads.
    var beacon: ReadBeaconView?
}

/// A featured picture as `<figure>`: width and height let the browser keep its place before it loads.
struct FeaturedFigureView {
    var src: String
    var alt: String
    var width: String
    var height: String
    var caption: String?
    /// `Снимка: БТА`.
    var credit: String?
    /// Whether there is a `<figcaption>` to write (templates see stored properties only).
    var hasCaption: Bool

    init(src: String, alt: String, width: Int, height: Int, caption: String?, credit: String?) {
        self.src = src
        self.alt = alt
        self.width = String(width)
        self.height = String(height)
        self.caption = caption
        self.credit = credit
        hasCaption = caption != nil || credit != nil
    }
}

struct ErrorView {
    var layout: LayoutView
    var status: Int
    var heading: String
    var message: String
}
