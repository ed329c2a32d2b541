import Foundation
import SQLKit
import VestnikCore

/// One message waiting in the outbox, or one that could not be sent.
public struct QueuedMail: Sendable, Equatable {
    public var id: Int
    public var recipient: String
    public var subject: String
    public var body: String
    public var attempts: Int
    public var createdAt: Date
    public var lastError: String?
}

/// The durable outbox: a message is stored first (in the transaction of whatever asked for it, when there is one) and
/// sent by `MailDelivery` after, so a restart or a mail server that is down loses none. A failed try is retried with
/// growing waits for a day, then kept as failed for the chief to see. Several nodes may send: each claims its messages
/// for a while before sending, so a message goes out once.
public struct MailOutbox: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    /// Waits after the first, second, … failed try; after the last the message is given up.
    public static let retryWaits: [TimeInterval] = [60, 300, 900, 3_600, 3 * 3_600, 6 * 3_600, 12 * 3_600]
    /// How long a node holds a message it is sending before another may try it.
    public static var claimLifetime: TimeInterval { Outbox.claimLifetime }
    static let outbox = Outbox(table: "mail_outbox", retryWaits: retryWaits)

    public func enqueue(to recipient: String, subject: String, body: String, now: Date) async throws {
        try await database.write { db in try await Self.enqueue(to: recipient, subject: subject, body: body, now: now, in: db) }
    }

    public static func enqueue(to recipient: String, subject: String, body: String, now: Date, in db: any SQLDatabase) async throws {
        guard MailMessage.isAddress(recipient) else { throw InvalidInput("not an e-mail address: \(recipient.prefix(80))") }
        try await db.raw(
            """
            INSERT INTO mail_outbox (recipient, subject, body, created_at, next_attempt_at, attempts, status)
            VALUES (\(bind: recipient), \(bind: subject), \(bind: body), \(bind: now.unixSeconds), \(bind: now.unixSeconds), 0, 'queued')
            """
        ).run()
    }

    /// Up to `limit` messages due now, claimed for `claimLifetime` by this caller.
    public func claimDue(now: Date, limit: Int = 10) async throws -> [QueuedMail] {
        try await database.write { db in
            try await Self.outbox.claimDue(
                columns: "recipient, subject, body, attempts, created_at, last_error", now: now, limit: limit, in: db
            )
            .map { row in
                QueuedMail(
                    id: try row.int("id"), recipient: try row.string("recipient"), subject: try row.string("subject"),
                    body: try row.string("body"), attempts: try row.int("attempts"), createdAt: try row.date("created_at"),
                    lastError: try row.decode(column: "last_error", as: String?.self))
            }
        }
    }

    public func markSent(_ id: Int, now: Date) async throws {
        try await database.write { db in try await Self.outbox.markSent(id, now: now, in: db) }
    }

    /// Records a failed try: the next after the wait for this many failures, or given up after the last wait.
    public func markFailed(_ id: Int, attempts: Int, error: String, now: Date) async throws {
        try await database.write { db in try await Self.outbox.markFailed(id, attempts: attempts, error: error, now: now, in: db) }
    }

    /// Messages that failed at least once and are not sent: given up, or still being retried (newest first).
    public func troubles(limit: Int = 50) async throws -> [(mail: QueuedMail, givenUp: Bool)] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT id, recipient, subject, body, attempts, created_at, last_error, status FROM mail_outbox
                WHERE status <> 'sent' AND attempts > 0 ORDER BY created_at DESC, id DESC LIMIT \(bind: limit)
                """
            ).all().map { row in
                (
                    QueuedMail(
                        id: try row.int("id"), recipient: try row.string("recipient"), subject: try row.string("subject"),
                        body: try row.string("body"), attempts: try row.int("attempts"),
                        createdAt: try row.date("created_at"),
                        lastError: try row.decode(column: "last_error", as: String?.self)),
                    try row.string("status") == "failed"
                )
            }
        }
    }
}
