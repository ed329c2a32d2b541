import Foundation
import HTTPTypes
import Hummingbird
import VestnikCore
import VestnikStore

/// Read statistics: a dashboard of the most read articles and one article's reads over time, as server-drawn charts.
///
/// For the newsroom only, at `/newsroom/statistika` behind its sign-in (the session cookie is scoped to
/// `/newsroom`); the old public addresses `/statistika…` answer 301 there. Search engines are told to keep out
/// (`X-Robots-Tag`).
struct ReadStatsController: Sendable {
    typealias Context = VestnikRequestContext
    let site: Site
    let mostRead: MostReadLists
    /// The hourly chart's span, and the daily chart's.
    let hours = 48
    let days = 30

    func addRoutes(to newsroom: RouterGroup<Context>, movedFrom router: Router<Context>) {
        newsroom.get("statistika", use: dashboard)
        newsroom.get("statistika/{article}", use: article)
        router.get("/statistika") { _, _ in Response.redirect(permanentlyTo: NewsroomURLs.readDashboard) }
        router.get("/statistika/{article}") { (_: Request, context: Context) -> Response in
            guard let id = ReadGate.articleID(context.parameters.get("article")) else {
                throw HTTPError(.badRequest, message: "not an article id")
            }
            return Response.redirect(permanentlyTo: NewsroomURLs.readStats(id))
        }
    }

    /// Nil when the request may see the statistics; else the login page, which comes back here after sign-in.
    private func signIn(_ request: Request, _ context: Context) -> Response? {
        guard context.newsroom.session == nil else { return nil }
        return Response(
            status: .seeOther,
            headers: [.location: SiteURLs.withQuery(NewsroomURLs.login, [("next", request.uri.path)]), .cacheControl: "no-store"])
    }

    @Sendable func dashboard(_ request: Request, context: Context) async throws -> Response {
        if let signIn = signIn(request, context) { return signIn }
        let now = site.now()
        let views = site.views
        let locale = site.locale
        let windows: [(MostReadLists.Window, String)] = [
            (.day, "stats_window_day"), (.week, "stats_window_week"), (.month, "stats_window_month"),
        ]
        var tables: [ReadStatsWindow] = []
        for (window, key) in windows {
            tables.append(views.readStatsWindow(title: locale[key], try await mostRead.articles(window)))
        }
        let view = ReadStatsView(
            layout: views.layout(
                title: locale["stats_title"], canonical: nil, sections: try await site.taxonomy.sections(),
                banner: nil, now: now),
            windows: tables)
        return Self.private(.html(try site.theme.render("read_stats", view)))
    }

    @Sendable func article(_ request: Request, context: Context) async throws -> Response {
        if let signIn = signIn(request, context) { return signIn }
        let now = site.now()
        guard let id = ReadGate.articleID(context.parameters.get("article")) else {
            throw HTTPError(.badRequest, message: "not an article id")
        }
        guard let summary = try await site.articles.summary(id: id, now: now) else { throw HTTPError(.notFound) }
        let views = site.views
        let locale = site.locale
        let oldestDay = ReadSeries.days([], count: days, now: now)[0].start
        let buckets = try await site.reads.hourly(articleID: id, from: oldestDay, through: now)
        func reads(since: Date) -> Int {
            let from = ReadIncrement.hour(containing: since)
            return buckets.filter { $0.hour >= from }.reduce(0) { $0 + $1.count }
        }
        let title = summary.kicker.isEmpty ? summary.title : "\(summary.kicker): \(summary.title)"
        let view = ArticleReadStatsView(
            layout: views.layout(
                title: locale.format("stats_article_title", ["title": title]), canonical: nil,
                sections: try await site.taxonomy.sections(),
                banner: nil, now: now),
            title: title, url: SiteURLs.article(summary), dateLine: views.dates.dateLine(summary.publishedAt),
            figures: [
                ReadFigure(label: locale["stats_total"], value: views.readCount(summary.reads)),
                ReadFigure(label: locale["stats_window_day"], value: views.readCount(reads(since: MostReadLists.Window.day.since(now)))),
                ReadFigure(label: locale["stats_window_week"], value: views.readCount(reads(since: MostReadLists.Window.week.since(now)))),
            ],
            charts: [
                views.hourlyChart(ReadSeries.hours(buckets, count: hours, now: now), title: locale["stats_chart_hourly"]),
                views.dailyChart(ReadSeries.days(buckets, count: days, now: now), title: locale["stats_chart_daily"]),
            ],
            dashboardURL: NewsroomURLs.readDashboard)
        return Self.private(.html(try site.theme.render("read_stats_article", view)))
    }

    /// Statistics are for the newsroom: never indexed, never kept by a shared cache.
    private static func `private`(_ response: Response) -> Response {
        var response = response
        response.headers[.cacheControl] = "private, no-store"
        response.headers[HTTPField.Name("X-Robots-Tag")!] = "noindex, nofollow"
        return response
    }
}
