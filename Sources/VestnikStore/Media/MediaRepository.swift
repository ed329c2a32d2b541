import Foundation
import SQLKit
import VestnikCore

/// The `media` table: one row per distinct picture, keyed by the SHA-256 of its bytes.
public struct MediaRepository: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    /// Adds the picture unless the same bytes are already in the library; returns the library's row and whether it
    /// is new. A picture uploaded again keeps the words it was first given (edit them on its own page).
    @discardableResult
    public func add(_ item: MediaItem, uploadedBy userID: Int?) async throws -> (item: MediaItem, created: Bool) {
        if item.alt.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw InvalidInput("the alt text is empty") }
        let inserted = try await database.write { db in
            try await db.raw(
                """
                INSERT INTO media (hash, type, width, height, bytes, alt, caption, credit, original_name, uploaded_by,
                    uploaded_at, search_text, removed_metadata)
                VALUES (\(bind: item.address.hash), \(bind: item.address.format.rawValue), \(bind: item.width),
                    \(bind: item.height), \(bind: item.bytes), \(bind: item.alt), \(bind: item.caption), \(bind: item.credit),
                    \(bind: item.originalName), \(bind: userID), \(bind: item.uploadedAt.unixSeconds), \(bind: Self.searchText(item)),
                    \(bind: Self.text(item.removedMetadata)))
                ON CONFLICT (hash) DO NOTHING RETURNING hash
                """
            ).first() != nil
        }
        guard let stored = try await self.item(hash: item.address.hash) else { throw InvalidInput("the picture was not saved") }
        return (stored, inserted)
    }

    public func item(hash: String) async throws -> MediaItem? {
        guard MediaAddress.isHash(hash) else { return nil }
        return try await database.read { db in
            try await db.raw("\(Self.columns) WHERE m.hash = \(bind: hash)").first().map(Self.item)
        }
    }

    /// The library's rows of `hashes` (those it has), by hash, in one query: a gallery's pictures.
    public func items(hashes: [String]) async throws -> [String: MediaItem] {
        let wanted = Array(Set(hashes.filter(MediaAddress.isHash)))
        if wanted.isEmpty { return [:] }
        let binds: [any Encodable & Sendable] = wanted
        let rows = try await database.read { db in
            try await db.raw("\(Self.columns) WHERE m.hash IN (\(binds: binds))").all().map(Self.item)
        }
        return Dictionary(rows.map { ($0.address.hash, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// A page of the library, newest first; `text` keeps pictures whose alt text, caption, credit or file name
    /// contain it (any case). Returns the cursor of the next page, if there is one.
    public func list(
        matching text: String = "", after cursor: MediaCursor? = nil, limit: Int
    ) async throws
        -> (items: [MediaItem], next: MediaCursor?)
    {
        var condition: SQLQueryString = "1 = 1"
        let needle = Self.fold(text)
        if !needle.isEmpty { condition += " AND m.search_text LIKE \(bind: "%" + Self.escapeLike(needle) + "%") ESCAPE '!'" }
        if let cursor {
            condition +=
                " AND (m.uploaded_at < \(bind: cursor.time) OR (m.uploaded_at = \(bind: cursor.time) AND m.hash < \(bind: cursor.key)))"
        }
        let filter = condition
        let rows = try await database.read { db in
            try await db.raw(
                "\(Self.columns) WHERE \(filter) ORDER BY m.uploaded_at DESC, m.hash DESC LIMIT \(literal: max(1, limit) + 1)"
            ).all().map(Self.item)
        }
        let items = Array(rows.prefix(max(1, limit)))
        let next = rows.count > items.count ? items.last.map { MediaCursor(time: $0.uploadedAt.unixSeconds, key: $0.address.hash) } : nil
        return (items, next)
    }

    /// Changes a picture's words if `writer` may (`MediaItem.wordsMayBeChanged`; else `ArticleWriteError.notAllowed`),
    /// writes the audit row (`media_edited`, when anything changed) in the same transaction, and tells the caches
    /// which article pages now read differently; false when there is no such picture.
    @discardableResult
    public func update(
        hash: String, alt: String, caption: String, credit: String, by writer: ArticleWriter = .system, now: Date = Date()
    ) async throws -> Bool {
        if alt.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw InvalidInput("the alt text is empty") }
        guard let before = try await item(hash: hash) else { return false }
        guard before.wordsMayBeChanged(by: writer) else { throw ArticleWriteError.notAllowed }
        var item = before
        item.alt = alt
        item.caption = caption
        item.credit = credit
        if item == before { return true }
        let text = Self.searchText(item)
        let title = Self.auditTitle(before, item)
        let change = try await database.write { db -> ContentChange in
            try await db.raw(
                """
                UPDATE media SET alt = \(bind: alt), caption = \(bind: caption), credit = \(bind: credit), search_text = \(bind: text)
                WHERE hash = \(bind: hash)
                """
            ).run()
            try await ArticleWriteService.audit(
                userID: writer.userID, action: "media_edited", articleID: nil, title: title, now: now, in: db)
            // The pages of the published articles it leads show its alt text, and its caption and credit where the
            // article has none of its own; the cards of those articles (on every list) its alt text. (Pictures in
            // bodies carry their own copy of the words.) Galleries show the library's words: the articles whose body
            // has a gallery marker naming the picture.
            let gallery = "%" + Self.escapeLike(Gallery.head) + "%" + hash + "%"
            let ids = try await db.raw(
                """
                SELECT id FROM articles WHERE (featured_media = \(bind: hash) OR body_html LIKE \(bind: gallery) ESCAPE '!')
                AND status = \(bind: ArticleStatus.published.rawValue)
                """
            ).all().map { try $0.int("id") }
            return ContentChange(keys: Set(ids.flatMap { [CacheKey.articlePage($0), CacheKey.article($0)] }))
        }
        await database.announce(change)
        return true
    }

    /// Moves a picture's focal point if `writer` may change its words (else `ArticleWriteError.notAllowed`), audited
    /// (`media_focus`), and queues its renditions again (the crops follow the point); false when there is no such
    /// picture.
    @discardableResult
    public func setFocus(hash: String, to focus: FocalPoint, by writer: ArticleWriter = .system, now: Date = Date()) async throws -> Bool {
        guard let before = try await item(hash: hash) else { return false }
        guard before.wordsMayBeChanged(by: writer) else { throw ArticleWriteError.notAllowed }
        let x = Int((focus.x * 10_000).rounded())
        let y = Int((focus.y * 10_000).rounded())
        let title = "\(before.alt) (\(before.address.fileName.prefix(12))…): \(x / 100)% \(y / 100)%"
        try await database.write { db in
            try await db.raw(
                "UPDATE media SET focus_x = \(bind: x), focus_y = \(bind: y), focus_set = 1 WHERE hash = \(bind: hash)"
            ).run()
            try await ArticleWriteService.audit(
                userID: writer.userID, action: "media_focus", articleID: nil, title: title, now: now, in: db)
            try await MediaRenditions.enqueue(hash, now: now, in: db)
        }
        return true
    }

    /// `Old alt → new alt` (or the alt text when only the caption or credit changed), and the file it is about.
    static func auditTitle(_ before: MediaItem, _ after: MediaItem) -> String {
        let alt = before.alt == after.alt ? after.alt : "\(before.alt) → \(after.alt)"
        return "\(alt) (\(after.address.fileName.prefix(12))…)"
    }

    // MARK: Rewritten files

    /// Where a picture's old address leads now that `vestnik media scrub` gave it new bytes; nil if it never moved.
    public func moved(_ address: MediaAddress) async throws -> MediaAddress? {
        try await database.read { db in
            try await db.raw(
                "SELECT new_hash FROM media_moves WHERE old_hash = \(bind: address.hash) AND type = \(bind: address.format.rawValue)"
            ).first().map { MediaAddress(hash: try $0.string("new_hash"), format: address.format) }
        }
    }

    /// The address of every picture in the library.
    public func allAddresses() async throws -> [MediaAddress] {
        try await database.read { db in
            try await db.raw("SELECT hash, type FROM media ORDER BY uploaded_at, hash").all().compactMap { row in
                let hash = try row.string("hash")
                guard MediaAddress.isHash(hash), let format = ImageFormat(rawValue: try row.string("type")) else { return nil }
                return MediaAddress(hash: hash, format: format)
            }
        }
    }

    /// The articles whose featured or share card picture, body or saved revisions name `hash`.
    public func articles(naming hash: String) async throws -> [Int] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT id FROM articles WHERE featured_media = \(bind: hash) OR social_media = \(bind: hash)
                    OR body_html LIKE \(bind: "%" + hash + "%")
                UNION SELECT article_id AS id FROM article_revisions WHERE snapshot LIKE \(bind: "%" + hash + "%")
                ORDER BY id
                """
            ).all().map { try $0.int("id") }
        }
    }

    /// Moves a picture to the address of its rewritten bytes in one transaction: the row (words, uploader, date)
    /// is now keyed by the new hash, everything that named the old hash names the new one (featured pictures,
    /// bodies, revisions, autosaves, author portraits), and the old address is kept as a redirect (earlier moves
    /// to the old address lead straight to the new one). A hash is 64 hex digits, so replacing it in text is exact.
    public func move(
        _ old: MediaAddress, to new: MediaAddress, width: Int, height: Int, bytes: Int, removed: Set<MetadataKind>, now: Date
    ) async throws {
        precondition(old.format == new.format && old != new)
        try await database.write { db in
            try await db.raw(
                """
                INSERT INTO media (hash, type, width, height, bytes, alt, caption, credit, original_name, uploaded_by,
                    uploaded_at, search_text, removed_metadata, focus_x, focus_y, focus_set)
                SELECT \(bind: new.hash), type, \(bind: width), \(bind: height), \(bind: bytes), alt, caption, credit,
                    original_name, uploaded_by, uploaded_at, search_text, \(bind: Self.text(removed)), focus_x, focus_y, focus_set
                FROM media WHERE hash = \(bind: old.hash)
                ON CONFLICT (hash) DO NOTHING
                """
            ).run()
            try await db.raw("UPDATE articles SET featured_media = \(bind: new.hash) WHERE featured_media = \(bind: old.hash)").run()
            try await db.raw("UPDATE articles SET social_media = \(bind: new.hash) WHERE social_media = \(bind: old.hash)").run()
            for (table, column) in [
                ("articles", "body_html"), ("article_revisions", "snapshot"), ("article_autosaves", "fields"), ("authors", "photo"),
            ] {
                try await db.raw(
                    """
                    UPDATE \(unsafeRaw: table) SET \(unsafeRaw: column) = REPLACE(\(unsafeRaw: column), \(bind: old.hash), \(bind: new.hash))
                    WHERE \(unsafeRaw: column) LIKE \(bind: "%" + old.hash + "%")
                    """
                ).run()
            }
            try await db.raw("UPDATE media_moves SET new_hash = \(bind: new.hash) WHERE new_hash = \(bind: old.hash)").run()
            try await db.raw(
                """
                INSERT INTO media_moves (old_hash, type, new_hash, moved_at)
                VALUES (\(bind: old.hash), \(bind: old.format.rawValue), \(bind: new.hash), \(bind: now.unixSeconds))
                ON CONFLICT (old_hash) DO UPDATE SET new_hash = EXCLUDED.new_hash
                """
            ).run()
            try await db.raw("DELETE FROM media WHERE hash = \(bind: old.hash)").run()
        }
    }

    // MARK: Pieces

    static let columns: SQLQueryString = """
        SELECT m.*, u.name AS uploader FROM media m LEFT JOIN users u ON u.id = m.uploaded_by
        """

    static func item(_ row: any SQLRow) throws -> MediaItem {
        let hash = try row.string("hash")
        guard MediaAddress.isHash(hash), let format = ImageFormat(rawValue: try row.string("type")) else {
            throw InvalidInput("a media row is malformed: \(hash)")
        }
        var item = MediaItem(
            address: MediaAddress(hash: hash, format: format), width: try row.int("width"), height: try row.int("height"),
            bytes: try row.int("bytes"), alt: try row.string("alt"), caption: try row.string("caption"),
            credit: try row.string("credit"), originalName: try row.string("original_name"),
            uploadedBy: try row.decode(column: "uploader", as: String?.self), uploaderID: try row.optionalInt("uploaded_by"),
            uploadedAt: try row.date("uploaded_at"), removedMetadata: metadata(try row.string("removed_metadata")))
        item.focus = FocalPoint(x: Double(try row.int("focus_x")) / 10_000, y: Double(try row.int("focus_y")) / 10_000)
        item.focusSet = try row.flag("focus_set")
        return item
    }

    /// `exif location xmp`: sorted, so the same set is always stored alike.
    static func text(_ kinds: Set<MetadataKind>) -> String { kinds.sorted().map(\.rawValue).joined(separator: " ") }

    /// Unknown words (from a later version) are skipped.
    static func metadata(_ text: String) -> Set<MetadataKind> {
        Set(text.split(separator: " ").compactMap { MetadataKind(rawValue: String($0)) })
    }

    /// What the search looks in, folded here rather than by SQL's LOWER, which knows only ASCII in SQLite.
    static func searchText(_ item: MediaItem) -> String {
        [item.alt, item.caption, item.credit, item.originalName].map(fold).joined(separator: "\n")
    }

    static func fold(_ text: String) -> String {
        text.lowercased().trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `%`, `_` and the escape character itself match only themselves.
    static func escapeLike(_ text: String) -> String {
        var out = ""
        for c in text {
            if c == "%" || c == "_" || c == "!" { out.append("!") }
            out.append(c)
        }
        return out
    }
}
