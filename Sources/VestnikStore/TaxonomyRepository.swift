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
            try await db.raw("SELECT id, slug, name, role, bio FROM authors WHERE slug = \(bind: slug)").first().map(Self.author)
        }
    }

    // MARK: Writing (find or create by the slug of the name)
    // Names and descriptions show in the navigation and on every card, so a change announces everything.

    /// Creates the section if its slug is new; updates the given details otherwise. Returns its id.
    @discardableResult
    public func saveSection(name: String, description: String? = nil, position: Int? = nil) async throws -> Int {
        let id = try await database.write { db in try await Self.ensureSection(name: name, description: description, position: position, in: db) }
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
        let slug = try nonEmptySlug(sectionSlug(name), for: name)
        let nextPosition = try await db.raw("SELECT COALESCE(MAX(position), 0) + 1 AS next FROM sections").first()?.int("next") ?? 1
        try await db.raw(
            """
            INSERT INTO sections (slug, name, description, position)
            VALUES (\(bind: slug), \(bind: name), \(bind: description ?? ""), \(bind: position ?? nextPosition))
            ON CONFLICT (slug) DO NOTHING
            """
        ).run()
        if let description {
            try await db.raw("UPDATE sections SET description = \(bind: description) WHERE slug = \(bind: slug)").run()
        }
        if let position {
            try await db.raw("UPDATE sections SET position = \(bind: position) WHERE slug = \(bind: slug)").run()
        }
        return try await id(in: "sections", slug: slug, db)
    }

    static func ensureTopic(name: String, description: String?, in db: any SQLDatabase) async throws -> Int {
        let slug = try nonEmptySlug(Slug.make(name), for: name)
        try await db.raw(
            """
            INSERT INTO topics (slug, name, description) VALUES (\(bind: slug), \(bind: name), \(bind: description ?? ""))
            ON CONFLICT (slug) DO NOTHING
            """
        ).run()
        if let description {
            try await db.raw("UPDATE topics SET description = \(bind: description) WHERE slug = \(bind: slug)").run()
        }
        return try await id(in: "topics", slug: slug, db)
    }

    static func ensureTag(name: String, in db: any SQLDatabase) async throws -> Int {
        let slug = try nonEmptySlug(Slug.make(name), for: name)
        try await db.raw("INSERT INTO tags (slug, name) VALUES (\(bind: slug), \(bind: name)) ON CONFLICT (slug) DO NOTHING").run()
        return try await id(in: "tags", slug: slug, db)
    }

    static func ensureAuthor(name: String, role: String?, bio: String?, in db: any SQLDatabase) async throws -> Int {
        let slug = try nonEmptySlug(Slug.make(name), for: name)
        try await db.raw(
            """
            INSERT INTO authors (slug, name, role, bio) VALUES (\(bind: slug), \(bind: name), \(bind: role ?? ""), \(bind: bio ?? ""))
            ON CONFLICT (slug) DO NOTHING
            """
        ).run()
        if let role, !role.isEmpty {
            // Only when it changes: an UPDATE that matches nothing takes no lock.
            try await db.raw("UPDATE authors SET role = \(bind: role) WHERE slug = \(bind: slug) AND role <> \(bind: role)").run()
        }
        if let bio, !bio.isEmpty {
            try await db.raw("UPDATE authors SET bio = \(bind: bio) WHERE slug = \(bind: slug)").run()
        }
        return try await id(in: "authors", slug: slug, db)
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
            bio: try row.string("bio"))
    }
}

/// Input that cannot be stored, with a reason a person can act on.
public struct InvalidInput: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
