import Foundation
import SQLKit
import VestnikCore

/// A chief's invitation by e-mail that was neither accepted nor revoked.
public struct Invitation: Sendable, Equatable {
    public var id: Int
    public var email: String
    public var name: String
    public var role: Role
    public var expiresAt: Date
}

/// A message to send, made by the caller (it holds the link, whose token only the caller sees).
public struct OutgoingMail: Sendable {
    public var subject: String
    public var body: String

    public init(subject: String, body: String) {
        self.subject = subject
        self.body = body
    }
}

extension StaffService {
    /// How long an invitation's link works.
    public static let invitationLifetime: TimeInterval = 7 * 86_400

    /// Invites `email` to the newsroom with `role`: the invitation (its token's digest), its e-mail in the outbox and
    /// the audit row, in one transaction. Only an active chief invites, and only an address no account has.
    public func invite(
        email: String, name: String, role: Role, tokenHash: String, mail: OutgoingMail, by actor: ArticleWriter, now: Date
    ) async throws {
        let email = AccountRepository.normalise(email)
        guard MailMessage.isAddress(email) else { throw InvalidInput("not an e-mail address: \(email.prefix(80))") }
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 200, !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { throw InvalidInput("the name is empty or too long") }
        let dialect = database.dialect
        try await database.write { db in
            try await Database.serialize(LockKeys.users, dialect: dialect, in: db)
            try await Self.requireActiveChief(actor, in: db)
            if try await db.raw("SELECT id FROM users WHERE email = \(bind: email)").first() != nil { throw StaffError.existingAccount }
            // A new invitation to the same address replaces an open one.
            try await db.raw(
                "UPDATE invitations SET revoked_at = \(bind: now.unixSeconds) WHERE email = \(bind: email) AND accepted_at IS NULL AND revoked_at IS NULL"
            ).run()
            try await db.raw(
                """
                INSERT INTO invitations (token_hash, email, name, role, invited_by, created_at, expires_at)
                VALUES (\(bind: tokenHash), \(bind: email), \(bind: name), \(bind: role.rawValue), \(bind: actor.userID),
                \(bind: now.unixSeconds), \(bind: now.addingTimeInterval(Self.invitationLifetime).unixSeconds))
                """
            ).run()
            try await MailOutbox.enqueue(to: email, subject: mail.subject, body: mail.body, now: now, in: db)
            try await ArticleWriteService.audit(
                userID: actor.userID, action: "user_invited", articleID: nil, title: "\(name) <\(email)> (\(role.rawValue))", now: now,
                in: db)
        }
    }

    /// Takes back an invitation that was not accepted yet: its link stops working.
    public func revokeInvitation(id: Int, by actor: ArticleWriter, now: Date) async throws {
        try await database.write { db in
            try await Self.requireActiveChief(actor, in: db)
            let row = try await db.raw(
                """
                UPDATE invitations SET revoked_at = \(bind: now.unixSeconds)
                WHERE id = \(bind: id) AND accepted_at IS NULL AND revoked_at IS NULL RETURNING email, name
                """
            ).first()
            guard let row else { throw StaffError.noSuchUser }
            try await ArticleWriteService.audit(
                userID: actor.userID, action: "invitation_revoked", articleID: nil,
                title: "\(try row.string("name")) <\(try row.string("email"))>", now: now, in: db)
        }
    }

    /// Invitations still open (not accepted, revoked or expired), newest first.
    public func openInvitations(now: Date) async throws -> [Invitation] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT id, email, name, role, expires_at FROM invitations
                WHERE accepted_at IS NULL AND revoked_at IS NULL AND expires_at > \(bind: now.unixSeconds) ORDER BY id DESC
                """
            ).all().map(Self.invitation)
        }
    }

    static func invitation(_ row: any SQLRow) throws -> Invitation {
        Invitation(
            id: try row.int("id"), email: try row.string("email"), name: try row.string("name"),
            role: Role(rawValue: try row.string("role")) ?? .contributor, expiresAt: try row.date("expires_at"))
    }
}

extension AccountRepository {
    /// The open invitation whose link holds the token with this digest.
    public func invitation(tokenHash: String, now: Date) async throws -> Invitation? {
        try await database.read { db in
            try await db.raw(
                """
                SELECT id, email, name, role, expires_at FROM invitations WHERE token_hash = \(bind: tokenHash)
                AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > \(bind: now.unixSeconds)
                """
            ).first().map(StaffService.invitation)
        }
    }

    /// The invitee sets their password: the account is made with the invited name and role and the invitation is
    /// used up, in one transaction; nil when the link is used, revoked or expired, or the address has an account.
    public func acceptInvitation(tokenHash: String, passwordHash: String, now: Date) async throws -> NewsroomUser? {
        let dialect = database.dialect
        return try await database.write { db in
            try await Database.serialize(LockKeys.users, dialect: dialect, in: db)
            guard
                let row = try await db.raw(
                    """
                    UPDATE invitations SET accepted_at = \(bind: now.unixSeconds) WHERE token_hash = \(bind: tokenHash)
                    AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > \(bind: now.unixSeconds)
                    RETURNING id, email, name, role, expires_at
                    """
                ).first()
            else { return nil }
            let invitation = try StaffService.invitation(row)
            if try await db.raw("SELECT id FROM users WHERE email = \(bind: invitation.email)").first() != nil { return nil }
            guard
                let created = try await db.raw(
                    """
                    INSERT INTO users (email, name, role, password_hash, created_at)
                    VALUES (\(bind: invitation.email), \(bind: invitation.name), \(bind: invitation.role.rawValue), \(bind: passwordHash),
                    \(bind: now.unixSeconds)) RETURNING id
                    """
                ).first()
            else { return nil }
            let user = NewsroomUser(id: try created.int("id"), email: invitation.email, name: invitation.name, role: invitation.role)
            try await ArticleWriteService.audit(
                userID: user.id, action: "invitation_accepted", articleID: nil, title: "\(user.name) <\(user.email)>", now: now, in: db)
            return user
        }
    }
}
