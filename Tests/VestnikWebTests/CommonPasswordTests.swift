import Foundation
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport

@testable import VestnikWeb

/// The words every refusal of a common password shows (bg.json `nr_password_common`).
private let commonRefusal = "Тази парола е сред най-често използваните"

@Suite("Common passwords are refused")
struct CommonPasswordTests {
    @Test("the list comes from the resource and is checked in any letter case, after the length rules")
    func theList() {
        #expect(CommonPasswords.list.count > 1_000)
        #expect(PasswordHasher.problem("qwertyuiop") == "nr_password_common")
        #expect(PasswordHasher.problem("Password123") == "nr_password_common")
        #expect(PasswordHasher.problem("1234567890") == "nr_password_common")
        #expect(PasswordHasher.problem("password") == "nr_password_short")
        #expect(PasswordHasher.problem("много-тайна-парола") == nil)
        #expect(PasswordHasher.problemInWords("nr_password_common").contains("most common"))
    }

    @Test("every page that sets a password refuses one, says why and keeps what was typed", arguments: TestDatabase.all)
    func everyPath(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            // First-run setup.
            let token = try #require(try await site.accounts.issueSetupToken(settings: site.settings))
            let first = NewsroomBrowser(client)
            try await first.get(NewsroomURLs.setup + "?token=" + token)
            let setup = try await first.post(
                NewsroomURLs.setup,
                [
                    ("token", token), ("name", "Мария"), ("email", "chief@vestnik.bg"), ("password", "Qwertyuiop"),
                    ("password2", "Qwertyuiop"),
                ])
            #expect(setup.status == .unprocessableContent && setup.body.contains(commonRefusal))
            #expect(setup.body.contains("value=\"chief@vestnik.bg\"") && setup.body.contains("value=\"Мария\""))
            #expect(try await site.accounts.repository.hasChief() == false)
            // The API refuses as the pages do.
            await #expect(throws: InvalidInput.self) {
                try await site.accounts.createUser(
                    email: "x@vestnik.bg", name: "Х", role: .author, password: "password123", now: testNow)
            }
            try await createUser(site, "chief@vestnik.bg", role: .chief)

            // The staff page creating a user.
            let chief = NewsroomBrowser(client)
            try await chief.logIn("chief@vestnik.bg")
            try await chief.get(NewsroomURLs.users)
            let made = try await chief.post(
                NewsroomURLs.users,
                [
                    ("name", "Нов Автор"), ("email", "new@vestnik.bg"), ("role", "author"), ("password", "1q2w3e4r5t"),
                    ("password2", "1q2w3e4r5t"),
                ])
            #expect(made.status == .unprocessableContent && made.body.contains(commonRefusal))
            #expect(made.body.contains("value=\"Нов Автор\"") && made.body.contains("value=\"new@vestnik.bg\""))
            #expect(try await StaffService(database: site.database).member(email: "new@vestnik.bg") == nil)

            // One's own password.
            try await chief.get(NewsroomURLs.password)
            let own = try await chief.post(
                NewsroomURLs.password, [("current", "много-тайна-парола"), ("password", "password123"), ("password2", "password123")])
            #expect(own.status == .unprocessableContent && own.body.contains(commonRefusal))
            #expect(try await NewsroomBrowser(client).logIn("chief@vestnik.bg", "password123").status != .seeOther)

            // A reset link: refused, and the link still works for a better password.
            let path = try await site.accounts.resetPath(email: "chief@vestnik.bg", now: testNow)
            let reset = NewsroomBrowser(client)
            try await reset.get(path)
            let refused = try await reset.post(path, [("password", "iloveyou12"), ("password2", "iloveyou12")])
            #expect(refused.status == .unprocessableContent && refused.body.contains(commonRefusal))
            #expect(try await reset.post(path, [("password", "трета-парола-123"), ("password2", "трета-парола-123")]).status == .seeOther)

            // An invitation (the reset link ended the chief's sessions: signed in again).
            try await site.settings.set(SettingKeys.publicURL, to: "https://vestnik.example")
            try await chief.logIn("chief@vestnik.bg", "трета-парола-123")
            try await chief.get(NewsroomURLs.users)
            try await chief.post(NewsroomURLs.users + "/invite", [("name", "Петър"), ("email", "petar@vestnik.bg"), ("role", "author")])
            let body = try await site.database.read { db in
                try await db.raw("SELECT body FROM mail_outbox ORDER BY id DESC LIMIT 1").first()?.decode(column: "body", as: String.self)
            }
            let link = try #require(body?.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("https://") })
            let invited = NewsroomBrowser(client)
            let invitePath = String(link.dropFirst("https://vestnik.example".count))
            try await invited.get(invitePath)
            let accept = try await invited.post(invitePath, [("password", "PASSWORD1234"), ("password2", "PASSWORD1234")])
            #expect(accept.status == .unprocessableContent && accept.body.contains(commonRefusal))
            #expect(try await invited.get(invitePath).status == .ok)
        }
    }
}
