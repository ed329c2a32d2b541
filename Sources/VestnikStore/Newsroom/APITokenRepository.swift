import Foundation
import SQLKit
import VestnikCore

/// What an admin API token may do. Its user's role limits it further: a token never does more than its user could
/// in the newsroom (`ArticleWriteService` checks the role on every write).
public enum APIScope: String, Sendable, CaseIterable, Comparable {
    /// Read articles in any state the user may see.
    case read
    /// Create and edit articles, submit them for review.
    case write
    /// Schedule, publish and unpublish.
    case publish

    public static func < (a: APIScope, b: APIScope) -> Bool { a.rank < b.rank }
    private var rank: Int { Self.allCases.firstIndex(of: self)! }

    /// `read write`, as stored.
    public static func text(_ scopes: Set<APIScope>) -> String { scopes.sorted().map(\.rawValue).joined(separator: " ") }
    public static func parse(_ text: String) -> Set<APIScope> {
        Set(text.split(separator: " ").compactMap { APIScope(rawValue: String($0)) })
    }
}

/// An admin API token as the newsroom lists it (never the token itself: only its last four characters).
public struct APIToken: Sendable, Equatable {
    public var id: Int
    public var name: String
    public var userID: Int
    public var userName: String
    public var scopes: Set<APIScope>
    /// The token's last characters, so a person can tell which one a client holds.
    public var hint: String
    public var createdAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?
}

/// Who a presented token acts as: the token, its user (with the role they have now) and its scopes.
public struct APICaller: Sendable, Equatable {
    public var tokenID: Int
    public var tokenName: String
    public var user: NewsroomUser
    public var scopes: Set<APIScope>

    public var writer: ArticleWriter { ArticleWriter(userID: user.id, role: user.role) }
}

public enum APITokenError: Error, Equatable, CustomStringConvertible {
    /// Only a chief editor creates and revokes tokens.
    case notAllowed
    case noSuchUser
    case noSuchToken
    case noScopes
    case badName

    public var description: String {
        switch self {
        case .notAllowed: return "only a chief editor manages API tokens"
        case .noSuchUser: return "no active user has this id"
        case .noSuchToken: return "no such token"
        case .noScopes: return "a token needs at least one scope"
        case .badName: return "a token's name is 1 to 100 printable characters"
        }
    }
}

/// Admin API tokens: 32 random bytes shown once, stored as their SHA-256 digest (a high-entropy token needs no slow
/// hash: nothing can be guessed from the digest), created and revoked by a chief editor with an audit row each.
public struct APITokenRepository: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    /// Every token starts so, to be recognised in logs and by secret scanners.
    public static let prefix = "vst_"

    /// Creates a token for user `userID`; returns the token (to show once) and its id.
    public func create(
        name: String, userID: Int, scopes: Set<APIScope>, by actor: ArticleWriter, now: Date, token: String
    ) async throws -> Int {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 100, !TaxonomyRepository.hasControlCharacters(name) else { throw APITokenError.badName }
        guard !scopes.isEmpty else { throw APITokenError.noScopes }
        return try await asChief(actor) { db in
            guard let user = try await db.raw("SELECT name FROM users WHERE id = \(bind: userID) AND suspended_at IS NULL").first()
            else { throw APITokenError.noSuchUser }
            let row = try await db.raw(
                """
                INSERT INTO api_tokens (user_id, name, token_hash, hint, scopes, created_at, created_by)
                VALUES (\(bind: userID), \(bind: name), \(bind: SHA256.hex(token)), \(bind: String(token.suffix(4))),
                    \(bind: APIScope.text(scopes)), \(bind: now.unixSeconds), \(bind: actor.userID))
                RETURNING id
                """
            ).first()
            guard let id = try row?.int("id") else { throw APITokenError.noSuchToken }
            try await ArticleWriteService.audit(
                userID: actor.userID, action: "api_token_created", articleID: nil,
                title: "\(name) (\(try user.string("name")), \(APIScope.text(scopes)))", now: now, in: db)
            return id
        }
    }

    /// Revokes token `id` at once (every node: the check reads the database on each call).
    public func revoke(id: Int, by actor: ArticleWriter, now: Date) async throws {
        try await asChief(actor) { db in
            guard
                let row = try await db.raw(
                    "UPDATE api_tokens SET revoked_at = \(bind: now.unixSeconds) WHERE id = \(bind: id) AND revoked_at IS NULL RETURNING name"
                ).first()
            else { throw APITokenError.noSuchToken }
            try await ArticleWriteService.audit(
                userID: actor.userID, action: "api_token_revoked", articleID: nil, title: try row.string("name"), now: now, in: db)
        }
    }

    /// Every token, newest first.
    public func list() async throws -> [APIToken] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT t.*, u.name AS user_name FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.id DESC
                """
            ).all().map { row in
                APIToken(
                    id: try row.int("id"), name: try row.string("name"), userID: try row.int("user_id"),
                    userName: try row.string("user_name"), scopes: APIScope.parse(try row.string("scopes")), hint: try row.string("hint"),
                    createdAt: try row.date("created_at"), lastUsedAt: try row.optionalInt("last_used_at").map(Self.date),
                    revokedAt: try row.optionalInt("revoked_at").map(Self.date))
            }
        }
    }

    /// Who `token` acts as: nil when it is unknown, revoked, or its user is suspended or gone. Notes the use (at
    /// most once a minute per token, so a busy client does not write on every call).
    public func caller(token: String, now: Date) async throws -> APICaller? {
        let found = try await database.read { db -> (APICaller, Int?)? in
            guard
                let row = try await db.raw(
                    """
                    SELECT t.id AS token_id, t.name AS token_name, t.scopes, t.last_used_at, u.id, u.email, u.name, u.role
                    FROM api_tokens t JOIN users u ON u.id = t.user_id
                    WHERE t.token_hash = \(bind: SHA256.hex(token)) AND t.revoked_at IS NULL AND u.suspended_at IS NULL
                    """
                ).first()
            else { return nil }
            let caller = APICaller(
                tokenID: try row.int("token_id"), tokenName: try row.string("token_name"), user: try AccountRepository.user(row),
                scopes: APIScope.parse(try row.string("scopes")))
            return (caller, try row.optionalInt("last_used_at"))
        }
        guard let found else { return nil }
        let (caller, lastUsed) = found
        if (lastUsed ?? 0) < now.unixSeconds - 60 {
            try await database.write { db in
                try await db.raw("UPDATE api_tokens SET last_used_at = \(bind: now.unixSeconds) WHERE id = \(bind: caller.tokenID)").run()
            }
        }
        return caller
    }

    /// One audit row for an admin API call: which token, as whom, what it asked and how it was answered.
    public func audit(_ caller: APICaller, call: String, articleID: Int?, now: Date) async throws {
        try await database.write { db in
            try await ArticleWriteService.audit(
                userID: caller.user.id, action: "api_call", articleID: articleID, title: "\(call) (\(caller.tokenName))", now: now, in: db)
        }
    }

    private func asChief<T: Sendable>(
        _ actor: ArticleWriter, _ body: @escaping @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        try await database.asChief(actor, otherwise: APITokenError.notAllowed, body)
    }

    private static func date(_ seconds: Int) -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }
}

extension Database {
    /// Runs `body` in a transaction if `actor` is a chief editor now (not demoted or suspended a moment ago, on any
    /// node); throws `refusal` otherwise. For the chief's own pages: API tokens, webhooks.
    func asChief<T: Sendable>(
        _ actor: ArticleWriter, otherwise refusal: any Error, _ body: @escaping @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        guard actor.role == .chief, let actorID = actor.userID else { throw refusal }
        let dialect = self.dialect
        return try await write { db in
            try await Database.serialize(LockKeys.users, dialect: dialect, in: db)
            guard
                try await db.raw(
                    "SELECT id FROM users WHERE id = \(bind: actorID) AND role = \(bind: Role.chief.rawValue) AND suspended_at IS NULL"
                ).first() != nil
            else { throw refusal }
            return try await body(db)
        }
    }
}
