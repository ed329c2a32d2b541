import Foundation
import SQLKit
import VestnikCore

/// A newsroom account as the staff screen shows it.
public struct StaffMember: Sendable, Equatable {
    public var user: NewsroomUser
    public var suspended: Bool
    /// Signs in with a TOTP code after the password.
    public var twoFactor = false
}

/// Why a staff change was refused; nothing was stored.
public enum StaffError: Error, Equatable, CustomStringConvertible {
    /// Only the chief editor manages the staff.
    case notAllowed
    /// Nobody suspends, demotes or deletes their own account (a chief who means to leave hands over first).
    case ownAccount
    /// The change would leave the newsroom without an active chief editor.
    case lastChief
    case noSuchUser
    /// Work is handed only to another active account.
    case badSuccessor
    /// An invitation goes only to an address no account has.
    case existingAccount

    public var description: String {
        switch self {
        case .notAllowed: return "only the chief editor manages the newsroom's accounts"
        case .ownAccount: return "nobody may suspend, demote or delete their own account"
        case .lastChief: return "the newsroom must keep an active chief editor"
        case .noSuchUser: return "there is no such user"
        case .badSuccessor: return "the work must go to another active user"
        case .existingAccount: return "an account with this e-mail exists already"
        }
    }

    /// The locale key of the message the newsroom shows.
    public var messageKey: String {
        switch self {
        case .notAllowed: return "nr_staff_not_allowed"
        case .ownAccount: return "nr_staff_own_account"
        case .lastChief: return "nr_staff_last_chief"
        case .noSuchUser: return "nr_staff_no_user"
        case .badSuccessor: return "nr_staff_bad_successor"
        case .existingAccount: return "nr_invite_exists"
        }
    }
}

/// The staff rules, for the newsroom's user page and the `vestnik user` command alike: change a role, suspend,
/// reactivate, delete with the unfinished work handed over. Each change checks the acting user's role, keeps an
/// active chief editor and is audited in the same transaction; the users' rows are serialised (`LockKeys.users`), so
/// two chiefs demoting each other at once cannot leave none. The acting user is an `ArticleWriter`: a newsroom user,
/// or `.system` for the operator at the shell.
public struct StaffService: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    /// Every account, by name.
    public func members() async throws -> [StaffMember] {
        try await database.read { db in try await db.raw("SELECT * FROM users ORDER BY name, id").all().map(Self.member) }
    }

    /// The account with this address, suspended or not.
    public func member(email: String) async throws -> StaffMember? {
        let email = AccountRepository.normalise(email)
        return try await database.read { db in
            try await db.raw("SELECT * FROM users WHERE email = \(bind: email)").first().map(Self.member)
        }
    }

    /// Gives user `userID` the role `role`.
    public func setRole(userID: Int, to role: Role, by actor: ArticleWriter, now: Date) async throws {
        try await change(userID, by: actor) { db, target in
            guard target.user.role != role else { return }
            if target.user.role == .chief, !target.suspended { try await Self.keepAChief(besides: target, in: db) }
            try await db.raw("UPDATE users SET role = \(bind: role.rawValue) WHERE id = \(bind: userID)").run()
            try await ArticleWriteService.audit(
                userID: actor.userID, action: "user_role_changed", articleID: nil,
                title: "\(target.user.name) <\(target.user.email)>: \(target.user.role.rawValue) → \(role.rawValue)", now: now, in: db)
        }
    }

    /// Suspends user `userID`: their sessions and reset links end now, and no new session starts until they are
    /// reactivated. Their articles and bylines stay.
    public func suspend(userID: Int, by actor: ArticleWriter, now: Date) async throws {
        try await change(userID, by: actor) { db, target in
            guard !target.suspended else { return }
            if target.user.role == .chief { try await Self.keepAChief(besides: target, in: db) }
            try await db.raw("UPDATE users SET suspended_at = \(bind: now.unixSeconds) WHERE id = \(bind: userID)").run()
            try await db.raw("DELETE FROM sessions WHERE user_id = \(bind: userID)").run()
            try await db.raw("DELETE FROM password_resets WHERE user_id = \(bind: userID)").run()
            try await ArticleWriteService.audit(
                userID: actor.userID, action: "user_suspended", articleID: nil, title: Self.label(target), now: now, in: db)
        }
    }

    public func reactivate(userID: Int, by actor: ArticleWriter, now: Date) async throws {
        try await change(userID, by: actor, ownAllowed: true) { db, target in
            guard target.suspended else { return }
            try await db.raw("UPDATE users SET suspended_at = NULL WHERE id = \(bind: userID)").run()
            try await ArticleWriteService.audit(
                userID: actor.userID, action: "user_reactivated", articleID: nil, title: Self.label(target), now: now, in: db)
        }
    }

    /// Deletes user `userID` after handing their drafts, articles in review and scheduled articles, and their unsaved
    /// text in existing articles, to `successorID`.
    /// Published articles keep their bylines (authors are not accounts); their revisions and audit rows keep the
    /// text and lose the name.
    public func delete(userID: Int, handingWorkTo successorID: Int, by actor: ArticleWriter, now: Date) async throws {
        try await change(userID, by: actor) { db, target in
            guard successorID != userID,
                try await db.raw("SELECT id FROM users WHERE id = \(bind: successorID) AND suspended_at IS NULL").first() != nil
            else { throw StaffError.badSuccessor }
            if target.user.role == .chief, !target.suspended { try await Self.keepAChief(besides: target, in: db) }
            let unfinished = [ArticleStatus.draft, .review, .scheduled].map(\.rawValue)
            try await db.raw(
                """
                UPDATE articles SET created_by = \(bind: successorID)
                WHERE created_by = \(bind: userID) AND status IN (\(binds: unfinished))
                """
            ).run()
            // What they typed into existing articles and did not save is the successor's to find in the editor
            // (unless the successor has unsaved text of their own there).
            try await db.raw(
                """
                UPDATE article_autosaves SET user_id = \(bind: successorID)
                WHERE user_id = \(bind: userID) AND article_key <> 0
                    AND article_key NOT IN (SELECT article_key FROM article_autosaves WHERE user_id = \(bind: successorID))
                """
            ).run()
            try await db.raw("DELETE FROM users WHERE id = \(bind: userID)").run()
            try await ArticleWriteService.audit(
                userID: actor.userID, action: "user_deleted", articleID: nil, title: Self.label(target), now: now, in: db)
        }
    }

    /// Ends another user's two-factor sign-in (a lost phone and lost recovery codes): their secret and recovery
    /// codes go, and so do their sessions, so the next sign-in is by password and, where required, a new enrolment.
    public func resetTwoFactor(userID: Int, by actor: ArticleWriter, now: Date) async throws {
        try await change(userID, by: actor) { db, target in
            try await TwoFactorRepository.clear(userID: userID, in: db)
            try await db.raw("DELETE FROM sessions WHERE user_id = \(bind: userID)").run()
            try await ArticleWriteService.audit(
                userID: actor.userID, action: "user_totp_reset", articleID: nil, title: Self.label(target), now: now, in: db)
        }
    }

    /// Runs `body` on the target's row in one serialised transaction, after the checks every change shares.
    private func change(
        _ userID: Int, by actor: ArticleWriter, ownAllowed: Bool = false,
        _ body: @escaping @Sendable (any SQLDatabase, StaffMember) async throws -> Void
    ) async throws {
        guard actor.role == .chief else { throw StaffError.notAllowed }
        if !ownAllowed, actor.userID == userID { throw StaffError.ownAccount }
        let dialect = database.dialect
        try await database.write { db in
            try await Database.serialize(LockKeys.users, dialect: dialect, in: db)
            try await Self.requireActiveChief(actor, in: db)
            guard let row = try await db.raw("SELECT * FROM users WHERE id = \(bind: userID)").first() else { throw StaffError.noSuchUser }
            try await body(db, try Self.member(row))
        }
    }

    /// The acting chief may have been demoted or suspended a moment ago, on any node: checked inside the transaction.
    static func requireActiveChief(_ actor: ArticleWriter, in db: any SQLDatabase) async throws {
        guard actor.role == .chief else { throw StaffError.notAllowed }
        guard let actorID = actor.userID else { return }
        let row = try await db.raw(
            "SELECT id FROM users WHERE id = \(bind: actorID) AND role = \(bind: Role.chief.rawValue) AND suspended_at IS NULL"
        ).first()
        guard row != nil else { throw StaffError.notAllowed }
    }

    /// Refuses a change that would take away the last active chief editor (`target` being one).
    private static func keepAChief(besides target: StaffMember, in db: any SQLDatabase) async throws {
        let other = try await db.raw(
            """
            SELECT id FROM users
            WHERE role = \(bind: Role.chief.rawValue) AND suspended_at IS NULL AND id <> \(bind: target.user.id) LIMIT 1
            """
        ).first()
        if other == nil { throw StaffError.lastChief }
    }

    private static func label(_ member: StaffMember) -> String { "\(member.user.name) <\(member.user.email)>" }

    static func member(_ row: any SQLRow) throws -> StaffMember {
        StaffMember(
            user: try AccountRepository.user(row), suspended: try row.optionalInt("suspended_at") != nil,
            twoFactor: try row.decode(column: "totp_secret", as: String?.self) != nil)
    }
}
