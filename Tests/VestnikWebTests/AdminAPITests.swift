import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport
@testable import VestnikWeb

@Suite struct AdminAPITests {
    /// A token for a new user of `role` with `scopes`, made by a chief as the newsroom page does.
    static func token(_ site: Site, role: Role, scopes: Set<APIScope>, email: String? = nil) async throws -> (token: String, userID: Int) {
        let chief = try await chiefWriter(site)
        let address = email ?? "\(role.rawValue)-\(UUID().uuidString.prefix(8))@vestnik.bg"
        try await createUser(site, address, role: role)
        let user = try #require(try await site.accounts.repository.user(email: address)?.user)
        let token = APITokenRepository.prefix + SecureToken.make()
        _ = try await APITokenRepository(database: site.database).create(
            name: "Приложение \(role.rawValue)", userID: user.id, scopes: scopes, by: chief, now: testNow, token: token)
        return (token, user.id)
    }

    static func chiefWriter(_ site: Site) async throws -> ArticleWriter {
        if let chief = try await site.accounts.repository.user(email: "chief@vestnik.bg")?.user {
            return ArticleWriter(userID: chief.id, role: .chief)
        }
        try await createUser(site, "chief@vestnik.bg", role: .chief)
        let chief = try #require(try await site.accounts.repository.user(email: "chief@vestnik.bg")?.user)
        return ArticleWriter(userID: chief.id, role: .chief)
    }

    struct Answer {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var json: [String: Any]
    }

    static func call(
        _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, token: String?, body: [String: Any]? = nil,
        raw: String? = nil, contentType: String = "application/json"
    ) async throws -> Answer {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        var bytes: ByteBuffer?
        if let body { bytes = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)) }
        if let raw { bytes = ByteBuffer(string: raw) }
        if bytes != nil { headers[.contentType] = contentType }
        return try await client.execute(uri: uri, method: method, headers: headers, body: bytes) { response in
            let object = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
            return Answer(status: response.status, headers: response.headers, json: object)
        }
    }

    static var newArticle: [String: Any] {
        [
            "title": "Новина от приложението", "section": "Свят", "lead": "Кратко.", "body_html": "<p>Текст <script>x</script>.</p>",
            "tags": ["Приложения"], "authors": [["name": "Мария Петрова"]],
        ]
    }

    @Test(arguments: TestDatabase.all)
    func aTokenIsNeededAndChecked(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            let none = try await Self.call(client, .get, "/api/admin/v1/articles/1", token: nil)
            #expect(none.status == .unauthorized)
            #expect(none.headers[.contentType] == "application/problem+json")
            #expect(none.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            #expect(none.json["status"] as? Int == 401)
            let forged = try await Self.call(client, .get, "/api/admin/v1/articles/1", token: "vst_" + SecureToken.make())
            #expect(forged.status == .unauthorized)
            let (token, _) = try await Self.token(site, role: .editor, scopes: [.read])
            let read = try await Self.call(client, .get, "/api/admin/v1/articles/1", token: token)
            #expect(read.status == .ok)
            #expect(read.json["revision"] as? Int != nil)
            #expect(read.headers[.accessControlAllowOrigin] == nil)
            // Only the digest is stored.
            let stored = try await site.database.read { db in
                try await db.raw("SELECT token_hash FROM api_tokens").all().map { try $0.decode(column: "token_hash", as: String.self) }
            }
            #expect(stored.contains(SHA256.hex(token)))
            #expect(!stored.contains(token))
        }
    }

    @Test(arguments: TestDatabase.all)
    func scopesAndRolesLimitWhatATokenDoes(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            let reader = try await Self.token(site, role: .editor, scopes: [.read])
            #expect(
                try await Self.call(client, .post, "/api/admin/v1/articles", token: reader.token, body: Self.newArticle).status
                    == .forbidden)
            // A contributor's token with every scope still cannot publish: the role says so.
            let contributor = try await Self.token(site, role: .contributor, scopes: [.read, .write, .publish])
            let created = try await Self.call(client, .post, "/api/admin/v1/articles", token: contributor.token, body: Self.newArticle)
            #expect(created.status == .created)
            #expect(created.json["status"] as? String == "draft")
            #expect(created.json["body_html"] as? String == "<p>Текст .</p>")
            let id = try #require(created.json["id"] as? Int)
            let revision = try #require(created.json["revision"] as? Int)
            let publish = try await Self.call(
                client, .post, "/api/admin/v1/articles/\(id)/publish", token: contributor.token, body: ["base_revision": revision])
            #expect(publish.status == .forbidden)
            let submitted = try await Self.call(
                client, .post, "/api/admin/v1/articles/\(id)/submit", token: contributor.token, body: ["base_revision": revision])
            #expect(submitted.status == .ok)
            #expect(submitted.json["status"] as? String == "review")
            // Another writer below editor does not see the draft at all.
            let author = try await Self.token(site, role: .author, scopes: [.read, .write, .publish])
            #expect(try await Self.call(client, .get, "/api/admin/v1/articles/\(id)", token: author.token).status == .notFound)
            // An editor's write-only token cannot publish; a publish token can, and readers see it at once.
            let editorWrite = try await Self.token(site, role: .editor, scopes: [.read, .write])
            let latest = try #require(submitted.json["revision"] as? Int)
            #expect(
                try await Self.call(
                    client, .post, "/api/admin/v1/articles/\(id)/publish", token: editorWrite.token, body: ["base_revision": latest]
                ).status == .forbidden)
            let editor = try await Self.token(site, role: .editor, scopes: [.publish])
            let published = try await Self.call(
                client, .post, "/api/admin/v1/articles/\(id)/publish", token: editor.token, body: ["base_revision": latest])
            #expect(published.status == .ok)
            #expect(published.json["status"] as? String == "published")
            let publicCopy = try await client.get("/api/v1/articles/\(id)")
            #expect(publicCopy.status == .ok)
            let unpublished = try await Self.call(
                client, .post, "/api/admin/v1/articles/\(id)/unpublish", token: editor.token,
                body: ["base_revision": try #require(published.json["revision"] as? Int)])
            #expect(unpublished.json["status"] as? String == "unpublished")
            #expect(try await client.get("/api/v1/articles/\(id)").status == .notFound)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aStaleRevisionIsAConflictNamingTheCurrentOne(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            let editor = try await Self.token(site, role: .editor, scopes: [.read, .write])
            let created = try await Self.call(client, .post, "/api/admin/v1/articles", token: editor.token, body: Self.newArticle)
            let id = try #require(created.json["id"] as? Int)
            var change = Self.newArticle
            change["title"] = "Първа промяна"
            change["base_revision"] = 1
            let first = try await Self.call(client, .put, "/api/admin/v1/articles/\(id)", token: editor.token, body: change)
            #expect(first.status == .ok)
            #expect(first.json["revision"] as? Int == 2)
            change["title"] = "Промяна на стара основа"
            let stale = try await Self.call(client, .put, "/api/admin/v1/articles/\(id)", token: editor.token, body: change)
            #expect(stale.status == .conflict)
            #expect(stale.headers[.contentType] == "application/problem+json")
            #expect(stale.json["current_revision"] as? Int == 2)
            let now = try #require(try await site.editorial.article(id: id))
            #expect(now.draft.title == "Първа промяна")
            // And the call is in the audit log, under the token's user.
            let calls = try await site.database.read { db in
                try await db.raw("SELECT title FROM audit_log WHERE action = 'api_call'").all().map {
                    try $0.decode(column: "title", as: String.self)
                }
            }
            #expect(calls.contains { $0.hasPrefix("PUT /api/admin/v1/articles/\(id) 409") })
        }
    }

    @Test(arguments: TestDatabase.all)
    func badBodiesGetTheirOwnStatus(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            let editor = try await Self.token(site, role: .editor, scopes: [.read, .write])
            let url = "/api/admin/v1/articles"
            #expect(try await Self.call(client, .post, url, token: editor.token, raw: "{not json").status == .badRequest)
            #expect(try await Self.call(client, .post, url, token: editor.token, body: ["title": "Без рубрика"]).status == .badRequest)
            var unknownSection = Self.newArticle
            unknownSection["section"] = "Няма такава"
            let invalid = try await Self.call(client, .post, url, token: editor.token, body: unknownSection)
            #expect(invalid.status == .unprocessableContent)
            #expect((invalid.json["detail"] as? String)?.isEmpty == false)
            #expect(
                try await Self.call(client, .post, url, token: editor.token, raw: "title=x", contentType: "text/plain").status
                    == .unsupportedMediaType)
            let huge = "{\"title\": \"x\", \"section\": \"Свят\", \"body_html\": \"" + String(repeating: "а", count: 1_600_000) + "\"}"
            #expect(try await Self.call(client, .post, url, token: editor.token, raw: huge).status == .contentTooLarge)
            #expect(try await Self.call(client, .get, "/api/admin/v1/articles/424242", token: editor.token).status == .notFound)
        }
    }

    @Test(
        "the hand-picked 'Още:' arrangement is read and written: normalised as the editor's, kept when left out, null for automatic, 422 when malformed",
        arguments: TestDatabase.all)
    func moreLinksAreReadAndWritten(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            let editor = try await Self.token(site, role: .editor, scopes: [.read, .write])
            func plan(_ answer: Answer) throws -> MoreLinks? {
                guard let object = answer.json["more"], !(object is NSNull) else { return nil }
                return try JSONDecoder().decode(MoreLinks.self, from: try JSONSerialization.data(withJSONObject: object))
            }
            var body = Self.newArticle
            // An article twice, a block before the first paragraph and a negative id: the editor's normalisation.
            body["more"] = ["blocks": [["after": 2, "links": [3, 0, 3]], ["after": 0, "links": [2]]], "excluded": [4, -1, 4]]
            let created = try await Self.call(client, .post, "/api/admin/v1/articles", token: editor.token, body: body)
            #expect(created.status == .created)
            let expected = MoreLinks(blocks: [.init(after: 2, links: [3, 0])], excluded: [4])
            #expect(try plan(created) == expected)
            let id = try #require(created.json["id"] as? Int)
            #expect(try await site.editorial.article(id: id)?.draft.more == expected)
            let read = try await Self.call(client, .get, "/api/admin/v1/articles/\(id)", token: editor.token)
            #expect(try plan(read) == expected)

            // An update that leaves `more` out keeps the arrangement (the title changes).
            var change = Self.newArticle
            change["title"] = "Промяна без „Още:“"
            change["base_revision"] = try #require(created.json["revision"] as? Int)
            let kept = try await Self.call(client, .put, "/api/admin/v1/articles/\(id)", token: editor.token, body: change)
            #expect(kept.status == .ok)
            #expect(try plan(kept) == expected)

            // A malformed one is refused with the editor's message and changes nothing.
            change["base_revision"] = try #require(kept.json["revision"] as? Int)
            change["more"] = ["blocks": "след втория абзац"]
            let malformed = try await Self.call(client, .put, "/api/admin/v1/articles/\(id)", token: editor.token, body: change)
            #expect(malformed.status == .unprocessableContent)
            #expect(malformed.json["detail"] as? String == site.locale["nr_error_more"])
            #expect(try await site.editorial.article(id: id)?.revision == kept.json["revision"] as? Int)

            // null: back to the site's automatic blocks.
            change["more"] = NSNull()
            let automatic = try await Self.call(client, .put, "/api/admin/v1/articles/\(id)", token: editor.token, body: change)
            #expect(automatic.status == .ok)
            #expect(automatic.json["more"] is NSNull)
            #expect(try await site.editorial.article(id: id)?.draft.more == nil)
        }
    }

    static func upload(
        _ client: any TestClientProtocol, _ bytes: [UInt8], token: String, query: String, contentType: String = "image/jpeg"
    ) async throws -> Answer {
        let headers: HTTPFields = [
            .authorization: "Bearer \(token)", .contentType: contentType, .contentDisposition: "attachment; filename=\"snimka.jpg\"",
        ]
        return try await client.execute(
            uri: "/api/admin/v1/media?" + query, method: .post, headers: headers, body: ByteBuffer(bytes: bytes)
        ) { response in
            let object = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
            return Answer(status: response.status, headers: response.headers, json: object)
        }
    }

    @Test(
        "media upload goes the newsroom's way: scrubbed, kept once, renditions queued; 413, 415, 422; then an article leads with it",
        arguments: TestDatabase.all)
    func mediaUpload(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed, mediaMaxBytes: 2_000_000) { client, site in
            let author = try await Self.token(site, role: .author, scopes: [.read, .write])
            let reader = try await Self.token(site, role: .editor, scopes: [.read])
            let photo = TestPictures.bytes("photo-gps.jpg")
            let alt = "alt=%D0%9F%D0%BB%D0%BE%D1%89%D0%B0%D0%B4%D1%8A%D1%82&credit=%D0%91%D0%A2%D0%90"  // Площадът, БТА
            #expect(try await Self.upload(client, photo, token: reader.token, query: alt).status == .forbidden)
            let first = try await Self.upload(client, photo, token: author.token, query: alt)
            #expect(first.status == .created)
            let path = try #require(first.json["featured_media"] as? String)
            // The stored file is the scrubbed one (no GPS), and its renditions are queued.
            let clean = MediaAddress(bytes: try ImageScrubber.scrub(photo, format: .jpeg).get().bytes, format: .jpeg)
            #expect(path == clean.path && first.json["alt"] as? String == "Площадът" && first.json["credit"] as? String == "БТА")
            #expect(try await site.renditions.job(clean.hash) != nil)
            #expect(try await Self.upload(client, photo, token: author.token, query: alt).status == .ok)  // the same picture again
            #expect(try await Self.upload(client, photo, token: author.token, query: "").status == .unprocessableContent)  // no alt
            let svg = Array("<svg xmlns=\"http://www.w3.org/2000/svg\"/>".utf8)
            #expect(try await Self.upload(client, svg, token: author.token, query: alt).status == .unsupportedMediaType)
            #expect(
                try await Self.upload(client, photo, token: author.token, query: alt, contentType: "text/plain").status
                    == .unsupportedMediaType)
            let huge = photo + [UInt8](repeating: 0, count: 2_000_000)
            #expect(try await Self.upload(client, huge, token: author.token, query: alt).status == .contentTooLarge)
            // An article leads with it.
            var input = Self.newArticle
            input["featured_media"] = path
            let created = try await Self.call(client, .post, "/api/admin/v1/articles", token: author.token, body: input)
            #expect(created.status == .created && (created.json["featured_media"] as? String)?.contains(clean.hash) == true)
        }
    }

    @Test(
        "sections and tags: an editor's write token creates and renames sections, renames, merges and deletes unused tags",
        arguments: TestDatabase.all)
    func structure(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed + [article("С етикети", tags: ["Избори", "Избори 2026"])]) { client, site in
            let editor = try await Self.token(site, role: .editor, scopes: [.write])
            let author = try await Self.token(site, role: .author, scopes: [.read, .write, .publish])
            let readOnly = try await Self.token(site, role: .chief, scopes: [.read])
            let body: [String: Any] = ["name": "Наука", "description": "Открития."]
            #expect(try await Self.call(client, .post, "/api/admin/v1/sections", token: author.token, body: body).status == .forbidden)
            #expect(try await Self.call(client, .post, "/api/admin/v1/sections", token: readOnly.token, body: body).status == .forbidden)
            let created = try await Self.call(client, .post, "/api/admin/v1/sections", token: editor.token, body: body)
            #expect(created.status == .created && created.json["slug"] as? String == "nauka")
            let id = try #require(created.json["id"] as? Int)
            #expect(
                try await Self.call(client, .post, "/api/admin/v1/sections", token: editor.token, body: body).status
                    == .unprocessableContent)
            let renamed = try await Self.call(
                client, .put, "/api/admin/v1/sections/\(id)", token: editor.token,
                body: ["name": "Наука и техника", "slug": "nauka-tehnika"])
            #expect(renamed.status == .ok && renamed.json["description"] as? String == "Открития.")
            // The old address leads to the new one, as after a newsroom edit.
            #expect(try await client.get("/nauka").status == .movedPermanently)
            let tags = try await site.taxonomy.tagUsage(prefix: "Избори", limit: 10)
            let (main, other) = (
                try #require(tags.first { $0.tag.name == "Избори" }).tag, try #require(tags.first { $0.tag.name == "Избори 2026" }).tag
            )
            // A tag in use is not deleted.
            #expect(try await Self.call(client, .delete, "/api/admin/v1/tags/\(main.id)", token: editor.token).status == .conflict)
            let merged = try await Self.call(
                client, .post, "/api/admin/v1/tags/\(other.id)/merge", token: editor.token, body: ["into": "Избори"])
            #expect(merged.status == .ok && merged.json["id"] as? Int == main.id && merged.json["articles"] as? Int == 1)
            let tagRenamed = try await Self.call(
                client, .put, "/api/admin/v1/tags/\(main.id)", token: editor.token, body: ["name": "Избори в България"])
            #expect(tagRenamed.status == .ok && (tagRenamed.json["slug"] as? String)?.hasPrefix("izbori-v-b") == true)
            #expect(try await Self.call(client, .delete, "/api/admin/v1/tags/424242", token: editor.token).status == .notFound)
            let audit = try await site.database.read { db in
                try await db.raw(
                    "SELECT action FROM audit_log WHERE action IN ('section_created', 'section_updated', 'tag_merged', 'tag_renamed') ORDER BY id"
                )
                .all().map { try $0.decode(column: "action", as: String.self) }
            }
            #expect(audit == ["section_created", "section_updated", "tag_merged", "tag_renamed"])
        }
    }

    @Test(arguments: TestDatabase.all)
    func suspendedDeletedAndRevokedTokensStopWorking(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            let chief = try await Self.chiefWriter(site)
            let staff = StaffService(database: site.database)
            let suspended = try await Self.token(site, role: .editor, scopes: [.read])
            #expect(try await Self.call(client, .get, "/api/admin/v1/articles/1", token: suspended.token).status == .ok)
            try await staff.suspend(userID: suspended.userID, by: chief, now: testNow)
            #expect(try await Self.call(client, .get, "/api/admin/v1/articles/1", token: suspended.token).status == .unauthorized)
            let deleted = try await Self.token(site, role: .editor, scopes: [.read])
            try await staff.delete(userID: deleted.userID, handingWorkTo: try #require(chief.userID), by: chief, now: testNow)
            #expect(try await Self.call(client, .get, "/api/admin/v1/articles/1", token: deleted.token).status == .unauthorized)
            let revoked = try await Self.token(site, role: .editor, scopes: [.read])
            let tokens = APITokenRepository(database: site.database)
            let id = try #require(try await tokens.list().first { $0.userID == revoked.userID }?.id)
            await #expect(throws: APITokenError.notAllowed) {
                try await tokens.revoke(id: id, by: ArticleWriter(userID: revoked.userID, role: .editor), now: testNow)
            }
            try await tokens.revoke(id: id, by: chief, now: testNow)
            #expect(try await Self.call(client, .get, "/api/admin/v1/articles/1", token: revoked.token).status == .unauthorized)
        }
    }

    @Test(arguments: TestDatabase.all)
    func eachTokenIsRateLimited(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            let busy = try await Self.token(site, role: .editor, scopes: [.read])
            let calm = try await Self.token(site, role: .editor, scopes: [.read])
            // The clock stands still: the burst is all there is.
            var statuses: [HTTPResponse.Status] = []
            for _ in 0...Int(AdminAuthMiddleware.rate.burst) {
                statuses.append(try await Self.call(client, .get, "/api/admin/v1/articles/1", token: busy.token).status)
            }
            #expect(statuses.filter { $0 == .ok }.count == Int(AdminAuthMiddleware.rate.burst))
            let limited = try await Self.call(client, .get, "/api/admin/v1/articles/1", token: busy.token)
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter] == "1")
            #expect(try await Self.call(client, .get, "/api/admin/v1/articles/1", token: calm.token).status == .ok)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aChiefMakesATokenOnTheNewsroomPageAndSeesItOnce(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            try await createUser(site, "chief@vestnik.bg", role: .chief, name: "Главен")
            try await createUser(site, "editor@vestnik.bg", role: .editor, name: "Редактор")
            let editor = try #require(try await site.accounts.repository.user(email: "editor@vestnik.bg")?.user)
            let browser = NewsroomBrowser(client)
            _ = try await browser.logIn("chief@vestnik.bg")
            let page = try await browser.get(APITokensController.path)
            #expect(page.status == .ok)
            // Without the CSRF token nothing is made.
            let forged = try await browser.post(
                APITokensController.path, [("name", "Бот"), ("user", String(editor.id)), ("scope", "read")], csrf: "0")
            #expect(forged.status == .forbidden)
            let made = try await browser.post(
                APITokensController.path, [("name", "Бот"), ("user", String(editor.id)), ("scope", "read"), ("scope", "write")])
            #expect(made.status == .ok)
            #expect(made.headers[.cacheControl] == "no-store")
            let range = try #require(made.body.range(of: "<code class=\"nr-token\">"))
            let token = String(made.body[range.upperBound...].prefix { $0 != "<" })
            #expect(token.hasPrefix("vst_"))
            #expect(try await Self.call(client, .get, "/api/admin/v1/articles/1", token: token).status == .ok)
            let again = try await browser.get(APITokensController.path)
            #expect(!again.body.contains(token))
            #expect(again.body.contains("…" + token.suffix(4)))
            // An editor may not open the page.
            let other = NewsroomBrowser(client)
            _ = try await other.logIn("editor@vestnik.bg")
            #expect(try await other.get(APITokensController.path).status == .forbidden)
        }
    }
}
