import Foundation
import VestnikCore
import VestnikStore

/// The content API's objects as JSON (their schemas are in `Assets/api/openapi.json`): articles, the short form
/// lists and "most read" use, sections, topics, tags and authors. Every URL is absolute, on the site's address.
struct ContentJSON {
    let publicURL: String
    let dates: NewsDateFormatter

    /// The top-level members of an article, for `fields=`.
    static let articleFields: Set<String> = [
        "id", "slug", "url", "kicker", "title", "lead", "body_html", "section", "topic", "tags", "authors", "sources",
        "has_video", "has_gallery", "featured_media", "published", "modified", "reads",
    ]
    /// What a list gives of each article when `fields=` is not given: all but the body.
    static let listFields = articleFields.subtracting(["body_html"])
    /// What `include=` may add: the "Още:" articles, and the full records of the section, topic and authors.
    static let includes: Set<String> = ["related", "section", "topic", "authors"]

    /// `article` with the members `fields` names (`id` always), expanded as `include` asks.
    func article(
        _ article: Article, fields: Set<String>, include: Set<String>, related: [ArticleSummary] = [],
        renditions: [String: [Rendition]] = [:]
    ) -> JSONValue {
        var members: [String: JSONValue] = ["id": .int(article.id)]
        func add(_ name: String, _ value: @autoclosure () -> JSONValue) {
            if fields.contains(name) { members[name] = value() }
        }
        add("slug", .string(article.slug))
        add("url", .string(publicURL + SiteURLs.article(article)))
        add("kicker", .string(article.kicker))
        add("title", .string(article.title))
        add("lead", .string(article.lead))
        add("body_html", .string(article.bodyHTML))
        add("section", section(article.section, full: include.contains("section")))
        add("topic", article.topic.map { topic($0, full: include.contains("topic")) } ?? .null)
        add("tags", .array(article.tags.map(tag)))
        add("authors", .array(article.authors.map { author($0, full: include.contains("authors")) }))
        add("sources", .array(article.sources.map(JSONValue.string)))
        add("has_video", .bool(article.media.video))
        add("has_gallery", .bool(article.media.gallery))
        add("featured_media", article.featuredImage.map { image($0, renditions: renditions[$0.address.hash] ?? []) } ?? .null)
        add("published", .string(dates.isoDateTime(article.publishedAt)))
        add("modified", .string(dates.isoDateTime(article.updatedAt)))
        add("reads", .int(article.reads))
        if include.contains("related") { members["related"] = .array(related.map { summary($0) }) }
        return .object(members)
    }

    /// The short form of an article: what a card shows.
    func summary(_ summary: ArticleSummary) -> JSONValue {
        .object([
            "id": .int(summary.id), "slug": .string(summary.slug), "url": .string(publicURL + SiteURLs.article(summary)),
            "kicker": .string(summary.kicker), "title": .string(summary.title), "lead": .string(summary.lead),
            "section": .object(["slug": .string(summary.sectionSlug), "name": .string(summary.sectionName)]),
            "published": .string(dates.isoDateTime(summary.publishedAt)), "reads": .int(summary.reads),
        ])
    }

    func section(_ section: Section, full: Bool = true) -> JSONValue {
        var members = reference(section.id, section.slug, section.name, url: SiteURLs.section(section.slug))
        if full {
            members["description"] = .string(section.description)
            members["position"] = .int(section.position)
        }
        return .object(members)
    }

    func topic(_ topic: Topic, full: Bool = true) -> JSONValue {
        var members = reference(topic.id, topic.slug, topic.name, url: SiteURLs.topic(topic.slug))
        if full { members["description"] = .string(topic.description) }
        return .object(members)
    }

    func tag(_ tag: Tag) -> JSONValue { .object(reference(tag.id, tag.slug, tag.name, url: SiteURLs.tag(tag.slug))) }

    /// A byline: the author and their public title; `full` adds the biography and portrait.
    func author(_ author: Author, full: Bool = true) -> JSONValue {
        var members = reference(author.id, author.slug, author.name, url: SiteURLs.author(author.slug))
        members["role"] = .string(author.role)
        if full {
            members["bio"] = .string(author.bio)
            members["photo"] = author.photo.isEmpty ? .null : .string(SiteURLs.absolute(author.photo, on: publicURL))
        }
        return .object(members)
    }

    /// A section, topic, tag or author as its list gives it.
    func term(_ term: ListedTerm, kind: TaxonomyKind) -> JSONValue {
        var members = reference(term.id, term.slug, term.name, url: SiteURLs.list(kind, term.slug))
        switch kind {
        case .section, .topic: members["description"] = .string(term.description)
        case .tag: break
        case .author:
            members["role"] = .string(term.role)
            members["bio"] = .string(term.description)
            members["photo"] = term.photo.isEmpty ? .null : .string(SiteURLs.absolute(term.photo, on: publicURL))
        }
        return .object(members)
    }

    /// The picture as uploaded, and the files made from it (`renditions`: smaller widths in its own format, WebP and
    /// AVIF, and the three crops, 16×9, 4×3 and 1×1; empty until the renditions are made, or without libvips).
    func image(_ image: ArticleImage, renditions: [Rendition] = []) -> JSONValue {
        .object([
            "url": .string(publicURL + image.address.path), "width": .int(image.width), "height": .int(image.height),
            "alt": .string(image.alt), "caption": .string(image.caption), "credit": .string(image.credit),
            "format": .string(image.address.format.mediaType),
            "renditions": .array(
                renditions.map {
                    .object([
                        "url": .string(publicURL + $0.address.path), "width": .int($0.width), "height": .int($0.height),
                        "format": .string($0.address.format.mediaType), "crop": .optional($0.crop?.rawValue), "bytes": .int($0.bytes),
                    ])
                }),
        ])
    }

    private func reference(_ id: Int, _ slug: String, _ name: String, url: String) -> [String: JSONValue] {
        ["id": .int(id), "slug": .string(slug), "name": .string(name), "url": .string(publicURL + url)]
    }
}
