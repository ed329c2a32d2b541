import Foundation
import SQLKit
import VestnikCore

/// A signed-in session as the database knows it.
public struct NewsroomSession: Sendable, Equatable {
    public var user: NewsroomUser
    /// The token every state-changing form of this session must carry.
    public var csrf: String
    public var expiresAt: Date
    /// The user signs in with a TOTP code after the password.
    public var twoFactor = false
}

/// Newsroom accounts: users, their sessions (stored by token digest, so they work across nodes), login attempts for
/// throttling and the browsers that signed in before, and one-time password reset tokens. Password hashing happens
/// above this layer; suspending, roles and deleting are `StaffService`'s.
public struct AccountRepository: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    // MARK: Users

    @discardableResult
    public func createUser(
        email: String, name: String, role: Role, passwordHash: String, now: Date, onlyIfNoChief: Bool = false
    ) async throws -> NewsroomUser {
        let email = Self.normalise(email)
        guard email.contains("@"), email.count <= 254 else { throw InvalidInput("not an e-mail address: \(email)") }
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 200 else { throw InvalidInput("the name is empty or too long") }
        let dialect = database.dialect
        return try await database.write { db in
            // The first-run setup page may be posted twice at once: only one chief editor is created.
            try await Database.serialize(LockKeys.users, dialect: dialect, in: db)
            if onlyIfNoChief, try await db.raw("SELECT id FROM users WHERE role = 'chief' LIMIT 1").first() != nil {
                throw InvalidInput("a chief editor exists already")
            }
            if try await db.raw("SELECT id FROM users WHERE email = \(bind: email)").first() != nil {
                throw InvalidInput("a user with the e-mail \(email) exists")
            }
            let row = try await db.raw(
                """
                INSERT INTO users (email, name, role, password_hash, created_at)
                VALUES (\(bind: email), \(bind: name), \(bind: role.rawValue), \(bind: passwordHash), \(bind: now.unixSeconds))
                RETURNING id
                """
            ).first()
            guard let row else { throw InvalidInput("the user was not saved") }
            return NewsroomUser(id: try row.int("id"), email: email, name: name, role: role)
        }
    }

    /// The active (not suspended) user with this address and their password hash: the ones who may sign in.
    public func user(email: String) async throws -> (user: NewsroomUser, passwordHash: String)? {
        let email = Self.normalise(email)
        return try await database.read { db in
            guard let row = try await db.raw("SELECT * FROM users WHERE email = \(bind: email) AND suspended_at IS NULL").first()
            else { return nil }
            return (try Self.user(row), try row.string("password_hash"))
        }
    }

    public func user(id: Int) async throws -> (user: NewsroomUser, passwordHash: String)? {
        try await database.read { db in
            guard let row = try await db.raw("SELECT * FROM users WHERE id = \(bind: id)").first() else { return nil }
            return (try Self.user(row), try row.string("password_hash"))
        }
    }

    /// Every user, by name.
    public func users() async throws -> [NewsroomUser] {
        try await database.read { db in try await db.raw("SELECT * FROM users ORDER BY name, id").all().map(Self.user) }
    }

    /// Changes the name the newsroom shows for the user (the same rule as a new account's).
    public func rename(userID: Int, to name: String) async throws {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 200 else { throw InvalidInput("the name is empty or too long") }
        try await database.write { db in try await db.raw("UPDATE users SET name = \(bind: name) WHERE id = \(bind: userID)").run() }
    }

    /// Whether a chief editor exists; until one does, the first-run setup page is open.
    public func hasChief() async throws -> Bool {
        try await database.read { db in
            try await db.raw("SELECT id FROM users WHERE role = \(bind: Role.chief.rawValue) LIMIT 1").first() != nil
        }
    }

    /// Sets a new password hash, ends every other session of the user and revokes their reset links (a link sent
    /// before the change must not undo it).
    public func setPassword(userID: Int, passwordHash: String, keepingSession tokenHash: String? = nil) async throws {
        try await database.write { db in
            try await db.raw("UPDATE users SET password_hash = \(bind: passwordHash) WHERE id = \(bind: userID)").run()
            try await db.raw(
                "DELETE FROM sessions WHERE user_id = \(bind: userID) AND token_hash <> \(bind: tokenHash ?? "")"
            ).run()
            try await db.raw("DELETE FROM password_resets WHERE user_id = \(bind: userID)").run()
        }
    }

    // MARK: Sessions

    /// A new session for the user; none (and no error) when the user was suspended meanwhile, since a suspension
    /// may land between the password check and this insert.
    public func createSession(tokenHash: String, userID: Int, csrf: String, now: Date, lifetime: TimeInterval) async throws {
        try await database.write { db in
            try await db.raw("DELETE FROM sessions WHERE expires_at <= \(bind: now.unixSeconds)").run()
            try await db.raw(
                """
                INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at)
                SELECT \(bind: tokenHash), id, \(bind: csrf), \(bind: now.unixSeconds), \(bind: now.addingTimeInterval(lifetime).unixSeconds)
                FROM users WHERE id = \(bind: userID) AND suspended_at IS NULL
                """
            ).run()
        }
    }

    /// The live session with this token digest, if it has not expired and its user is not suspended. Every request
    /// asks the database, so a suspension takes effect at once on every node.
    public func session(tokenHash: String, now: Date) async throws -> NewsroomSession? {
        try await database.read { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT u.*, s.csrf, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
                    WHERE s.token_hash = \(bind: tokenHash) AND s.expires_at > \(bind: now.unixSeconds) AND u.suspended_at IS NULL
                    """
                ).first()
            else { return nil }
            return NewsroomSession(
                user: try Self.user(row), csrf: try row.string("csrf"), expiresAt: try row.date("expires_at"),
                twoFactor: try row.decode(column: "totp_secret", as: String?.self) != nil)
        }
    }

    public func deleteSession(tokenHash: String) async throws {
        try await database.write { db in try await db.raw("DELETE FROM sessions WHERE token_hash = \(bind: tokenHash)").run() }
    }

    /// Ends every session of the user ("sign out everywhere").
    public func endSessions(userID: Int) async throws {
        try await database.write { db in try await db.raw("DELETE FROM sessions WHERE user_id = \(bind: userID)").run() }
    }

    // MARK: Login attempts

    /// Checks the throttle and, when it lets the attempt through, records it, in one serialised transaction: so
    /// parallel guesses are counted before any password is checked, not after. For each key, `delay` gets the number
    /// of attempts since `since` and answers how long after the last one the next may come (nil: no wait). A
    /// successful sign-in takes its attempt back (`release`); a failed one leaves it as a recorded failure.
    public func reserveLoginAttempt(
        keys: [String], since: Date, now: Date, delay: @escaping @Sendable (_ key: String, _ attempts: Int) -> TimeInterval?
    ) async throws -> LoginReservation {
        let dialect = database.dialect
        return try await database.write { db in
            try await Database.serialize(LockKeys.loginAttempts, dialect: dialect, in: db)
            var wait: TimeInterval = 0
            for key in keys {
                try await db.raw("DELETE FROM login_failures WHERE key = \(bind: key) AND at < \(bind: since.unixSeconds)").run()
                let row = try await db.raw(
                    "SELECT COUNT(*) AS n, MAX(at) AS last FROM login_failures WHERE key = \(bind: key)"
                ).first()
                let count = try row?.int("n") ?? 0
                guard let last = try row?.optionalInt("last"), let pause = delay(key, count) else { continue }
                wait = max(wait, Date(timeIntervalSince1970: TimeInterval(last)).addingTimeInterval(pause).timeIntervalSince(now))
            }
            if wait > 0 { return .wait(wait) }
            var ids: [Int] = []
            for key in keys {
                let row = try await db.raw(
                    "INSERT INTO login_failures (key, at) VALUES (\(bind: key), \(bind: now.unixSeconds)) RETURNING id"
                ).first()
                if let row { ids.append(try row.int("id")) }
            }
            return .reserved(LoginAttempt(ids: ids))
        }
    }

    /// Takes back a successful attempt, and forgets the earlier failures under `clearing` (the client's own record
    /// on this account); failures other clients caused stay.
    public func release(_ attempt: LoginAttempt, clearing key: String) async throws {
        try await database.write { db in
            for id in attempt.ids { try await db.raw("DELETE FROM login_failures WHERE id = \(bind: id)").run() }
            try await db.raw("DELETE FROM login_failures WHERE key = \(bind: key)").run()
        }
    }

    // MARK: Known devices

    /// Whether the browser with this device cookie digest signed in to the user's account before.
    public func isKnownDevice(tokenHash: String, userID: Int) async throws -> Bool {
        try await database.read { db in
            try await db.raw(
                "SELECT user_id FROM login_devices WHERE token_hash = \(bind: tokenHash) AND user_id = \(bind: userID)"
            ).first() != nil
        }
    }

    /// Notes that the browser signed in to the user's account now; devices unseen for a year are forgotten.
    public func rememberDevice(tokenHash: String, userID: Int, now: Date) async throws {
        try await database.write { db in
            try await db.raw(
                "DELETE FROM login_devices WHERE user_id = \(bind: userID) AND last_seen < \(bind: now.unixSeconds - 365 * 86_400)"
            ).run()
            try await db.raw(
                """
                INSERT INTO login_devices (token_hash, user_id, last_seen) VALUES (\(bind: tokenHash), \(bind: userID), \(bind: now.unixSeconds))
                ON CONFLICT (token_hash, user_id) DO UPDATE SET last_seen = EXCLUDED.last_seen
                """
            ).run()
        }
    }

    // MARK: Password resets

    public func createReset(tokenHash: String, userID: Int, expiresAt: Date) async throws {
        try await database.write { db in
            try await db.raw(
                "INSERT INTO password_resets (token_hash, user_id, expires_at) VALUES (\(bind: tokenHash), \(bind: userID), \(bind: expiresAt.unixSeconds))"
            ).run()
        }
    }

    /// The user a reset token belongs to, if it is unused and unexpired (it is not used up by looking).
    public func resetUser(tokenHash: String, now: Date) async throws -> NewsroomUser? {
        try await database.read { db in
            try await db.raw(
                """
                SELECT u.* FROM password_resets r JOIN users u ON u.id = r.user_id
                WHERE r.token_hash = \(bind: tokenHash) AND r.used_at IS NULL AND r.expires_at > \(bind: now.unixSeconds)
                """
            ).first().map(Self.user)
        }
    }

    /// Uses the token up and sets the password, in one transaction; `false` when the token was not (any longer) valid.
    /// Every other link of the user is revoked and every session ended.
    public func consumeReset(tokenHash: String, passwordHash: String, now: Date) async throws -> Bool {
        try await database.write { db in
            guard
                let row = try await db.raw(
                    """
                    UPDATE password_resets SET used_at = \(bind: now.unixSeconds)
                    WHERE token_hash = \(bind: tokenHash) AND used_at IS NULL AND expires_at > \(bind: now.unixSeconds)
                    RETURNING user_id
                    """
                ).first()
            else { return false }
            let userID = try row.int("user_id")
            try await db.raw("UPDATE users SET password_hash = \(bind: passwordHash) WHERE id = \(bind: userID)").run()
            try await db.raw("DELETE FROM sessions WHERE user_id = \(bind: userID)").run()
            try await db.raw("DELETE FROM password_resets WHERE user_id = \(bind: userID)").run()
            return true
        }
    }

    public static func normalise(_ email: String) -> String { email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() }

    static func user(_ row: any SQLRow) throws -> NewsroomUser {
        NewsroomUser(
            id: try row.int("id"), email: try row.string("email"), name: try row.string("name"),
            role: Role(rawValue: try row.string("role")) ?? .contributor)
    }
}

/// A login attempt let through by the throttle and recorded before the password is checked.
public struct LoginAttempt: Sendable, Equatable {
    let ids: [Int]
}

public enum LoginReservation: Sendable, Equatable {
    case reserved(LoginAttempt)
    /// Seconds until another attempt is allowed.
    case wait(TimeInterval)
}
