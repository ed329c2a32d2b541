import Foundation
import Testing
import VestnikCore
import VestnikTestSupport
@testable import VestnikStore

/// Yoast SEO's and Rank Math's post meta → the article's SEO and share card fields (the README's mapping table).
@Suite struct WordPressSEOTests {
    typealias Post = WordPressExport.Post

    @Test("Yoast's and Rank Math's variables are expanded; a field naming one Vestnik cannot fill is dropped")
    func variables() {
        let values = WordPressImporter.seoVariables(
            title: "Бюджетът", site: "Старият вестник", lead: "Резюме.", category: "България", tags: ["Бюджет", "София"],
            author: "Мария Петрова", now: Date(timeIntervalSince1970: 1_795_600_800))
        #expect(WordPressText.seoText("%%title%% %%page%% %%sep%% %%sitename%%", values: values) == "Бюджетът - Старият вестник")
        #expect(WordPressText.seoText("%title% %sep% %sitename%", values: values) == "Бюджетът - Старият вестник")
        #expect(WordPressText.seoText("%%primary_category%%: %%excerpt%% (%%currentyear%%)", values: values) == "България: Резюме. (2026)")
        #expect(WordPressText.seoText("Само текст,\n без  променливи ", values: values) == "Само текст, без променливи")
        // A prepended mark (U+0602) takes the space after it into its character: spaces are collapsed scalar by scalar.
        let marked = WordPressText.seoText("знак \u{602}  край", values: values)
        #expect(marked.map { Array($0.unicodeScalars) } == Array("знак \u{602} край".unicodeScalars))
        // A percent sign that opens no variable is text.
        #expect(WordPressText.seoText("50% отстъпка, 20 %% повече", values: values) == "50% отстъпка, 20 %% повече")
        #expect(WordPressText.seoText("%%TITLE%%", values: values) == "Бюджетът")
        // Unknown variables, custom fields among them, drop the field; so does one that comes out empty.
        #expect(WordPressText.seoText("%%title%% %%cf_subtitle%%", values: values) == nil)
        #expect(WordPressText.seoText("%%sitedesc%%", values: values) == nil)
        #expect(WordPressText.seoText("%%page%% %%pagetotal%%", values: values) == nil)
        #expect(WordPressText.seoText(String(repeating: "я", count: 2_001), values: values) == nil)
    }

    @Test(
        "an import maps them: Yoast's title and description, Rank Math's, Open Graph's; a dropped one is a warning",
        arguments: TestDatabase.all)
    func imported(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            var yoast = Post(id: 201, title: "Общината прие бюджета", slug: "byudzhet-2027")
            yoast.content = "Първи абзац."
            yoast.meta = [
                ("_yoast_wpseo_title", "%%title%% %%sep%% %%sitename%%"),
                ("_yoast_wpseo_metadesc", "Какво получават транспортът и училищата през %%currentyear%%."),
                ("_yoast_wpseo_opengraph-title", "Бюджетът за 2027, накратко"),
                ("_yoast_wpseo_opengraph-description", "%%cf_teaser%%"),
            ]
            var rankMath = Post(id: 202, title: "Нова линия на метрото", slug: "metro")
            rankMath.content = "Текст."
            rankMath.meta = [
                ("rank_math_title", "%title% %sep% Метро"), ("rank_math_description", "Линията ще има 12 станции."),
                ("rank_math_facebook_title", "Метрото до летището"),
            ]
            var plain = Post(id: 203, title: "Без SEO", slug: "bez-seo")
            plain.content = "Текст."
            plain.meta = [("_yoast_wpseo_title", "  ")]
            var options = WordPressImporter.Options()
            options.batchSize = 2
            let report = try await WordPressImporter(database: database).run(
                WXRReader(data: Data(WordPressExport.xml([yoast, rankMath, plain]).utf8)), options: options, now: testNow)
            #expect(report.failures == [] && report.created == 3)
            #expect(report.warnings.map(\.itemID) == [201])
            #expect(report.warnings.first?.message.contains("_yoast_wpseo_opengraph-description") == true)
            let articles = ArticleRepository(database: database)
            let budget = try #require(try await articles.article(slug: "byudzhet-2027")).seo
            #expect(budget.title == "Общината прие бюджета - Старият вестник")
            #expect(budget.description == "Какво получават транспортът и училищата през 2026.")
            #expect(budget.socialTitle == "Бюджетът за 2027, накратко" && budget.socialDescription == "")
            let metro = try #require(try await articles.article(slug: "metro")).seo
            #expect(metro.title == "Нова линия на метрото - Метро" && metro.description == "Линията ще има 12 станции.")
            #expect(metro.socialTitle == "Метрото до летището")
            #expect(try #require(try await articles.article(slug: "bez-seo")).seo == ArticleSEO())
        }
    }
}
