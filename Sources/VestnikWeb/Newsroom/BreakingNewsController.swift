import Foundation
import HTTPTypes
import Hummingbird
import VestnikCore
import VestnikStore

/// The breaking-news banner, for editors and the chief: put up (text, link, until when) or taken down in one click.
/// The writes are `BreakingNewsRepository.set` / `clear` (role, audit, every page dropped); this only translates.
struct BreakingNewsController: Sendable {
    typealias Context = VestnikRequestContext
    let pages: NewsroomPages
    let banners: BreakingNewsRepository

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("banner", use: show)
        group.post("banner", use: change)
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await pages.signInFirst() }
        guard session.user.role.editsAnyone else { throw HTTPError(.forbidden) }
        let query = FormQuery(request.uri.query)
        let info = query.all("done").first.map { pages.t[$0 == "cleared" ? "nr_banner_cleared" : "nr_banner_set"] }
        return try await page(session, info: info)
    }

    @Sendable func change(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await pages.signInFirst() }
        guard session.user.role.editsAnyone else { throw HTTPError(.forbidden) }
        let form = context.newsroom.form ?? FormQuery(nil)
        let writer = ArticleWriter(userID: session.user.id, role: session.user.role)
        let now = pages.now()
        if form.all("action").first == "clear" {
            try await banners.clear(by: writer, now: now)
            return pages.redirect(NewsroomURLs.banner + "?done=cleared")
        }
        let text = ArticleForm.line(form.all("text").first ?? "")
        let url = (form.all("url").first ?? "").trimmingCharacters(in: .whitespaces)
        let until = form.all("until").first ?? ""
        guard let end = ArticleForm.sofiaTime(until) else {
            return try await page(
                session, text: text, url: url, until: until, message: pages.t["nr_banner_bad_time"], status: .unprocessableContent)
        }
        do {
            try await banners.set(BreakingNews(text: text, url: url, until: end), by: writer, now: now)
        } catch let error as InvalidInput {
            return try await page(
                session, text: text, url: url, until: until,
                message: pages.t.format("nr_banner_refused", ["reason": error.description]), status: .unprocessableContent)
        }
        return pages.redirect(NewsroomURLs.banner + "?done=set")
    }

    private func page(
        _ session: NewsroomSession, text: String = "", url: String = "", until: String? = nil, message: String? = nil,
        info: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let now = pages.now()
        let current = try await banners.current(now: now)
        let view = NewsroomBannerPage(
            layout: pages.layout(pages.t["nr_banner_title"], session), csrf: session.csrf,
            current: current.map { NewsroomBannerNow(text: $0.text, url: $0.url, until: pages.dates.dateLine($0.until)) },
            text: text, url: url, until: until ?? Self.localTime(now.addingTimeInterval(3600)), message: message, info: info)
        return try pages.render("nr-banner", view, status: status)
    }

    /// `date` in Sofia time as a `datetime-local` field shows it (`2026-11-25T18:30`).
    static func localTime(_ date: Date) -> String {
        let t = SofiaTime.components(of: date)
        return String(format: "%04d-%02d-%02dT%02d:%02d", t.year, t.month, t.day, t.hour, t.minute)
    }
}
