import Foundation
import VestnikCore

/// Writes a `Feed` as RSS 2.0, Atom (RFC 4287) or JSON Feed 1.1. Every text goes through `XML.escape` (or a
/// JSON encoder), dates are English RFC 822 (RSS) or RFC 3339 in UTC (Atom, JSON Feed), whatever the site's
/// language (REFERENCE §4), and the output is the same bytes for the same feed, so its ETag is stable.
struct FeedWriter {
    let dates: NewsDateFormatter

    func render(_ feed: Feed, as format: FeedFormat) -> String {
        switch format {
        case .rss: return rss(feed)
        case .atom: return atom(feed)
        case .json: return json(feed)
        }
    }

    func rss(_ feed: Feed) -> String {
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">
            <channel>
            <title>\(XML.escape(feed.title))</title>
            <link>\(XML.escape(feed.pageURL))</link>
            <description>\(XML.escape(feed.description))</description>
            <language>\(XML.escape(feed.language))</language>
            <lastBuildDate>\(dates.rfc822(feed.updated))</lastBuildDate>
            <atom:link href="\(XML.escape(feed.selfURLs[.rss] ?? feed.pageURL))" rel="self" type="\(FeedFormat.rss.mediaType)"/>
            <image><url>\(XML.escape(feed.iconURL))</url><title>\(XML.escape(feed.title))</title><link>\(XML.escape(feed.pageURL))</link></image>

            """
        for item in feed.items {
            out += """
                <item>
                <title>\(XML.escape(item.title))</title>
                <link>\(XML.escape(item.url))</link>
                <guid isPermaLink="false">\(XML.escape(item.id))</guid>
                <pubDate>\(dates.rfc822(item.published))</pubDate>
                <description>\(XML.escape(item.summary))</description>

                """
            if let content = item.contentHTML { out += "<content:encoded>\(XML.escape(content))</content:encoded>\n" }
            for author in item.authors { out += "<dc:creator>\(XML.escape(author.name))</dc:creator>\n" }
            for category in item.categories { out += "<category>\(XML.escape(category))</category>\n" }
            if let image = item.image {
                out += """
                    <enclosure url="\(XML.escape(image.url))" length="\(image.length)" type="\(XML.escape(image.mediaType))"/>
                    \(Self.mediaContent(image))

                    """
            }
            out += "</item>\n"
        }
        return out + "</channel>\n</rss>\n"
    }

    func atom(_ feed: Feed) -> String {
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/" xml:lang="\(XML.escape(feed.language))">
            <id>\(XML.escape(feed.pageURL))</id>
            <title>\(XML.escape(feed.title))</title>
            <subtitle>\(XML.escape(feed.description))</subtitle>
            <updated>\(dates.rfc3339UTC(feed.updated))</updated>
            <link rel="alternate" type="text/html" href="\(XML.escape(feed.pageURL))"/>
            <link rel="self" type="\(FeedFormat.atom.mediaType)" href="\(XML.escape(feed.selfURLs[.atom] ?? feed.pageURL))"/>
            <author><name>\(XML.escape(feed.publisher))</name></author>
            <icon>\(XML.escape(feed.iconURL))</icon>

            """
        for item in feed.items {
            out += """
                <entry>
                <id>\(XML.escape(item.id))</id>
                <title>\(XML.escape(item.title))</title>
                <link rel="alternate" type="text/html" href="\(XML.escape(item.url))"/>
                <published>\(dates.rfc3339UTC(item.published))</published>
                <updated>\(dates.rfc3339UTC(item.updated))</updated>

                """
            for author in item.authors {
                out += "<author><name>\(XML.escape(author.name))</name><uri>\(XML.escape(author.url))</uri></author>\n"
            }
            for category in item.categories { out += "<category term=\"\(XML.escape(category))\"/>\n" }
            out += "<summary>\(XML.escape(item.summary))</summary>\n"
            if let content = item.contentHTML { out += "<content type=\"html\">\(XML.escape(content))</content>\n" }
            if let image = item.image {
                out += """
                    <link rel="enclosure" type="\(XML.escape(image.mediaType))" href="\(XML.escape(image.url))" length="\(image.length)"/>
                    \(Self.mediaContent(image))

                    """
            }
            out += "</entry>\n"
        }
        return out + "</feed>\n"
    }

    /// Media RSS's `<media:content>`, which feed readers (Feedly, Inoreader, Slack's unfurler) take a story's picture
    /// from, with its size when known.
    static func mediaContent(_ image: Picture) -> String {
        var out = "<media:content url=\"\(XML.escape(image.url))\" type=\"\(XML.escape(image.mediaType))\" medium=\"image\""
        if image.length > 0 { out += " fileSize=\"\(image.length)\"" }
        if let width = image.width, let height = image.height { out += " width=\"\(width)\" height=\"\(height)\"" }
        return out + "/>"
    }

    func json(_ feed: Feed) -> String {
        let items: [[String: Any]] = feed.items.map { item in
            var entry: [String: Any] = [
                "id": item.id, "url": item.url, "title": item.title, "summary": item.summary,
                // JSON Feed wants content in every item: the lead, as a paragraph, when the site gives no full text.
                "content_html": item.contentHTML ?? "<p>\(HTML.escape(item.summary))</p>",
                "date_published": dates.rfc3339UTC(item.published), "date_modified": dates.rfc3339UTC(item.updated),
                "tags": item.categories, "language": feed.language,
            ]
            if let image = item.image {
                var attachment: [String: Any] = ["url": image.url, "mime_type": image.mediaType]
                if image.length > 0 { attachment["size_in_bytes"] = image.length }
                entry["image"] = image.url
                entry["attachments"] = [attachment]
            }
            if !item.authors.isEmpty { entry["authors"] = item.authors.map { ["name": $0.name, "url": $0.url] } }
            return entry
        }
        let document: [String: Any] = [
            "version": "https://jsonfeed.org/version/1.1", "title": feed.title, "description": feed.description,
            "home_page_url": feed.pageURL, "feed_url": feed.selfURLs[.json] ?? feed.pageURL, "language": feed.language,
            "icon": feed.iconURL, "favicon": feed.iconURL, "authors": [["name": feed.publisher]], "items": items,
        ]
        return JSONText.encode(document) + "\n"
    }
}

/// JSON for machines: sorted keys (the same bytes every time, so ETags hold), unescaped slashes.
enum JSONText {
    /// `value` is built in code from dictionaries, arrays, strings, numbers and booleans, which always serialise;
    /// anything else is a programming error, stopped here rather than sent out as broken JSON.
    static func encode(_ value: Any) -> String {
        guard JSONSerialization.isValidJSONObject(value),
            let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])
        else { preconditionFailure("not serialisable as JSON: \(value)") }
        return String(decoding: data, as: UTF8.self)
    }
}
