import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport
@testable import VestnikWeb

/// Issue 24's settings page: the chief editor changes the site's settings in the newsroom; a change holds at once
/// on every node, without a restart, and drops exactly the pages it alters.
@Suite("Settings page")
struct SettingsPageTests {
    /// Runs `body` with a second node (another `Database` and `Site` over the same database, its services running:
    /// the change listener on PostgreSQL, the external-write watcher on SQLite).
    private func withNodeB(
        _ site: Site, _ body: @escaping @Sendable (any TestClientProtocol, Site) async throws -> Void
    ) async throws {
        let other = try await TestDatabase.otherProcess(of: site.database)
        try await other.closing {
            let nodeB = try await Site.make(
                database: other, theme: try await Theme.load(), now: { testNow }, passwordHasher: PasswordHasher(cost: 4))
            let app = buildApplication(site: nodeB, settings: ServerSettings(), logger: Logger(label: "node-b"))
            try await app.test(.router) { client in try await body(client, nodeB) }
        }
    }

    /// Asks `condition` every 50 ms for up to `seconds`.
    private func eventually(_ seconds: Double = 30, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }

    private func auditTitles(_ site: Site) async throws -> [String] {
        try await site.database.read { db in
            try await db.raw("SELECT title FROM audit_log WHERE action = 'setting_changed' ORDER BY id").all()
                .map { try $0.decode(column: "title", as: String.self) }
        }
    }

    @Test("a chief renames the site on the page; node B shows it on its next page, no restart", arguments: TestDatabase.all)
    func renameReachesEveryNode(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            try await createUser(site, "chief@vestnik.bg", role: .chief)
            try await withNodeB(site) { clientB, _ in
                // Node B has the home page cached under the old name.
                #expect(try await clientB.get("/").body.contains("Вестник"))
                #expect(try await clientB.get("/").headers[.xCache] == "HIT")
                let chief = NewsroomBrowser(client)
                try await chief.logIn("chief@vestnik.bg")
                let form = try await chief.get(NewsroomURLs.settings)
                #expect(form.status == .ok)
                #expect(form.body.contains("name=\"site.name\""))
                #expect(form.body.contains("name=\"mail.smtp_host\""))
                let saved = try await chief.post(NewsroomURLs.settings, [("site.name", "Утринна поща")])
                #expect(saved.status == .seeOther)
                #expect(saved.location == NewsroomURLs.settings + "?saved=1")
                // This node at once, the other as soon as the announcement reaches it.
                #expect(try await client.get("/").body.contains("Утринна поща"))
                #expect(try await eventually { try await clientB.get("/").body.contains("Утринна поща") })
                #expect(try await chief.get(NewsroomURLs.settings).body.contains("value=\"Утринна поща\""))
                let chiefID = try #require(try await StaffService(database: site.database).member(email: "chief@vestnik.bg")).user.id
                let row = try await site.database.read { db in
                    try await db.raw("SELECT user_id, title FROM audit_log WHERE action = 'setting_changed'").first()
                }
                #expect(try row?.decode(column: "user_id", as: Int?.self) == chiefID)
                #expect(try row?.decode(column: "title", as: String.self) == "site.name: — → Утринна поща")
            }
        }
    }

    @Test("a bad address is refused with a message, the form keeps the typed text, and nothing changes", arguments: TestDatabase.all)
    func badAddressChangesNothing(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            try await createUser(site, "chief@vestnik.bg", role: .chief)
            let chief = NewsroomBrowser(client)
            try await chief.logIn("chief@vestnik.bg")
            try await chief.get(NewsroomURLs.settings)
            let refused = try await chief.post(
                NewsroomURLs.settings,
                [("site.name", "Друго име"), ("site.url", "javascript:alert(1)"), ("site.locale", "fr")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.body.contains("value=\"javascript:alert(1)\""))
            #expect(refused.body.contains("value=\"Друго име\""))
            #expect(refused.body.contains("site.url must be an http:// or https:// address"))
            #expect(refused.body.contains("site.locale must be one of bg, en"))
            #expect(try await site.settings.value(SettingKeys.siteName) == nil)
            #expect(try await site.settings.value(SettingKeys.publicURL) == nil)
            #expect(site.siteName == "Вестник")
            #expect(try await auditTitles(site).isEmpty)
            #expect(!(try await client.get("/").body.contains("Друго име")))
        }
    }

    @Test("an editor and an author get 403 from the settings page", arguments: TestDatabase.all)
    func onlyTheChief(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            for (email, role) in [("editor@vestnik.bg", Role.editor), ("author@vestnik.bg", Role.author)] {
                try await createUser(site, email, role: role)
                let user = NewsroomBrowser(client)
                try await user.logIn(email)
                #expect(try await user.get(NewsroomURLs.settings).status == .forbidden)
                #expect(try await user.post(NewsroomURLs.settings, [("site.name", "Превзет")]).status == .forbidden)
            }
            #expect(try await site.settings.value(SettingKeys.siteName) == nil)
            let editor = try #require(try await StaffService(database: site.database).member(email: "editor@vestnik.bg")).user
            await #expect(throws: SettingsError.notAllowed) {
                try await SettingsService(database: site.database).change(
                    SettingKeys.siteName, to: "Превзет", by: ArticleWriter(userID: editor.id, role: editor.role))
            }
        }
    }

    @Test("`vestnik setting`'s path, from another process, changes a running site", arguments: TestDatabase.all)
    func shellReachesTheRunningSite(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            #expect(try await client.get("/").headers[.xCache] == "MISS")
            #expect(site.twoFactor.isRequired(for: .editor) == false)
            // What `vestnik setting` runs, over a connection of its own (as the command has).
            let shell = try await TestDatabase.otherProcess(of: site.database)
            try await shell.closing {
                let service = SettingsService(database: shell)
                await #expect(throws: SettingsError.self) { try await service.change(SettingKeys.locale, to: "fr", by: .system) }
                await #expect(throws: SettingsError.self) { try await service.change("site.favourite_colour", to: "red", by: .system) }
                try await service.change(SettingKeys.siteName, to: "Вечерен вестник", by: .system)
                try await service.change(SettingRules.twoFactorRequiredKey, to: "yes", by: .system)
            }
            #expect(try await eventually { try await client.get("/").body.contains("Вечерен вестник") })
            #expect(site.siteName == "Вечерен вестник")
            // The per-request check of `newsroom.totp_required` reads the same snapshot (on SQLite the watcher may
            // have noticed the second write a second after the first).
            #expect(try await eventually { site.twoFactor.isRequired(for: .editor) })
            #expect(!site.twoFactor.isRequired(for: .author))
            #expect(try await auditTitles(site) == ["site.name: — → Вечерен вестник", "newsroom.totp_required: — → yes"])
        }
    }

    @Test("a feed setting drops the feeds and leaves a cached article page cached; the name drops every page", arguments: TestDatabase.all)
    func exactPurge(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            try await createUser(site, "chief@vestnik.bg", role: .chief)
            let path = SiteURLs.article(section: Slug.make("Свят"), slug: newsroomSeed[0].slug)
            for uri in [path, "/rss.xml", "/"] {
                #expect(try await client.get(uri).status == .ok)
                #expect(try await client.get(uri).headers[.xCache] == "HIT", "\(uri) is not cached")
            }
            let chief = NewsroomBrowser(client)
            try await chief.logIn("chief@vestnik.bg")
            try await chief.get(NewsroomURLs.settings)
            #expect(try await chief.post(NewsroomURLs.settings, [("feed.content", "full")]).status == .seeOther)
            #expect(try await client.get(path).headers[.xCache] == "HIT")
            #expect(try await client.get("/").headers[.xCache] == "HIT")
            let feed = try await client.get("/rss.xml")
            #expect(feed.headers[.xCache] == "MISS")
            #expect(site.feedContent == .full)

            // The "follow us" link is on article pages only.
            #expect(
                try await chief.post(NewsroomURLs.settings, [("site.follow_url", "https://news.google.com/vestnik")]).status == .seeOther)
            let article = try await client.get(path)
            #expect(article.headers[.xCache] == "MISS")
            #expect(article.body.contains("https://news.google.com/vestnik"))
            #expect(try await client.get("/").headers[.xCache] == "HIT")

            // A sign-in setting drops no public page.
            #expect(try await chief.post(NewsroomURLs.settings, [("newsroom.totp_required", "no")]).status == .seeOther)
            #expect(try await client.get(path).headers[.xCache] == "HIT")

            #expect(try await chief.post(NewsroomURLs.settings, [("site.name", "Нощен вестник")]).status == .seeOther)
            for uri in [path, "/rss.xml", "/"] { #expect(try await client.get(uri).headers[.xCache] == "MISS", "\(uri) was kept") }
            #expect(try await client.get("/rss.xml").body.contains("Нощен вестник"))
        }
    }
}
