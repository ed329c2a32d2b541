import Foundation
import SQLKit
import Testing
import VestnikCore
import VestnikTestSupport
@testable import VestnikStore

/// The staff rules shared by the newsroom's user page and `vestnik user`: roles, suspension, deletion with the
/// unfinished work handed over, an active chief kept; and the login throttle's check-and-record.
@Suite struct StaffServiceTests {
    static func user(_ database: Database, _ email: String, _ role: Role) async throws -> NewsroomUser {
        try await AccountRepository(database: database).createUser(email: email, name: email, role: role, passwordHash: "x", now: testNow)
    }

    static func owner(_ database: Database, _ id: Int) async throws -> Int? {
        try await database.read { db in
            try await db.raw("SELECT created_by FROM articles WHERE id = \(bind: id)").first()?.optionalInt("created_by")
        }
    }

    @Test("deleting hands drafts, reviews and scheduled articles over; published ones and the audit stay", arguments: TestDatabase.all)
    func deleteHandsOver(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let chief = try await Self.user(database, "chief@x.bg", .chief)
            let leaving = try await Self.user(database, "leaving@x.bg", .editor)
            let staying = try await Self.user(database, "staying@x.bg", .author)
            let writer = ArticleWriter(userID: leaving.id, role: .editor)
            let writes = ArticleWriteService(database: database)
            var ids: [ArticleStatus: Int] = [:]
            for status in [ArticleStatus.draft, .review, .published] {
                guard
                    case .saved(let id, _) = try await writes.save(
                        input("Статия \(status.rawValue)", status: status), articleID: nil, baseRevision: 0, by: writer, now: testNow)
                else { Issue.record("not saved"); return }
                ids[status] = id
            }
            let scheduled = try #require(ids[.review])
            try await database.write { db in
                try await db.raw("UPDATE articles SET status = 'scheduled' WHERE id = \(bind: scheduled)").run()
            }
            let staff = StaffService(database: database)
            let actor = ArticleWriter(userID: chief.id, role: .chief)

            await #expect(throws: StaffError.badSuccessor) {
                try await staff.delete(userID: leaving.id, handingWorkTo: leaving.id, by: actor, now: testNow)
            }
            try await staff.suspend(userID: staying.id, by: actor, now: testNow)
            await #expect(throws: StaffError.badSuccessor) {
                try await staff.delete(userID: leaving.id, handingWorkTo: staying.id, by: actor, now: testNow)
            }
            try await staff.reactivate(userID: staying.id, by: actor, now: testNow)
            let drafts = DraftKeeping(database: database)
            try await drafts.autosave(userID: leaving.id, articleID: ids[.draft], fields: "недовършено", now: testNow)
            try await staff.delete(userID: leaving.id, handingWorkTo: staying.id, by: actor, now: testNow)

            #expect(try await Self.owner(database, try #require(ids[.draft])) == staying.id)
            #expect(try await Self.owner(database, scheduled) == staying.id)
            #expect(try await drafts.autosaved(userID: staying.id, articleID: ids[.draft])?.fields == "недовършено")
            #expect(try await Self.owner(database, try #require(ids[.published])) == nil)
            #expect(try await ArticleRepository(database: database).article(slug: Slug.make("Статия published")) != nil)
            #expect(try await staff.member(email: "leaving@x.bg") == nil)
            let log = try await drafts.auditLog(limit: 10)
            #expect(log.prefix(4).map(\.action) == ["user_deleted", "user_reactivated", "user_suspended", "published"])
            #expect(log[0].userName == "chief@x.bg" && log[0].title == "leaving@x.bg <leaving@x.bg>")
        }
    }

    @Test("only an active chief acts; nobody acts on themself; an active chief always remains", arguments: TestDatabase.all)
    func rules(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let chief = try await Self.user(database, "chief@x.bg", .chief)
            let editor = try await Self.user(database, "editor@x.bg", .editor)
            let staff = StaffService(database: database)
            let asChief = ArticleWriter(userID: chief.id, role: .chief)
            await #expect(throws: StaffError.notAllowed) {
                try await staff.suspend(userID: chief.id, by: ArticleWriter(userID: editor.id, role: .editor), now: testNow)
            }
            // A session that still says "chief" after a demotion on another node does not pass.
            await #expect(throws: StaffError.notAllowed) {
                try await staff.suspend(userID: chief.id, by: ArticleWriter(userID: editor.id, role: .chief), now: testNow)
            }
            await #expect(throws: StaffError.ownAccount) {
                try await staff.setRole(userID: chief.id, to: .editor, by: asChief, now: testNow)
            }
            await #expect(throws: StaffError.lastChief) { try await staff.suspend(userID: chief.id, by: .system, now: testNow) }
            await #expect(throws: StaffError.lastChief) {
                try await staff.delete(userID: chief.id, handingWorkTo: editor.id, by: .system, now: testNow)
            }
            await #expect(throws: StaffError.noSuchUser) { try await staff.suspend(userID: 999, by: asChief, now: testNow) }
            try await staff.setRole(userID: editor.id, to: .chief, by: .system, now: testNow)
            #expect(
                try await DraftKeeping(database: database).auditLog(limit: 1).first?.title == "editor@x.bg <editor@x.bg>: editor → chief")

            // Two chiefs demoting each other at once: one wins, one active chief remains.
            let asOther = ArticleWriter(userID: editor.id, role: .chief)
            let succeeded = try await withThrowingTaskGroup(of: Bool.self) { group in
                for (target, actor) in [(editor.id, asChief), (chief.id, asOther)] {
                    group.addTask {
                        do {
                            try await staff.setRole(userID: target, to: .editor, by: actor, now: testNow)
                            return true
                        } catch StaffError.lastChief, StaffError.notAllowed {
                            return false
                        }
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(succeeded == 1)
            #expect(try await staff.members().filter { $0.user.role == .chief && !$0.suspended }.count == 1)
        }
    }

    @Test("a suspended user's session is refused by the lookup itself, and none is created", arguments: TestDatabase.all)
    func lookupRefusesSuspended(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let accounts = AccountRepository(database: database)
            let chief = try await Self.user(database, "c@x.bg", .chief)
            let user = try await Self.user(database, "u@x.bg", .author)
            try await accounts.createSession(tokenHash: "t", userID: user.id, csrf: "c", now: testNow, lifetime: 3600)
            #expect(try await accounts.session(tokenHash: "t", now: testNow) != nil)
            try await StaffService(database: database).suspend(
                userID: user.id, by: ArticleWriter(userID: chief.id, role: .chief), now: testNow)
            #expect(try await accounts.session(tokenHash: "t", now: testNow) == nil)
            // A row a racing login wrote after the suspension's delete opens nothing either.
            try await database.write { db in
                try await db.raw(
                    "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES ('r', \(bind: user.id), 'c', 0, \(bind: testNow.unixSeconds + 3600))"
                ).run()
            }
            #expect(try await accounts.session(tokenHash: "r", now: testNow) == nil)
            try await accounts.createSession(tokenHash: "n", userID: user.id, csrf: "c", now: testNow, lifetime: 3600)
            #expect(try await accounts.session(tokenHash: "n", now: testNow) == nil)
            #expect(try await accounts.user(email: "u@x.bg") == nil)
        }
    }

    @Test("parallel login attempts are checked and recorded one at a time", arguments: TestDatabase.all)
    func reservationsAreAtomic(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let accounts = AccountRepository(database: database)
            let reserved = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<30 {
                    group.addTask {
                        let answer = try await accounts.reserveLoginAttempt(
                            keys: ["pair:a", "client:b"], since: testNow.addingTimeInterval(-900), now: testNow,
                            delay: { _, attempts in attempts >= 3 ? 5 : nil })
                        if case .reserved = answer { return true }
                        return false
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(reserved == 3)
            #expect(
                try await accounts.reserveLoginAttempt(
                    keys: ["pair:a"], since: testNow.addingTimeInterval(-900), now: testNow, delay: { _, n in n >= 3 ? 5 : nil })
                    == .wait(5))
            // Past the window, old attempts are forgotten.
            let later = testNow.addingTimeInterval(901)
            guard
                case .reserved(let attempt) = try await accounts.reserveLoginAttempt(
                    keys: ["pair:a"], since: later.addingTimeInterval(-900), now: later, delay: { _, n in n >= 3 ? 5 : nil })
            else { Issue.record("not reserved after the window"); return }
            try await accounts.release(attempt, clearing: "pair:a")
            let count = try await database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM login_failures WHERE key = 'pair:a'").first()?.int("n")
            }
            #expect(count == 0)
        }
    }
}
