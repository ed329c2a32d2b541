import Foundation
import VestnikCore
import VestnikStore

/// Vestnik's content in the shapes of the WordPress REST API (wp/v2, "view" context), so that tools written for
/// WordPress read it unchanged: sections are categories, tags are tags, bylines' authors are users, and an
/// article's featured picture is the media item with the article's id.
struct WordPressJSON {
    let publicURL: String
    let dates: NewsDateFormatter

    var root: String { publicURL + "/wp-json" }

    func post(_ article: Article) -> JSONValue {
        let link = publicURL + SiteURLs.article(article)
        let author = article.authors.first?.id ?? 0
        var links: [String: JSONValue] = [
            "self": hrefs("\(root)/wp/v2/posts/\(article.id)"), "collection": hrefs("\(root)/wp/v2/posts"),
            "author": .array(
                article.authors.map { .object(["embeddable": .bool(true), "href": .string("\(root)/wp/v2/users/\($0.id)")]) }),
            "wp:term": .array([
                .object([
                    "taxonomy": .string("category"), "embeddable": .bool(true),
                    "href": .string("\(root)/wp/v2/categories?post=\(article.id)"),
                ]),
                .object([
                    "taxonomy": .string("post_tag"), "embeddable": .bool(true), "href": .string("\(root)/wp/v2/tags?post=\(article.id)"),
                ]),
            ]),
        ]
        if article.featuredImage != nil {
            links["wp:featuredmedia"] = .array([.object(["embeddable": .bool(true), "href": .string("\(root)/wp/v2/media/\(article.id)")])])
        }
        return .object([
            "id": .int(article.id), "date": .string(localTime(article.publishedAt)), "date_gmt": .string(gmt(article.publishedAt)),
            "guid": rendered(link), "modified": .string(localTime(article.updatedAt)), "modified_gmt": .string(gmt(article.updatedAt)),
            "slug": .string(article.slug), "status": .string("publish"), "type": .string("post"), "link": .string(link),
            "title": rendered(HTML.escape(article.headline)),
            "content": .object(["rendered": .string(article.bodyHTML), "protected": .bool(false)]),
            "excerpt": .object(["rendered": .string("<p>\(HTML.escape(article.lead))</p>\n"), "protected": .bool(false)]),
            "author": .int(author), "featured_media": .int(article.featuredImage == nil ? 0 : article.id),
            "comment_status": .string("closed"), "ping_status": .string("closed"), "sticky": .bool(false), "template": .string(""),
            "format": .string("standard"), "meta": .array([]), "categories": .array([.int(article.section.id)]),
            "tags": .array(article.tags.map { .int($0.id) }), "_links": .object(links),
        ])
    }

    /// `post` with `_embedded`: its authors, its terms, its featured picture, as `?_embed` asks.
    func embedded(_ article: Article) -> JSONValue {
        guard case .object(var members) = post(article) else { return post(article) }
        var embedded: [String: JSONValue] = [
            "author": .array(article.authors.map(user)),
            "wp:term": .array([
                .array([
                    category(
                        id: article.section.id, slug: article.section.slug, name: article.section.name,
                        description: article.section.description, count: nil)
                ]),
                .array(article.tags.map { tag(id: $0.id, slug: $0.slug, name: $0.name, count: nil) }),
            ]),
        ]
        if let image = article.featuredImage { embedded["wp:featuredmedia"] = .array([media(image, of: article)]) }
        members["_embedded"] = .object(embedded)
        return .object(members)
    }

    func category(id: Int, slug: String, name: String, description: String, count: Int?) -> JSONValue {
        var members: [String: JSONValue] = [
            "id": .int(id), "link": .string(publicURL + SiteURLs.section(slug)), "name": .string(name), "slug": .string(slug),
            "taxonomy": .string("category"), "description": .string(description), "parent": .int(0), "meta": .array([]),
            "_links": .object(["self": hrefs("\(root)/wp/v2/categories/\(id)"), "collection": hrefs("\(root)/wp/v2/categories")]),
        ]
        if let count { members["count"] = .int(count) }
        return .object(members)
    }

    func tag(id: Int, slug: String, name: String, count: Int?) -> JSONValue {
        var members: [String: JSONValue] = [
            "id": .int(id), "link": .string(publicURL + SiteURLs.tag(slug)), "name": .string(name), "slug": .string(slug),
            "taxonomy": .string("post_tag"), "description": .string(""), "meta": .array([]),
            "_links": .object(["self": hrefs("\(root)/wp/v2/tags/\(id)"), "collection": hrefs("\(root)/wp/v2/tags")]),
        ]
        if let count { members["count"] = .int(count) }
        return .object(members)
    }

    func user(_ author: Author) -> JSONValue {
        user(id: author.id, slug: author.slug, name: author.name, bio: author.bio, photo: author.photo)
    }

    func user(id: Int, slug: String, name: String, bio: String, photo: String) -> JSONValue {
        let avatar = photo.isEmpty ? "" : SiteURLs.absolute(photo, on: publicURL)
        return .object([
            "id": .int(id), "name": .string(name), "url": .string(""), "description": .string(bio),
            "link": .string(publicURL + SiteURLs.author(slug)), "slug": .string(slug),
            "avatar_urls": avatar.isEmpty ? .object([:]) : .object(["24": .string(avatar), "48": .string(avatar), "96": .string(avatar)]),
            "meta": .array([]),
            "_links": .object(["self": hrefs("\(root)/wp/v2/users/\(id)"), "collection": hrefs("\(root)/wp/v2/users")]),
        ])
    }

    /// An article's featured picture as an attachment (its id is the article's).
    func media(_ image: ArticleImage, of article: Article) -> JSONValue {
        let url = publicURL + image.address.path
        return .object([
            "id": .int(article.id), "date": .string(localTime(article.publishedAt)), "date_gmt": .string(gmt(article.publishedAt)),
            "guid": rendered(url), "slug": .string(image.address.hash), "status": .string("inherit"), "type": .string("attachment"),
            "link": .string(url), "title": rendered(HTML.escape(image.alt)), "author": .int(article.authors.first?.id ?? 0),
            "caption": rendered(image.caption.isEmpty ? "" : "<p>\(HTML.escape(image.caption))</p>\n"),
            "alt_text": .string(image.alt), "media_type": .string("image"), "mime_type": .string(image.address.format.mediaType),
            "source_url": .string(url), "post": .int(article.id),
            "media_details": .object([
                "width": .int(image.width), "height": .int(image.height), "file": .string(image.address.fileName),
                "filesize": .int(image.bytes), "sizes": .object([:]),
            ]),
            "_links": .object(["self": hrefs("\(root)/wp/v2/media/\(article.id)"), "collection": hrefs("\(root)/wp/v2/media")]),
        ])
    }

    private func rendered(_ html: String) -> JSONValue { .object(["rendered": .string(html)]) }
    private func hrefs(_ href: String) -> JSONValue { .array([.object(["href": .string(href)])]) }

    /// WordPress's `date`: the site's wall-clock time without an offset (Sofia), `2026-11-25T12:00:00`.
    private func localTime(_ date: Date) -> String { String(dates.isoDateTime(date).prefix(19)) }
    private func gmt(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return String(formatter.string(from: date).prefix(19))
    }
}
