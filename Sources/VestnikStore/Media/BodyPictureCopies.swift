import Foundation
import SQLKit
import VestnikCore

/// Copies into the media library of the pictures at `https://` addresses elsewhere that article bodies show (an
/// agency's, an imported site's), so readers' browsers ask no third party: an operator's choice (the setting
/// `media.copy_external`, off by default).
///
/// A save or an import with the setting on queues the body's outside pictures (`enqueue`, after its commit: one
/// insert, no request on the save's path). A background worker on every node claims one address at a time (a lease,
/// as renditions do), downloads it through `Outbound` (its rules: no private addresses, size cap, timeouts) and brings
/// it in through `MediaIntake` (type from the bytes, metadata scrubbed, renditions queued). The body is never
/// rewritten (no save of someone else's article from a worker, no conflict with an editor): pages look the address up
/// (`copies(of:)`) and show the library's copy with its renditions; the body keeps the source's address.
public struct BodyPictureCopies: Sendable {
    let database: Database
    /// How long a node holds a claimed address before another may take it.
    public var lease: TimeInterval = 300

    public init(database: Database) { self.database = database }

    /// The operator's switch: `yes` copies, anything else (the default) leaves outside pictures where they are.
    public static let settingKey = "media.copy_external"
    /// Tries per address (a timeout or a 5xx is tried again on a later round); then it stays where it is.
    public static let maxAttempts = 3

    public enum State: String, Sendable {
        case pending, working, done, failed
    }

    /// One outside picture of a body: its address (as fetched, unescaped) and the alt text the body gives it.
    public struct Picture: Sendable, Equatable {
        public var url: String
        public var alt: String

        public init(url: String, alt: String) {
            self.url = url
            self.alt = alt
        }
    }

    /// How a block showing an outside picture starts.
    public static let figureStart = "<figure><img src=\"https://"

    /// The outside pictures of a stored body (the sanitizer's one shape, `<figure><img src="https://…" alt="…"`),
    /// in order, each address once. Linear in the body.
    public static func pictures(in bodyHTML: String) -> [Picture] {
        guard bodyHTML.containsBytes(figureStart) else { return [] }
        var seen = Set<String>()
        return ArticleBody.blocks(fromHTML: bodyHTML).compactMap { block -> Picture? in
            guard block.kind == .figure, block.html.hasPrefix(figureStart),
                let src = attribute("src", in: block.html), seen.insert(src).inserted
            else { return nil }
            return Picture(url: HTML.unescape(src), alt: HTML.unescape(attribute("alt", in: block.html) ?? ""))
        }
    }

    /// The value of ` name="…"` in the block's first tag after `<figure>`, as stored (escaped; never contains `"`).
    public static func attribute(_ name: String, in block: String) -> String? {
        guard let tagEnd = block.dropFirst("<figure>".count).firstIndex(of: ">"),
            let start = block[..<tagEnd].range(of: " \(name)=\"")
        else { return nil }
        let value = block[start.upperBound..<tagEnd]
        return value.firstIndex(of: "\"").map { String(value[..<$0]) }
    }

    /// Whether the operator turned copying on.
    public func isOn() async throws -> Bool {
        try await SettingsRepository(database: database).value(Self.settingKey) == "yes"
    }

    /// Queues the outside pictures of `bodyHTML` when copying is on (an address queued or copied before is left as
    /// it is). Returns how many were new.
    @discardableResult
    public func enqueue(bodyHTML: String, now: Date) async throws -> Int {
        let pictures = Self.pictures(in: bodyHTML)
        guard !pictures.isEmpty, try await isOn() else { return 0 }
        return try await database.write { db in
            var added = 0
            for picture in pictures {
                let inserted = try await db.raw(
                    """
                    INSERT INTO body_picture_copies (url, state, alt, queued_at)
                    VALUES (\(bind: picture.url), 'pending', \(bind: picture.alt), \(bind: now.unixSeconds))
                    ON CONFLICT (url) DO NOTHING RETURNING url
                    """
                ).first()
                if inserted != nil { added += 1 }
            }
            return added
        }
    }

    /// Claims the oldest address no node holds (waiting, or held by a node whose lease ran out and tries are left);
    /// nil when there is none. The update checks the state again on the row it locks, so one node gets it.
    public func claim(now: Date) async throws -> Picture? {
        let time = now.unixSeconds
        return try await database.write { db -> Picture? in
            try await db.raw(
                """
                UPDATE body_picture_copies SET state = 'failed', error = 'the copy stopped without finishing'
                WHERE state = 'working' AND lease_until < \(bind: time) AND attempts >= \(bind: Self.maxAttempts)
                """
            ).run()
            return try await db.raw(
                """
                UPDATE body_picture_copies SET state = 'working', attempts = attempts + 1, lease_until = \(bind: time + Int(lease))
                WHERE url = (
                    SELECT url FROM body_picture_copies
                    WHERE (state = 'pending' AND queued_at <= \(bind: time)) OR (state = 'working' AND lease_until < \(bind: time))
                    ORDER BY queued_at, url LIMIT 1)
                AND ((state = 'pending' AND queued_at <= \(bind: time)) OR (state = 'working' AND lease_until < \(bind: time)))
                RETURNING url, alt
                """
            ).first().map { Picture(url: try $0.string("url"), alt: try $0.string("alt")) }
        }
    }

    /// Records the library's copy of `url`; the articles that show it, to drop their pages from the caches.
    @discardableResult
    public func finish(_ url: String, copy address: MediaAddress) async throws -> [Int] {
        try await database.write { db in
            try await db.raw(
                """
                UPDATE body_picture_copies SET state = 'done', media_hash = \(bind: address.hash),
                    media_type = \(bind: address.format.rawValue), error = '', lease_until = NULL
                WHERE url = \(bind: url)
                """
            ).run()
        }
        return try await articles(showing: url)
    }

    /// How long a copy that may succeed later waits before its next try (times the tries so far).
    public static let retryDelay = 60

    /// Records why `url` could not be copied: tried again later (`retry`, while tries are left: after `retryDelay`
    /// seconds times the tries so far), else left at its address for good.
    public func fail(_ url: String, reason: String, retry: Bool, now: Date) async throws {
        try await database.write { db in
            try await db.raw(
                """
                UPDATE body_picture_copies
                SET state = CASE WHEN \(bind: retry ? 1 : 0) = 1 AND attempts < \(bind: Self.maxAttempts) THEN 'pending' ELSE 'failed' END,
                    queued_at = \(bind: now.unixSeconds) + attempts * \(bind: Self.retryDelay),
                    error = \(bind: String(reason.prefix(500))), lease_until = NULL
                WHERE url = \(bind: url)
                """
            ).run()
        }
    }

    /// The state of `url`'s copy and why it failed, if it did.
    public func state(of url: String) async throws -> (state: State, error: String, copy: MediaAddress?)? {
        try await database.read { db in
            guard let row = try await db.raw("SELECT * FROM body_picture_copies WHERE url = \(bind: url)").first(),
                let state = State(rawValue: try row.string("state"))
            else { return nil }
            return (state, try row.string("error"), try Self.address(row))
        }
    }

    /// The library's copies of `urls` that are made, by address.
    public func copies(of urls: [String]) async throws -> [String: MediaAddress] {
        let wanted = Array(Set(urls))
        if wanted.isEmpty { return [:] }
        let binds: [any Encodable & Sendable] = wanted
        return try await database.read { db in
            var found: [String: MediaAddress] = [:]
            for row in try await db.raw(
                "SELECT url, media_hash, media_type FROM body_picture_copies WHERE state = 'done' AND url IN (\(binds: binds))"
            ).all() {
                if let address = try Self.address(row) { found[try row.string("url")] = address }
            }
            return found
        }
    }

    /// The articles whose body shows `url` (as the body stores it, escaped).
    public func articles(showing url: String) async throws -> [Int] {
        let stored = "src=\"" + HTML.escape(url) + "\""
        return try await database.read { db in
            try await db.raw(
                """
                SELECT id FROM articles WHERE body_html LIKE \(bind: "%" + MediaRepository.escapeLike(stored) + "%") ESCAPE '!'
                ORDER BY id
                """
            ).all().map { try $0.int("id") }
        }
    }

    static func address(_ row: any SQLRow) throws -> MediaAddress? {
        guard let hash = try row.decode(column: "media_hash", as: String?.self), MediaAddress.isHash(hash),
            let type = try row.decode(column: "media_type", as: String?.self), let format = ImageFormat(rawValue: type)
        else { return nil }
        return MediaAddress(hash: hash, format: format)
    }

    /// What became of one copy.
    public enum Outcome: Sendable, Equatable {
        case copied(MediaAddress)
        /// Tried again later (a timeout, a dropped connection, 429, a 5xx).
        case retry(String)
        case refused(String)
    }

    /// Downloads `picture` through `Outbound` with `policy` and brings it in through `intake` (its words: the body's
    /// alt text, else the address's host; the credit: the host, so the source stays named).
    public static func copy(_ picture: Picture, policy: Outbound.Policy, intake: MediaIntake, now: Date) async -> Outcome {
        let response: Outbound.Response
        do {
            response = try await Outbound.send(Outbound.Request(url: picture.url), policy: policy)
        } catch let failure as Outbound.Failure {
            switch failure {
            case .timedOut, .transport: return .retry(failure.description)
            default: return .refused(failure.description)
            }
        } catch {
            return .refused("\(error)")
        }
        switch response.status {
        case 200: break
        case 429, 500...599: return .retry("HTTP \(response.status)")
        default: return .refused("HTTP \(response.status)")
        }
        let host = URLComponents(string: picture.url)?.host ?? ""
        let alt = picture.alt.trimmingCharacters(in: .whitespacesAndNewlines)
        let words = MediaIntake.Words(alt: String((alt.isEmpty ? host : alt).prefix(1_000)), credit: String(host.prefix(1_000)))
        let name = String(URLComponents(string: picture.url)?.path.split(separator: "/").last ?? "picture")
        do {
            switch try await intake.add(response.body, words: words, fileName: name, uploadedBy: nil, now: now) {
            case .success(let added): return .copied(added.item.address)
            case .failure(let refusal): return .refused(refusal.description)
            }
        } catch {
            return .retry("\(error)")
        }
    }
}
