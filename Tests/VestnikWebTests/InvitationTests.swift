import Foundation
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport

@testable import VestnikWeb

@Suite("Invitations by e-mail")
struct InvitationTests {
    /// The link in the newest message of the outbox.
    private func linkInLastMail(_ site: Site) async throws -> String? {
        let body = try await site.database.read { db in
            try await db.raw("SELECT body FROM mail_outbox ORDER BY id DESC LIMIT 1").first()?.decode(column: "body", as: String.self)
        }
        return body?.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("https://") }.map(String.init)
    }

    @Test("a chief invites an author; the link sets a password once and signs them in with that role", arguments: TestDatabase.all)
    func inviteAndAccept(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            try await site.settings.set(SettingKeys.publicURL, to: "https://vestnik.example/")
            try await createUser(site, "chief@vestnik.bg", role: .chief, name: "Главна")
            let chief = NewsroomBrowser(client)
            try await chief.logIn("chief@vestnik.bg")
            try await chief.get(NewsroomURLs.users)
            let sent = try await chief.post(
                NewsroomURLs.users + "/invite", [("name", "Мария Нова"), ("email", "Maria@Vestnik.bg"), ("role", "author")])
            #expect(sent.status == .ok && sent.body.contains("Поканата до Maria@Vestnik.bg е изпратена"))
            #expect(sent.body.contains("Мария Нова") && sent.body.contains("Неприети покани"))
            let link = try #require(try await linkInLastMail(site))
            #expect(link.hasPrefix("https://vestnik.example/newsroom/invite/"))
            let path = String(link.dropFirst("https://vestnik.example".count))

            let maria = NewsroomBrowser(client)
            let page = try await maria.get(path)
            #expect(page.status == .ok && page.body.contains("value=\"maria@vestnik.bg\""))
            #expect(try await maria.post(path, [("password", "къса"), ("password2", "къса")]).status == .unprocessableContent)
            let accepted = try await maria.post(path, [("password", "парола-на-мария-1"), ("password2", "парола-на-мария-1")])
            #expect(accepted.status == .seeOther)
            #expect(try await maria.get(path).status == .notFound)
            #expect(try await maria.logIn("maria@vestnik.bg", "парола-на-мария-1").status == .seeOther)
            let member = try #require(try await StaffService(database: site.database).member(email: "maria@vestnik.bg"))
            #expect(member.user.role == .author && member.user.name == "Мария Нова")
            #expect(try await StaffService(database: site.database).openInvitations(now: site.now()).isEmpty)
            // An invitation to an address that has an account is refused.
            let again = try await chief.post(
                NewsroomURLs.users + "/invite", [("name", "Мария"), ("email", "maria@vestnik.bg"), ("role", "editor")])
            #expect(again.status == .unprocessableContent && again.body.contains("Вече има профил с този имейл"))
            let log = try await chief.get(NewsroomURLs.home + "/audit").body
            #expect(log.contains("покани") && log.contains("Мария Нова &lt;maria@vestnik.bg&gt; (author)"))
            #expect(log.contains("прие поканата:"))
        }
    }

    @Test("a revoked or week-old invitation opens nothing; only a chief invites", arguments: TestDatabase.all)
    func revokedAndExpired(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            try await site.settings.set(SettingKeys.publicURL, to: "https://vestnik.example")
            try await createUser(site, "chief@vestnik.bg", role: .chief)
            try await createUser(site, "editor@vestnik.bg", role: .editor)
            let editor = NewsroomBrowser(client)
            try await editor.logIn("editor@vestnik.bg")
            try await editor.get(NewsroomURLs.home)
            #expect(
                try await editor.post(NewsroomURLs.users + "/invite", [("name", "Х"), ("email", "x@vestnik.bg"), ("role", "chief")]).status
                    == .forbidden)
            let chief = NewsroomBrowser(client)
            try await chief.logIn("chief@vestnik.bg")
            try await chief.get(NewsroomURLs.users)
            try await chief.post(NewsroomURLs.users + "/invite", [("name", "Петър"), ("email", "petar@vestnik.bg"), ("role", "author")])
            let path = String(try #require(try await linkInLastMail(site)).dropFirst("https://vestnik.example".count))
            let staff = StaffService(database: site.database)
            let invitation = try #require(try await staff.openInvitations(now: site.now()).first)
            // A week and a second later the link opens nothing.
            let token = String(path.split(separator: "/").last ?? "")
            #expect(try await site.accounts.repository.invitation(tokenHash: SHA256.hex(token), now: site.now()) != nil)
            #expect(
                try await site.accounts.repository.invitation(
                    tokenHash: SHA256.hex(token), now: site.now().addingTimeInterval(StaffService.invitationLifetime + 1)) == nil)
            let revoked = try await chief.post(NewsroomURLs.users + "/invitations/\(invitation.id)/revoke", [])
            #expect(revoked.status == .ok && revoked.body.contains("Поканата е оттеглена"))
            let stranger = NewsroomBrowser(client)
            #expect(try await stranger.get(path).status == .notFound)
            try await stranger.get(NewsroomURLs.login)
            #expect(
                try await stranger.post(path, [("password", "парола-на-петър-1"), ("password2", "парола-на-петър-1")]).status == .notFound)
            #expect(try await staff.member(email: "petar@vestnik.bg") == nil)
        }
    }
}
