import Foundation
import SQLKit
import VestnikCore

/// Moves a WordPress site's posts into Vestnik from its export file (see the README's mapping table). Every post is
/// written by `ArticleWriteService.importArticle` in a transaction of its own, together with where it came from
/// (`import_items`: the export's site and post id) and its old addresses (`LegacyRedirects`): a run stopped at any
/// point (even by kill -9) leaves whole posts only, and running it again updates what it wrote instead of
/// duplicating it.
public struct WordPressImporter: Sendable {
    let database: Database

    public struct Options: Sendable {
        /// Read, convert and report everything, write nothing.
        public var dryRun = false
        /// A post meta key whose value becomes the kicker.
        public var kickerMeta: String?
        /// Categories after a post's first: tags (true) or dropped.
        public var extraCategoriesAsTags = true
        /// The section of a post with no category.
        public var defaultSection = "Новини"

        public init() {}
    }

    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var itemID: Int
        public var title: String
        public var line: Int
        public var message: String
        public var description: String { "item \(itemID) (line \(line)) „\(title)“: \(message)" }
    }

    public struct Report: Sendable {
        /// Items read, by WordPress post type.
        public var items: [String: Int] = [:]
        /// Posts written, by WordPress status.
        public var posts: [String: Int] = [:]
        public var created = 0
        public var updated = 0
        /// Items not imported, by reason (`page`, `attachment`, `status private` …).
        public var skipped: [String: Int] = [:]
        public var comments = 0
        public var sticky = 0
        /// Shortcodes taken out of bodies, by name.
        public var shortcodes: [String: Int] = [:]
        public var redirects = 0
        public var warnings: [Problem] = []
        public var failures: [Problem] = []

        public var total: Int { items.values.reduce(0, +) }
    }

    public init(database: Database) { self.database = database }

    /// Imports what `reader` reads; `progress` is called after each item with the report so far.
    public func run(
        _ reader: WXRReader, options: Options = Options(), now: Date = Date(), progress: (Report) -> Void = { _ in }
    ) async throws -> Report {
        var report = Report()
        var channel = WXRChannel()
        var archives = Archives()
        let writes = ArticleWriteService(database: database)
        try await reader.read(channel: { channel = $0 }) { item in
            report.items[item.postType.isEmpty ? "?" : item.postType, default: 0] += 1
            report.comments += item.comments
            do {
                let before = report.created + report.updated
                try await importItem(item, channel: channel, options: options, now: now, writes: writes, report: &report)
                if report.created + report.updated > before { archives.note(item, channel: channel) }
            } catch let error as InvalidInput {
                report.failures.append(Problem(itemID: item.postID, title: item.title, line: item.line, message: error.description))
            } catch let error as DatabaseUnavailableError {
                throw error
            } catch {
                report.failures.append(Problem(itemID: item.postID, title: item.title, line: item.line, message: "\(error)"))
            }
            progress(report)
        }
        if !options.dryRun {
            try await storeArchiveRedirects(archives, channel: channel, report: &report)
            if report.created + report.updated > 0 { try await RelatedArticles(database: database).refreshAll(now: now) }
        }
        return report
    }

    private func importItem(
        _ item: WXRItem, channel: WXRChannel, options: Options, now: Date, writes: ArticleWriteService, report: inout Report
    ) async throws {
        guard item.postType == "post" else {
            report.skipped[item.postType.isEmpty ? "unknown type" : item.postType, default: 0] += 1
            return
        }
        let status: ArticleStatus
        switch item.status {
        case "publish": status = .published
        case "draft": status = .draft
        case "pending": status = .review
        case "future": status = .scheduled
        default:
            // private, trash, auto-draft, inherit: not for readers, not brought over.
            report.skipped["status " + item.status, default: 0] += 1
            return
        }
        if let field = item.oversizeField {
            throw InvalidInput("<\(field)> is longer than \(WXRReader.maxFieldBytes >> 20) MB; not imported")
        }
        let title = item.title.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        guard !title.isEmpty else { throw InvalidInput("the post has no title") }
        if item.isSticky { report.sticky += 1 }

        let body = WordPressBody.convert(item.content)
        for (name, count) in body.unknownShortcodes { report.shortcodes[name, default: 0] += count }
        var blocks = body.blocks
        var lead = ArticleBody.plainText(BodySanitizer.sanitize(WordPressText.autop(item.excerpt)))
        if lead.isEmpty, let first = blocks.first, first.kind == .paragraph {
            lead = ArticleBody.plainText(first.html)
            blocks.removeFirst()
        }
        let categories = item.terms.filter { $0.domain == "category" }.map(\.name).filter { !$0.isEmpty }
        var tags = item.terms.filter { $0.domain == "post_tag" }.map(\.name).filter { !$0.isEmpty }
        if options.extraCategoriesAsTags { tags += categories.dropFirst() }
        let author = channel.authors[item.creator] ?? item.creator
        let source = channel.siteURL

        var input = ArticleInput(
            slug: "", kicker: options.kickerMeta.flatMap { item.meta[$0] }.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? "",
            title: title, lead: lead, bodyHTML: blocks.map(\.html).joined(separator: "\n"),
            section: categories.first ?? options.defaultSection, tags: tags,
            authors: author.isEmpty ? [] : [.init(name: author)], status: status,
            publishedAt: Self.publicationTime(gmt: item.postDateGMT, local: item.postDate) ?? now)
        input.slug = try await slug(for: item, title: title, source: source, report: &report)
        try ArticleRepository.validate(input)
        report.posts[item.status, default: 0] += 1
        let keys = redirectKeys(item)
        report.redirects += keys.count
        if options.dryRun { return }
        let postID = item.postID
        let result = try await writes.importArticle(input, now: now, refreshRelated: false) { articleID, db in
            try await db.raw(
                """
                INSERT INTO import_items (source, item_id, article_id) VALUES (\(bind: source), \(bind: postID), \(bind: articleID))
                ON CONFLICT (source, item_id) DO UPDATE SET article_id = EXCLUDED.article_id
                """
            ).run()
            try await LegacyRedirects.store(keys, articleID: articleID, in: db)
        }
        switch result {
        case .created: report.created += 1
        case .updated: report.updated += 1
        }
    }

    /// The post's slug: the one it got the first time it was imported (a re-run updates that article); else
    /// WordPress's slug, percent-decoded and transliterated by the law's table (its old form stays reachable through
    /// the redirects); else one from the title. A slug another article holds gets `-2`, `-3` … and a warning.
    private func slug(for item: WXRItem, title: String, source: String, report: inout Report) async throws -> String {
        let postID = item.postID
        let earlier = try await database.read { db in
            try await db.raw(
                """
                SELECT a.slug FROM import_items i JOIN articles a ON a.id = i.article_id
                WHERE i.source = \(bind: source) AND i.item_id = \(bind: postID)
                """
            ).first()?.string("slug")
        }
        if let earlier { return earlier }
        let decoded = item.postName.removingPercentEncoding ?? item.postName
        var base = Slug.make(decoded)
        if base.isEmpty { base = Slug.make(title) }
        if base.isEmpty { base = "post-\(postID)" }
        base = String(base.prefix(190))
        var candidate = base
        var number = 1
        while try await database.read({ [candidate] db in try await ArticleRepository.slugOwner(candidate, in: db) }) != nil {
            number += 1
            candidate = "\(base)-\(number)"
        }
        if number > 1 {
            report.warnings.append(
                Problem(itemID: postID, title: title, line: item.line, message: "the slug \(base) was taken; imported as \(candidate)"))
        }
        return candidate
    }

    /// The post's old addresses: its permalink (whatever the site's permalink structure was) and `/?p=ID`.
    private func redirectKeys(_ item: WXRItem) -> [String] {
        var keys = ["/?p=\(item.postID)"]
        if let path = URLComponents(string: item.link)?.percentEncodedPath, let key = LegacyRedirects.key(path: path), key != "/" {
            keys.append(key)
        }
        return keys
    }

    /// The old site's category, tag and author archives and its feed, to the matching pages here. `archives` holds
    /// what the imported posts named: WordPress's slug (nicename) or login → the name it had.
    private func storeArchiveRedirects(_ archives: Archives, channel: WXRChannel, report: inout Report) async throws {
        let prefix = URLComponents(string: channel.blogURL)?.path ?? ""
        let redirects = LegacyRedirects(database: database)
        func key(_ path: String) -> String? { LegacyRedirects.key(path: prefix + path) }
        func slug(_ table: String, _ name: String) async throws -> String? {
            try await database.read { db in
                try await db.raw("SELECT slug FROM \(ident: table) WHERE name = \(bind: name)").first()?.string("slug")
            }
        }
        var stored: [(String, LegacyRedirects.Target)] = []
        if let feed = key("/feed") { stored.append((feed, .feed)) }
        for (nicename, name) in archives.categories {
            // The first category became the section; later ones became tags.
            if let section = try await slug("sections", name) {
                if let k = key("/category/" + nicename) { stored.append((k, .section(section))) }
            } else if let tag = try await slug("tags", name), let k = key("/category/" + nicename) {
                stored.append((k, .tag(tag)))
            }
        }
        for (nicename, name) in archives.tags {
            if let tag = try await slug("tags", name), let k = key("/tag/" + nicename), k != "/tag/" + tag { stored.append((k, .tag(tag))) }
        }
        for (login, name) in archives.authors {
            if let author = try await slug("authors", name), let k = key("/author/" + login) { stored.append((k, .author(author))) }
        }
        for (k, target) in stored { try await redirects.store(k, to: target) }
        report.redirects += stored.count
    }

    /// The archives the imported posts named, by their WordPress slug.
    struct Archives {
        var categories: [String: String] = [:]
        var tags: [String: String] = [:]
        var authors: [String: String] = [:]

        mutating func note(_ item: WXRItem, channel: WXRChannel) {
            for term in item.terms where !term.nicename.isEmpty && !term.name.isEmpty {
                if term.domain == "category" {
                    categories[term.nicename] = term.name
                } else if term.domain == "post_tag" {
                    tags[term.nicename] = term.name
                }
            }
            if !item.creator.isEmpty { authors[item.creator] = channel.authors[item.creator] ?? item.creator }
        }
    }

    /// `post_date_gmt` as UTC, else `post_date` as Sofia time (drafts carry `0000-00-00 00:00:00` in the former).
    static func publicationTime(gmt: String, local: String) -> Date? {
        func parts(_ text: String) -> [Int]? {
            let numbers = text.split(whereSeparator: { "- :T".contains($0) }).map { Int($0) }
            guard numbers.count >= 5, numbers.allSatisfy({ $0 != nil }), numbers[0]! > 0 else { return nil }
            return numbers.map { $0! }
        }
        if let p = parts(gmt) {
            var components = DateComponents()
            (components.year, components.month, components.day, components.hour, components.minute) = (p[0], p[1], p[2], p[3], p[4])
            components.second = p.count > 5 ? p[5] : 0
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            return calendar.date(from: components)
        }
        if let p = parts(local) {
            return SofiaTime.date(from: LocalDateTime(year: p[0], month: p[1], day: p[2], hour: p[3], minute: p[4]))
        }
        return nil
    }
}
