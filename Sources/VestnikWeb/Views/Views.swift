import Foundation
import VestnikCore

// The hand-written parts of the public views declared in Public.views: the card's fields, formatted when a template
// asks for them, and what they are formatted with.

extension ArticleCard {
    var url: String { SiteURLs.article(summary) }
    var kicker: String? { summary.kicker.isEmpty ? nil : summary.kicker }
    var title: String { summary.title }
    var markers: [String] { format.markers(summary.media) }
    var lead: String { summary.lead }
    var section: String { summary.sectionName }
    var sectionURL: String { SiteURLs.section(summary.sectionSlug) }
    var time: String { format.time(summary.publishedAt) }
    var dateLine: String { format.dateLine(summary.publishedAt) }
    var relative: String { format.relative(summary.publishedAt) }
    var datetime: String { format.datetime(summary.publishedAt) }
    var reads: String { String(summary.reads) }
}

extension FeaturedFigureView {
    var hasCaption: Bool { caption != nil || credit != nil }
}

/// What cards format their fields with: one per `ViewFactory`, shared by all its cards. Cards call its methods rather
/// than `format.dates.…`: a formatter reached through two references was copied, all its strings retained, per call.
final class CardFormat: Sendable {
    private let dates: NewsDateFormatter
    private let relativeTime: RelativeTimeFormatter
    /// The four marker lists, made once: index `video + 2 × gallery`.
    private let markerLists: [[String]]

    init(dates: NewsDateFormatter, relative: RelativeTimeFormatter, locale: SiteLocale) {
        self.dates = dates
        relativeTime = relative
        let video = locale["marker_video"], gallery = locale["marker_gallery"]
        markerLists = [[], [video], [gallery], [video, gallery]]
    }

    func time(_ date: Date) -> String { dates.shortTime(date) }
    func dateLine(_ date: Date) -> String { dates.dateLine(date) }
    func relative(_ date: Date) -> String { relativeTime.string(for: date) }
    func datetime(_ date: Date) -> String { dates.isoDateTime(date) }

    /// `(ВИДЕО)`, `(СНИМКИ)`: what the article carries.
    func markers(_ media: MediaMarkers) -> [String] {
        markerLists[(media.video ? 1 : 0) + (media.gallery ? 2 : 0)]
    }
}
