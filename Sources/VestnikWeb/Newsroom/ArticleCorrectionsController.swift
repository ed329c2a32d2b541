import Foundation
import HTTPTypes
import Hummingbird
import VestnikCore
import VestnikStore

/// An editor adds a correction or a clarification to a published article, from its editor page. The note is
/// `ArticleWriteService.addCorrection` (role, audit, announcement); a refused note comes back in its form as typed.
struct ArticleCorrectionsController: Sendable {
    typealias Context = VestnikRequestContext
    let editor: EditorController

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("articles/{id}/corrections", use: add)
    }

    @Sendable func add(_ request: Request, context: Context) async throws -> Response {
        let pages = editor.pages
        guard let session = context.newsroom.session else { return try await pages.signInFirst() }
        let article = try await EditorController.loadArticle(context, session: session, editorial: editor.editorial)
        let form = context.newsroom.form ?? FormQuery(nil)
        guard let kind = CorrectionKind(rawValue: form.all("kind").first ?? "") else {
            throw HTTPError(.badRequest, message: "kind must be correction or clarification")
        }
        let text = form.all("text").first ?? ""
        do {
            try await editor.writes.addCorrection(
                to: article.id, kind: kind, text: text, by: ArticleWriter(userID: session.user.id, role: session.user.role),
                now: pages.now())
        } catch ArticleWriteError.notAllowed {
            throw HTTPError(.forbidden)
        } catch let error as InvalidInput {
            return try await editor.editor(
                ArticleForm(article.draft, revision: article.revision), session: session, article: article,
                message: pages.t.format("nr_correction_refused", ["reason": error.description]), note: (kind, text),
                status: .unprocessableContent)
        }
        return pages.redirect(NewsroomURLs.article(article.id) + "?corrected=1#nr-corrections")
    }
}
