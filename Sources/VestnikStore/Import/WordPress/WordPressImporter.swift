import Foundation
import SQLKit
import VestnikCore

/// Moves a WordPress site's posts (and, from a copy of its uploads folder, its pictures: `WordPressMedia`) into
/// Vestnik from its export file (see the README's mapping table). Posts are written by
/// `ArticleWriteService.importArticles` in batches, one transaction each, together with where they came from
/// (`import_items`: the export's site and post id) and their old addresses (`LegacyRedirects`): a run stopped at any
/// point (even by kill -9) leaves whole batches only, and running it again updates what it wrote instead of
/// duplicating it.
public struct WordPressImporter: Sendable {
    let database: Database
    /// Where pictures go (`--uploads`): the newsroom's own upload path.
    let media: MediaIntake?

    public struct Options: Sendable {
        /// Read, convert and report everything, write nothing.
        public var dryRun = false
        /// A post meta key whose value becomes the kicker.
        public var kickerMeta: String?
        /// Categories after a post's first: tags (true) or dropped.
        public var extraCategoriesAsTags = true
        /// The section of a post with no category.
        public var defaultSection = "Новини"
        /// A copy of the site's `wp-content/uploads`: attachments, featured pictures and the pictures in bodies are
        /// brought into the media library from it (needs `media`, and a second reader of the export for the
        /// attachments' own pass).
        public var uploads: URL?
        /// `--fetch-media`: the pictures downloaded from the addresses the export names instead (through `Outbound`:
        /// http/https only, no private or loopback addresses unless the policy allows them, a size cap, timeouts),
        /// `fetchConcurrency` at a time, each tried again `fetchRetries` times.
        public var fetchMedia: Outbound.Policy?
        public var fetchConcurrency = 4
        public var fetchRetries = 2
        /// Called once with the export's channel before its first post (not on a dry run): the newsroom accounts of
        /// the export's authors (`--create-users`), as WordPress login → user id. An imported article without an
        /// owner gets its author's account as its owner, so a contributor finds their own work in the newsroom.
        public var accounts: (@Sendable (WXRChannel) async throws -> [String: Int])?
        /// Posts written per transaction: a batch is stored whole or not at all, so a run killed at any point
        /// leaves whole posts only, and a rerun completes it.
        public var batchSize = 200

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
        /// Pictures brought into the media library, pictures that were there already (a re-run), files named by
        /// the export but not in the uploads folder (the first hundred listed), featured pictures set.
        public var mediaCopied = 0
        public var mediaKnown = 0
        public var mediaMissing = 0
        public var missingFiles: [String] = []
        /// Files the library did not take, or downloads refused, with the reason.
        public var mediaRefused: [String] = []
        public var featured = 0
        public var warnings: [Problem] = []
        public var failures: [Problem] = []

        public var total: Int { items.values.reduce(0, +) }

        /// Adds what `other` counted (an item's conversion, counted apart).
        mutating func add(_ other: Report) {
            items.merge(other.items, uniquingKeysWith: +)
            posts.merge(other.posts, uniquingKeysWith: +)
            created += other.created
            updated += other.updated
            skipped.merge(other.skipped, uniquingKeysWith: +)
            comments += other.comments
            sticky += other.sticky
            shortcodes.merge(other.shortcodes, uniquingKeysWith: +)
            redirects += other.redirects
            mediaCopied += other.mediaCopied
            mediaKnown += other.mediaKnown
            mediaMissing += other.mediaMissing
            missingFiles += other.missingFiles
            mediaRefused += other.mediaRefused
            featured += other.featured
            warnings += other.warnings
            failures += other.failures
        }
    }

    public init(database: Database, media: MediaIntake? = nil) {
        self.database = database
        self.media = media
    }

    /// Imports what `reader` reads; `progress` is called after each item with the report so far. With
    /// `options.uploads`, `attachments` reads the same file first, for its attachments only: WordPress writes a post
    /// before the pictures uploaded into it, and its featured picture must be in the library when the post is saved.
    public func run(
        _ reader: WXRReader, attachments: WXRReader? = nil, options: Options = Options(), now: Date = Date(),
        progress: (Report) -> Void = { _ in }
    ) async throws -> Report {
        var report = Report()
        var channel = WXRChannel()
        var archives = Archives()
        let writes = ArticleWriteService(database: database)
        var pictures: WordPressMedia?
        var origin: WordPressMedia.Origin?
        if let uploads = options.uploads {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: uploads.path, isDirectory: &isFolder), isFolder.boolValue else {
                throw InvalidInput("the uploads folder \(uploads.path) does not exist")
            }
            origin = .folder(uploads)
        } else if let policy = options.fetchMedia {
            origin = .web(policy, concurrency: options.fetchConcurrency, retries: options.fetchRetries)
        }
        if let origin {
            guard let media else { throw InvalidInput("pictures need the media library") }
            let found = WordPressMedia(origin: origin, intake: media, dryRun: options.dryRun, now: now)
            pictures = found
            try await attachments?.read(channel: { found.site = $0.siteURL }) { item in
                guard item.postType == "attachment" else { return }
                do {
                    try await found.attachment(item)
                } catch let error as DatabaseUnavailableError {
                    throw error
                } catch {
                    report.failures.append(Problem(itemID: item.postID, title: item.title, line: item.line, message: "\(error)"))
                }
            }
            try await found.bringInWaiting()
        }
        var owners: [String: Int] = [:]
        var batch: [Pending] = []
        /// The batches being written, oldest first, while the next ones are read and converted: each batch's
        /// transaction starts only after the one before it has ended (its posts written one at a time included), so
        /// batches commit whole and in order; conversion runs up to two batches ahead, so that neither side waits for
        /// the other's slower moments. With pictures the conversion itself writes into the media library, so a batch
        /// is written before the next is read.
        var writing: [(posts: [Pending], task: Task<[Stored], any Error>)] = []
        func record(_ post: Pending, _ slug: String, _ result: ArticleRepository.SaveResult) {
            switch result {
            case .created:
                report.created += 1
                if slug != post.baseSlug {
                    report.warnings.append(
                        Problem(
                            itemID: post.item.postID, title: post.item.title, line: post.item.line,
                            message: "the slug \(post.baseSlug) was taken; imported as \(slug)"))
                }
            case .updated: report.updated += 1
            }
            archives.note(post.item, channel: channel)
        }
        /// Waits for the oldest batch being written and counts what became of each of its posts.
        func finish() async throws {
            guard !writing.isEmpty else { return }
            let current = writing.removeFirst()
            for (post, stored) in zip(current.posts, try await current.task.value) {
                switch stored {
                case .saved(let slug, let result): record(post, slug, result)
                case .failed(let message):
                    let item = post.item
                    report.failures.append(Problem(itemID: item.postID, title: item.title, line: item.line, message: message))
                }
            }
        }
        /// Starts writing the posts converted so far in one transaction, after the batches before them.
        func flush() async throws {
            let posts = batch
            batch.removeAll(keepingCapacity: true)
            guard !posts.isEmpty else { return }
            let before = writing.last?.task
            let source = channel.siteURL
            writing.append(
                (
                    posts,
                    Task {
                        if let before { _ = try await before.value }
                        return try await Self.store(posts, writes: writes, now: now, source: source)
                    }
                ))
            while writing.count > (pictures == nil ? 2 : 0) { try await finish() }
        }
        /// Counts an item read, and what converting it gave: a post for the batch, nothing (skipped), or a failure.
        func take(_ item: WXRItem, _ outcome: Result<Pending?, any Error>, _ converted: Report) async throws {
            report.items[item.postType.isEmpty ? "?" : item.postType, default: 0] += 1
            report.comments += item.comments
            report.add(converted)
            do {
                if let post = try outcome.get() {
                    // The same post twice in one file: its second save must find the first's record (and update that
                    // article), so it goes into the next batch.
                    if batch.contains(where: { $0.item.postID == post.item.postID }) { try await flush() }
                    batch.append(post)
                    if batch.count >= options.batchSize { try await flush() }
                }
            } catch let error as InvalidInput {
                report.failures.append(Problem(itemID: item.postID, title: item.title, line: item.line, message: error.description))
            } catch let error as DatabaseUnavailableError {
                throw error
            } catch {
                report.failures.append(Problem(itemID: item.postID, title: item.title, line: item.line, message: "\(error)"))
            }
            progress(report)
        }
        /// Items read but not converted yet (no pictures to bring in: converting then needs nothing but the item).
        var waiting: [WXRItem] = []
        func convertWaiting() async throws {
            let items = waiting
            waiting.removeAll(keepingCapacity: true)
            let outcomes = await converted(items, channel: channel, options: options, now: now, owners: owners)
            for (item, (outcome, converted)) in zip(items, outcomes) { try await take(item, outcome, converted) }
        }
        do {
            try await reader.read(
                channel: {
                    channel = $0
                    if let accounts = options.accounts, !options.dryRun { owners = try await accounts($0) }
                }
            ) { item in
                if pictures == nil {
                    // Converted a group at a time, on both cores (`converted`), beside the batch being written.
                    waiting.append(item)
                    if waiting.count >= Self.convertedTogether { try await convertWaiting() }
                } else {
                    let (outcome, converted) = await convertedOne(
                        item, channel: channel, options: options, now: now, pictures: pictures, owner: owners[item.creator])
                    try await take(item, outcome, converted)
                }
            }
            try await convertWaiting()
            try await flush()
            while !writing.isEmpty { try await finish() }
        } catch {
            // The batches still being written end (whole, or not at all) before the error is passed on.
            for batch in writing { _ = try? await batch.task.value }
            throw error
        }
        if !options.dryRun {
            try await storeArchiveRedirects(archives, channel: channel, report: &report)
            if report.created + report.updated > 0 { try await RelatedArticles(database: database).refreshAll(now: now) }
        }
        if let pictures {
            report.mediaRefused = pictures.refused
            report.mediaCopied = pictures.copied
            report.mediaKnown = pictures.known
            report.mediaMissing = pictures.missing
            report.missingFiles = pictures.missingFiles
        }
        return report
    }

    /// Items converted together: in two halves at once (`converted`).
    static let convertedTogether = 64

    /// `importItem` of each item without pictures, in order, the two halves at once: converting a post (sanitizing,
    /// analysing, encoding its revision) is about as long as writing it, so conversion on both cores keeps the writer
    /// busy. Each gives what it added to the report apart, so that the report counts as one item at a time did.
    private func converted(
        _ items: [WXRItem], channel: WXRChannel, options: Options, now: Date, owners: [String: Int]
    ) async -> [(Result<Pending?, any Error>, Report)] {
        let half = (items.count + 1) / 2
        return await withTaskGroup(of: (Int, [(Result<Pending?, any Error>, Report)]).self) { group in
            for (index, start) in [0, half].enumerated() where start < items.count {
                let part = Array(items[start..<min(start + half, items.count)])
                group.addTask {
                    var outcomes: [(Result<Pending?, any Error>, Report)] = []
                    for item in part {
                        let owner = owners[item.creator]
                        outcomes.append(await convertedOne(item, channel: channel, options: options, now: now, pictures: nil, owner: owner))
                    }
                    return (index, outcomes)
                }
            }
            var parts: [Int: [(Result<Pending?, any Error>, Report)]] = [:]
            for await (index, part) in group { parts[index] = part }
            return (parts[0] ?? []) + (parts[1] ?? [])
        }
    }

    /// `importItem` of one item, with what it added to the report counted apart and its error kept for `take`.
    private func convertedOne(
        _ item: WXRItem, channel: WXRChannel, options: Options, now: Date, pictures: WordPressMedia?, owner: Int?
    ) async -> (Result<Pending?, any Error>, Report) {
        var converted = Report()
        do {
            let post = try await importItem(
                item, channel: channel, options: options, now: now, pictures: pictures, owner: owner, report: &converted)
            return (.success(post), converted)
        } catch {
            return (.failure(error), converted)
        }
    }

    private func importItem(
        _ item: WXRItem, channel: WXRChannel, options: Options, now: Date, pictures: WordPressMedia?, owner: Int?, report: inout Report
    ) async throws -> Pending? {
        // With an uploads folder, attachments went into the media library in the first pass.
        if item.postType == "attachment", pictures != nil { return nil }
        guard item.postType == "post" else {
            report.skipped[item.postType.isEmpty ? "unknown type" : item.postType, default: 0] += 1
            return nil
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
            return nil
        }
        if let field = item.oversizeField {
            throw InvalidInput("<\(field)> is longer than \(WXRReader.maxFieldBytes >> 20) MB; not imported")
        }
        let title = item.title.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        guard !title.isEmpty else { throw InvalidInput("the post has no title") }
        if item.isSticky { report.sticky += 1 }

        // The pictures of the site's uploads that the body shows, by their address in the export → the library's copy.
        var sources: [String: String] = [:]
        if let pictures {
            var addresses: [String] = []
            _ = WordPressBody.rewriteImageSources(item.content) { url in
                if addresses.count < 500 { addresses.append(url) }
                return nil
            }
            await pictures.prefetch(addresses)
            for url in addresses where sources[url] == nil {
                if let address = try await pictures.image(url) { sources[url] = address.path }
            }
            pictures.forgetDownloads()
        }
        // Bringing the pictures in (`--uploads`, `--fetch-media`), one that could not be is left out (and reported), not
        // kept pointing at the old site; without, pictures elsewhere stay at their https addresses.
        let body = WordPressBody.convert(item.content) { url in pictures == nil ? nil : sources[url] ?? "" }
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
            slug: "", kicker: options.kickerMeta.flatMap { item.meta[$0] }.map { WordPressText.trimmed($0) } ?? "",
            title: title, lead: lead, bodyHTML: blocks.map(\.html).joined(separator: "\n"),
            section: categories.first ?? options.defaultSection, tags: tags,
            authors: author.isEmpty ? [] : [.init(name: author)], status: status,
            publishedAt: Self.publicationTime(gmt: item.postDateGMT, local: item.postDate) ?? now)
        if let pictures, let thumbnail = item.meta["_thumbnail_id"].flatMap({ Int(WordPressText.trimmed($0, .whitespaces)) }),
            thumbnail > 0
        {
            if let address = pictures.attachments[thumbnail] {
                input.featuredImage = FeaturedImage(media: address.hash)
                report.featured += 1
            } else {
                report.warnings.append(
                    Problem(
                        itemID: item.postID, title: title, line: item.line,
                        message: "its featured picture (attachment \(thumbnail)) is not in the export or its file is missing"))
            }
        }
        // Yoast SEO's and Rank Math's words for search results and share cards (the README's mapping table): their
        // variables expanded, a field naming one Vestnik cannot fill left out (the headline or lead serves).
        let variables = Self.seoVariables(
            title: title, site: channel.title, lead: lead, category: categories.first ?? "", tags: tags, author: author, now: now)
        for (keys, limit, path) in Self.seoMeta {
            guard let key = keys.first(where: { !(item.meta[$0] ?? "").allSatisfy(\.isWhitespace) }), let raw = item.meta[key] else {
                continue
            }
            if let text = WordPressText.seoText(raw, values: variables), text.count <= limit {
                input[keyPath: path] = text
            } else {
                report.warnings.append(
                    Problem(
                        itemID: item.postID, title: title, line: item.line,
                        message: "its \(key) names a variable Vestnik cannot fill, or is too long; left out"))
            }
        }
        if let pictures,
            let id = ["_yoast_wpseo_opengraph-image-id", "rank_math_facebook_image_id"].lazy.compactMap({
                item.meta[$0].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            }).first, id > 0, let address = pictures.attachments[id]
        {
            input.socialImage = address.hash
        }
        let baseSlug = Self.baseSlug(item, title: title)
        input.slug = baseSlug
        try ArticleRepository.validate(input)
        report.posts[item.status, default: 0] += 1
        let keys = redirectKeys(item)
        report.redirects += keys.count
        if options.dryRun { return nil }
        let postID = item.postID
        // Where it came from, its old addresses and its owner are written with the whole batch (`records`).
        var write = ArticleWriteService.Imported(
            input: input, slug: { db in try await Self.slug(postID: postID, base: baseSlug, source: source, in: db) })
        // Analysed here, while the batch before is being written (its names as stored are analysed with it).
        write.analysed = SearchIndexer.Analysed(kicker: input.kicker, title: input.title, lead: input.lead, bodyHTML: input.bodyHTML)
        // And its revision's snapshot, as saved under its own slug (a taken slug or a gallery makes another).
        write.snapshot = (input, try ArticleWriteService.importSnapshot(input))
        // What is kept of the item until its batch is written: not its body.
        var kept = item
        kept.content = ""
        kept.excerpt = ""
        kept.meta = [:]
        return Pending(item: kept, baseSlug: baseSlug, write: write, redirects: keys, owner: owner)
    }

    /// What a batch's transaction writes after its posts are saved (`importArticles`' `beforeCommit`), given their
    /// article ids: each post's record in `import_items` (the export's site and post id → the article), its old
    /// addresses (`legacy_redirects`) and, for an article without one, its owner, in a few multi-row statements.
    /// A batch holds a post once (the importer starts a new batch for a post read again), so no upsert touches a row
    /// twice; an address two posts of the batch had goes to the later one, as writing them one by one did.
    static func records(_ posts: [Pending], source: String) -> @Sendable ([Int], any SQLDatabase) async throws -> Void {
        let posts = posts.map { (postID: $0.item.postID, redirects: $0.redirects, owner: $0.owner) }
        return { ids, db in
            let rows = Array(zip(posts, ids))
            var paths: [String: Int] = [:]
            var owned: [Int: [any Encodable & Sendable]] = [:]
            for (post, id) in rows {
                for key in post.redirects { paths[key] = id }
                if let owner = post.owner { owned[owner, default: []].append(id) }
            }
            for group in Database.rowGroups(rows.count, largest: 256) {
                var items: SQLQueryString = ""
                for (offset, (post, id)) in rows[group].enumerated() {
                    items += (offset == 0 ? "" : ", ") + "(\(bind: source), \(bind: post.postID), \(bind: id))"
                }
                try await db.raw(
                    """
                    INSERT INTO import_items (source, item_id, article_id) VALUES \(items)
                    ON CONFLICT (source, item_id) DO UPDATE SET article_id = EXCLUDED.article_id
                    """
                ).run()
            }
            try await LegacyRedirects.store(paths, in: db)
            for (owner, articles) in owned.sorted(by: { $0.key < $1.key }) {
                for group in Database.rowGroups(articles.count, largest: 256) {
                    let some = Array(articles[group])
                    try await db.raw(
                        "UPDATE articles SET created_by = \(bind: owner) WHERE id IN (\(binds: some)) AND created_by IS NULL"
                    ).run()
                }
            }
        }
    }

    /// The post meta of Yoast SEO and Rank Math, the first found of each, and the field and longest text it fills.
    static var seoMeta: [([String], Int, WritableKeyPath<ArticleInput, String?>)] {
        [
            (["_yoast_wpseo_title", "rank_math_title"], ArticleInput.maxSEOTitle, \.seoTitle),
            (["_yoast_wpseo_metadesc", "rank_math_description"], ArticleInput.maxSEODescription, \.seoDescription),
            (["_yoast_wpseo_opengraph-title", "rank_math_facebook_title"], ArticleInput.maxSEOTitle, \.socialTitle),
            (
                ["_yoast_wpseo_opengraph-description", "rank_math_facebook_description"], ArticleInput.maxSEODescription,
                \.socialDescription
            ),
        ]
    }

    /// The Yoast and Rank Math variables a post's SEO fields may name that the export can fill (anything else, such
    /// as a custom field's `%%cf_…%%` or `%%sitedesc%%`, drops the field). The separator is Yoast's default; a
    /// post is one page.
    static func seoVariables(
        title: String, site: String, lead: String, category: String, tags: [String], author: String, now: Date
    ) -> [String: String] {
        [
            "title": title, "sitename": site, "sep": "-", "excerpt": lead, "excerpt_only": lead, "category": category,
            "primary_category": category, "tag": tags.joined(separator: ", "), "name": author,
            "currentyear": String(SofiaTime.components(of: now).year), "page": "", "pagenumber": "", "pagetotal": "",
        ]
    }

    /// A converted post waiting for its batch's transaction.
    /// What became of a post written: saved (its slug and whether it was new), or failed with the reason.
    enum Stored: Sendable {
        case saved(slug: String, result: ArticleRepository.SaveResult)
        case failed(String)
    }

    /// Writes a batch in one transaction; if that fails, its posts one at a time, so one bad post fails alone. An
    /// unreachable database ends the import.
    static func store(_ posts: [Pending], writes: ArticleWriteService, now: Date, source: String) async throws -> [Stored] {
        do {
            return try await writes.importArticles(posts.map(\.write), now: now, beforeCommit: records(posts, source: source)).map {
                .saved(slug: $0.slug, result: $0.result)
            }
        } catch let error as DatabaseUnavailableError {
            throw error
        } catch {
            var stored: [Stored] = []
            for post in posts {
                do {
                    let saved = try await writes.importArticles([post.write], now: now, beforeCommit: records([post], source: source))[0]
                    stored.append(.saved(slug: saved.slug, result: saved.result))
                } catch let error as DatabaseUnavailableError {
                    throw error
                } catch {
                    stored.append(.failed((error as? InvalidInput)?.description ?? "\(error)"))
                }
            }
            return stored
        }
    }

    struct Pending {
        var item: WXRItem
        var baseSlug: String
        var write: ArticleWriteService.Imported
        /// Its old addresses, and its owner's account (`--create-users`).
        var redirects: [String]
        var owner: Int?
    }

    /// WordPress's slug, percent-decoded and transliterated by the law's table (its old form stays reachable through
    /// the redirects); else one from the title.
    static func baseSlug(_ item: WXRItem, title: String) -> String {
        let decoded = FormURLEncoding.percentDecoded(item.postName) ?? item.postName
        var base = Slug.make(decoded)
        if base.isEmpty { base = Slug.make(title) }
        if base.isEmpty { base = "post-\(item.postID)" }
        return String(base.prefix(190))
    }

    /// The post's slug, chosen inside its batch's transaction: the one it got the first time it was imported (a
    /// re-run updates that article); else `base`, or `base-2`, `-3` … when another article holds it (the importer
    /// warns).
    static func slug(postID: Int, base: String, source: String, in db: any SQLDatabase) async throws -> ArticleRepository.SlugChoice {
        // One statement for the usual cases: imported before (that article, which the save then needs not look up),
        // or a new post whose slug is free.
        let row = try await db.raw(
            """
            SELECT e.slug AS earlier, e.id, e.reads,
                CASE WHEN EXISTS (SELECT 1 FROM articles WHERE slug = \(bind: base))
                    OR EXISTS (SELECT 1 FROM article_slug_history WHERE slug = \(bind: base)) THEN 1 ELSE 0 END AS taken
            FROM (SELECT 1 AS one) AS o LEFT JOIN (
                SELECT a.slug, a.id, a.reads FROM import_items i JOIN articles a ON a.id = i.article_id
                WHERE i.source = \(bind: source) AND i.item_id = \(bind: postID)
            ) AS e ON 1 = 1
            """
        ).first()
        if let row, let earlier = try row.decode(column: "earlier", as: String?.self) {
            return .init(slug: earlier, article: (try row.int("id"), try row.int("reads")))
        }
        // No article has the slug chosen below.
        if try row?.int("taken") == 0 { return .init(slug: base, article: nil) }
        var candidate = base
        var number = 1
        while try await ArticleRepository.slugOwner(candidate, in: db) != nil {
            number += 1
            candidate = "\(base)-\(number)"
        }
        return .init(slug: candidate, article: nil)
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
