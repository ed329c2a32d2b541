import Foundation
import HTTPTypes
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport
@testable import VestnikWeb

/// Issue 24: a user edits their own name, and their byline's title and biography when an author has their name.
@Suite("Own profile")
struct ProfileTests {
    @Test("a user with a byline edits its title and biography; the author page follows; audited", arguments: TestDatabase.all)
    func bylineOwner(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            // The seed article is signed "Мария Петрова | Отговорен редактор".
            try await createUser(site, "maria@vestnik.bg", role: .author, name: "Мария Петрова")
            try await createUser(site, "chief@vestnik.bg", role: .chief)
            let authorPage = SiteURLs.author(Slug.make("Мария Петрова"))
            #expect(try await client.get(authorPage).body.contains("Отговорен редактор"))
            let maria = NewsroomBrowser(client)
            try await maria.logIn("maria@vestnik.bg")
            let page = try await maria.get(NewsroomURLs.profile)
            #expect(page.status == .ok && page.body.contains("value=\"Отговорен редактор\"") && page.body.contains("name=\"bio\""))

            let tooLong = try await maria.post(
                NewsroomURLs.profile, [("name", "Мария Петрова"), ("role", String(repeating: "я", count: 500)), ("bio", "")])
            #expect(tooLong.status == .unprocessableContent)
            let saved = try await maria.post(
                NewsroomURLs.profile, [("name", "Мария Петрова"), ("role", "Главен репортер"), ("bio", "Пише за <b>съда</b>.")])
            #expect(saved.status == .seeOther && saved.location == NewsroomURLs.profile + "?saved=1")
            let after = try await client.get(authorPage).body
            #expect(after.contains("Главен репортер") && after.contains("Пише за &lt;b&gt;съда&lt;/b&gt;."))

            let chief = NewsroomBrowser(client)
            try await chief.logIn("chief@vestnik.bg")
            let audit = try await chief.get("/newsroom/audit").body
            #expect(audit.contains("Мария Петрова") && audit.contains("промени автор"))
        }
    }

    @Test("a user without a byline changes only their name; an empty name is refused", arguments: TestDatabase.all)
    func nameOnly(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            try await createUser(site, "ivan@vestnik.bg", role: .contributor, name: "Иван")
            let ivan = NewsroomBrowser(client)
            try await ivan.logIn("ivan@vestnik.bg")
            let page = try await ivan.get(NewsroomURLs.profile)
            #expect(page.status == .ok && !page.body.contains("name=\"role\""))
            #expect(try await ivan.post(NewsroomURLs.profile, [("name", "  ")]).status == .unprocessableContent)
            // A byline title posted by hand for someone without a byline changes no author.
            let saved = try await ivan.post(NewsroomURLs.profile, [("name", "Иван Иванов"), ("role", "Главен редактор")])
            #expect(saved.status == .seeOther)
            #expect(try await ivan.get(NewsroomURLs.home).body.contains("Иван Иванов"))
            #expect(try await site.taxonomy.authors().allSatisfy { $0.role != "Главен редактор" })
            // Without a session: sign in first (here, with no chief yet, the setup page).
            #expect(try await NewsroomBrowser(client).get(NewsroomURLs.profile).status == .seeOther)
        }
    }
}
