import Foundation
import SQLKit
import VestnikCore

/// Who is writing: a newsroom user with their role, or Vestnik itself (the scheduler, an importer).
public struct ArticleWriter: Sendable, Equatable {
    /// Nil for Vestnik itself; audit rows then name no user.
    public var userID: Int?
    public var role: Role

    public init(userID: Int, role: Role) {
        self.userID = userID
        self.role = role
    }

    private init(system: Void) {
        userID = nil
        role = .chief
    }

    /// The scheduler and the importers: they act on the operator's behalf, with every right.
    public static let system = ArticleWriter(system: ())
}

/// Why a write was refused before anything was stored.
public enum ArticleWriteError: Error, Equatable, CustomStringConvertible {
    /// The writer's role does not allow this article or this change of status (Core's `Workflow`).
    case notAllowed
    /// The featured picture is not in the media library.
    case missingPicture
    /// The share card's picture is not in the media library.
    case missingSocialPicture

    public var description: String {
        switch self {
        case .notAllowed: return "this role may not make this change to this article"
        case .missingPicture: return "the featured picture is not in the media library"
        case .missingSocialPicture: return "the social picture is not in the media library"
        }
    }
}

/// The one way an article is written: the newsroom's forms, the scheduler and the importers call it (and the admin
/// API and live coverage will), so every write gets the same role rules, validation, optimistic concurrency,
/// revision, audit row, change announcement and webhook deliveries. The article, its revision, its audit rows, its
/// webhook deliveries and the writer's cleared autosave are one transaction: either all of them are stored or none is. It lives beside the repositories because
/// it needs their transaction; the web layer only translates forms and JSON into its calls.
public struct ArticleWriteService: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    public enum Outcome: Sendable, Equatable {
        case saved(id: Int, revision: Int)
        /// The save was based on an older revision, and merged with the newer ones that `byName` saved meanwhile:
        /// nobody's change was lost (only with `mergingStale`).
        case merged(id: Int, revision: Int, byName: String)
        /// The save was based on a revision that is no longer the latest: nothing was stored. With `mergingStale`,
        /// only when both changed the same field or paragraph differently (the conflict then holds the merged draft).
        case conflict(EditorialConflict)
    }

    /// Saves `draft` (its `status` is the status asked for: the same as now for a plain save, another for a workflow
    /// step) as a new revision of article `articleID`, or as a new article when nil, if `baseRevision` is still the
    /// latest. Throws `ArticleWriteError` when the writer may not do this, `InvalidInput` when the draft is invalid.
    /// With `mergingStale` (the newsroom's editor), a save from an older revision is merged with what was saved since
    /// (`ArticleMerge`) and stored when nothing clashes; without it (the admin API) it is a conflict, as asked.
    /// `markUpdated` ("Покажи като обновена"): a published article that stays published gets `now` as the time its
    /// page says it was updated (and `dateModified`); without it that time stays as it was, so a typo fix is no news.
    public func save(
        _ draft: ArticleInput, articleID: Int?, baseRevision: Int, by writer: ArticleWriter, now: Date, mergingStale: Bool = false,
        markUpdated: Bool = false
    ) async throws
        -> Outcome
    {
        if mergingStale, let articleID, let latest = try await EditorialRepository(database: database).latest(articleID: articleID),
            latest.revision != baseRevision,
            let base = try await EditorialRepository(database: database).revision(articleID: articleID, number: baseRevision)
        {
            // The draft's status says what the writer asked for relative to the revision they had: unchanged means
            // "leave it as it is now", which the merge gives.
            let (merged, clashes) = ArticleMerge.merge(base: base.input, mine: draft, theirs: latest.current)
            guard clashes.isEmpty else {
                var conflict = latest
                conflict.merged = merged
                conflict.clashes = clashes
                return .conflict(conflict)
            }
            switch try await save(
                merged, articleID: articleID, baseRevision: latest.revision, by: writer, now: now, markUpdated: markUpdated)
            {
            case .saved(let id, let revision): return .merged(id: id, revision: revision, byName: latest.byName)
            case let other: return other
            }
        }
        // Only what the rules need (not the whole article, whose body may be a megabyte).
        let current = try await articleID.asyncMap { id in
            guard let found = try await state(of: id) else { throw InvalidInput("no article \(id)") }
            return found
        }
        let own = current.map { $0.ownerID != nil && $0.ownerID == writer.userID } ?? true
        if current != nil, !(own || writer.role.editsAnyone) { throw ArticleWriteError.notAllowed }
        let from = current?.status ?? .draft
        guard Workflow.allows(from: from, to: draft.status, role: writer.role, own: own) else { throw ArticleWriteError.notAllowed }
        if let chosen = draft.featuredImage, try await MediaRepository(database: database).item(hash: chosen.media) == nil {
            throw ArticleWriteError.missingPicture
        }
        if let chosen = draft.socialImage, try await MediaRepository(database: database).item(hash: chosen) == nil {
            throw ArticleWriteError.missingSocialPicture
        }
        var input = try await withGalleries(draft)
        // The publication time is set when an article is first published and kept after that.
        if draft.status != .scheduled {
            let wasPublished = from == .published
            input.publishedAt = current.map { draft.status == .published && !wasPublished ? now : $0.publishedAt } ?? now
        }
        try ArticleRepository.validate(input)
        let marksUpdated = markUpdated && from == .published && draft.status == .published
        let actions =
            (current == nil ? ["created"] : []) + (draft.status != from ? [draft.status.rawValue] : [])
            + (marksUpdated ? ["marked_updated"] : [])
        let dialect = database.dialect
        let validated = input
        let stored: (id: Int, revision: Int, change: ContentChange)? = try await database.write { db in
            var input = validated
            try await Database.serialize(LockKeys.articleWrites, dialect: dialect, in: db)
            let latest = try await articleID.asyncMap { try await EditorialRepository.latestRevision(articleID: $0, in: db) } ?? 0
            guard latest == (articleID == nil ? 0 : baseRevision) else { return nil }
            var change = ContentChange(keys: [])
            if let articleID {
                // Until its first publication an article has no public address: its slug follows its title while it
                // is still the title's own, and a changed slug leaves no redirect behind. After it, a change is a 301.
                let unpublished = try await Self.neverPublished(articleID, in: db)
                if unpublished, let stored = try await db.raw("SELECT slug, title FROM articles WHERE id = \(bind: articleID)").first(),
                    try stored.string("slug") == input.slug, input.slug == Slug.make(try stored.string("title"))
                {
                    let following = Slug.make(input.title)
                    if !following.isEmpty, following != input.slug, try await ArticleRepository.slugOwner(following, in: db) == nil {
                        input.slug = following
                    }
                }
                change.formUnion(
                    try await ArticleRepository.changeSlug(articleID: articleID, to: input.slug, keepingRedirect: !unpublished, in: db))
            } else if try await ArticleRepository.slugOwner(input.slug, in: db) != nil {
                throw InvalidInput("the slug „\(input.slug)“ is taken")
            }
            if !writer.role.editsAnyone { input.authors = try await Self.keepingRoleTitles(input.authors, in: db) }
            let (result, saved) = try await ArticleRepository.save(input, now: now, dialect: dialect, in: db)
            change.formUnion(saved)
            if marksUpdated {
                try await db.raw("UPDATE articles SET modified_at = \(bind: now.unixSeconds) WHERE id = \(bind: result.id)").run()
            }
            if articleID == nil, let userID = writer.userID {
                try await db.raw("UPDATE articles SET created_by = \(bind: userID) WHERE id = \(bind: result.id)").run()
            }
            let snapshot = String(decoding: try JSONEncoder().encode(input), as: UTF8.self)
            try await EditorialRepository.insertRevision(
                articleID: result.id, number: latest + 1, userID: writer.userID, snapshot: snapshot, now: now, in: db)
            for action in actions {
                try await Self.audit(userID: writer.userID, action: action, articleID: result.id, title: input.title, now: now, in: db)
            }
            if let userID = writer.userID {
                try await DraftKeeping.clearAutosave(userID: userID, articleID: articleID, in: db)
            }
            try await WebhookRepository.enqueue(WebhookEvent.of(from: from, to: input.status), articleID: result.id, now: now, in: db)
            return (result.id, latest + 1, change)
        }
        guard let stored else {
            guard let articleID, let conflict = try await EditorialRepository(database: database).latest(articleID: articleID) else {
                throw InvalidInput("no revision of article \(articleID ?? 0)")
            }
            return .conflict(conflict)
        }
        await database.announce(stored.change)
        try await RelatedArticles(database: database).refresh(after: stored.id, now: now)
        // Outside pictures queued for a copy into the library, when the operator asks for it (best effort: the save
        // is stored; a picture not queued stays at its address).
        _ = try? await BodyPictureCopies(database: database).enqueue(bodyHTML: validated.bodyHTML, now: now)
        return .saved(id: stored.id, revision: stored.revision)
    }

    /// Creates or updates the article with `input.slug` as Vestnik itself (an import): a new revision on top of the
    /// latest, an audit row, the same transaction. The "Още:" lists are refreshed only when `refreshRelated` (a bulk
    /// import refreshes them once at the end). `alongside` runs in the same transaction with the article's id, so an
    /// importer's own records (where the item came from, its old addresses) are stored with it or not at all.
    @discardableResult
    public func importArticle(
        _ input: ArticleInput, now: Date, refreshRelated: Bool = true,
        alongside: (@Sendable (Int, any SQLDatabase) async throws -> Void)? = nil
    ) async throws -> ArticleRepository.SaveResult {
        let results = try await importArticles(
            [Imported(input: input, slug: nil, alongside: alongside ?? { _, _ in })], now: now)
        if refreshRelated { try await RelatedArticles(database: database).refresh(after: results[0].result.id, now: now) }
        return results[0].result
    }

    /// One article of `importArticles`.
    public struct Imported: Sendable {
        public var input: ArticleInput
        /// Chooses the slug inside the transaction, so it sees the rows written before it in the same batch, and
        /// says which article has it (nil: `input.slug`, and the article is looked up by it).
        public var slug: (@Sendable (any SQLDatabase) async throws -> ArticleRepository.SlugChoice)?
        /// Run after the article's save, in the same transaction (the importer's own per-batch records go in
        /// `importArticles`' `beforeCommit` instead).
        public var alongside: @Sendable (Int, any SQLDatabase) async throws -> Void
        /// The search analysis of the article's own text, made beforehand (used only when it is of this text).
        var analysed: SearchIndexer.Analysed?
        /// The revision's snapshot of an input, encoded beforehand (`importSnapshot`; used only when it is of the
        /// input as saved, with its slug chosen).
        var snapshot: (input: ArticleInput, json: String)?

        public init(
            input: ArticleInput, slug: (@Sendable (any SQLDatabase) async throws -> ArticleRepository.SlugChoice)?,
            alongside: @escaping @Sendable (Int, any SQLDatabase) async throws -> Void = { _, _ in }
        ) {
            self.input = input
            self.slug = slug
            self.alongside = alongside
        }
    }

    /// `importArticle` for many articles in ONE transaction (a bulk import's batch): all of them are stored, with
    /// their revisions, audit rows and the importer's own records, or none. Returns each one's slug and result, in
    /// order. The "Още:" lists are not refreshed. `beforeCommit` gets the articles' ids (in `items`' order) inside the
    /// transaction, after every save: the importer's records of the whole batch in a few statements.
    public func importArticles(
        _ items: [Imported], now: Date, beforeCommit: (@Sendable ([Int], any SQLDatabase) async throws -> Void)? = nil
    ) async throws -> [(slug: String, result: ArticleRepository.SaveResult)] {
        var ready = items
        for index in ready.indices { ready[index].input = try await withGalleries(ready[index].input) }
        let items = ready
        for item in items where item.slug == nil { try ArticleRepository.validate(item.input) }
        let dialect = database.dialect
        let (results, change) = try await database.write { db -> ([(String, ArticleRepository.SaveResult)], ContentChange) in
            try await Database.serialize(LockKeys.articleWrites, dialect: dialect, in: db)
            var results: [(String, ArticleRepository.SaveResult)] = []
            var change = ContentChange(keys: [])
            let taxonomy = TaxonomyCache()
            // The batch's sections, topics and tags that exist already, in three statements instead of two per name.
            try await taxonomy.prefetch(.section, items.map(\.input.section), in: db)
            try await taxonomy.prefetch(.topic, items.compactMap(\.input.topic), in: db)
            try await taxonomy.prefetch(.tag, items.flatMap(\.input.tags), in: db)
            let search = SearchIndexer.Batch()
            // The batch's revisions (each with its audit row), written together before the commit; an article's
            // latest revision of this batch, for the same post twice in one file.
            var revisions: [(articleID: Int, number: Int, snapshot: String, title: String)] = []
            var latestInBatch: [Int: (number: Int, snapshot: String)] = [:]
            for item in items {
                var input = item.input
                var existing = ArticleRepository.Existing.unknown
                if let slug = item.slug {
                    let choice = try await slug(db)
                    input.slug = choice.slug
                    existing = .known(choice.article)
                }
                let (result, saved) = try await ArticleRepository.save(
                    input, now: now, dialect: dialect, taxonomy: taxonomy, terms: search, analysed: item.analysed, existing: existing,
                    in: db)
                change.formUnion(saved)
                let snapshot = try item.snapshot.flatMap { $0.input == input ? $0.json : nil } ?? Self.importSnapshot(input)
                // Importing the same file again stores nothing new: no revision, no audit row. (An article created
                // just now has no revision yet.)
                var latest: (number: Int, snapshot: String)?
                if case .updated = result {
                    if let known = latestInBatch[result.id] {
                        latest = known
                    } else if let row = try await db.raw(
                        """
                        SELECT number, snapshot FROM article_revisions WHERE article_id = \(bind: result.id) ORDER BY number DESC LIMIT 1
                        """
                    ).first() {
                        latest = (try row.int("number"), try row.string("snapshot"))
                    }
                }
                if latest?.snapshot != snapshot {
                    let number = (latest?.number ?? 0) + 1
                    revisions.append((result.id, number, snapshot, input.title))
                    latestInBatch[result.id] = (number, snapshot)
                }
                try await item.alongside(result.id, db)
                results.append((input.slug, result))
            }
            try await search.write(dialect: dialect, in: db)
            try await Self.insertImported(revisions, now: now, in: db)
            try await beforeCommit?(results.map { $0.1.id }, db)
            return (results, change)
        }
        await database.announce(change)
        // The setting is read once per batch, and bodies are searched for outside pictures only when copying is on.
        let copies = BodyPictureCopies(database: database)
        if (try? await copies.isOn()) == true {
            for item in items { _ = try? await copies.enqueue(bodyHTML: item.input.bodyHTML, now: now) }
        }
        return results.map { (slug: $0.0, result: $0.1) }
    }

    /// An imported article's revision snapshot: its input as JSON, keys sorted (so that importing the same file again
    /// finds the same text and stores no new revision).
    static func importSnapshot(_ input: ArticleInput) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(input), as: UTF8.self)
    }

    /// The draft with its "(СНИМКИ)" marker set when its body has a gallery (a marker an editor set by hand stays
    /// without one); `InvalidInput` when a gallery shows a picture the media library does not have (a gallery names
    /// library pictures only: see `Gallery`).
    func withGalleries(_ draft: ArticleInput) async throws -> ArticleInput {
        let galleries = Gallery.all(in: draft.bodyHTML)
        if galleries.isEmpty { return draft }
        let named = galleries.flatMap(\.pictures)
        let found = try await MediaRepository(database: database).items(hashes: named.map(\.hash))
        let missing = named.filter { found[$0.hash]?.address != $0 }
        if !missing.isEmpty {
            throw InvalidInput(
                "the gallery shows pictures the media library does not have: " + missing.map(\.fileName).joined(separator: ", "))
        }
        var input = draft
        input.media.gallery = true
        return input
    }

    /// Publishes scheduled articles whose time has come (overdue ones too, e.g. after a restart); returns the ids this
    /// call published. Every node may run it: each article is claimed by a conditional update (`status = 'scheduled'`
    /// → `'published'`) that only one transaction wins, so exactly one node publishes it and writes its audit row.
    @discardableResult
    public func publishDue(now: Date, limit: Int = 100) async throws -> [Int] {
        let due = try await database.read { db in
            try await db.raw(
                """
                SELECT id FROM articles WHERE status = \(bind: ArticleStatus.scheduled.rawValue)
                    AND published_at <= \(bind: now.unixSeconds) ORDER BY published_at, id LIMIT \(literal: limit)
                """
            ).all().map { try $0.int("id") }
        }
        var published: [Int] = []
        for id in due {
            let claimed = try await database.write { db -> ContentChange? in
                let before = try await ArticlePlacement.of(articleID: id, in: db)
                guard
                    let row = try await db.raw(
                        """
                        UPDATE articles SET status = \(bind: ArticleStatus.published.rawValue), updated_at = \(bind: now.unixSeconds)
                        WHERE id = \(bind: id) AND status = \(bind: ArticleStatus.scheduled.rawValue) RETURNING title
                        """
                    ).first()
                else { return nil }
                try await Self.audit(
                    userID: nil, action: ArticleStatus.published.rawValue, articleID: id, title: try row.string("title"), now: now, in: db)
                // The same event as a manual publication, and the schedule's own, in the transaction that wins the claim.
                try await WebhookRepository.enqueue([.published, .scheduleFired], articleID: id, now: now, in: db)
                let after = try await ArticlePlacement.of(articleID: id, in: db)
                return ArticlePlacement.change(articleID: id, before: before, after: after)
            }
            guard let claimed else { continue }
            await database.announce(claimed)
            try await RelatedArticles(database: database).refresh(after: id, now: now)
            published.append(id)
        }
        return published
    }

    private struct State: Sendable {
        var status: ArticleStatus
        var ownerID: Int?
        var publishedAt: Date
    }

    private func state(of id: Int) async throws -> State? {
        try await database.read { db in
            guard let row = try await db.raw("SELECT status, created_by, published_at FROM articles WHERE id = \(bind: id)").first()
            else { return nil }
            return State(
                status: ArticleStatus(rawValue: try row.string("status")) ?? .draft, ownerID: try row.optionalInt("created_by"),
                publishedAt: try row.date("published_at"))
        }
    }

    /// Whether a save will still move the article's slug with its title (as `save` does): never published, and its
    /// slug still the stored title's own. The editor's slug box follows the title as one types while this holds.
    public func slugFollowsTitle(articleID: Int) async throws -> Bool {
        try await database.read { db in
            guard try await Self.neverPublished(articleID, in: db),
                let stored = try await db.raw("SELECT slug, title FROM articles WHERE id = \(bind: articleID)").first()
            else { return false }
            return try stored.string("slug") == Slug.make(try stored.string("title"))
        }
    }

    /// Whether the article has never been public: not published now, and no save ever published it.
    static func neverPublished(_ articleID: Int, in db: any SQLDatabase) async throws -> Bool {
        let status = try await db.raw("SELECT status FROM articles WHERE id = \(bind: articleID)").first()?.string("status")
        guard let status, ["draft", "review", "scheduled"].contains(status) else { return false }
        return try await db.raw(
            "SELECT 1 AS one FROM audit_log WHERE article_id = \(bind: articleID) AND action = 'published' LIMIT 1"
        ).first() == nil
    }

    /// One audit row, inside the caller's transaction: on an article (`articleID`), or on the site's structure (nil;
    /// `title` names what changed). A nil user is Vestnik itself.
    /// An import batch's revisions (no user) and their "imported" audit rows, in batch order, in multi-row statements.
    static func insertImported(
        _ revisions: [(articleID: Int, number: Int, snapshot: String, title: String)], now: Date, in db: any SQLDatabase
    ) async throws {
        for group in Database.rowGroups(revisions.count, largest: 128) {
            let chunk = revisions[group]
            var rows: SQLQueryString = ""
            var audits: SQLQueryString = ""
            for (offset, r) in chunk.enumerated() {
                rows +=
                    (offset == 0 ? "" : ", ")
                    + "(\(bind: r.articleID), \(bind: r.number), NULL, \(bind: now.unixSeconds), \(bind: r.snapshot))"
                audits += (offset == 0 ? "" : ", ") + "(\(bind: now.unixSeconds), NULL, 'imported', \(bind: r.articleID), \(bind: r.title))"
            }
            try await db.raw("INSERT INTO article_revisions (article_id, number, user_id, created_at, snapshot) VALUES \(rows)").run()
            try await db.raw("INSERT INTO audit_log (at, user_id, action, article_id, title) VALUES \(audits)").run()
        }
    }

    static func audit(userID: Int?, action: String, articleID: Int?, title: String, now: Date, in db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO audit_log (at, user_id, action, article_id, title)
            VALUES (\(bind: now.unixSeconds), \(bind: userID), \(bind: action), \(bind: articleID), \(bind: title))
            """
        ).run()
    }

    /// A byline's role title is public on every article of that author and on their page: below editor, naming an
    /// author who exists keeps their title (editors change it on the author's page); a new author may bring one.
    static func keepingRoleTitles(_ bylines: [ArticleInput.Byline], in db: any SQLDatabase) async throws -> [ArticleInput.Byline] {
        var kept: [ArticleInput.Byline] = []
        for byline in bylines {
            var byline = byline
            let slug = Slug.make(byline.name)
            if byline.role != nil, !slug.isEmpty, try await TaxonomyRepository.existing(.author, name: byline.name, slug: slug, db) != nil {
                byline.role = nil
            }
            kept.append(byline)
        }
        return kept
    }
}

extension Optional {
    /// `map` for an async transform.
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
