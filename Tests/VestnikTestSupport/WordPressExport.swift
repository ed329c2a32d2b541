import Foundation

/// WordPress export files (WXR 1.2, in the shape `export_wp()` writes) made in tests: a Bulgarian site's posts in
/// every status, a page, an attachment, comments, categories, tags and shortcodes.
public enum WordPressExport {
    public struct Post: Sendable {
        public var id: Int
        public var title: String
        public var slug: String
        public var status = "publish"
        public var type = "post"
        public var content = ""
        public var excerpt = ""
        public var dateGMT = "2026-11-20 08:30:00"
        public var date = "2026-11-20 10:30:00"
        public var creator = "mpetrova"
        public var categories: [(nicename: String, name: String)] = [("%d0%b1%d1%8a%d0%bb%d0%b3%d0%b0%d1%80%d0%b8%d1%8f", "България")]
        public var tags: [(nicename: String, name: String)] = []
        public var meta: [(String, String)] = []
        public var comments = 0
        public var sticky = false
        /// An attachment's file address (`wp:attachment_url`).
        public var attachmentURL = ""

        public init(id: Int, title: String, slug: String) {
            self.id = id
            self.title = title
            self.slug = slug
        }
    }

    public static let site = "https://stariat-vestnik.bg"

    public static func xml(_ posts: [Post], doctype: String = "") -> String {
        func cdata(_ text: String) -> String { "<![CDATA[" + text.replacingOccurrences(of: "]]>", with: "]]]]><![CDATA[>") + "]]>" }
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(
                of: ">", with: "&gt;")
        }
        let items = posts.map { post in
            let terms =
                post.categories.map { "<category domain=\"category\" nicename=\"\($0.nicename)\">\(cdata($0.name))</category>" }
                + post.tags.map { "<category domain=\"post_tag\" nicename=\"\($0.nicename)\">\(cdata($0.name))</category>" }
            let meta = post.meta.map {
                "<wp:postmeta><wp:meta_key>\(cdata($0.0))</wp:meta_key><wp:meta_value>\(cdata($0.1))</wp:meta_value></wp:postmeta>"
            }
            let comments = (0..<post.comments).map { n in
                """
                <wp:comment><wp:comment_id>\(n + 1)</wp:comment_id><wp:comment_author>\(cdata("Читател"))</wp:comment_author>
                <wp:comment_content>\(cdata("Коментар \(n)"))</wp:comment_content>
                <wp:commentmeta><wp:meta_key>\(cdata("akismet_result"))</wp:meta_key><wp:meta_value>\(cdata("false"))</wp:meta_value></wp:commentmeta>
                </wp:comment>
                """
            }
            let datePath = String(post.date.prefix(7)).replacingOccurrences(of: "-", with: "/")
            let link = post.type == "post" ? "\(site)/\(datePath)/\(post.slug)/" : "\(site)/?page_id=\(post.id)"
            return """
                \t<item>
                \t\t<title>\(cdata(post.title))</title>
                \t\t<link>\(escape(link))</link>
                \t\t<pubDate>Fri, 20 Nov 2026 08:30:00 +0000</pubDate>
                \t\t<dc:creator>\(cdata(post.creator))</dc:creator>
                \t\t<guid isPermaLink="false">\(site)/?p=\(post.id)</guid>
                \t\t<description></description>
                \t\t<content:encoded>\(cdata(post.content))</content:encoded>
                \t\t<excerpt:encoded>\(cdata(post.excerpt))</excerpt:encoded>
                \t\t<wp:post_id>\(post.id)</wp:post_id>
                \t\t<wp:post_date>\(cdata(post.date))</wp:post_date>
                \t\t<wp:post_date_gmt>\(cdata(post.dateGMT))</wp:post_date_gmt>
                \t\t<wp:comment_status>\(cdata("open"))</wp:comment_status>
                \t\t<wp:post_name>\(cdata(post.slug))</wp:post_name>
                \t\t<wp:status>\(cdata(post.status))</wp:status>
                \t\t<wp:post_parent>0</wp:post_parent>
                \t\t<wp:menu_order>0</wp:menu_order>
                \t\t<wp:post_type>\(cdata(post.type))</wp:post_type>
                \t\t<wp:post_password>\(cdata(""))</wp:post_password>
                \t\t<wp:is_sticky>\(post.sticky ? 1 : 0)</wp:is_sticky>
                \t\t\(post.attachmentURL.isEmpty ? "" : "<wp:attachment_url>\(cdata(post.attachmentURL))</wp:attachment_url>")
                \t\t\(terms.joined(separator: "\n\t\t"))
                \t\t\(meta.joined(separator: "\n\t\t"))
                \t\t\(comments.joined(separator: "\n"))
                \t</item>
                """
        }
        return """
            <?xml version="1.0" encoding="UTF-8" ?>
            \(doctype)<rss version="2.0"
            \txmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
            \txmlns:content="http://purl.org/rss/1.0/modules/content/"
            \txmlns:wfw="http://wellformedweb.org/CommentAPI/"
            \txmlns:dc="http://purl.org/dc/elements/1.1/"
            \txmlns:wp="http://wordpress.org/export/1.2/"
            >
            <channel>
            \t<title>Старият вестник</title>
            \t<link>\(site)</link>
            \t<description>Новини</description>
            \t<language>bg-BG</language>
            \t<wp:wxr_version>1.2</wp:wxr_version>
            \t<wp:base_site_url>\(site)</wp:base_site_url>
            \t<wp:base_blog_url>\(site)</wp:base_blog_url>
            \t<wp:author><wp:author_id>2</wp:author_id><wp:author_login>\(cdata("mpetrova"))</wp:author_login><wp:author_email>\(cdata("m@example.bg"))</wp:author_email><wp:author_display_name>\(cdata("Мария Петрова"))</wp:author_display_name></wp:author>
            \t<wp:category><wp:term_id>1</wp:term_id><wp:category_nicename>\(cdata("bulgaria"))</wp:category_nicename><wp:cat_name>\(cdata("България"))</wp:cat_name></wp:category>
            \t<generator>https://wordpress.org/?v=6.1.1</generator>
            \(items.joined(separator: "\n"))
            </channel>
            </rss>
            """
    }
}
