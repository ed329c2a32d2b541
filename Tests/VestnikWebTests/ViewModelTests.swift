import Foundation
import Testing
import VestnikCore
@testable import VestnikWeb

/// Templates find view-model fields through `TemplateFields.field(_:)`: the switch the ViewModels plugin generates from
/// a `.views` file, or a hand-written one (`LocaleStrings`); computed fields are checked against what they must say.
@Suite struct ViewModelTests {
    static let locale = try! SiteLocale.load(code: "bg", from: Theme.builtInLocales)
    /// 25 November 2026, 12:00 in Sofia; the card's article came out five minutes before.
    static let now = Date(timeIntervalSince1970: 1_795_600_800)
    static let cardFormat = CardFormat(
        dates: NewsDateFormatter(vocabulary: locale.dates), relative: RelativeTimeFormatter(vocabulary: locale.dates, now: { now }),
        locale: locale)
    static let card = ArticleCard(
        summary:
            ArticleSummary(
                id: 7, slug: "b", sectionSlug: "svyat", sectionName: "Свят", kicker: "К", title: "Заглавие", lead: "Резюме",
                media: MediaMarkers(video: true, gallery: true), publishedAt: now - 300, reads: 5),
        format: cardFormat)
    static let layout = LayoutView(
        lang: "bg", ogLocale: "bg_BG", siteName: "Вестник", pageTitle: "T", description: "D", canonical: "https://x/",
        cssURL: "/static/site.css", nav: [], t: LocaleStrings(["a": "b"]), year: "2026", meta: nil, feeds: [],
        image: Picture(url: "https://x/p.png", mediaType: "image/png", length: 10), jsonLD: [])

    /// A generated view answers its declared fields, `.none` for any other name (so the lookup climbs on), and its
    /// init's declared defaults (`searchURL`, `Picture.width`) are what it holds when not given.
    @Test func generatedViewsAnswerTheirFields() {
        #expect(Self.describe(Self.layout.field("lang")) == "text(bg)")
        #expect(Self.describe(Self.layout.field("searchURL")) == "text(\(SiteURLs.search))")
        #expect(Self.describe(Self.layout.field("nav")) == "list[]")
        #expect(Self.layout.field("meta").isNone)
        #expect(Self.layout.field("noSuchField").isNone)
        #expect(Self.layout.field("heading").isNone, "a field of another view")
        #expect(Self.layout.image.field("width").isNone)
        #expect(Self.describe(Self.layout.image.field("length")) == "text(10)")
        let figure = FeaturedFigureView(src: "/m.jpg", alt: "a", width: "1200", height: "800", caption: nil, credit: "Снимка: БТА")
        #expect(Self.describe(figure.field("hasCaption")) == "bool(true)", "a computed field")
        #expect(Self.describe(figure.field("caption")) == "none")
        let bare = FeaturedFigureView(src: "/m.jpg", alt: "a", width: "1", height: "1", caption: nil, credit: nil)
        #expect(Self.describe(bare.field("hasCaption")) == "bool(false)")
        let form = StructureFormView(position: "3")
        #expect(Self.describe(form.field("position")) == "text(3)")
        #expect(Self.describe(form.field("name")) == "text()")
        let body = BodySegment(more: MoreBlock(links: [Self.card]))
        #expect(body.field("html").isNone)
        #expect(Self.describe(body.field("more")) == "object(MoreBlock)")
    }

    /// The locale strings (`layout.t`) answer by key; a key the locale lacks is `.none`, so the lookup climbs on.
    @Test func localeStringsAnswerByKey() {
        #expect(Self.describe(Self.layout.t.field("a")) == "text(b)")
        #expect(Self.layout.t.field("b").isNone)
        #expect(Self.describe(Self.layout.field("t")) == "object(LocaleStrings)")
    }

    /// A card's fields are computed from its article when asked (`Mirror` sees only the article), so each is checked
    /// against the string it must be.
    @Test func everyCardFieldAnswersItsValue() {
        let expected: [String: String] = [
            "url": "text(/svyat/b)", "kicker": "text(К)", "title": "text(Заглавие)",
            "markers": "list[text((ВИДЕО)), text((СНИМКИ))]", "lead": "text(Резюме)", "section": "text(Свят)",
            "sectionURL": "text(/svyat)", "time": "text(11:55)", "dateLine": "text(25 ноември 2026, 11:55 часа)",
            "relative": "text(преди 5 минути)", "datetime": "text(2026-11-25T11:55:00+02:00)", "reads": "text(5)",
        ]
        for (name, value) in expected {
            #expect(Self.describe(Self.card.field(name)) == value, "ArticleCard.\(name)")
        }
        #expect(Self.card.field("noSuchField").isNone)
        #expect(Self.card.field("summary").isNone, "the article itself is not a field")

        let plain = ArticleCard(
            summary:
                ArticleSummary(
                    id: 8, slug: "c", sectionSlug: "s", sectionName: "", kicker: "", title: "t", lead: "", media: MediaMarkers(),
                    publishedAt: Self.now - 3 * 86_400, reads: 0),
            format: Self.cardFormat)
        #expect(plain.field("kicker").isNone)
        #expect(Self.describe(plain.field("markers")) == "list[]")
        #expect(Self.describe(plain.field("relative")) == "text(22.11.2026)")
    }

    /// A value's case and contents, objects by type (each view type is checked on its own above).
    static func describe(_ value: TemplateValue) -> String {
        switch value {
        case .none: "none"
        case .bool(let flag): "bool(\(flag))"
        case .text(let text): "text(\(text))"
        case .html(let bytes): "html(\(String(decoding: bytes, as: UTF8.self)))"
        case .list(let list): "list[\((0..<list.count).map { describe(list.item($0)) }.joined(separator: ", "))]"
        case .object(let fields): "object(\(type(of: fields)))"
        }
    }
}
