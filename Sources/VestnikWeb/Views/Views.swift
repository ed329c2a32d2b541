import Foundation
import VestnikCore

// View models: plain structs with every string already formatted, so templates only place them.

/// What every page's layout needs: language, navigation, titles, meta tags.
struct LayoutView {
    var lang: String
    var ogLocale: String
    var siteName: String
    var pageTitle: String
    var description: String
    var canonical: String?
    var cssURL: String
    var searchURL: String = SiteURLs.search
    var nav: [NavLink]
    var t: [String: String]
    var year: String
    var meta: ArticleMeta?
    /// `<link rel="alternate">` to the site's feeds and the page's own.
    var feeds: [FeedLink]
    /// The page's picture for Open Graph and Twitter cards.
    var image: Picture
    /// JSON-LD blocks, serialised and safe to place unescaped inside `<script>`.
    var jsonLD: [String]
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

/// One article in a list.
struct ArticleCard {
    var url: String
    var kicker: String?
    var title: String
    var markers: [String]
    var lead: String
    var section: String
    var sectionURL: String
    var time: String
    var dateLine: String
    var relative: String
    var datetime: String
    var reads: String
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
