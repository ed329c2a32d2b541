import Foundation
import SQLKit
import VestnikCore

/// A signed-in session as the database knows it.
public struct NewsroomSession: Sendable, Equatable {
    public var user: NewsroomUser
    /// The token every state-changing form of this session must carry.
    public var csrf: String
    public var expiresAt: Date
}

/// Newsroom accounts: users, their sessions (stored by token digest, so they work across nodes), failed logins for
/// throttling, and one-time password reset tokens. Password hashing happens above this layer.
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

    /// The user and their password hash.
    public func user(email: String) async throws -> (user: NewsroomUser, passwordHash: String)? {
        let email = Self.normalise(email)
        return try await database.read { db in
            guard let row = try await db.raw("SELECT * FROM users WHERE email = \(bind: email)").first() else { return nil }
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

    /// Whether a chief editor exists; until one does, the first-run setup page is open.
    public func hasChief() async throws -> Bool {
        try await database.read { db in
            try await db.raw("SELECT id FROM users WHERE role = \(bind: Role.chief.rawValue) LIMIT 1").first() != nil
        }
    }

    /// Sets a new password hash and ends every session of the user.
    public func setPassword(userID: Int, passwordHash: String, keepingSession tokenHash: String? = nil) async throws {
        try await database.write { db in
            try await db.raw("UPDATE users SET password_hash = \(bind: passwordHash) WHERE id = \(bind: userID)").run()
            try await db.raw(
                "DELETE FROM sessions WHERE user_id = \(bind: userID) AND token_hash <> \(bind: tokenHash ?? "")"
            ).run()
        }
    }

    // MARK: Sessions

    public func createSession(tokenHash: String, userID: Int, csrf: String, now: Date, lifetime: TimeInterval) async throws {
        try await database.write { db in
            try await db.raw("DELETE FROM sessions WHERE expires_at <= \(bind: now.unixSeconds)").run()
            try await db.raw(
                """
                INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at)
                VALUES (\(bind: tokenHash), \(bind: userID), \(bind: csrf), \(bind: now.unixSeconds),
                    \(bind: now.addingTimeInterval(lifetime).unixSeconds))
                """
            ).run()
        }
    }

    /// The live session with this token digest, if it has not expired.
    public func session(tokenHash: String, now: Date) async throws -> NewsroomSession? {
        try await database.read { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT u.*, s.csrf, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
                    WHERE s.token_hash = \(bind: tokenHash) AND s.expires_at > \(bind: now.unixSeconds)
                    """
                ).first()
            else { return nil }
            return NewsroomSession(user: try Self.user(row), csrf: try row.string("csrf"), expiresAt: try row.date("expires_at"))
        }
    }

    public func deleteSession(tokenHash: String) async throws {
        try await database.write { db in try await db.raw("DELETE FROM sessions WHERE token_hash = \(bind: tokenHash)").run() }
    }

    // MARK: Failed logins

    public func recordFailure(keys: [String], now: Date) async throws {
        try await database.write { db in
            for key in keys {
                try await db.raw("INSERT INTO login_failures (key, at) VALUES (\(bind: key), \(bind: now.unixSeconds))").run()
            }
        }
    }

    /// How many failures `key` has had since `since`, and when the last one was.
    public func failures(key: String, since: Date) async throws -> (count: Int, last: Date?) {
        try await database.read { db in
            let row = try await db.raw(
                "SELECT COUNT(*) AS n, MAX(at) AS last FROM login_failures WHERE key = \(bind: key) AND at >= \(bind: since.unixSeconds)"
            ).first()
            let count = try row?.int("n") ?? 0
            let last = try row?.optionalInt("last").map { Date(timeIntervalSince1970: TimeInterval($0)) }
            return (count, last)
        }
    }

    public func clearFailures(key: String) async throws {
        try await database.write { db in try await db.raw("DELETE FROM login_failures WHERE key = \(bind: key)").run() }
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
            return true
        }
    }

    static func normalise(_ email: String) -> String { email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() }

    static func user(_ row: any SQLRow) throws -> NewsroomUser {
        NewsroomUser(
            id: try row.int("id"), email: try row.string("email"), name: try row.string("name"),
            role: Role(rawValue: try row.string("role")) ?? .contributor)
    }
}
