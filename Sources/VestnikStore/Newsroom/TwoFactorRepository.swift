import Foundation
import SQLKit
import VestnikCore

/// A user's two-factor state as the database holds it: secrets stay sealed here (opening them is the web layer's,
/// which holds the key).
public struct TwoFactorState: Sendable, Equatable {
    /// The sealed secret of an enrolled user; nil: not enrolled.
    public var sealedSecret: String?
    /// The sealed secret shown on the enrolment page, until a code from it confirms it.
    public var sealedPending: String?
    /// The time step of the code last accepted.
    public var lastStep: Int?
    /// Recovery codes not used yet.
    public var recoveryCodesLeft: Int
}

/// Two-factor sign-in's storage: enrolment (a pending secret, then the confirmed one with its recovery codes),
/// codes used once, and the sign-ins waiting for their code (`login_challenges`). Every change of enrolment is
/// audited in its own transaction.
public struct TwoFactorRepository: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    public func state(userID: Int) async throws -> TwoFactorState {
        try await database.read { db in
            guard
                let row = try await db.raw("SELECT totp_secret, totp_pending, totp_last_step FROM users WHERE id = \(bind: userID)").first()
            else { return TwoFactorState(recoveryCodesLeft: 0) }
            let left =
                try await db.raw(
                    "SELECT COUNT(*) AS n FROM totp_recovery_codes WHERE user_id = \(bind: userID) AND used_at IS NULL"
                ).first()?.int("n") ?? 0
            return TwoFactorState(
                sealedSecret: try row.decode(column: "totp_secret", as: String?.self),
                sealedPending: try row.decode(column: "totp_pending", as: String?.self),
                lastStep: try row.optionalInt("totp_last_step"), recoveryCodesLeft: left)
        }
    }

    /// Keeps the secret shown for enrolment (replacing an earlier one); the enrolled secret, if any, stays until a
    /// code confirms the new one.
    public func setPending(userID: Int, sealed: String) async throws {
        try await database.write { db in
            try await db.raw("UPDATE users SET totp_pending = \(bind: sealed) WHERE id = \(bind: userID)").run()
        }
    }

    /// Makes the pending secret the user's (it must still be `sealedPending`: two tabs enrolling at once confirm only
    /// the secret whose code was typed), with new recovery codes (digests) replacing any old ones; audited.
    public func confirm(userID: Int, sealedPending: String, step: Int, recoveryCodeHashes: [String], now: Date) async throws -> Bool {
        try await database.write { db in
            let updated = try await db.raw(
                """
                UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_enabled_at = \(bind: now.unixSeconds),
                    totp_last_step = \(bind: step)
                WHERE id = \(bind: userID) AND totp_pending = \(bind: sealedPending) RETURNING id
                """
            ).first()
            guard updated != nil else { return false }
            try await db.raw("DELETE FROM totp_recovery_codes WHERE user_id = \(bind: userID)").run()
            for hash in recoveryCodeHashes {
                try await db.raw("INSERT INTO totp_recovery_codes (user_id, code_hash) VALUES (\(bind: userID), \(bind: hash))").run()
            }
            try await ArticleWriteService.audit(
                userID: userID, action: "totp_enabled", articleID: nil, title: "", now: now, in: db)
            return true
        }
    }

    /// Records that the code of `step` was used; false when that step (or a later one) was used already.
    public func useStep(userID: Int, step: Int) async throws -> Bool {
        try await database.write { db in
            try await db.raw(
                """
                UPDATE users SET totp_last_step = \(bind: step)
                WHERE id = \(bind: userID) AND (totp_last_step IS NULL OR totp_last_step < \(bind: step)) RETURNING id
                """
            ).first() != nil
        }
    }

    /// Spends a recovery code (by digest); false when it is not one of the user's unused codes. Audited.
    public func useRecoveryCode(userID: Int, codeHash: String, now: Date) async throws -> Bool {
        try await database.write { db in
            let used = try await db.raw(
                """
                UPDATE totp_recovery_codes SET used_at = \(bind: now.unixSeconds)
                WHERE user_id = \(bind: userID) AND code_hash = \(bind: codeHash) AND used_at IS NULL RETURNING user_id
                """
            ).first()
            guard used != nil else { return false }
            try await ArticleWriteService.audit(
                userID: userID, action: "totp_recovery_used", articleID: nil, title: "", now: now, in: db)
            return true
        }
    }

    /// Ends the user's own two-factor sign-in (they typed their password and a code to get here). Audited.
    public func disableOwn(userID: Int, now: Date) async throws {
        try await database.write { db in
            try await Self.clear(userID: userID, in: db)
            try await ArticleWriteService.audit(userID: userID, action: "totp_disabled", articleID: nil, title: "", now: now, in: db)
        }
    }

    static func clear(userID: Int, in db: any SQLDatabase) async throws {
        try await db.raw(
            """
            UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_enabled_at = NULL, totp_last_step = NULL
            WHERE id = \(bind: userID)
            """
        ).run()
        try await db.raw("DELETE FROM totp_recovery_codes WHERE user_id = \(bind: userID)").run()
        try await db.raw("DELETE FROM login_challenges WHERE user_id = \(bind: userID)").run()
    }

    // MARK: Sign-ins waiting for their code

    /// A sign-in whose password was right; the code is asked next. Expired ones are swept here.
    public func createChallenge(tokenHash: String, userID: Int, next: String, now: Date, lifetime: TimeInterval) async throws {
        try await database.write { db in
            try await db.raw("DELETE FROM login_challenges WHERE expires_at <= \(bind: now.unixSeconds)").run()
            try await db.raw(
                """
                INSERT INTO login_challenges (token_hash, user_id, next, expires_at)
                VALUES (\(bind: tokenHash), \(bind: userID), \(bind: next), \(bind: now.addingTimeInterval(lifetime).unixSeconds))
                """
            ).run()
        }
    }

    /// The active user and the page to go to of a live challenge.
    public func challenge(tokenHash: String, now: Date) async throws -> (user: NewsroomUser, next: String)? {
        try await database.read { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT u.*, c.next FROM login_challenges c JOIN users u ON u.id = c.user_id
                    WHERE c.token_hash = \(bind: tokenHash) AND c.expires_at > \(bind: now.unixSeconds) AND u.suspended_at IS NULL
                    """
                ).first()
            else { return nil }
            return (try AccountRepository.user(row), try row.string("next"))
        }
    }

    /// Ends a challenge; true when it existed (so one challenge makes one session).
    public func endChallenge(tokenHash: String) async throws -> Bool {
        try await database.write { db in
            try await db.raw("DELETE FROM login_challenges WHERE token_hash = \(bind: tokenHash) RETURNING user_id").first() != nil
        }
    }
}
