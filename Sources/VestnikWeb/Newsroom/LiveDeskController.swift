import Foundation
import HTTPTypes
import Hummingbird
import VestnikCore
import VestnikStore

/// An article's live desk: start the coverage, post short entries (text, a picture from the library, a key
/// moment), end it. Every entry is its own `ArticleWriteService.addLiveEntry` call, so people posting at once never
/// overwrite each other; this controller only translates forms.
struct LiveDeskController: Sendable {
    typealias Context = VestnikRequestContext
    let editor: EditorController
    let live: LiveCoverageRepository
    /// The site, for its view factory now (made again when a setting changes).
    let site: Site

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("articles/{id}/live", use: desk)
        group.post("articles/{id}/live/start", use: start)
        group.post("articles/{id}/live/end", use: end)
        group.post("articles/{id}/live/entries", use: post)
    }

    private var pages: NewsroomPages { editor.pages }

    @Sendable func desk(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await pages.signInFirst() }
        let article = try await openArticle(context, session)
        let query = FormQuery(request.uri.query)
        let info = query.all("done").first.flatMap {
            ["posted": "nr_live_posted", "started": "nr_live_started", "ended": "nr_live_ended"][$0]
        }
        return try await page(session, article, info: info.map { pages.t[$0] })
    }

    @Sendable func start(_ request: Request, context: Context) async throws -> Response {
        try await act(context, done: "started") { article, writer in
            try await editor.writes.startLive(article.id, by: writer, now: pages.now())
        }
    }

    @Sendable func end(_ request: Request, context: Context) async throws -> Response {
        try await act(context, done: "ended") { article, writer in
            try await editor.writes.endLive(article.id, by: writer, now: pages.now())
        }
    }

    @Sendable func post(_ request: Request, context: Context) async throws -> Response {
        let form = context.newsroom.form ?? FormQuery(nil)
        let text = form.all("text").first ?? ""
        let picture = ArticleForm.line(form.all("picture").first ?? "")
        let isKey = form.all("key").first == "1"
        return try await act(context, done: "posted", retyped: (text, picture, isKey)) { article, writer in
            var hash: String?
            if !picture.isEmpty {
                guard let found = ArticleForm.mediaHash(picture) else { throw ArticleWriteError.missingPicture }
                hash = found
            }
            try await editor.writes.addLiveEntry(to: article.id, text: text, pictureHash: hash, isKey: isKey, by: writer, now: pages.now())
        }
    }

    /// Runs a desk action as the signed-in user; a refusal comes back on the desk with what was typed.
    private func act(
        _ context: Context, done: String, retyped: (text: String, picture: String, isKey: Bool) = ("", "", false),
        _ action: (EditableArticle, ArticleWriter) async throws -> Void
    ) async throws -> Response {
        guard let session = context.newsroom.session else { return try await pages.signInFirst() }
        let article = try await openArticle(context, session)
        do {
            try await action(article, ArticleWriter(userID: session.user.id, role: session.user.role))
        } catch ArticleWriteError.notAllowed {
            throw HTTPError(.forbidden)
        } catch ArticleWriteError.missingPicture {
            return try await page(session, article, message: pages.t["nr_error_featured"], retyped: retyped, status: .unprocessableContent)
        } catch let error as InvalidInput {
            return try await page(
                session, article, message: pages.t.format("nr_live_refused", ["reason": error.description]), retyped: retyped,
                status: .unprocessableContent)
        }
        return pages.redirect(NewsroomURLs.live(article.id) + "?done=" + done)
    }

    /// The article, for whoever may open it in the editor, and for any author while its coverage runs: a live desk
    /// is several people.
    private func openArticle(_ context: Context, _ session: NewsroomSession) async throws -> EditableArticle {
        do {
            return try await EditorController.loadArticle(context, session: session, editorial: editor.editorial)
        } catch let error as HTTPError where error.status == .forbidden {
            guard session.user.role >= .author, let id = context.parameters.get("id").flatMap({ Int($0) }),
                try await live.coverage(articleID: id)?.isLive == true, let article = try await editor.editorial.article(id: id)
            else { throw error }
            return article
        }
    }

    private func page(
        _ session: NewsroomSession, _ article: EditableArticle, message: String? = nil, info: String? = nil,
        retyped: (text: String, picture: String, isKey: Bool) = ("", "", false), status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let coverage = try await live.coverage(articleID: article.id)
        let entries = try await live.entries(articleID: article.id, limit: 100)
        let blog = coverage.map { site.views.liveBlog(articleID: article.id, coverage: $0, entries: entries) }
        let role = session.user.role
        let view = NewsroomLivePage(
            layout: pages.layout(pages.t["nr_live_title"], session), csrf: session.csrf, title: article.draft.title,
            editURL: NewsroomURLs.article(article.id),
            publicURL: article.draft.status == .published ? SiteURLs.article(section: article.sectionSlug, slug: article.draft.slug) : nil,
            baseURL: NewsroomURLs.live(article.id), status: blog?.status, running: coverage?.isLive ?? false,
            mayStart: (coverage?.isLive ?? false) == false && (role.editsAnyone || (role >= .author && article.ownerID == session.user.id)),
            mayEnd: (coverage?.isLive ?? false) && role.editsAnyone, entries: blog?.entries ?? [], message: message, info: info,
            text: retyped.text, picture: retyped.picture, isKey: retyped.isKey)
        return try pages.render("nr-live", view, status: status)
    }
}
