import Foundation
import SQLKit
import VestnikCore

/// What a provider says of an embedded post, for the click-to-load facade readers see before they choose to load it:
/// its title, its author, and a thumbnail kept in our own media folder (so the page asks the provider for nothing).
public struct EmbedPreview: Sendable, Equatable {
    public var title: String
    public var author: String
    /// The thumbnail's local address, if the provider had one the node could fetch.
    public var thumbnail: MediaAddress?
    public var width: Int
    public var height: Int

    public init(title: String, author: String, thumbnail: MediaAddress? = nil, width: Int = 0, height: Int = 0) {
        self.title = title
        self.author = author
        self.thumbnail = thumbnail
        self.width = width
        self.height = height
    }
}

/// The embedded posts' look-ups (migration 20): pages read the finished ones and ask for the missing ones; the
/// background worker (`EmbedPreviewWorker`) claims what is due, looks it up (`EmbedLookup`) and stores the answer.
public struct EmbedPreviewRepository: Sendable {
    let database: Database
    /// Tries before a look-up is given up, and the pause after each failure (doubling).
    public static let maxTries = 5
    public static let firstPause = 60
    /// The most posts of one page looked up (each costs two bound values in one query).
    public static let maxPerPage = 200

    public init(database: Database) { self.database = database }

    /// The finished previews of `embeds`, and which of them have no finished look-up yet (asked for or not).
    public func previews(of all: [Embed]) async throws -> (done: [Embed: EmbedPreview], pending: [Embed]) {
        // A body of thousands of embeds is read in one query all the same: its first `maxPerPage` get facades.
        let embeds = Array(Set(all).prefix(Self.maxPerPage))
        guard !embeds.isEmpty else { return ([:], []) }
        let rows = try await database.read { db in
            try await db.raw(
                """
                SELECT provider, embed_id, state, title, author, thumbnail, width, height FROM embed_previews
                WHERE \(Self.keyList(embeds))
                """
            ).all()
        }
        var done: [Embed: EmbedPreview] = [:]
        var ended: Set<Embed> = []
        for row in rows {
            guard let embed = Embed(kind: try row.string("provider"), id: try row.string("embed_id")) else { continue }
            switch try row.string("state") {
            case "done":
                done[embed] = EmbedPreview(
                    title: try row.string("title"), author: try row.string("author"),
                    thumbnail: MediaAddress(path: try row.string("thumbnail")), width: try row.int("width"), height: try row.int("height"))
                ended.insert(embed)
            case "failed": ended.insert(embed)
            default: break
            }
        }
        return (done, embeds.filter { !ended.contains($0) })
    }

    /// Asks for the look-up of `embeds` (a page showed them without one) and notes that `articleID`'s page shows them,
    /// so that page is dropped from the caches when the look-up ends. Asking twice changes nothing.
    public func request(_ embeds: [Embed], articleID: Int?, now: Date) async throws {
        guard !embeds.isEmpty else { return }
        try await database.write { db in
            for embed in Set(embeds) {
                try await db.raw(
                    """
                    INSERT INTO embed_previews (provider, embed_id, next_try_at)
                    VALUES (\(bind: embed.provider.rawValue), \(bind: embed.id), \(bind: now.unixSeconds))
                    ON CONFLICT (provider, embed_id) DO NOTHING
                    """
                ).run()
                if let articleID {
                    try await db.raw(
                        """
                        INSERT INTO embed_uses (provider, embed_id, article_id)
                        VALUES (\(bind: embed.provider.rawValue), \(bind: embed.id), \(bind: articleID))
                        ON CONFLICT (provider, embed_id, article_id) DO NOTHING
                        """
                    ).run()
                }
            }
        }
    }

    /// Whether some look-up is due: a read, so an idle worker writes nothing.
    public func hasWork(now: Date) async throws -> Bool {
        try await database.read { db in
            try await db.raw(
                "SELECT 1 AS one FROM embed_previews WHERE state = 'waiting' AND next_try_at <= \(bind: now.unixSeconds) LIMIT 1"
            ).first() != nil
        }
    }

    /// Takes one due look-up for `lease` seconds (another node sees it again only after that), with the tries it
    /// already had.
    public func claim(now: Date, lease: Int = 120) async throws -> (embed: Embed, tries: Int)? {
        try await database.write { db in
            let due = try await db.raw(
                """
                SELECT provider, embed_id, tries FROM embed_previews WHERE state = 'waiting' AND next_try_at <= \(bind: now.unixSeconds)
                ORDER BY next_try_at LIMIT 1
                """
            ).first()
            guard let due else { return nil }
            let provider = try due.string("provider")
            let id = try due.string("embed_id")
            try await db.raw(
                """
                UPDATE embed_previews SET next_try_at = \(bind: now.unixSeconds + lease)
                WHERE provider = \(bind: provider) AND embed_id = \(bind: id)
                """
            ).run()
            guard let embed = Embed(kind: provider, id: id) else {
                try await db.raw("DELETE FROM embed_previews WHERE provider = \(bind: provider) AND embed_id = \(bind: id)").run()
                return nil
            }
            return (embed, try due.int("tries"))
        }
    }

    /// Stores a finished look-up; answers the articles whose pages show the post (their pages are to be dropped).
    public func store(_ preview: EmbedPreview, of embed: Embed) async throws -> [Int] {
        try await finish(embed) { db in
            try await db.raw(
                """
                UPDATE embed_previews SET state = 'done', title = \(bind: preview.title), author = \(bind: preview.author),
                thumbnail = \(bind: preview.thumbnail?.path ?? ""), width = \(bind: preview.width), height = \(bind: preview.height),
                problem = ''
                WHERE provider = \(bind: embed.provider.rawValue) AND embed_id = \(bind: embed.id)
                """
            ).run()
        }
    }

    /// A failed look-up: tried again after a pause that doubles, given up after `maxTries` (the facade then shows the
    /// provider's name only). Answers the articles to drop when it is given up, else none.
    public func failed(_ embed: Embed, tries: Int, problem: String, now: Date) async throws -> [Int] {
        let given = tries + 1 >= Self.maxTries
        let next = now.unixSeconds + Self.firstPause << min(tries, 12)
        let update: @Sendable (any SQLDatabase) async throws -> Void = { db in
            try await db.raw(
                """
                UPDATE embed_previews SET state = \(bind: given ? "failed" : "waiting"), tries = \(bind: tries + 1),
                next_try_at = \(bind: next), problem = \(bind: String(problem.prefix(300)))
                WHERE provider = \(bind: embed.provider.rawValue) AND embed_id = \(bind: embed.id)
                """
            ).run()
        }
        if given { return try await finish(embed, update) }
        try await database.write { db in try await update(db) }
        return []
    }

    /// Whether `address` is the thumbnail of some embedded post (the media route serves those too).
    public func isThumbnail(_ address: MediaAddress) async throws -> Bool {
        try await database.read { db in
            try await db.raw("SELECT 1 AS one FROM embed_previews WHERE thumbnail = \(bind: address.path) LIMIT 1").first() != nil
        }
    }

    private func finish(_ embed: Embed, _ update: @escaping @Sendable (any SQLDatabase) async throws -> Void) async throws -> [Int] {
        try await database.write { db in
            try await update(db)
            let rows = try await db.raw(
                """
                SELECT article_id FROM embed_uses WHERE provider = \(bind: embed.provider.rawValue) AND embed_id = \(bind: embed.id)
                """
            ).all()
            try await db.raw(
                "DELETE FROM embed_uses WHERE provider = \(bind: embed.provider.rawValue) AND embed_id = \(bind: embed.id)"
            ).run()
            return try rows.map { try $0.int("article_id") }
        }
    }

    /// `(provider = ? AND embed_id = ?) OR …`, every value bound.
    private static func keyList(_ embeds: [Embed]) -> SQLQueryString {
        var query: SQLQueryString = ""
        for (index, embed) in Set(embeds).enumerated() {
            query += (index == 0 ? "" : " OR ") + "(provider = \(bind: embed.provider.rawValue) AND embed_id = \(bind: embed.id))"
        }
        return query
    }
}

/// Looks an embedded post up at its provider (oEmbed: title, author, thumbnail address) and fetches its thumbnail
/// into the media folder, every request through `Outbound` (SSRF-checked, capped, timed out). Facebook and Instagram
/// want an app key for oEmbed: their posts get the provider's name only.
public struct EmbedLookup: Sendable {
    public var policy: Outbound.Policy
    /// Where the oEmbed answer for a post is (the provider's endpoint; tests point it at a local server).
    public var endpoint: @Sendable (Embed) -> String?
    public let files: MediaFiles
    /// The largest thumbnail kept.
    public static let maxThumbnailBytes = 2 << 20

    public init(
        files: MediaFiles, policy: Outbound.Policy = Outbound.Policy(connectTimeout: 5, timeout: 15, maxResponseBytes: 256 << 10),
        endpoint: @escaping @Sendable (Embed) -> String? = { $0.oEmbedURL }
    ) {
        self.files = files
        self.policy = policy
        self.endpoint = endpoint
    }

    public struct Problem: Error, CustomStringConvertible {
        public var description: String
    }

    /// The oEmbed answer's fields we read.
    struct Answer: Decodable {
        var title: String?
        var author_name: String?
        var thumbnail_url: String?
        var html: String?
    }

    public func preview(of embed: Embed) async throws -> EmbedPreview {
        guard let url = endpoint(embed) else { return EmbedPreview(title: "", author: "") }
        var jsonPolicy = policy
        jsonPolicy.maxRedirects = 2
        let response = try await Outbound.send(Outbound.Request(url: url, headers: [("Accept", "application/json")]), policy: jsonPolicy)
        guard response.status == 200 else { throw Problem(description: "oEmbed answered \(response.status)") }
        let answer: Answer
        do {
            answer = try JSONDecoder().decode(Answer.self, from: Data(response.body))
        } catch {
            throw Problem(description: "oEmbed answered something that is not its JSON")
        }
        // An X post has no title: its text (from the quote it sends) is the title.
        var title = Self.line(answer.title ?? "")
        if title.isEmpty, let html = answer.html {
            title = Self.line(ArticleBody.plainText(BodySanitizer.sanitize(String(html.prefix(20_000)))))
        }
        var preview = EmbedPreview(title: String(title.prefix(300)), author: String(Self.line(answer.author_name ?? "").prefix(120)))
        if let thumbnail = answer.thumbnail_url, !thumbnail.isEmpty {
            var picturePolicy = policy
            picturePolicy.maxRedirects = 3
            picturePolicy.maxResponseBytes = Self.maxThumbnailBytes
            let picture = try await Outbound.send(Outbound.Request(url: thumbnail), policy: picturePolicy)
            guard picture.status == 200 else { throw Problem(description: "the thumbnail answered \(picture.status)") }
            guard case .success(let info) = ImageFile.inspect(picture.body), info.format != .avif else {
                throw Problem(description: "the thumbnail is not a picture we take")
            }
            let address = MediaAddress(bytes: picture.body, format: info.format)
            try files.store(picture.body, at: address)
            preview.thumbnail = address
            preview.width = info.width
            preview.height = info.height
        }
        return preview
    }

    /// Whitespace collapsed to single spaces, trimmed.
    static func line(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace || $0.isNewline }).joined(separator: " ")
    }
}
