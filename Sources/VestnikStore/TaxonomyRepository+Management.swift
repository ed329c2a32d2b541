import Foundation
import SQLKit
import VestnikCore

/// Why an edit of the structure was refused; the newsroom says it in words (`nr_structure_<rawValue>`).
public enum StructureProblem: String, Error, Sendable, CaseIterable {
    case emptyName = "empty_name"
    case longName = "long_name"
    case controlCharacters = "control_characters"
    case emptySlug = "empty_slug"
    case longSlug = "long_slug"
    case reservedSlug = "reserved_slug"
    case duplicateSlug = "duplicate_slug"
    case duplicateName = "duplicate_name"
    case longText = "long_text"
    case badPhoto = "bad_photo"
    case badPosition = "bad_position"
    case badPin = "bad_pin"
    case tagInUse = "tag_in_use"
    case sameTag = "same_tag"
    case unknownTag = "unknown_tag"
    case notFound = "not_found"
}

/// How long each typed field may be.
public enum StructureLimits {
    public static let name = 120
    public static let slug = 120
    public static let role = 120
    public static let description = 2_000
    public static let bio = 4_000
    public static let position = 0...9_999
}

/// What an edit changed, for the audit log and the search index.
public struct StructureEdit: Sendable, Equatable {
    public var id: Int
    /// Nil when the entry was created.
    public var previousName: String?
    public var name: String
    /// Articles whose search entry names the entry (section, tag, author), to re-index after a rename.
    public var articleIDs: [Int]
}

/// A tag with the number of articles that carry it.
public struct TagUsage: Sendable, Equatable {
    public var tag: Tag
    public var articles: Int
}

/// The newsroom's edits of sections, topics, tags and authors. Every slug an entry leaves behind stays in
/// `taxonomy_slug_history`, so the public page (and links to it from other sites) answers 301 to the new one; an
/// article or content file that still names the old entry finds it by its old slug too. Each edit announces
/// `ContentChange.everything` once it has committed: names show in the navigation, cards and bylines everywhere.
extension TaxonomyRepository {
    // MARK: Reading

    public func section(id: Int) async throws -> Section? {
        try await database.read { db in
            try await db.raw("SELECT id, slug, name, description, position FROM sections WHERE id = \(bind: id)").first().map(Self.section)
        }
    }

    public func topics() async throws -> [Topic] {
        try await database.read { db in
            try await db.raw("SELECT id, slug, name, description, pinned_article_id FROM topics ORDER BY name").all().map(Self.topic)
        }
    }

    public func topic(id: Int) async throws -> Topic? {
        try await database.read { db in
            try await db.raw("SELECT id, slug, name, description, pinned_article_id FROM topics WHERE id = \(bind: id)").first()
                .map(Self.topic)
        }
    }

    public func authors() async throws -> [Author] {
        try await database.read { db in
            try await db.raw("SELECT id, slug, name, role, bio, photo FROM authors ORDER BY name").all().map(Self.author)
        }
    }

    public func author(id: Int) async throws -> Author? {
        try await database.read { db in
            try await db.raw("SELECT id, slug, name, role, bio, photo FROM authors WHERE id = \(bind: id)").first().map(Self.author)
        }
    }

    public func tag(id: Int) async throws -> Tag? {
        try await database.read { db in
            try await db.raw("SELECT id, slug, name FROM tags WHERE id = \(bind: id)").first().map(Self.tag)
        }
    }

    /// Up to `limit` tags whose name starts with `prefix` (any case, Cyrillic too), by name: the editor's suggestions.
    public func tagSuggestions(prefix: String, limit: Int = 10) async throws -> [Tag] {
        let key = Self.tagKey(prefix.trimmingCharacters(in: .whitespaces))
        guard !key.isEmpty else { return [] }
        let condition = startsWith("name_key", key)
        return try await database.read { db in
            try await db.raw(
                """
                SELECT id, slug, name FROM tags WHERE \(condition)
                ORDER BY name_key, id LIMIT \(literal: max(0, min(limit, 50)))
                """
            ).all().map(Self.tag)
        }
    }

    /// Tags by name with their article counts, those starting with `prefix` (empty: all), at most `limit`.
    public func tagUsage(prefix: String, limit: Int) async throws -> [TagUsage] {
        let key = Self.tagKey(prefix.trimmingCharacters(in: .whitespaces))
        let condition: SQLQueryString = key.isEmpty ? "1 = 1" : startsWith("g.name_key", key)
        return try await database.read { db in
            try await db.raw(
                """
                SELECT g.id, g.slug, g.name, (SELECT COUNT(*) FROM article_tags x WHERE x.tag_id = g.id) AS uses
                FROM tags g WHERE \(condition)
                ORDER BY g.name_key, g.id LIMIT \(literal: max(0, limit))
                """
            ).all().map { TagUsage(tag: try Self.tag($0), articles: try $0.int("uses")) }
        }
    }

    public func tagUses(id: Int) async throws -> Int {
        try await database.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM article_tags WHERE tag_id = \(bind: id)").first()?.int("n") ?? 0
        }
    }

    /// The published articles of a topic, newest first: what an editor may pin on its hub page.
    public func pinCandidates(topicID: Int, limit: Int = 100) async throws -> [(id: Int, title: String)] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT id, kicker, title FROM articles WHERE topic_id = \(bind: topicID) AND status = 'published'
                ORDER BY published_at DESC, id DESC LIMIT \(literal: limit)
                """
            ).all().map { row in
                let kicker = try row.string("kicker")
                let title = try row.string("title")
                return (try row.int("id"), kicker.isEmpty ? title : "\(kicker): \(title)")
            }
        }
    }

    /// The slug an entry of `kind` has now, if `slug` is one it had before.
    public func movedSlug(_ kind: TaxonomyKind, from slug: String) async throws -> String? {
        try await database.read { db in
            try await db.raw(
                """
                SELECT g.slug FROM taxonomy_slug_history h JOIN \(ident: Self.table(kind)) g ON g.id = h.target_id
                WHERE h.kind = \(bind: kind.rawValue) AND h.slug = \(bind: slug)
                """
            ).first()?.string("slug")
        }
    }

    // MARK: Editing

    /// Creates (`id` nil) or changes a section. An empty `slug` is made from the name.
    public func editSection(id: Int?, name: String, slug: String, description: String, position: Int) async throws -> StructureEdit {
        let name = try Self.checkedName(name)
        guard description.count <= StructureLimits.description else { throw StructureProblem.longText }
        guard StructureLimits.position.contains(position) else { throw StructureProblem.badPosition }
        let slug = try Self.checkedSlug(slug, name: name, kind: .section)
        return try await edit(.section, id: id, name: name, slug: slug) { db, id in
            try await db.raw(
                """
                UPDATE sections SET name = \(bind: name), slug = \(bind: slug), description = \(bind: description),
                    position = \(bind: position) WHERE id = \(bind: id)
                """
            ).run()
        }
    }

    /// Creates or changes a topic; `pinnedArticleID` must be a published article (nil: none pinned).
    public func editTopic(
        id: Int?, name: String, slug: String, description: String, pinnedArticleID: Int?
    ) async throws
        -> StructureEdit
    {
        let name = try Self.checkedName(name)
        guard description.count <= StructureLimits.description else { throw StructureProblem.longText }
        let slug = try Self.checkedSlug(slug, name: name, kind: .topic)
        return try await edit(.topic, id: id, name: name, slug: slug) { db, id in
            if let pinnedArticleID,
                try await db.raw("SELECT id FROM articles WHERE id = \(bind: pinnedArticleID) AND status = 'published'").first() == nil
            {
                throw StructureProblem.badPin
            }
            try await db.raw(
                """
                UPDATE topics SET name = \(bind: name), slug = \(bind: slug), description = \(bind: description),
                    pinned_article_id = \(bind: pinnedArticleID) WHERE id = \(bind: id)
                """
            ).run()
        }
    }

    /// Creates or changes an author: `role` is the public byline title, `photo` an address `PhotoURL` accepts.
    public func editAuthor(
        id: Int?, name: String, slug: String, role: String, bio: String, photo: String
    ) async throws
        -> StructureEdit
    {
        let name = try Self.checkedName(name)
        guard role.count <= StructureLimits.role, bio.count <= StructureLimits.bio else { throw StructureProblem.longText }
        guard PhotoURL.isAcceptable(photo) else { throw StructureProblem.badPhoto }
        let slug = try Self.checkedSlug(slug, name: name, kind: .author)
        return try await edit(.author, id: id, name: name, slug: slug) { db, id in
            try await db.raw(
                """
                UPDATE authors SET name = \(bind: name), slug = \(bind: slug), role = \(bind: role), bio = \(bind: bio),
                    photo = \(bind: photo) WHERE id = \(bind: id)
                """
            ).run()
        }
    }

    /// Renames a tag; its slug follows the name. A name another tag has is refused: merge into that one instead.
    public func renameTag(id: Int, name: String) async throws -> StructureEdit {
        let name = try Self.checkedName(name)
        let slug = try Self.checkedSlug("", name: name, kind: .tag)
        return try await edit(.tag, id: id, name: name, slug: slug) { db, id in
            try await db.raw(
                "UPDATE tags SET name = \(bind: name), name_key = \(bind: Self.tagKey(name)), slug = \(bind: slug) WHERE id = \(bind: id)"
            ).run()
        }
    }

    /// Moves every article of tag `id` to the existing tag named `targetName`, then removes `id`; its slug (and any
    /// it had) answer with the target's page from then on.
    public func mergeTag(id: Int, into targetName: String) async throws -> StructureEdit {
        let targetName = targetName.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !targetName.isEmpty else { throw StructureProblem.emptyName }
        let result = try await database.write { db in
            guard let source = try await db.raw("SELECT id, slug, name FROM tags WHERE id = \(bind: id)").first().map(Self.tag) else {
                throw StructureProblem.notFound
            }
            guard
                let target = try await db.raw(
                    "SELECT id, slug, name FROM tags WHERE name_key = \(bind: Self.tagKey(targetName)) ORDER BY id LIMIT 1"
                ).first().map(Self.tag)
            else { throw StructureProblem.unknownTag }
            guard target.id != source.id else { throw StructureProblem.sameTag }
            let articleIDs = try await db.raw("SELECT article_id FROM article_tags WHERE tag_id = \(bind: id) ORDER BY article_id")
                .all().map { try $0.int("article_id") }
            try await db.raw(
                """
                INSERT INTO article_tags (article_id, tag_id, position)
                SELECT x.article_id, \(bind: target.id), x.position FROM article_tags x
                WHERE x.tag_id = \(bind: id)
                    AND NOT EXISTS (SELECT 1 FROM article_tags y WHERE y.article_id = x.article_id AND y.tag_id = \(bind: target.id))
                """
            ).run()
            try await db.raw("DELETE FROM article_tags WHERE tag_id = \(bind: id)").run()
            try await db.raw(
                "UPDATE taxonomy_slug_history SET target_id = \(bind: target.id) WHERE kind = 'tag' AND target_id = \(bind: id)"
            ).run()
            try await Self.keepSlug(.tag, source.slug, for: target.id, db)
            try await db.raw("DELETE FROM tags WHERE id = \(bind: id)").run()
            return StructureEdit(id: target.id, previousName: source.name, name: target.name, articleIDs: articleIDs)
        }
        await database.announce(.everything)
        try await SearchIndexer.reindex(result.articleIDs, in: database)
        return result
    }

    /// Removes a tag no article carries (any other is refused, so nothing disappears from a page by accident).
    public func deleteTag(id: Int) async throws -> StructureEdit {
        let result = try await database.write { db in
            guard let tag = try await db.raw("SELECT id, slug, name FROM tags WHERE id = \(bind: id)").first().map(Self.tag) else {
                throw StructureProblem.notFound
            }
            if try await db.raw("SELECT 1 AS one FROM article_tags WHERE tag_id = \(bind: id) LIMIT 1").first() != nil {
                throw StructureProblem.tagInUse
            }
            try await db.raw("DELETE FROM taxonomy_slug_history WHERE kind = 'tag' AND target_id = \(bind: id)").run()
            try await db.raw("DELETE FROM tags WHERE id = \(bind: id)").run()
            return StructureEdit(id: id, previousName: tag.name, name: tag.name, articleIDs: [])
        }
        // No page lists an unused tag but its own (now a 404) and the tag sitemap: simplest to say everything.
        await database.announce(.everything)
        return result
    }

    // MARK: Pieces

    /// `column` starts with `key`: the range [key, key with its last character's successor), which both databases
    /// answer from the `tags_name_key` index, with no LIKE wildcards to escape. Code-point order (SQLite's BINARY,
    /// PostgreSQL's "C") is what makes the range exactly the prefix.
    private func startsWith(_ column: String, _ key: String) -> SQLQueryString {
        var scalars = Array(key.unicodeScalars)
        let last = scalars.removeLast().value
        let next = Unicode.Scalar(last + 1) ?? Unicode.Scalar(UInt32(0xE000))!
        let upper = String(String.UnicodeScalarView(scalars + [next]))
        switch database.dialect {
        case .sqlite: return "\(unsafeRaw: column) >= \(bind: key) AND \(unsafeRaw: column) < \(bind: upper)"
        case .postgres:
            return "\(unsafeRaw: column) COLLATE \"C\" >= \(bind: key) AND \(unsafeRaw: column) COLLATE \"C\" < \(bind: upper)"
        }
    }

    /// The shared steps of an edit: one transaction that refuses a slug or name another entry has, creates the row
    /// if `id` is nil, lets `update` write the fields, and keeps the old slug answering.
    private func edit(
        _ kind: TaxonomyKind, id: Int?, name: String, slug: String,
        update: @escaping @Sendable (any SQLDatabase, Int) async throws -> Void
    ) async throws -> StructureEdit {
        let table = Self.table(kind)
        let result = try await database.write { db in
            let other = id ?? 0
            if try await db.raw("SELECT id FROM \(ident: table) WHERE slug = \(bind: slug) AND id <> \(bind: other)").first() != nil {
                throw StructureProblem.duplicateSlug
            }
            let sameName: SQLQueryString =
                kind == .tag
                ? "SELECT id FROM tags WHERE name_key = \(bind: Self.tagKey(name)) AND id <> \(bind: other)"
                : "SELECT id FROM \(ident: table) WHERE name = \(bind: name) AND id <> \(bind: other)"
            if try await db.raw(sameName).first() != nil { throw StructureProblem.duplicateName }
            let rowID: Int
            var previous: (name: String, slug: String)?
            if let id {
                guard let row = try await db.raw("SELECT name, slug FROM \(ident: table) WHERE id = \(bind: id)").first() else {
                    throw StructureProblem.notFound
                }
                previous = (try row.string("name"), try row.string("slug"))
                rowID = id
            } else {
                let created = try await db.raw(
                    "INSERT INTO \(ident: table) (slug, name) VALUES (\(bind: slug), \(bind: name)) RETURNING id"
                ).first()
                guard let created else { throw StructureProblem.notFound }
                rowID = try created.int("id")
            }
            try await update(db, rowID)
            // The live slug is this entry's now; an entry's old slug points to it.
            try await db.raw("DELETE FROM taxonomy_slug_history WHERE kind = \(bind: kind.rawValue) AND slug = \(bind: slug)").run()
            if let previous, previous.slug != slug { try await Self.keepSlug(kind, previous.slug, for: rowID, db) }
            var articleIDs: [Int] = []
            if let previous, previous.name != name, let link = Self.articleLink(kind) {
                articleIDs = try await db.raw(
                    "SELECT \(ident: link.column) AS article_id FROM \(ident: link.table) WHERE \(ident: link.key) = \(bind: rowID)"
                ).all().map { try $0.int("article_id") }
            }
            return StructureEdit(id: rowID, previousName: previous?.name, name: name, articleIDs: articleIDs)
        }
        // Names show in the navigation, on cards and in bylines all over the site: every page may have changed.
        await database.announce(.everything)
        // Search finds articles by their section, tag and author names too.
        try await SearchIndexer.reindex(result.articleIDs, in: database)
        return result
    }

    /// Where the articles that name an entry of `kind` in their search entry are found (topics are not indexed).
    private static func articleLink(_ kind: TaxonomyKind) -> (table: String, column: String, key: String)? {
        switch kind {
        case .section: return ("articles", "id", "section_id")
        case .topic: return nil
        case .tag: return ("article_tags", "article_id", "tag_id")
        case .author: return ("article_authors", "article_id", "author_id")
        }
    }

    static func keepSlug(_ kind: TaxonomyKind, _ slug: String, for id: Int, _ db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO taxonomy_slug_history (kind, slug, target_id) VALUES (\(bind: kind.rawValue), \(bind: slug), \(bind: id))
            ON CONFLICT (kind, slug) DO UPDATE SET target_id = EXCLUDED.target_id
            """
        ).run()
    }

    private static func checkedName(_ name: String) throws -> String {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw StructureProblem.emptyName }
        guard name.count <= StructureLimits.name else { throw StructureProblem.longName }
        guard !hasControlCharacters(name) else { throw StructureProblem.controlCharacters }
        return name
    }

    /// The slug typed (normalised as `Slug.make` would), or the name's when none was typed.
    private static func checkedSlug(_ typed: String, name: String, kind: TaxonomyKind) throws -> String {
        let typed = typed.trimmingCharacters(in: .whitespacesAndNewlines)
        guard typed.count <= StructureLimits.slug else { throw StructureProblem.longSlug }
        let slug: String
        if typed.isEmpty {
            slug = kind == .section ? sectionSlug(name) : Slug.make(name)
        } else {
            slug = Slug.make(typed)
            if kind == .section, reservedSlugs.contains(slug) { throw StructureProblem.reservedSlug }
        }
        guard !slug.isEmpty else { throw StructureProblem.emptySlug }
        guard slug.count <= StructureLimits.slug else { throw StructureProblem.longSlug }
        return slug
    }
}
