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

/// Issue 24's staff screen: the chief editor changes roles, suspends, reactivates and deletes accounts.
@Suite("Staff screen")
struct StaffTests {
    private func id(_ site: Site, _ email: String) async throws -> Int {
        try #require(try await StaffService(database: site.database).member(email: email)).user.id
    }

    @Test("role, suspension, reactivation and deletion, each in the audit log", arguments: TestDatabase.all)
    func staffChanges(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            try await createUser(site, "chief@vestnik.bg", role: .chief, name: "Мария Главна")
            try await createUser(site, "writer@vestnik.bg", role: .contributor, name: "Петя Сътрудник")
            try await createUser(site, "editor@vestnik.bg", role: .editor, name: "Елена Редактор")
            let writerID = try await id(site, "writer@vestnik.bg")
            let editorID = try await id(site, "editor@vestnik.bg")
            let writer = NewsroomBrowser(client)
            try await writer.logIn("writer@vestnik.bg")
            try await writer.get(NewsroomURLs.newArticle)
            let draft = try #require(
                articleID(try await writer.post(NewsroomURLs.newArticle, articleFields(title: "Чернова на Петя")).location))

            let chief = NewsroomBrowser(client)
            try await chief.logIn("chief@vestnik.bg")
            let page = try await chief.get(NewsroomURLs.users)
            #expect(page.body.contains(NewsroomURLs.user(writerID, "suspend")) && page.body.contains("name=\"successor\""))
            // No changes offered on the chief's own row.
            #expect(!page.body.contains(NewsroomURLs.user(try await id(site, "chief@vestnik.bg"), "suspend")))

            let promoted = try await chief.post(NewsroomURLs.user(writerID, "role"), [("role", "author")])
            #expect(promoted.status == .ok && promoted.body.contains("Ролята на Петя Сътрудник е сменена"))
            #expect(try await site.accounts.repository.user(id: writerID)?.user.role == .author)

            // Suspended: the open session stops at once, the password no longer works, the draft stays.
            #expect(try await writer.get(NewsroomURLs.home).status == .ok)
            let suspended = try await chief.post(NewsroomURLs.user(writerID, "suspend"), [])
            #expect(suspended.status == .ok && suspended.body.contains("спрян"))
            #expect(try await writer.get(NewsroomURLs.home).location?.hasPrefix(NewsroomURLs.login) == true)
            #expect(try await NewsroomBrowser(client).logIn("writer@vestnik.bg").status == .unauthorized)
            #expect(try await site.editorial.article(id: draft) != nil)

            #expect(try await chief.post(NewsroomURLs.user(writerID, "reactivate"), []).status == .ok)
            #expect(try await NewsroomBrowser(client).logIn("writer@vestnik.bg").status == .seeOther)

            // Deleted: the draft is the editor's now.
            let deleted = try await chief.post(NewsroomURLs.user(writerID, "delete"), [("successor", String(editorID))])
            #expect(deleted.status == .ok && !deleted.body.contains("writer@vestnik.bg"))
            #expect(try await site.editorial.article(id: draft)?.ownerID == editorID)
            #expect(try await NewsroomBrowser(client).logIn("writer@vestnik.bg").status == .unauthorized)

            let audit = try await chief.get("/newsroom/audit").body
            for action in ["смени роля", "спря достъпа на", "възстанови достъпа на", "изтри профила на"] {
                #expect(audit.contains(action), "\(action) is not in the audit log")
            }
            #expect(audit.contains("Петя Сътрудник &lt;writer@vestnik.bg&gt;"))
        }
    }

    @Test("only the chief manages staff; nobody removes the last chief or themself", arguments: TestDatabase.all)
    func rules(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            try await createUser(site, "chief@vestnik.bg", role: .chief)
            try await createUser(site, "editor@vestnik.bg", role: .editor)
            let chiefID = try await id(site, "chief@vestnik.bg")
            let editorID = try await id(site, "editor@vestnik.bg")
            let editor = NewsroomBrowser(client)
            try await editor.logIn("editor@vestnik.bg")
            #expect(try await editor.get(NewsroomURLs.users).status == .forbidden)
            #expect(try await editor.post(NewsroomURLs.user(chiefID, "suspend"), []).status == .forbidden)
            #expect(try await editor.post(NewsroomURLs.user(chiefID, "role"), [("role", "contributor")]).status == .forbidden)

            let chief = NewsroomBrowser(client)
            try await chief.logIn("chief@vestnik.bg")
            try await chief.get(NewsroomURLs.users)
            for (change, fields) in [("suspend", []), ("role", [("role", "editor")]), ("delete", [("successor", String(editorID))])] {
                let refused = try await chief.post(NewsroomURLs.user(chiefID, change), fields)
                #expect(refused.status == .unprocessableContent && refused.body.contains("собствения си профил"), "\(change)")
            }
            #expect(try await chief.post(NewsroomURLs.user(999, "suspend"), []).status == .notFound)
            #expect(try await chief.post(NewsroomURLs.user(editorID, "role"), [("role", "king")]).status == .badRequest)

            // A second chief may not take the first one's place away while they are the last active one.
            #expect(try await chief.post(NewsroomURLs.user(editorID, "role"), [("role", "chief")]).status == .ok)
            let second = NewsroomBrowser(client)
            try await second.logIn("editor@vestnik.bg")
            try await second.get(NewsroomURLs.users)
            #expect(try await second.post(NewsroomURLs.user(chiefID, "suspend"), []).status == .ok)
            let last = try await second.post(NewsroomURLs.user(chiefID, "role"), [("role", "editor")])
            #expect(last.status == .ok)
            #expect(try await chief.get(NewsroomURLs.home).location?.hasPrefix(NewsroomURLs.login) == true)
            // Now the second is the only active chief: the command line cannot remove them either.
            await #expect(throws: StaffError.lastChief) {
                try await StaffService(database: site.database).suspend(userID: editorID, by: .system, now: testNow)
            }
            await #expect(throws: StaffError.lastChief) {
                try await StaffService(database: site.database).setRole(userID: editorID, to: .author, by: .system, now: testNow)
            }
        }
    }

    @Test("a suspended user's session fails on a second node at once", arguments: TestDatabase.all)
    func suspensionReachesEveryNode(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            try await createUser(site, "chief@vestnik.bg", role: .chief)
            try await createUser(site, "writer@vestnik.bg", role: .author)
            let other = try await TestDatabase.otherProcess(of: site.database)
            try await other.closing {
                let nodeB = try await Site.make(
                    database: other, theme: try await Theme.load(), now: { testNow }, passwordHasher: PasswordHasher(cost: 4))
                let app = buildApplication(site: nodeB, settings: ServerSettings(), logger: Logger(label: "node-b"))
                try await app.test(.router) { clientB in
                    let writer = NewsroomBrowser(clientB)
                    #expect(try await writer.logIn("writer@vestnik.bg").status == .seeOther)
                    #expect(try await writer.get(NewsroomURLs.home).status == .ok)
                    // The session made on node B works on node A too: sessions live in the database.
                    let onA = NewsroomBrowser(client)
                    onA.cookies = writer.cookies
                    #expect(try await onA.get(NewsroomURLs.home).status == .ok)

                    let chief = NewsroomBrowser(client)
                    try await chief.logIn("chief@vestnik.bg")
                    try await chief.get(NewsroomURLs.users)
                    #expect(try await chief.post(NewsroomURLs.user(try await id(site, "writer@vestnik.bg"), "suspend"), []).status == .ok)
                    #expect(try await writer.get(NewsroomURLs.home).location?.hasPrefix(NewsroomURLs.login) == true)
                    #expect(try await onA.get(NewsroomURLs.home).location?.hasPrefix(NewsroomURLs.login) == true)
                }
            }
        }
    }

    @Test("sign out everywhere ends every session of the user, and only theirs", arguments: TestDatabase.all)
    func signOutEverywhere(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            try await createUser(site, "chief@vestnik.bg", role: .chief)
            try await createUser(site, "writer@vestnik.bg", role: .author)
            let phone = NewsroomBrowser(client), laptop = NewsroomBrowser(client), colleague = NewsroomBrowser(client)
            try await phone.logIn("writer@vestnik.bg")
            try await laptop.logIn("writer@vestnik.bg")
            try await colleague.logIn("chief@vestnik.bg")
            let page = try await laptop.get(NewsroomURLs.password)
            #expect(page.body.contains(NewsroomURLs.signOutEverywhere))
            #expect(try await laptop.post(NewsroomURLs.signOutEverywhere, [], csrf: "wrong").status == .forbidden)
            let out = try await laptop.post(NewsroomURLs.signOutEverywhere, [])
            #expect(out.status == .seeOther && out.location == NewsroomURLs.login)
            #expect(try await phone.get(NewsroomURLs.home).location?.hasPrefix(NewsroomURLs.login) == true)
            #expect(try await laptop.get(NewsroomURLs.home).location?.hasPrefix(NewsroomURLs.login) == true)
            #expect(try await colleague.get(NewsroomURLs.home).status == .ok)
        }
    }
}
