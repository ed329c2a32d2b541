import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport
@testable import VestnikWeb

/// The articles the structure tests start with: a section, a topic, tags and an author to manage.
let structureSeed = [
    article("Среща на върха в Брюксел", section: "Свят", topic: "Избори", tags: ["Премиер", "Президент"]),
    article("Втора статия за изборите", section: "Свят", topic: "Избори", tags: ["Президент"], hoursAgo: 2),
]

/// An editor signed in on a site holding `structureSeed`.
func withEditor(
    _ kind: TestDatabase, _ body: @escaping @Sendable (any TestClientProtocol, Site, NewsroomBrowser) async throws -> Void
) async throws {
    try await withSite(kind, articles: structureSeed) { client, site in
        try await createUser(site, "editor@vestnik.bg", role: .editor, name: "Елена Редактор")
        let editor = NewsroomBrowser(client)
        #expect(try await editor.logIn("editor@vestnik.bg").status == .seeOther)
        try await body(client, site, editor)
    }
}

@Suite("Structure pages over HTTP")
struct StructurePagesTests {
    @Test(
        "an editor renames a section: the public page follows, the old address answers 301, the log says who", arguments: TestDatabase.all)
    func section(_ kind: TestDatabase) async throws {
        try await withEditor(kind) { client, site, editor in
            let world = try #require(try await site.taxonomy.section(slug: "svyat"))
            let list = try await editor.get(NewsroomURLs.structure(.section))
            #expect(list.status == .ok && list.body.contains(">Свят</a>"))
            try await editor.get(NewsroomURLs.structure(.section, world.id))
            let saved = try await editor.post(
                NewsroomURLs.structure(.section, world.id),
                [("name", "Светът"), ("slug", ""), ("description", "Новините извън България"), ("position", "3")])
            #expect(saved.status == .seeOther && saved.location == NewsroomURLs.structure(.section, world.id) + "?saved=1")
            let page = try await client.get("/svetat")
            #expect(page.status == .ok && page.body.contains("<h1>Светът</h1>") && page.body.contains("Новините извън България"))
            let old = try await client.get("/svyat?page=1")
            #expect(old.status == .movedPermanently && old.headers[.location] == "/svetat?page=1")
            #expect(try await client.get("/svyat/sreshta-na-varha-v-bryuksel").headers[.location] == "/svetat/sreshta-na-varha-v-bryuksel")
            #expect(try await client.get("/svyat/atom.xml").headers[.location] == "/svetat/atom.xml")
            #expect(try await client.get("/svetat/rss.xml").body.contains("<title>Светът"))
            let audit = try await editor.get("/newsroom/audit")
            #expect(audit.body.contains("Елена Редактор") && audit.body.contains("промени рубрика") && audit.body.contains("Свят → Светът"))

            // A new section, then the errors: every typed field comes back.
            try await editor.get(NewsroomURLs.structure(.section))
            let created = try await editor.post(
                NewsroomURLs.structure(.section), [("name", "Спорт"), ("slug", "sport"), ("description", ""), ("position", "4")])
            #expect(created.status == .seeOther)
            #expect(try await client.get("/sport").status == .ok)
            let empty = try await editor.post(
                NewsroomURLs.structure(.section),
                [("name", " "), ("slug", "kultura"), ("description", "Описание <b>с таг</b>"), ("position", "5")])
            #expect(empty.status == .unprocessableContent)
            #expect(empty.body.contains("Името е задължително."))
            #expect(empty.body.contains("value=\"kultura\"") && empty.body.contains("Описание &lt;b&gt;с таг&lt;/b&gt;"))
            let taken = try await editor.post(
                NewsroomURLs.structure(.section), [("name", "Култура"), ("slug", "svetat"), ("description", ""), ("position", "5")])
            #expect(
                taken.status == .unprocessableContent && taken.body.contains("Този адрес вече се използва.")
                    && taken.body.contains("value=\"Култура\""))
            let long = try await editor.post(
                NewsroomURLs.structure(.section),
                [("name", String(repeating: "Я", count: 121)), ("slug", ""), ("description", ""), ("position", "5")])
            #expect(long.status == .unprocessableContent && long.body.contains("до 120 знака"))
            let reserved = try await editor.post(
                NewsroomURLs.structure(.section), [("name", "Култура"), ("slug", "tag"), ("description", ""), ("position", "x")])
            #expect(reserved.status == .unprocessableContent && reserved.body.contains("цяло число"))
        }
    }

    @Test("a cached page shows a structure edit on the very next request", arguments: TestDatabase.all)
    func cachedPagesFollow(_ kind: TestDatabase) async throws {
        try await withEditor(kind) { client, site, editor in
            let pages = ["/", "/svyat", "/svyat/sreshta-na-varha-v-bryuksel", "/avtor/maria-petrova", "/tag/premier", "/tema/izbori"]
            for page in pages {
                _ = try await client.get(page)
                #expect(try await client.get(page).headers[.xCache] == "HIT", "\(page)")
            }
            let world = try #require(try await site.taxonomy.section(slug: "svyat"))
            let maria = try #require(try await site.taxonomy.author(slug: "maria-petrova"))
            let premier = try #require(try await site.taxonomy.tag(slug: "premier"))
            let topic = try #require(try await site.taxonomy.topic(slug: "izbori"))
            try await editor.get(NewsroomURLs.structure(.section, world.id))
            _ = try await editor.post(
                NewsroomURLs.structure(.section, world.id),
                [("name", "Чужбина"), ("slug", "svyat"), ("description", "Навън"), ("position", "1")])
            let home = try await client.get("/")
            #expect(home.headers[.xCache] == "MISS" && home.body.contains(">Чужбина</a>"))
            #expect(try await client.get("/svyat").body.contains("<h1>Чужбина</h1>"))
            _ = try await editor.post(
                NewsroomURLs.structure(.author, maria.id),
                [("name", "Мария Петрова"), ("slug", ""), ("role", "Кореспондент"), ("bio", ""), ("photo", "https://img.example.bg/m.jpg")])
            #expect(
                try await client.get("/svyat/sreshta-na-varha-v-bryuksel").body.contains("<span class=\"author-role\">Кореспондент</span>"))
            #expect(try await client.get("/avtor/maria-petrova").body.contains("src=\"https://img.example.bg/m.jpg\""))
            _ = try await editor.post(NewsroomURLs.structure(.tag, premier.id), [("action", "rename"), ("name", "Премиерът")])
            #expect(try await client.get("/tag/premier").status == .movedPermanently)
            _ = try await editor.post(
                NewsroomURLs.structure(.topic, topic.id), [("name", "Избори"), ("slug", ""), ("description", "Нов опис"), ("pinned", "")])
            #expect(try await client.get("/tema/izbori").body.contains("Нов опис"))
        }
    }

    @Test("a contributor may not manage the structure; a form without the CSRF token is refused", arguments: TestDatabase.all)
    func permissions(_ kind: TestDatabase) async throws {
        try await withEditor(kind) { client, site, editor in
            try await createUser(site, "author@vestnik.bg", role: .author, name: "Ася Автор")
            let author = NewsroomBrowser(client)
            _ = try await author.logIn("author@vestnik.bg")
            #expect(try await author.get(NewsroomURLs.structure(.author)).status == .forbidden)
            try await createUser(site, "writer@vestnik.bg", role: .contributor, name: "Петя Сътрудник")
            let writer = NewsroomBrowser(client)
            _ = try await writer.logIn("writer@vestnik.bg")
            let world = try #require(try await site.taxonomy.section(slug: "svyat"))
            for kind in TaxonomyKind.allCases {
                let page = try await writer.get(NewsroomURLs.structure(kind))
                #expect(page.status == .forbidden, "\(kind)")
                #expect(page.body.contains("<html"))  // the themed error page
            }
            try await writer.get(NewsroomURLs.home)
            let post = try await writer.post(NewsroomURLs.structure(.section, world.id), [("name", "Чуждо"), ("position", "1")])
            #expect(post.status == .forbidden)
            #expect(!(try await writer.get(NewsroomURLs.home).body.contains("/newsroom/sections")))
            #expect(try await editor.get(NewsroomURLs.home).body.contains("/newsroom/sections"))
            // Without a session: the way in (the setup page here, as no chief editor exists yet).
            let anonymous = try await client.get(NewsroomURLs.structure(.tag))
            #expect(anonymous.status == .seeOther && anonymous.headers[.location] == NewsroomURLs.setup)

            let forged = try await editor.post(
                NewsroomURLs.structure(.section, world.id), [("name", "Подправено"), ("position", "1")], csrf: "")
            #expect(forged.status == .forbidden)
            let wrong = try await editor.post(
                NewsroomURLs.structure(.section, world.id), [("name", "Подправено"), ("position", "1")],
                csrf: String(repeating: "a", count: 64))
            #expect(wrong.status == .forbidden)
            #expect(try await site.taxonomy.section(id: world.id)?.name == "Свят")
        }
    }

    @Test("an author's byline title, biography and photo show on the author page and the byline", arguments: TestDatabase.all)
    func author(_ kind: TestDatabase) async throws {
        try await withEditor(kind) { client, site, editor in
            let maria = try #require(try await site.taxonomy.author(slug: "maria-petrova"))
            try await editor.get(NewsroomURLs.structure(.author, maria.id))
            let bad = try await editor.post(
                NewsroomURLs.structure(.author, maria.id),
                [
                    ("name", "Мария Петрова"), ("slug", ""), ("role", "Главен редактор"), ("bio", "Пише от 1999 г."),
                    ("photo", "javascript:alert(1)"),
                ])
            #expect(bad.status == .unprocessableContent && bad.body.contains("https://"))
            #expect(
                bad.body.contains("value=\"Главен редактор\"") && bad.body.contains("Пише от 1999 г.")
                    && bad.body.contains("value=\"javascript:alert(1)\""))
            let saved = try await editor.post(
                NewsroomURLs.structure(.author, maria.id),
                [
                    ("name", "Мария Петрова"), ("slug", ""), ("role", "Главен редактор"), ("bio", "Пише от 1999 г."),
                    ("photo", "/media/0a1b2c.jpg"),
                ])
            #expect(saved.status == .seeOther)
            let page = try await client.get("/avtor/maria-petrova")
            #expect(page.body.contains("<img class=\"author-photo\" src=\"/media/0a1b2c.jpg\""))
            #expect(page.body.contains("Главен редактор") && page.body.contains("Пише от 1999 г."))
            let article = try await client.get("/svyat/sreshta-na-varha-v-bryuksel").body
            #expect(article.contains("<img class=\"author-photo\" src=\"/media/0a1b2c.jpg\""))
            #expect(article.contains("<span class=\"author-role\">Главен редактор</span>"))

            // A rename moves the author page; the old address answers 301.
            _ = try await editor.post(
                NewsroomURLs.structure(.author, maria.id),
                [("name", "Мария Иванова"), ("slug", ""), ("role", "Главен редактор"), ("bio", ""), ("photo", "")])
            #expect(try await client.get("/avtor/maria-petrova").headers[.location] == "/avtor/maria-ivanova")
            let renamed = try await client.get("/avtor/maria-ivanova").body
            #expect(renamed.contains("<h1>Мария Иванова</h1>") && !renamed.contains("author-photo"))
            #expect(try await editor.get("/newsroom/audit").body.contains("Мария Петрова → Мария Иванова"))
        }
    }

    @Test("a topic: description and the pinned story on its hub page", arguments: TestDatabase.all)
    func topic(_ kind: TestDatabase) async throws {
        try await withEditor(kind) { client, site, editor in
            let topic = try #require(try await site.taxonomy.topic(slug: "izbori"))
            let second = try #require(try await site.articles.article(slug: "vtora-statia-za-izborite"))
            let form = try await editor.get(NewsroomURLs.structure(.topic, topic.id))
            #expect(form.body.contains("<option value=\"\(second.id)\">Втора статия за изборите</option>"))
            let bad = try await editor.post(
                NewsroomURLs.structure(.topic, topic.id),
                [("name", "Избори 2026"), ("slug", ""), ("description", "Кой печели"), ("pinned", "99999")])
            #expect(bad.status == .unprocessableContent && bad.body.contains("value=\"Избори 2026\""))
            let saved = try await editor.post(
                NewsroomURLs.structure(.topic, topic.id),
                [("name", "Избори 2026"), ("slug", "izbori-2026"), ("description", "Кой печели"), ("pinned", String(second.id))])
            #expect(saved.status == .seeOther)
            let hub = try await client.get("/tema/izbori-2026").body
            #expect(hub.contains("<h1>Избори 2026</h1>") && hub.contains("Кой печели"))
            let pinned = try #require(hub.range(of: "lead-story pinned"))
            #expect(hub[pinned.upperBound...].prefix(600).contains("Втора статия за изборите"))
            #expect(try await client.get("/tema/izbori").headers[.location] == "/tema/izbori-2026")
            #expect(try await editor.get("/newsroom/audit").body.contains("промени тема"))
        }
    }

    @Test("tags: rename with a 301, merge, delete an unused one; suggestions by Cyrillic prefix", arguments: TestDatabase.all)
    func tags(_ kind: TestDatabase) async throws {
        try await withEditor(kind) { client, site, editor in
            let premier = try #require(try await site.taxonomy.tag(slug: "premier"))
            let list = try await editor.get(NewsroomURLs.structure(.tag) + "?q=%D0%BF%D1%80")  // "пр"
            #expect(list.body.contains(">Премиер</a>") && list.body.contains(">Президент</a>"))
            try await editor.get(NewsroomURLs.structure(.tag, premier.id))
            let renamed = try await editor.post(
                NewsroomURLs.structure(.tag, premier.id), [("action", "rename"), ("name", "Министър-председател")])
            #expect(renamed.status == .seeOther)
            #expect(try await client.get("/tag/premier").headers[.location] == "/tag/ministar-predsedatel")
            #expect(try await client.get("/tag/ministar-predsedatel").body.contains("<h1>Министър-председател</h1>"))
            #expect(try await client.get("/svyat/sreshta-na-varha-v-bryuksel").body.contains(">Министър-председател</a>"))

            // Suggestions: newsroom only, any case, Cyrillic.
            let anonymous = try await client.get(NewsroomURLs.tagSuggestions + "?q=%D0%BF%D1%80%D0%B5")
            #expect(anonymous.status == .unauthorized)
            let json = try await editor.get(NewsroomURLs.tagSuggestions + "?q=%D0%9F%D0%A0%D0%95")  // "ПРЕ"
            #expect(json.headers[.contentType] == "application/json; charset=utf-8")
            let names = try JSONDecoder().decode([[String: String]].self, from: Data(json.body.utf8)).map { $0["name"] }
            #expect(names == ["Президент"])
            let ministers = try await editor.get(NewsroomURLs.tagSuggestions + "?q=%D0%BC%D0%B8%D0%BD")  // "мин"
            #expect(ministers.body.contains("\"Министър-председател\""))

            // Merge into an existing tag; then it is gone and its addresses lead to the target.
            let merged = try await editor.post(NewsroomURLs.structure(.tag, premier.id), [("action", "merge"), ("into", "президент")])
            let president = try #require(try await site.taxonomy.tag(slug: "prezident"))
            #expect(merged.location == NewsroomURLs.structure(.tag, president.id) + "?saved=1")
            #expect(try await client.get("/tag/premier").headers[.location] == "/tag/prezident")
            #expect(try await client.get("/tag/ministar-predsedatel").headers[.location] == "/tag/prezident")
            let unknown = try await editor.post(NewsroomURLs.structure(.tag, president.id), [("action", "merge"), ("into", "Няма го")])
            #expect(unknown.status == .unprocessableContent && unknown.body.contains("value=\"Няма го\""))

            // Delete: refused while articles carry the tag.
            let inUse = try await editor.post(NewsroomURLs.structure(.tag, president.id), [("action", "delete")])
            #expect(inUse.status == .unprocessableContent)
            var unused = structureSeed[1]
            unused.tags = []
            try await site.articles.save(unused, now: testNow)
            var first = structureSeed[0]
            first.tags = []
            try await site.articles.save(first, now: testNow)
            try await editor.get(NewsroomURLs.structure(.tag, president.id))
            let deleted = try await editor.post(NewsroomURLs.structure(.tag, president.id), [("action", "delete")])
            #expect(deleted.status == .seeOther)
            #expect(try await client.get("/tag/prezident").status == .notFound)
            let audit = try await editor.get("/newsroom/audit").body
            #expect(audit.contains("преименува етикет") && audit.contains("сля етикет") && audit.contains("изтри етикет"))
        }
    }

    @Test("the revision page marks an edited paragraph, escaped", arguments: TestDatabase.all)
    func revisionDiff(_ kind: TestDatabase) async throws {
        try await withEditor(kind) { client, site, editor in
            try await editor.get(NewsroomURLs.newArticle)
            let created = try await editor.post(
                NewsroomURLs.newArticle, articleFields(title: "Статия с версии", body: "<p>Първи.</p><p>Втори &lt;b&gt;.</p><p>Трети.</p>"))
            let id = try #require(articleID(created.location))
            try await editor.get(NewsroomURLs.article(id))
            _ = try await editor.post(
                NewsroomURLs.article(id),
                articleFields(title: "Статия с версии", body: "<p>Първи.</p><p>Втори, поправен &lt;i&gt;.</p><p>Трети.</p>", revision: 1))
            let page = try await editor.get(NewsroomURLs.article(id) + "/revisions/2")
            #expect(page.status == .ok)
            #expect(page.body.contains("<del>Втори &lt;b&gt;.</del>"))
            #expect(page.body.contains("<ins>Втори, поправен &lt;i&gt;.</ins>"))
            #expect(page.body.contains("<p class=\"nr-diff-same\">Първи.</p>"))
            #expect(!page.body.contains("<ins>Първи.</ins>") && !page.body.contains("<del>Трети.</del>"))
            #expect(page.body.contains("href=\"/newsroom/articles/\(id)?restore=2\""))
            let first = try await editor.get(NewsroomURLs.article(id) + "/revisions/1")
            #expect(first.body.contains("<ins>Статия с версии</ins>") && first.body.contains("<ins>Трети.</ins>"))
        }
    }
}
