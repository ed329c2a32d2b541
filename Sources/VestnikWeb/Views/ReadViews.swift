import Foundation
import VestnikCore
import VestnikStore

// View models of reads: the "Най-четени" block, the statistics pages and their charts.

extension ViewFactory {
    /// How many articles each "Най-четени" list on a public page shows.
    static let mostReadShown = 5

    /// Nil when nothing has been read this week, so the block is left out.
    func mostRead(day: [MostReadArticle], week: [MostReadArticle]) -> MostReadView? {
        guard !week.isEmpty || !day.isEmpty else { return nil }
        return MostReadView(
            day: day.prefix(Self.mostReadShown).map(mostReadItem), week: week.prefix(Self.mostReadShown).map(mostReadItem))
    }

    func mostReadItem(_ entry: MostReadArticle) -> MostReadItem {
        MostReadItem(
            url: SiteURLs.article(entry.summary), kicker: entry.summary.kicker.isEmpty ? nil : entry.summary.kicker,
            title: entry.summary.title, markers: markers(entry.summary.media), reads: readCount(entry.reads))
    }

    func readBeacon(articleID: Int) -> ReadBeaconView {
        ReadBeaconView(
            scriptURL: readsScriptURL, beaconURL: SiteURLs.readBeacon(articleID), pixelURL: SiteURLs.readPixel(articleID))
    }

    func readStatsWindow(title: String, _ entries: [MostReadArticle]) -> ReadStatsWindow {
        ReadStatsWindow(
            title: title,
            rows: entries.enumerated().map { index, entry in
                ReadStatsRow(
                    rank: String(index + 1), url: SiteURLs.article(entry.summary), statsURL: NewsroomURLs.readStats(entry.summary.id),
                    title: entry.summary.kicker.isEmpty ? entry.summary.title : "\(entry.summary.kicker): \(entry.summary.title)",
                    section: entry.summary.sectionName, reads: readCount(entry.reads), total: readCount(entry.summary.reads))
            }, empty: entries.isEmpty)
    }

    /// The last `count` hours, an axis label every six Sofia hours.
    func hourlyChart(_ points: [ReadSeries.Point], title: String) -> ChartView {
        chart(
            title: title, points: points,
            describe: { "\(dayMonth($0)), \(dates.shortTime($0))" },
            label: { _, start in SofiaTime.components(of: start).hour % 6 == 0 ? dates.shortTime(start) : nil })
    }

    /// The last `count` Sofia days, an axis label every fifth day counted back from today.
    func dailyChart(_ points: [ReadSeries.Point], title: String) -> ChartView {
        chart(
            title: title, points: points, describe: dayMonth,
            label: { index, start in (points.count - 1 - index) % 5 == 0 ? dayDotMonth(start) : nil })
    }

    private func chart(
        title: String, points: [ReadSeries.Point], describe: (Date) -> String, label: (Int, Date) -> String?
    ) -> ChartView {
        let total = points.reduce(0) { $0 + $1.count }
        let peak = points.max { $0.count < $1.count }
        let summary = locale.format(
            "stats_chart_summary",
            ["title": title, "total": readCount(total), "peak": readCount(peak?.count ?? 0), "when": peak.map { describe($0.start) } ?? ""])
        return ReadChart.make(
            title: title, summary: summary,
            points: points.enumerated().map { index, point in
                ReadChart.Point(
                    value: point.count,
                    title: locale.format("stats_bar", ["when": describe(point.start), "count": readCount(point.count)]),
                    label: label(index, point.start))
            })
    }

    /// `25 ноември` in Sofia.
    private func dayMonth(_ date: Date) -> String {
        let parts = SofiaTime.components(of: date)
        return "\(parts.day) \(locale.dates.monthName(parts.month))"
    }

    /// `25.11` in Sofia: a short axis label.
    private func dayDotMonth(_ date: Date) -> String {
        let parts = SofiaTime.components(of: date)
        return "\(parts.day).\(parts.month < 10 ? "0" : "")\(parts.month)"
    }

    /// A count of reads as the site writes numbers.
    func readCount(_ count: Int) -> String { String(count) }
}
