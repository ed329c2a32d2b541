import Foundation
import SQLKit
import VestnikCore

/// Sections, topics, tags and authors: the vocabulary articles are filed under. Looked up by slug on public pages,
/// created on first use by the importer (and later the newsroom).
public struct TaxonomyRepository: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    // MARK: Reading

    public func sections() async throws -> [Section] {
        try await database.read { db in
            try await db.raw("SELECT id, slug, name, description, position FROM sections ORDER BY position, name").all()
                .map(Self.section)
        }
    }

    public func section(slug: String) async throws -> Section? {
        try await database.read { db in
            try await db.raw("SELECT id, slug, name, description, position FROM sections WHERE slug = \(bind: slug)")
                .first().map(Self.section)
        }
    }

    public func topic(slug: String) async throws -> Topic? {
        try await database.read { db in
            try await db.raw("SELECT id, slug, name, description, pinned_article_id FROM topics WHERE slug = \(bind: slug)")
                .first().map(Self.topic)
        }
    }

    public func tag(slug: String) async throws -> Tag? {
        try await database.read { db in
            try await db.raw("SELECT id, slug, name FROM tags WHERE slug = \(bind: slug)").first().map(Self.tag)
        }
    }

    public func author(slug: String) async throws -> Author? {
        try await database.read { db in
            try await db.raw("SELECT id, slug, name, role, bio, photo FROM authors WHERE slug = \(bind: slug)").first().map(Self.author)
        }
    }

    // MARK: Writing (find by name, else by the slug of the name or a slug it had; else create)
    // Names and descriptions show in the navigation and on every card, so a change announces everything.

    /// Creates the section if its slug is new; updates the given details otherwise. Returns its id.
    @discardableResult
    public func saveSection(name: String, description: String? = nil, position: Int? = nil) async throws -> Int {
        let id = try await database.write { db in
            try await Self.ensureSection(name: name, description: description, position: position, in: db)
        }
        await database.announce(.everything)
        return id
    }

    @discardableResult
    public func saveTopic(name: String, description: String? = nil) async throws -> Int {
        let id = try await database.write { db in try await Self.ensureTopic(name: name, description: description, in: db) }
        await database.announce(.everything)
        return id
    }

    @discardableResult
    public func saveAuthor(name: String, role: String? = nil, bio: String? = nil) async throws -> Int {
        let id = try await database.write { db in try await Self.ensureAuthor(name: name, role: role, bio: bio, in: db) }
        await database.announce(.everything)
        return id
    }

    /// Section slugs share the URL space with fixed routes, so these are never used as a section slug as-is.
    /// (Feeds and sitemaps at the root, `/rss.xml` or `/sitemap.xml`, need no entry: a slug never has a dot.)
    static let reservedSlugs: Set<String> = [
        "tema", "tag", "avtor", "static", "search", "tarsene", "api", "newsroom", "feeds", "sitemaps", "media",
    ]

    static func sectionSlug(_ name: String) -> String {
        let slug = Slug.make(name)
        return reservedSlugs.contains(slug) ? slug + "-section" : slug
    }

    static func ensureSection(name: String, description: String?, position: Int?, in db: any SQLDatabase) async throws -> Int {
        try checkPrintable(name)
        let slug = try nonEmptySlug(sectionSlug(name), for: name)
        let id: Int
        if let found = try await existing(.section, name: name, slug: slug, db) {
            id = found
        } else {
            let nextPosition = try await db.raw("SELECT COALESCE(MAX(position), 0) + 1 AS next FROM sections").first()?.int("next") ?? 1
            try await db.raw(
                """
                INSERT INTO sections (slug, name, description, position)
                VALUES (\(bind: slug), \(bind: name), \(bind: description ?? ""), \(bind: position ?? nextPosition))
                ON CONFLICT (slug) DO NOTHING
                """
            ).run()
            id = try await Self.id(in: "sections", slug: slug, db)
        }
        if let description {
            try await db.raw("UPDATE sections SET description = \(bind: description) WHERE id = \(bind: id)").run()
        }
        if let position {
            try await db.raw("UPDATE sections SET position = \(bind: position) WHERE id = \(bind: id)").run()
        }
        return id
    }

    static func ensureTopic(name: String, description: String?, in db: any SQLDatabase) async throws -> Int {
        try checkPrintable(name)
        let slug = try nonEmptySlug(Slug.make(name), for: name)
        let id: Int
        if let found = try await existing(.topic, name: name, slug: slug, db) {
            id = found
        } else {
            try await db.raw(
                """
                INSERT INTO topics (slug, name, description) VALUES (\(bind: slug), \(bind: name), \(bind: description ?? ""))
                ON CONFLICT (slug) DO NOTHING
                """
            ).run()
            id = try await Self.id(in: "topics", slug: slug, db)
        }
        if let description {
            try await db.raw("UPDATE topics SET description = \(bind: description) WHERE id = \(bind: id)").run()
        }
        return id
    }

    static func ensureTag(name: String, in db: any SQLDatabase) async throws -> Int {
        try checkPrintable(name)
        let slug = try nonEmptySlug(Slug.make(name), for: name)
        if let found = try await existing(.tag, name: name, slug: slug, db) { return found }
        try await db.raw(
            """
            INSERT INTO tags (slug, name, name_key) VALUES (\(bind: slug), \(bind: name), \(bind: tagKey(name)))
            ON CONFLICT (slug) DO NOTHING
            """
        ).run()
        return try await id(in: "tags", slug: slug, db)
    }

    static func ensureAuthor(name: String, role: String?, bio: String?, in db: any SQLDatabase) async throws -> Int {
        try checkPrintable(name)
        let slug = try nonEmptySlug(Slug.make(name), for: name)
        let id: Int
        if let found = try await existing(.author, name: name, slug: slug, db) {
            id = found
        } else {
            try await db.raw(
                """
                INSERT INTO authors (slug, name, role, bio) VALUES (\(bind: slug), \(bind: name), \(bind: role ?? ""), \(bind: bio ?? ""))
                ON CONFLICT (slug) DO NOTHING
                """
            ).run()
            id = try await Self.id(in: "authors", slug: slug, db)
        }
        if let role, !role.isEmpty {
            // Only when it changes: an UPDATE that matches nothing takes no lock.
            try await db.raw("UPDATE authors SET role = \(bind: role) WHERE id = \(bind: id) AND role <> \(bind: role)").run()
        }
        if let bio, !bio.isEmpty {
            try await db.raw("UPDATE authors SET bio = \(bind: bio) WHERE id = \(bind: id)").run()
        }
        return id
    }

    /// The entry an article or content file means by `name`: the one of that name (an editor may have renamed it
    /// without changing its slug), else the one with the name's slug, else the one that had that slug before a
    /// rename or merge. Nil when it is new.
    static func existing(_ kind: TaxonomyKind, name: String, slug: String, _ db: any SQLDatabase) async throws -> Int? {
        let table = TaxonomyRepository.table(kind)
        let byName: SQLQueryString =
            kind == .tag
            ? "SELECT id FROM tags WHERE name_key = \(bind: tagKey(name)) ORDER BY id LIMIT 1"
            : "SELECT id FROM \(ident: table) WHERE name = \(bind: name) ORDER BY id LIMIT 1"
        if let row = try await db.raw(byName).first() { return try row.int("id") }
        if let row = try await db.raw("SELECT id FROM \(ident: table) WHERE slug = \(bind: slug)").first() { return try row.int("id") }
        return try await db.raw(
            "SELECT target_id FROM taxonomy_slug_history WHERE kind = \(bind: kind.rawValue) AND slug = \(bind: slug)"
        ).first()?.int("target_id")
    }

    /// `existing`'s first look-up, by name (a tag by its key), for many names in one statement per 512: each name's
    /// lowest id among those stored under it, with that entry's stored name. Names the `ensure…` functions refuse are
    /// left out, as are those not found by name (their slug and old slugs are for `existing` to try). Names and keys
    /// are compared by their bytes, as the database compares them (Swift's `==` equates composed and decomposed
    /// letters), and the result is keyed by each name's bytes.
    static func existingByName(
        _ kind: TaxonomyKind, _ names: [String], _ db: any SQLDatabase
    ) async throws -> [[UInt8]: (id: Int, name: String)] {
        precondition(kind != .author, "an author's role is set by ensureAuthor")
        let column = kind == .tag ? "name_key" : "name"
        func key(_ name: String) -> [UInt8] { Array((kind == .tag ? tagKey(name) : name).utf8) }
        var usable: [String] = []
        var seen = Set<[UInt8]>()
        for name in names where seen.insert(Array(name.utf8)).inserted {
            if (try? checkPrintable(name)) != nil, !Slug.make(name).isEmpty { usable.append(name) }
        }
        let keys = Array(Set(usable.map(key))).map { String(decoding: $0, as: UTF8.self) }
        var found: [[UInt8]: (id: Int, name: String)] = [:]
        // Groups of power-of-two sizes, as every multi-row statement here: few distinct statements to prepare.
        for group in Database.rowGroups(keys.count, largest: 512) {
            let binds: [any Encodable & Sendable] = Array(keys[group])
            let rows = try await db.raw(
                "SELECT id, name, \(ident: column) AS k FROM \(ident: table(kind)) WHERE \(ident: column) IN (\(binds: binds))"
            ).all()
            for row in rows {
                let k = Array(try row.string("k").utf8)
                let id = try row.int("id")
                if let known = found[k], known.id < id { continue }
                found[k] = (id, try row.string("name"))
            }
        }
        var result: [[UInt8]: (id: Int, name: String)] = [:]
        for name in usable { if let entry = found[key(name)] { result[Array(name.utf8)] = entry } }
        return result
    }

    /// A tag name as the editor's autocomplete compares it: Unicode lowercase (SQLite's LOWER() knows only ASCII).
    static func tagKey(_ name: String) -> String { name.lowercased() }

    /// Gives every tag stored before `name_key` existed its key (run once, after migration 6).
    static func fillTagKeys(_ database: Database) async throws {
        let tags = try await database.read { db in
            try await db.raw("SELECT id, name FROM tags WHERE name_key = ''").all().map { (try $0.int("id"), try $0.string("name")) }
        }
        for batch in stride(from: 0, to: tags.count, by: 500).map({ tags[$0..<min($0 + 500, tags.count)] }) {
            try await database.write { db in
                for (id, name) in batch {
                    try await db.raw("UPDATE tags SET name_key = \(bind: tagKey(name)) WHERE id = \(bind: id)").run()
                }
            }
        }
    }

    /// Refuses a name with a character no page may print (see `hasControlCharacters`): names show in every page's
    /// navigation, in titles and in feeds.
    static func checkPrintable(_ name: String) throws {
        guard !hasControlCharacters(name) else {
            throw InvalidInput(
                "„\(name.unicodeScalars.map { $0.properties.generalCategory == .control ? "�" : String($0) }.joined())“ holds a control character (NUL, a tab, a line break…)"
            )
        }
    }

    /// Whether `name` holds a control character (C0 such as NUL, tab and line breaks, DEL, C1) or a line or
    /// paragraph separator: none belongs in a one-line name.
    public static func hasControlCharacters(_ name: String) -> Bool {
        name.unicodeScalars.contains { $0.properties.generalCategory == .control || $0.value == 0x2028 || $0.value == 0x2029 }
    }

    private static func nonEmptySlug(_ slug: String, for name: String) throws -> String {
        guard !slug.isEmpty else { throw InvalidInput("„\(name)“ gives an empty slug: use letters or digits") }
        return slug
    }

    private static func id(in table: String, slug: String, _ db: any SQLDatabase) async throws -> Int {
        guard let row = try await db.raw("SELECT id FROM \(ident: table) WHERE slug = \(bind: slug)").first() else {
            throw InvalidInput("\(table): \(slug) was not saved")
        }
        return try row.int("id")
    }

    // MARK: Row mapping

    static func section(_ row: any SQLRow) throws -> Section {
        Section(
            id: try row.int("id"), slug: try row.string("slug"), name: try row.string("name"),
            description: try row.string("description"), position: try row.int("position"))
    }

    static func topic(_ row: any SQLRow) throws -> Topic {
        Topic(
            id: try row.int("id"), slug: try row.string("slug"), name: try row.string("name"),
            description: try row.string("description"), pinnedArticleID: try row.optionalInt("pinned_article_id"))
    }

    /// Makes the article with `articleSlug` lead the topic's hub page (nil: none).
    public func pin(articleSlug: String?, toTopic topicSlug: String) async throws {
        try await database.write { db in
            var articleID: Int?
            if let articleSlug {
                guard let row = try await db.raw("SELECT id FROM articles WHERE slug = \(bind: articleSlug)").first() else {
                    throw InvalidInput("no article with the slug \(articleSlug) to pin")
                }
                articleID = try row.int("id")
            }
            guard try await db.raw("SELECT id FROM topics WHERE slug = \(bind: topicSlug)").first() != nil else {
                throw InvalidInput("no topic with the slug \(topicSlug)")
            }
            try await db.raw("UPDATE topics SET pinned_article_id = \(bind: articleID) WHERE slug = \(bind: topicSlug)").run()
        }
        await database.announce(.everything)
    }

    static func tag(_ row: any SQLRow) throws -> Tag {
        Tag(id: try row.int("id"), slug: try row.string("slug"), name: try row.string("name"))
    }

    static func author(_ row: any SQLRow) throws -> Author {
        Author(
            id: try row.int("id"), slug: try row.string("slug"), name: try row.string("name"), role: try row.string("role"),
            bio: try row.string("bio"), photo: try row.string("photo"))
    }
}

/// Input that cannot be stored, with a reason a person can act on.
public struct InvalidInput: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
