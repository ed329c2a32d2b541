import Foundation
import Hummingbird
import VestnikCore
import VestnikStore

/// What a list of articles is about: the whole site, or one section, topic, tag or author. A list page and its
/// feeds resolve their subject the same way, so they always agree on what exists and what they show.
enum ListSubject: Sendable {
    case site
    case section(Section)
    case topic(Topic)
    case tag(Tag)
    case author(Author)

    /// The subject of `kind` with this slug; a 404 when there is none.
    static func resolve(_ kind: TaxonomyKind, slug: String, in site: Site) async throws -> ListSubject {
        let subject: ListSubject?
        switch kind {
        case .section: subject = try await site.taxonomy.section(slug: slug).map(ListSubject.section)
        case .topic: subject = try await site.taxonomy.topic(slug: slug).map(ListSubject.topic)
        case .tag: subject = try await site.taxonomy.tag(slug: slug).map(ListSubject.tag)
        case .author: subject = try await site.taxonomy.author(slug: slug).map(ListSubject.author)
        }
        guard let subject else { throw HTTPError(.notFound) }
        return subject
    }

    /// Whether the page exists before any visible article is in it. A draft may name new tags, topics and authors
    /// (they are stored with it), but nothing a draft holds is public until it is published: such an entry has no
    /// page until an article with it is. Sections, and topics and authors an editor gave a description, a pinned
    /// story, a biography or a portrait on the structure pages, are public from the start.
    var isPublicWhenEmpty: Bool {
        switch self {
        case .site, .section: return true
        case .topic(let topic): return !topic.description.isEmpty || topic.pinnedArticleID != nil
        case .tag: return false
        case .author(let author): return !author.bio.isEmpty || !author.photo.isEmpty
        }
    }

    var isWholeSite: Bool {
        if case .site = self { return true }
        return false
    }

    var filter: ArticleFilter {
        switch self {
        case .site: return .all
        case .section(let section): return .section(section.id)
        case .topic(let topic): return .topic(topic.id)
        case .tag(let tag): return .tag(tag.id)
        case .author(let author): return .author(author.id)
        }
    }

    /// The `CacheKey` of the list: a page showing it changes when an article joins or leaves it.
    var cacheKey: String {
        switch self {
        case .site: return CacheKey.latest
        case .section(let section): return CacheKey.section(section.id)
        case .topic(let topic): return CacheKey.topic(topic.id)
        case .tag(let tag): return CacheKey.tag(tag.id)
        case .author(let author): return CacheKey.author(author.id)
        }
    }

    /// The list page's path.
    var path: String {
        switch self {
        case .site: return SiteURLs.home
        case .section(let section): return SiteURLs.section(section.slug)
        case .topic(let topic): return SiteURLs.topic(topic.slug)
        case .tag(let tag): return SiteURLs.tag(tag.slug)
        case .author(let author): return SiteURLs.author(author.slug)
        }
    }

    /// The name the page is headed with; `nil` for the whole site, which goes by the site's name.
    var name: String? {
        switch self {
        case .site: return nil
        case .section(let section): return section.name
        case .topic(let topic): return topic.name
        case .tag(let tag): return tag.name
        case .author(let author): return author.name
        }
    }

    /// The description its editors wrote, if any.
    var description: String? {
        let text: String
        switch self {
        case .site, .tag: return nil
        case .section(let section): text = section.description
        case .topic(let topic): text = topic.description
        case .author(let author): text = author.bio
        }
        return text.isEmpty ? nil : text
    }
}

extension Parameters {
    /// The path parameter `name` as a slug: lowercase Latin letters, digits and hyphens. Anything else cannot name
    /// a page, so it is a 404 before any lookup.
    func slug(_ name: String) throws -> String {
        guard let value = get(name), value.count <= 200,
            value.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 })
        else { throw HTTPError(.notFound) }
        return value
    }
}
