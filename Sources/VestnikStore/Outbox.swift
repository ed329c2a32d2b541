import Foundation
import SQLKit
import VestnikCore

/// The bookkeeping of a durable outbox, shared by mail (`MailOutbox`) and webhook deliveries (`WebhookRepository`):
/// a row is stored first (in the transaction of whatever caused it) and sent after by a background service. Rows
/// have `status` (`queued`, `sent`, `failed` when given up), `attempts`, `next_attempt_at`, `last_error` and
/// `sent_at`. Several nodes may send: each claims a row for `claimLifetime` by a conditional update that only one
/// wins, so a row goes out once, and a node that dies while sending lets the claim run out for another to retry.
struct Outbox: Sendable {
    /// The table (a fixed name in the code, never input).
    let table: String
    /// Waits after the first, second, … failed try; after the last the row is given up.
    let retryWaits: [TimeInterval]

    /// How long a node holds a row it is sending before another may try it.
    static let claimLifetime: TimeInterval = 120

    /// Up to `limit` rows due now (the `columns` asked for, and `id`), claimed for `claimLifetime` by this caller.
    func claimDue(columns: String, now: Date, limit: Int, in db: any SQLDatabase) async throws -> [any SQLRow] {
        let rows = try await db.raw(
            """
            SELECT id, \(unsafeRaw: columns) FROM \(unsafeRaw: table)
            WHERE status = 'queued' AND next_attempt_at <= \(bind: now.unixSeconds) ORDER BY next_attempt_at, id LIMIT \(bind: limit)
            """
        ).all()
        var claimed: [any SQLRow] = []
        for row in rows {
            // Claimed only if nobody claimed it since the read (another node, on PostgreSQL).
            let taken = try await db.raw(
                """
                UPDATE \(unsafeRaw: table) SET next_attempt_at = \(bind: now.addingTimeInterval(Self.claimLifetime).unixSeconds)
                WHERE id = \(bind: try row.int("id")) AND status = 'queued' AND next_attempt_at <= \(bind: now.unixSeconds) RETURNING id
                """
            ).first()
            if taken != nil { claimed.append(row) }
        }
        return claimed
    }

    func markSent(_ id: Int, now: Date, in db: any SQLDatabase) async throws {
        try await db.raw(
            "UPDATE \(unsafeRaw: table) SET status = 'sent', sent_at = \(bind: now.unixSeconds), attempts = attempts + 1 WHERE id = \(bind: id)"
        ).run()
    }

    /// Records a failed try: the next after the wait for this many failures, or given up after the last wait.
    func markFailed(_ id: Int, attempts: Int, error: String, now: Date, in db: any SQLDatabase) async throws {
        let failures = attempts + 1
        let wait = failures <= retryWaits.count ? retryWaits[failures - 1] : nil
        try await db.raw(
            """
            UPDATE \(unsafeRaw: table) SET attempts = \(bind: failures), last_error = \(bind: String(error.prefix(2_000))),
            next_attempt_at = \(bind: now.addingTimeInterval(wait ?? 0).unixSeconds), status = \(bind: wait == nil ? "failed" : "queued")
            WHERE id = \(bind: id)
            """
        ).run()
    }
}
