import Foundation
import VestnikCore

/// A list page's newest articles, with every string and absolute URL ready: one model, written out as RSS 2.0,
/// Atom or JSON Feed 1.1 by `FeedWriter`.
struct Feed {
    var title: String
    var description: String
    /// The list page the feed mirrors (absolute).
    var pageURL: String
    /// The feed's own address in each format (absolute), for `rel="self"` and `feed_url`.
    var selfURLs: [FeedFormat: String]
    /// BCP 47 (`bg`).
    var language: String
    /// The publisher, named where a format wants an author for the whole feed.
    var publisher: String
    /// The site's logo (absolute).
    var iconURL: String
    /// The latest change of any item; the moment of the request for an empty feed.
    var updated: Date
    /// `nil` for an empty feed: it has no date worth a `Last-Modified`.
    var lastModified: Date?
    var items: [FeedItem]
}

struct FeedItem {
    /// A `tag:` URI (RFC 4151) from the site's host and the article's id: it outlives a change of slug or section,
    /// so readers never show a renamed article twice.
    var id: String
    var url: String
    var title: String
    /// The lead, plain text.
    var summary: String
    /// The lead and the body as HTML with absolute links, when the site gives full text.
    var contentHTML: String?
    var published: Date
    var updated: Date
    var authors: [FeedPerson]
    /// The section first, then the tags.
    var categories: [String]
    /// The article's picture: an enclosure in RSS and Atom, `image` in JSON Feed (none on a correction's item).
    var image: Picture?
}

struct FeedPerson {
    var name: String
    var url: String
}
