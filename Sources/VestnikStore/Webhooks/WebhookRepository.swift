import Foundation
import SQLKit
import VestnikCore

/// What a webhook may hear. A scheduled publication fires `article.published` exactly as a manual one does, and
/// `article.schedule_fired` besides, for receivers that care how it was published.
public enum WebhookEvent: String, Sendable, CaseIterable, Comparable {
    case published = "article.published"
    /// A published article saved again, or given a correction.
    case updated = "article.updated"
    case unpublished = "article.unpublished"
    /// Vestnik has no way to delete an article yet; a receiver may subscribe to it already.
    case deleted = "article.deleted"
    case scheduleFired = "article.schedule_fired"

    public static func < (a: WebhookEvent, b: WebhookEvent) -> Bool { a.rank < b.rank }
    private var rank: Int { Self.allCases.firstIndex(of: self)! }

    static func text(_ events: Set<WebhookEvent>) -> String { events.sorted().map(\.rawValue).joined(separator: " ") }
    static func parse(_ text: String) -> Set<WebhookEvent> { Set(text.split(separator: " ").compactMap { Self(rawValue: String($0)) }) }

    /// The events of a save that moves an article from `from` to `to`.
    static func of(from: ArticleStatus?, to: ArticleStatus) -> [WebhookEvent] {
        switch (from == .published, to == .published) {
        case (false, true): return [.published]
        case (true, true): return [.updated]
        case (true, false): return [.unpublished]
        case (false, false): return []
        }
    }
}

public struct Webhook: Sendable, Equatable {
    public var id: Int
    public var url: String
    public var events: Set<WebhookEvent>
    public var createdAt: Date
}

/// One delivery as the newsroom shows it, or as the sender claims it (with the hook's URL and secret).
public struct WebhookDeliveryRecord: Sendable, Equatable {
    public var id: Int
    public var webhookID: Int
    public var url: String
    public var event: String
    public var payload: String
    public var attempts: Int
    /// `queued`, `sent` or `failed` (given up after a day).
    public var status: String
    public var createdAt: Date
    public var nextAttemptAt: Date
    public var sentAt: Date?
    /// The receiver's last HTTP status and the first bytes of its answer, or why there was none.
    public var lastStatus: Int?
    public var lastResponse: String?
    public var lastError: String?
    public var secret: String
}

public enum WebhookError: Error, Equatable, CustomStringConvertible {
    case notAllowed
    case noEvents
    case badURL(String)
    case noSuchWebhook

    public var description: String {
        switch self {
        case .notAllowed: return "only a chief editor manages webhooks"
        case .noEvents: return "a webhook hears at least one event"
        case .badURL(let why): return why
        case .noSuchWebhook: return "no such webhook"
        }
    }
}

/// Webhooks and their deliveries. A delivery is queued in the transaction of the write that causes it
/// (`ArticleWriteService.save` and `publishDue`), so it exists exactly when the change does, once, whichever node
/// made it; `WebhookDelivery` (the web layer) sends it, retried with growing waits for a day.
public struct WebhookRepository: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    /// After 10 seconds (a receiver restarting), 1, 5 and 15 minutes, 1, 3 and 6 hours, then 6 and 8: the last try a
    /// little over 24 hours after the first.
    public static let retryWaits: [TimeInterval] = [10, 60, 300, 900, 3_600, 3 * 3_600, 6 * 3_600, 6 * 3_600, 8 * 3_600]
    static let outbox = Outbox(table: "webhook_deliveries", retryWaits: retryWaits)
    /// Bytes of a receiver's answer kept to show in the newsroom.
    public static let responseShown = 500

    /// Registers `url` for `events` (the URL already checked by the caller, `Outbound`); `secret` signs its deliveries.
    public func create(url: String, events: Set<WebhookEvent>, secret: String, by actor: ArticleWriter, now: Date) async throws -> Int {
        guard !events.isEmpty else { throw WebhookError.noEvents }
        guard url.utf8.count <= 2_000, !TaxonomyRepository.hasControlCharacters(url) else { throw WebhookError.badURL("too long") }
        return try await asChief(actor) { db in
            guard
                let id = try await db.raw(
                    """
                    INSERT INTO webhooks (url, events, secret, created_at, created_by)
                    VALUES (\(bind: url), \(bind: WebhookEvent.text(events)), \(bind: secret), \(bind: now.unixSeconds), \(bind: actor.userID))
                    RETURNING id
                    """
                ).first()?.int("id")
            else { throw WebhookError.noSuchWebhook }
            try await ArticleWriteService.audit(
                userID: actor.userID, action: "webhook_created", articleID: nil, title: "\(url) (\(WebhookEvent.text(events)))", now: now,
                in: db)
            return id
        }
    }

    /// Removes webhook `id` and whatever it still had to send.
    public func remove(id: Int, by actor: ArticleWriter, now: Date) async throws {
        try await asChief(actor) { db in
            guard let row = try await db.raw("SELECT url FROM webhooks WHERE id = \(bind: id)").first() else {
                throw WebhookError.noSuchWebhook
            }
            try await db.raw("DELETE FROM webhook_deliveries WHERE webhook_id = \(bind: id)").run()
            try await db.raw("DELETE FROM webhooks WHERE id = \(bind: id)").run()
            try await ArticleWriteService.audit(
                userID: actor.userID, action: "webhook_removed", articleID: nil, title: try row.string("url"), now: now, in: db)
        }
    }

    public func list() async throws -> [Webhook] {
        try await database.read { db in
            try await db.raw("SELECT id, url, events, created_at FROM webhooks ORDER BY id").all().map { row in
                Webhook(
                    id: try row.int("id"), url: try row.string("url"), events: WebhookEvent.parse(try row.string("events")),
                    createdAt: try row.date("created_at"))
            }
        }
    }

    /// The newest deliveries, with their answers.
    public func deliveries(limit: Int = 50) async throws -> [WebhookDeliveryRecord] {
        try await database.read { db in
            try await db.raw(
                "SELECT \(unsafeRaw: Self.columns) FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id ORDER BY d.id DESC LIMIT \(bind: limit)"
            )
            .all().map(Self.record)
        }
    }

    static let columns =
        "d.id, d.webhook_id, w.url, w.secret, d.event, d.payload, d.attempts, d.status, d.created_at, d.next_attempt_at, d.sent_at, d.last_status, d.last_response, d.last_error"

    static func record(_ row: any SQLRow) throws -> WebhookDeliveryRecord {
        WebhookDeliveryRecord(
            id: try row.int("id"), webhookID: try row.int("webhook_id"), url: try row.string("url"), event: try row.string("event"),
            payload: try row.string("payload"), attempts: try row.int("attempts"), status: try row.string("status"),
            createdAt: try row.date("created_at"), nextAttemptAt: try row.date("next_attempt_at"),
            sentAt: try row.optionalInt("sent_at").map { Date(timeIntervalSince1970: TimeInterval($0)) },
            lastStatus: try row.optionalInt("last_status"), lastResponse: try row.decode(column: "last_response", as: String?.self),
            lastError: try row.decode(column: "last_error", as: String?.self), secret: try row.string("secret"))
    }

    /// Queues `events` about article `articleID` for every webhook that hears them, in the caller's transaction.
    static func enqueue(_ events: [WebhookEvent], articleID: Int, now: Date, in db: any SQLDatabase) async throws {
        guard !events.isEmpty else { return }
        let hooks = try await db.raw("SELECT id, events FROM webhooks").all().map {
            (id: try $0.int("id"), events: WebhookEvent.parse(try $0.string("events")))
        }
        guard hooks.contains(where: { !$0.events.isDisjoint(with: events) }) else { return }
        guard
            let row = try await db.raw(
                """
                SELECT a.id, a.slug, a.title, a.status, a.published_at, a.updated_at, s.slug AS section
                FROM articles a JOIN sections s ON s.id = a.section_id WHERE a.id = \(bind: articleID)
                """
            ).first()
        else { return }
        let times = ISO8601DateFormatter()
        let article = Payload.Article(
            id: try row.int("id"), slug: try row.string("slug"), title: try row.string("title"), status: try row.string("status"),
            section: try row.string("section"), published_at: times.string(from: try row.date("published_at")),
            modified_at: times.string(from: try row.date("updated_at")), api: "/api/v1/articles/\(articleID)")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for event in events {
            let payload = String(
                decoding: try encoder.encode(Payload(event: event.rawValue, occurred_at: times.string(from: now), article: article)),
                as: UTF8.self)
            for hook in hooks where hook.events.contains(event) {
                try await db.raw(
                    """
                    INSERT INTO webhook_deliveries (webhook_id, event, payload, created_at, next_attempt_at, attempts, status)
                    VALUES (\(bind: hook.id), \(bind: event.rawValue), \(bind: payload), \(bind: now.unixSeconds), \(bind: now.unixSeconds), 0, 'queued')
                    """
                ).run()
            }
        }
    }

    /// The body of a delivery (the OpenAPI document's `WebhookEvent` schema).
    struct Payload: Encodable {
        struct Article: Encodable {
            var id: Int
            var slug: String
            var title: String
            var status: String
            var section: String
            var published_at: String
            var modified_at: String
            /// The article in the content API, relative to the site.
            var api: String
        }
        var event: String
        var occurred_at: String
        var article: Article
    }

    /// Up to `limit` deliveries due now, claimed by this node for a while (`Outbox`).
    public func claimDue(now: Date, limit: Int = 20) async throws -> [WebhookDeliveryRecord] {
        try await database.write { db in
            let claimed: [any Encodable & Sendable] = try await Self.outbox.claimDue(columns: "webhook_id", now: now, limit: limit, in: db)
                .map { try $0.int("id") }
            guard !claimed.isEmpty else { return [] }
            return try await db.raw(
                """
                SELECT \(unsafeRaw: Self.columns) FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
                WHERE d.id IN (\(binds: claimed)) ORDER BY d.id
                """
            ).all().map(Self.record)
        }
    }

    /// The receiver answered 2xx.
    public func markDelivered(_ id: Int, status: Int, response: String, now: Date) async throws {
        try await database.write { db in
            try await Self.outbox.markSent(id, now: now, in: db)
            try await Self.answer(id, status: status, response: response, in: db)
        }
    }

    /// The receiver answered otherwise (`status`), or not at all (nil): tried again later, or given up after a day.
    public func markFailed(_ id: Int, attempts: Int, status: Int?, response: String?, error: String, now: Date) async throws {
        try await database.write { db in
            try await Self.outbox.markFailed(id, attempts: attempts, error: error, now: now, in: db)
            try await Self.answer(id, status: status, response: response, in: db)
        }
    }

    static func answer(_ id: Int, status: Int?, response: String?, in db: any SQLDatabase) async throws {
        try await db.raw(
            """
            UPDATE webhook_deliveries SET last_status = \(bind: status), last_response = \(bind: response.map { String($0.prefix(Self.responseShown)) })
            WHERE id = \(bind: id)
            """
        ).run()
    }

    private func asChief<T: Sendable>(
        _ actor: ArticleWriter, _ body: @escaping @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        try await database.asChief(actor, otherwise: WebhookError.notAllowed, body)
    }
}
