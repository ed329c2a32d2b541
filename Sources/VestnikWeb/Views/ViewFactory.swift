import Foundation
import VestnikCore

/// Turns newsroom objects into view models in the site's language.
struct ViewFactory: Sendable {
    let locale: SiteLocale
    let assets: StaticAssets
    let siteName: String
    let publicURL: String
    let dates: NewsDateFormatter
    let relative: RelativeTimeFormatter

    init(locale: SiteLocale, assets: StaticAssets, siteName: String, publicURL: String, now: @escaping @Sendable () -> Date) {
        self.locale = locale
        self.assets = assets
        self.siteName = siteName
        self.publicURL = publicURL
        dates = NewsDateFormatter(vocabulary: locale.dates)
        relative = RelativeTimeFormatter(vocabulary: locale.dates, now: now)
    }

    func layout(
        title: String?, description: String? = nil, canonical: String?, sections: [Section], currentSection: String? = nil,
        meta: ArticleMeta? = nil, now: Date
    ) -> LayoutView {
        LayoutView(
            lang: locale.language, ogLocale: locale.ogLocale, siteName: siteName,
            pageTitle: title.map { "\($0) | \(siteName)" } ?? siteName,
            description: description ?? locale["site_description"], canonical: canonical.map { publicURL + $0 }, cssURL: assets.url("site.css"),
            nav: sections.map { NavLink(name: $0.name, url: SiteURLs.section($0.slug), current: $0.slug == currentSection) },
            t: locale.strings, year: String(SofiaTime.components(of: now).year), meta: meta)
    }

    func markers(_ media: MediaMarkers) -> [String] {
        (media.video ? [locale["marker_video"]] : []) + (media.gallery ? [locale["marker_gallery"]] : [])
    }

    func card(_ summary: ArticleSummary) -> ArticleCard {
        ArticleCard(
            url: SiteURLs.article(summary), kicker: summary.kicker.isEmpty ? nil : summary.kicker, title: summary.title,
            markers: markers(summary.media), lead: summary.lead, section: summary.sectionName,
            sectionURL: SiteURLs.section(summary.sectionSlug), time: dates.shortTime(summary.publishedAt),
            dateLine: dates.dateLine(summary.publishedAt), relative: relative.string(for: summary.publishedAt),
            datetime: dates.isoDateTime(summary.publishedAt), reads: String(summary.reads))
    }

    func pager<T>(_ page: Page<T>, base: String) -> Pager? {
        pager(page, url: { SiteURLs.page(base, $0) })
    }

    /// A pager whose links `url` builds from a page number; none when everything fits on one page.
    func pager<T>(_ page: Page<T>, url: (Int) -> String) -> Pager? {
        guard page.pageCount > 1, page.number <= page.pageCount else { return nil }
        return Pager(
            previousURL: page.hasPrevious ? url(page.number - 1) : nil,
            nextURL: page.hasNext ? url(page.number + 1) : nil,
            label: locale.format("pager_label", ["page": String(page.number), "pages": String(page.pageCount)]))
    }

    /// Groups a timeline by Sofia day, keeping the order it was given in.
    func days(_ summaries: [ArticleSummary]) -> [DayGroup] {
        var groups: [DayGroup] = []
        var currentDay: Date?
        for summary in summaries {
            let day = SofiaTime.startOfDay(containing: summary.publishedAt)
            if day != currentDay {
                let parts = SofiaTime.components(of: summary.publishedAt)
                let label = "\(parts.day) \(locale.dates.months[parts.month - 1]) \(parts.year)"
                groups.append(DayGroup(label: label, cards: []))
                currentDay = day
            }
            groups[groups.count - 1].cards.append(card(summary))
        }
        return groups
    }
}
