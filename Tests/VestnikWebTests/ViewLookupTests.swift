import Foundation
import Testing
import VestnikCore
@testable import VestnikWeb

/// Templates find view-model fields through `TemplateFields.field(_:)` (see `Views+TemplateFields.swift`), not through
/// `Mirror`. A field missing from a switch would silently render as empty, so every field of every view type must
/// answer exactly what `Mirror` reads (`ReflectedValue`, which the newsroom's views still go through).
@Suite struct ViewLookupTests {
    static let locale = try! SiteLocale.load(code: "bg", from: Theme.builtInLocales)
    /// 25 November 2026, 12:00 in Sofia; the card's article came out five minutes before.
    static let now = Date(timeIntervalSince1970: 1_795_600_800)
    static let cardFormat = CardFormat(
        dates: NewsDateFormatter(vocabulary: locale.dates), relative: RelativeTimeFormatter(vocabulary: locale.dates, now: { now }),
        locale: locale)
    static let card = ArticleCard(
        ArticleSummary(
            id: 7, slug: "b", sectionSlug: "svyat", sectionName: "Свят", kicker: "К", title: "Заглавие", lead: "Резюме",
            media: MediaMarkers(video: true, gallery: true), publishedAt: now - 300, reads: 5),
        format: cardFormat)
    static let picture = Picture(url: "https://x/p.png", width: 1200, height: 675, mediaType: "image/png", length: 10)
    static let layout = LayoutView(
        lang: "bg", ogLocale: "bg_BG", siteName: "Вестник", pageTitle: "T", description: "D", canonical: "https://x/",
        cssURL: "/static/site.css", nav: [NavLink(name: "Свят", url: "/svyat", current: true)], t: LocaleStrings(["a": "b"]), year: "2026",
        meta: ArticleMeta(author: "A", authorURLs: ["u"], section: "S", published: "p", modified: "m", tags: ["t"]),
        feeds: [FeedLink(title: "RSS", type: "application/rss+xml", url: "/rss.xml")], image: picture, jsonLD: [ArraySlice("{}".utf8)])
    static let featured = FeaturedFigureView(
        src: "/media/a.jpg", alt: "a", width: 1200, height: 800, caption: "c", credit: "Снимка: БТА", srcset: "/media/b.jpg 640w",
        sizes: "100vw", sources: [PictureSourceView(type: "image/webp", srcset: "/media/c.webp 640w", sizes: "100vw")])
    static let mostRead = MostReadView(
        day: [MostReadItem(url: "/a", kicker: nil, title: "t", markers: [], reads: "1")], week: [])

    static var views: [(String, any TemplateFields)] {
        [
            ("LayoutView", layout), ("FeedLink", layout.feeds[0]), ("Picture", picture),
            ("Picture without size", Picture(url: "u", width: nil, height: nil, mediaType: "image/jpeg", length: 0)),
            ("NavLink", layout.nav[0]), ("ArticleMeta", layout.meta!),
            ("Pager", Pager(previousURL: nil, nextURL: "/x?page=2", label: "1 от 2")),
            (
                "ListView",
                ListView(
                    layout: layout, heading: "h", kind: "section", subtitle: nil, photo: "https://x/p.jpg", description: "d",
                    pinned: card, cards: [card], days: [DayGroup(label: "25 ноември", cards: [card])], pager: nil, empty: false)
            ),
            ("DayGroup", DayGroup(label: "l", cards: [card])),
            (
                "HomeView",
                HomeView(
                    layout: layout, lead: card, latest: [card], sections: [SectionBlock(name: "n", url: "/n", cards: [card])],
                    today: [], mostRead: mostRead)
            ),
            ("SectionBlock", SectionBlock(name: "n", url: "/n", cards: [card])),
            ("BylineView", BylineView(name: "n", role: nil, url: "/avtor/n", photo: "https://x/p.jpg")),
            ("FeaturedFigureView", featured), ("PictureSourceView", featured.sources[0]),
            ("TagLink", TagLink(name: "n", url: "/tag/n")),
            ("BodySegment html", BodySegment(html: Array("<p>x</p>".utf8)[...], more: nil)),
            ("BodySegment more", BodySegment(html: nil, more: MoreBlock(links: [card]))),
            ("MoreBlock", MoreBlock(links: [card])),
            (
                "ArticleView",
                ArticleView(
                    layout: layout, sectionName: "s", sectionURL: "/s", kicker: nil, title: "t", markers: [], dateLine: "d",
                    datetime: "dt", reads: "1", lead: "l", featured: featured,
                    body: [BodySegment(html: Array("<p>x</p>".utf8)[...], more: nil)], sources: "БТА",
                    topicLink: TagLink(name: "n", url: "/tema/n"), tags: [], authors: [BylineView(name: "n", role: "r", url: "/u")],
                    today: [card], followURL: "https://news.google.com/", mostRead: nil,
                    beacon: ReadBeaconView(scriptURL: "/s.js", beaconURL: "/api/reads/1", pixelURL: "/api/reads/1.gif"))
            ),
            ("ErrorView", ErrorView(layout: layout, status: 404, heading: "h", message: "m")),
            ("MostReadView", mostRead), ("MostReadItem", mostRead.day[0]),
            ("ReadBeaconView", ReadBeaconView(scriptURL: "/s.js", beaconURL: "/b", pixelURL: "/p.gif")),
            (
                "SearchView",
                SearchView(
                    layout: layout, query: "q", from: "", to: "", sections: [SectionOption(slug: "s", name: "n", selected: true)],
                    author: "", message: nil, summary: "1", results: [SearchResultView(card: card, snippet: "<mark>q</mark>")],
                    pager: Pager(previousURL: nil, nextURL: nil, label: "1"), firstPageURL: nil)
            ),
            ("SectionOption", SectionOption(slug: "s", name: "n", selected: false)),
            ("SearchResultView", SearchResultView(card: card, snippet: "s")),
        ]
    }

    @Test func everyFieldAnswersAsMirrorWould() {
        for (label, view) in Self.views {
            let children = Array(Mirror(reflecting: view).children)
            #expect(!children.isEmpty, "\(label)")
            for child in children {
                let name = try! #require(child.label)
                let expected = Self.describe(ReflectedValue.of(child.value))
                #expect(Self.describe(view.field(name)) == expected, "\(label).\(name): a switch in Views+TemplateFields.swift lacks it?")
            }
            #expect(view.field("noSuchField").isNone, "\(label)")
        }
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
