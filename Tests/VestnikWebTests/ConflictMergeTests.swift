import Foundation
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport

@testable import VestnikWeb

/// `fields` with `name` set to `value`.
private func with(_ fields: [(String, String)], _ name: String, _ value: String) -> [(String, String)] {
    fields.map { $0.0 == name ? (name, value) : $0 }
}

@Suite("Two people saving one article at once")
struct ConflictMergeTests {
    static let body = "<p>Първи абзац.</p><p>Втори абзац.</p><p>Трети абзац.</p>"

    @Test("different fields and different paragraphs: the second save keeps both changes", arguments: TestDatabase.all)
    func differentPartsMerge(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            try await createUser(site, "a@vestnik.bg", role: .editor, name: "Анна")
            try await createUser(site, "b@vestnik.bg", role: .author, name: "Борис")
            let anna = NewsroomBrowser(client)
            try await anna.logIn("a@vestnik.bg")
            try await anna.get(NewsroomURLs.newArticle)
            let boris = NewsroomBrowser(client)
            try await boris.logIn("b@vestnik.bg")
            try await boris.get(NewsroomURLs.newArticle)
            let created = try await boris.post(NewsroomURLs.newArticle, articleFields(title: "Обща статия", body: Self.body))
            let id = try #require(articleID(created.location))
            try await anna.get(NewsroomURLs.article(id))
            try await boris.get(NewsroomURLs.article(id))
            // Both opened revision 1. Борис changes the title and the third paragraph and saves first.
            var borisFields = articleFields(
                title: "Заглавието на Борис", body: "<p>Първи абзац.</p><p>Втори абзац.</p><p>Трети, поправен от Борис.</p>", revision: 1)
            borisFields = with(borisFields, "slug", "obshta-statia")
            #expect(try await boris.post(NewsroomURLs.article(id), borisFields).status == .seeOther)
            // Анна, still on revision 1, changes the lead and the first paragraph.
            var annaFields = articleFields(
                title: "Обща статия", body: "<p>Първи, поправен от Анна.</p><p>Втори абзац.</p><p>Трети абзац.</p>", revision: 1)
            annaFields = with(with(annaFields, "lead", "Резюмето на Анна."), "slug", "obshta-statia")
            let saved = try await anna.post(NewsroomURLs.article(id), annaFields)
            #expect(saved.status == .seeOther)
            #expect(saved.location?.contains("merged=1") == true)
            #expect(try await anna.get(saved.location ?? "").body.contains("неговите и вашите промени са запазени заедно"))
            let stored = try #require(try await site.editorial.article(id: id))
            #expect(stored.revision == 3)
            #expect(stored.draft.title == "Заглавието на Борис")
            #expect(stored.draft.lead == "Резюмето на Анна.")
            #expect(stored.draft.bodyHTML.contains("Първи, поправен от Анна."))
            #expect(stored.draft.bodyHTML.contains("Трети, поправен от Борис."))
            #expect(!stored.draft.bodyHTML.contains("Трети абзац."))
        }
    }

    @Test(
        "the same field changed differently: only that field is shown, the form holds everything else merged", arguments: TestDatabase.all)
    func clashShowsOnlyTheClash(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            try await createUser(site, "a@vestnik.bg", role: .editor, name: "Анна")
            try await createUser(site, "b@vestnik.bg", role: .editor, name: "Борис")
            let anna = NewsroomBrowser(client)
            try await anna.logIn("a@vestnik.bg")
            try await anna.get(NewsroomURLs.newArticle)
            let created = try await anna.post(NewsroomURLs.newArticle, articleFields(title: "Обща статия", body: Self.body))
            let id = try #require(articleID(created.location))
            let boris = NewsroomBrowser(client)
            try await boris.logIn("b@vestnik.bg")
            try await boris.get(NewsroomURLs.article(id))
            var borisFields = with(articleFields(title: "Обща статия", body: Self.body, revision: 1), "lead", "Резюмето на Борис.")
            borisFields = with(with(borisFields, "slug", "obshta-statia"), "sources", "БТА, Ройтерс")
            #expect(try await boris.post(NewsroomURLs.article(id), borisFields).status == .seeOther)
            try await anna.get(NewsroomURLs.article(id))
            var annaFields = with(articleFields(title: "Заглавието на Анна", body: Self.body, revision: 1), "lead", "Резюмето на Анна.")
            annaFields = with(annaFields, "slug", "obshta-statia")
            let clash = try await anna.post(NewsroomURLs.article(id), annaFields)
            #expect(clash.status == .conflict)
            // The lead is shown side by side; the title (only Анна changed it) and the sources (only Борис) are not.
            #expect(clash.body.contains("Резюмето на Борис.") && clash.body.contains("Резюмето на Анна."))
            #expect(clash.body.contains("освен в: Резюме"))
            #expect(clash.body.contains("value=\"Заглавието на Анна\""))
            #expect(clash.body.contains("БТА, Ройтерс"))
            #expect(clash.body.contains("name=\"revision\" value=\"2\""))
            let unchanged = try #require(try await site.editorial.article(id: id))
            #expect(unchanged.revision == 2 && unchanged.draft.lead == "Резюмето на Борис.")
            // Saving the form as it came back keeps Анна's lead and title and Борис's sources.
            var resolved = with(annaFields, "revision", "2")
            resolved = with(resolved, "sources", "БТА, Ройтерс")
            #expect(try await anna.post(NewsroomURLs.article(id), resolved).status == .seeOther)
            let stored = try #require(try await site.editorial.article(id: id))
            #expect(stored.draft.title == "Заглавието на Анна" && stored.draft.lead == "Резюмето на Анна.")
            #expect(stored.draft.sources == ["БТА", "Ройтерс"])
        }
    }

    @Test("a closed editor tab drops out of «also open by» at once", arguments: TestDatabase.all)
    func presenceEndsWithTheTab(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            try await createUser(site, "a@vestnik.bg", role: .editor, name: "Анна")
            try await createUser(site, "b@vestnik.bg", role: .editor, name: "Борис")
            let anna = NewsroomBrowser(client)
            try await anna.logIn("a@vestnik.bg")
            try await anna.get(NewsroomURLs.newArticle)
            let created = try await anna.post(NewsroomURLs.newArticle, articleFields(title: "Обща статия"))
            let id = try #require(articleID(created.location))
            let boris = NewsroomBrowser(client)
            try await boris.logIn("b@vestnik.bg")
            try await boris.get(NewsroomURLs.article(id))
            #expect(try await anna.get(NewsroomURLs.article(id)).body.contains("отворена и от: Борис"))
            // Борис's page says goodbye as it closes (what the editor's script sends on `pagehide`).
            #expect(try await boris.post(NewsroomURLs.article(id) + "/presence", [("left", "1")]).status == .noContent)
            #expect(!(try await anna.get(NewsroomURLs.article(id)).body.contains("Борис")))
            #expect(try await boris.post(NewsroomURLs.article(id) + "/presence", []).status == .noContent)
            #expect(try await anna.get(NewsroomURLs.article(id)).body.contains("отворена и от: Борис"))
        }
    }

    @Test("every field of an article takes part in the merge")
    func everyFieldIsMerged() {
        // A new field of ArticleInput must be merged (ArticleMerge) or it would be lost from one side silently:
        // bodyHTML is merged as `.body`, and the read count is not the editor's.
        let input = ArticleInput(slug: "a", title: "a", lead: "", bodyHTML: "", section: "Свят", publishedAt: Date())
        let names = Set(Mirror(reflecting: input).children.compactMap(\.label)).subtracting(["bodyHTML", "reads", "featuredImage"])
        let merged = Set(ArticleField.allCases.map(\.rawValue)).subtracting(["body", "featured"])
        #expect(names == merged)
    }
}
