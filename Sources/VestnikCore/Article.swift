import Foundation

/// A complete article as the site shows it: text, placement (section, topic, tags) and byline.
public struct Article: Sendable, Equatable {
    public var id: Int
    public var slug: String
    /// The short place or source prefix shown before the headline: `САЩ: …`.
    public var kicker: String
    public var title: String
    /// Plain-text summary: the first paragraph unless the editor wrote one.
    public var lead: String
    /// Sanitised HTML, one top-level block per line (see `ArticleBody`), as the UTF-8 bytes it is stored as: the
    /// article page splits and writes them without ever making a string of them (checking a long body's UTF-8 was
    /// 7 % of a cold page's CPU).
    ///
    /// Why the page may write them unchecked: every body is stored from a Swift string (newsroom, importer, API),
    /// which is valid UTF-8, and SQLite hands TEXT back byte for byte (PostgreSQL refuses invalid UTF-8 outright).
    /// Only a body edited by hand in the database could hold invalid bytes; its page is still served, those bytes
    /// as they are (browsers show U+FFFD for them, as the repaired string showed), and `bodyHTML` repairs them.
    public var bodyUTF8: [UInt8]
    /// The body as a string, for everything but the page: made (and its UTF-8 checked) on each call.
    public var bodyHTML: String {
        get { String(decoding: bodyUTF8, as: UTF8.self) }
        set { bodyUTF8 = Array(newValue.utf8) }
    }
    public var section: Section
    public var topic: Topic?
    public var tags: [Tag]
    /// In byline order.
    public var authors: [Author]
    /// Wire agencies the text relies on (БТА, AFP).
    public var sources: [String]
    public var media: MediaMarkers
    public var status: ArticleStatus
    public var publishedAt: Date
    public var updatedAt: Date
    public var reads: Int
    /// The picture the article leads with, if the editor chose one from the media library.
    public var featuredImage: ArticleImage?
    /// The "Още:" blocks as the journalist arranged them; nil: the site's automatic layout.
    public var more: MoreLinks?
    /// What search results and share cards show instead of the headline, lead and featured picture.
    public var seo: ArticleSEO
    /// When an editor last marked the published article as updated ("Обновена" on its page, `dateModified`); nil:
    /// never. `updatedAt` is the time of any save, a typo fix too.
    public var modifiedAt: Date?

    public init(
        id: Int = 0, slug: String, kicker: String = "", title: String, lead: String, bodyHTML: String,
        section: Section, topic: Topic? = nil, tags: [Tag] = [], authors: [Author] = [], sources: [String] = [],
        media: MediaMarkers = MediaMarkers(), status: ArticleStatus = .published, publishedAt: Date,
        updatedAt: Date? = nil, reads: Int = 0, featuredImage: ArticleImage? = nil, more: MoreLinks? = nil,
        seo: ArticleSEO = ArticleSEO(), modifiedAt: Date? = nil
    ) {
        self.init(
            id: id, slug: slug, kicker: kicker, title: title, lead: lead, bodyUTF8: Array(bodyHTML.utf8), section: section,
            topic: topic, tags: tags, authors: authors, sources: sources, media: media, status: status,
            publishedAt: publishedAt, updatedAt: updatedAt, reads: reads, featuredImage: featuredImage, more: more, seo: seo,
            modifiedAt: modifiedAt)
    }

    /// The same with the body as bytes (read from the database); see `bodyUTF8`.
    public init(
        id: Int = 0, slug: String, kicker: String = "", title: String, lead: String, bodyUTF8: [UInt8],
        section: Section, topic: Topic? = nil, tags: [Tag] = [], authors: [Author] = [], sources: [String] = [],
        media: MediaMarkers = MediaMarkers(), status: ArticleStatus = .published, publishedAt: Date,
        updatedAt: Date? = nil, reads: Int = 0, featuredImage: ArticleImage? = nil, more: MoreLinks? = nil,
        seo: ArticleSEO = ArticleSEO(), modifiedAt: Date? = nil
    ) {
        self.id = id
        self.slug = slug
        self.kicker = kicker
        self.title = title
        self.lead = lead
        self.bodyUTF8 = bodyUTF8
        self.section = section
        self.topic = topic
        self.tags = tags
        self.authors = authors
        self.sources = sources
        self.media = media
        self.status = status
        self.publishedAt = publishedAt
        self.updatedAt = updatedAt ?? publishedAt
        self.reads = reads
        self.featuredImage = featuredImage
        self.more = more
        self.seo = seo
        self.modifiedAt = modifiedAt
    }

    /// The time its page and machines are told it last changed: when an editor marked it updated, else its
    /// publication.
    public var shownModified: Date { max(modifiedAt ?? publishedAt, publishedAt) }

    /// Whether the page shows "Обновена": an editor marked it updated after its publication.
    public var isMarkedUpdated: Bool { modifiedAt.map { $0 > publishedAt } ?? false }

    /// The headline on one line, kicker first (`САЩ: …`): page titles, feeds and the news sitemap.
    public var headline: String { summary.headline }

    public var summary: ArticleSummary {
        ArticleSummary(
            id: id, slug: slug, sectionSlug: section.slug, sectionName: section.name, kicker: kicker, title: title,
            lead: lead, media: media, publishedAt: publishedAt, reads: reads, picture: featuredImage)
    }
}

/// An article's words for search engines and share cards, each empty when the article's own serves (the headline,
/// the lead, the featured picture).
public struct ArticleSEO: Sendable, Equatable {
    /// The page's `<title>` instead of "headline | site".
    public var title: String
    /// The meta description instead of the lead.
    public var description: String
    /// Open Graph's and X's title and description instead of the page's.
    public var socialTitle: String
    public var socialDescription: String
    /// The share card's picture instead of the featured one.
    public var socialImage: ArticleImage?

    public init(
        title: String = "", description: String = "", socialTitle: String = "", socialDescription: String = "",
        socialImage: ArticleImage? = nil
    ) {
        self.title = title
        self.description = description
        self.socialTitle = socialTitle
        self.socialDescription = socialDescription
        self.socialImage = socialImage
    }

    /// The lengths search results and share cards show before cutting (the editor's counters turn red past them).
    public static let titleLength = 60
    public static let descriptionLength = 160
}

/// What a list (home page, section, "Още:", "Новините днес") needs to show one article.
public struct ArticleSummary: Sendable, Equatable {
    public var id: Int
    public var slug: String
    public var sectionSlug: String
    public var sectionName: String
    public var kicker: String
    public var title: String
    public var lead: String
    public var media: MediaMarkers
    public var publishedAt: Date
    public var reads: Int
    /// The featured picture, which cards show as a small crop.
    public var picture: ArticleImage?

    public init(
        id: Int, slug: String, sectionSlug: String, sectionName: String, kicker: String, title: String, lead: String,
        media: MediaMarkers, publishedAt: Date, reads: Int, picture: ArticleImage? = nil
    ) {
        self.id = id
        self.slug = slug
        self.sectionSlug = sectionSlug
        self.sectionName = sectionName
        self.kicker = kicker
        self.title = title
        self.lead = lead
        self.media = media
        self.publishedAt = publishedAt
        self.reads = reads
        self.picture = picture
    }

    /// The headline on one line, kicker first (`САЩ: …`): page titles, feeds and the news sitemap.
    public var headline: String { kicker.isEmpty ? title : "\(kicker): \(title)" }
}

/// One page of a longer list, with enough to draw the pager.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var number: Int
    public var size: Int
    public var total: Int

    public init(items: [Item], number: Int, size: Int, total: Int) {
        self.items = items
        self.number = number
        self.size = size
        self.total = total
    }

    public var pageCount: Int { max(1, (total + size - 1) / size) }
    public var hasPrevious: Bool { number > 1 }
    public var hasNext: Bool { number < pageCount }
}

/// A page request: 1-based number, fixed size. Built only from validated input.
public struct PageRequest: Sendable, Equatable {
    public var number: Int
    public var size: Int
    public var offset: Int { (number - 1) * size }

    public init(number: Int = 1, size: Int = 20) {
        self.number = max(1, number)
        self.size = max(1, size)
    }
}
