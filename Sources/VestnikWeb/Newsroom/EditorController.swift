import Foundation
import HTTPTypes
import Hummingbird
import VestnikCore
import VestnikStore

/// The article editor: a new article, an existing one, saving and the workflow buttons, autosave and "also open by".
/// Saving is `ArticleWriteService.save`; this controller turns the form into its call and its answer into a page.
struct EditorController: Sendable {
    typealias Context = VestnikRequestContext
    let pages: NewsroomPages
    let editorial: EditorialRepository
    let writes: ArticleWriteService
    let drafts: DraftKeeping
    let taxonomy: TaxonomyRepository
    let media: MediaRepository
    let corrections: CorrectionRepository

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("articles/new", use: newArticle)
        group.post("articles/new", use: createArticle)
        group.get("articles/{id}", use: editArticle)
        group.post("articles/{id}", use: saveArticle)
        group.post("articles/new/autosave", use: autosave)
        group.post("articles/{id}/autosave", use: autosave)
        group.post("articles/{id}/presence", use: presence)
    }

    private var t: SiteLocale { pages.t }

    @Sendable func newArticle(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await pages.signInFirst() }
        if let (form, info) = try await restored(session, articleID: nil) {
            return try await editor(form, session: session, article: nil, info: info)
        }
        var form = ArticleForm()
        form.authors = session.user.name
        return try await editor(form, session: session, article: nil)
    }

    @Sendable func editArticle(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await pages.signInFirst() }
        let article = try await Self.loadArticle(context, session: session, editorial: editorial)
        let query = FormQuery(request.uri.query)
        if let text = query.all("restore").first, let number = Int(text),
            let (input, _) = try await editorial.revision(articleID: article.id, number: number)
        {
            // The old text in the form, based on the latest revision: saving it restores it as a new revision.
            var form = ArticleForm(input, revision: article.revision)
            form.section = input.section
            return try await editor(form, session: session, article: article, info: t.format("nr_revision_restoring", ["number": text]))
        }
        let info =
            query.all("saved").first.map { _ in t[query.all("merged").isEmpty ? "nr_saved" : "nr_merged"] }
            ?? query.all("corrected").first.map { _ in t["nr_correction_added"] }
        if let (form, restoredInfo) = try await restored(session, articleID: article.id) {
            return try await editor(form, session: session, article: article, info: restoredInfo)
        }
        return try await editor(ArticleForm(article.draft, revision: article.revision), session: session, article: article, info: info)
    }

    @Sendable func createArticle(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await pages.signInFirst() }
        return try await save(context: context, session: session, article: nil)
    }

    @Sendable func saveArticle(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await pages.signInFirst() }
        return try await save(
            context: context, session: session, article: try await Self.loadArticle(context, session: session, editorial: editorial))
    }

    /// The article named by the route's `{id}`, if this user may open it (404 / 403 otherwise).
    static func loadArticle(_ context: Context, session: NewsroomSession, editorial: EditorialRepository) async throws -> EditableArticle {
        guard let text = context.parameters.get("id"), text.count <= 12, let id = Int(text),
            let article = try await editorial.article(id: id)
        else { throw HTTPError(.notFound) }
        guard session.user.role.editsAnyone || article.ownerID == session.user.id else { throw HTTPError(.forbidden) }
        return article
    }

    /// The form into a draft, the draft into the write service, its answer into a page. Whatever goes wrong, the
    /// editor comes back with the form exactly as typed.
    private func save(context: Context, session: NewsroomSession, article: EditableArticle?) async throws -> Response {
        // No HeavyWork permit: a save runs on the newsroom's own threads (NewsroomLane), where it holds no thread that
        // serves readers, and the permits are what readers' searches hold (a save waited for them).
        try await save(form: ArticleForm(context.newsroom.form ?? FormQuery(nil)), session: session, article: article)
    }

    private func save(form: ArticleForm, session: NewsroomSession, article: EditableArticle?) async throws -> Response {
        guard let target = form.target(current: article?.draft.status ?? .draft) else { throw HTTPError(.badRequest) }
        let draft: ArticleInput
        switch form.draft(status: target, sections: try await taxonomy.sections(), now: pages.now()) {
        case .failure(let problem):
            return try await editor(form, session: session, article: article, message: t[problem.key], status: .unprocessableContent)
        case .success(let value): draft = value
        }
        do {
            let writer = ArticleWriter(userID: session.user.id, role: session.user.role)
            let outcome = try await writes.save(
                draft, articleID: article?.id, baseRevision: form.revision, by: writer, now: pages.now(), mergingStale: true,
                markUpdated: form.markUpdated)
            switch outcome {
            case .saved(let id, _):
                return pages.redirect(NewsroomURLs.article(id) + "?saved=1")
            case .merged(let id, _, _):
                return pages.redirect(NewsroomURLs.article(id) + "?saved=1&merged=1")
            case .conflict(let conflict):
                // The form comes back as merged (with this writer's text where both changed it), on the newest revision.
                var mine = conflict.merged.map { ArticleForm($0, revision: conflict.revision) } ?? form
                mine.revision = conflict.revision
                let view = conflictView(mine: draft, theirs: conflict)
                return try await editor(mine, session: session, article: article, conflict: view, status: .conflict)
            }
        } catch ArticleWriteError.notAllowed {
            throw HTTPError(.forbidden)
        } catch ArticleWriteError.missingPicture {
            return try await editor(
                form, session: session, article: article, message: t["nr_error_featured"], status: .unprocessableContent)
        } catch ArticleWriteError.missingSocialPicture {
            return try await editor(
                form, session: session, article: article, message: t["nr_error_social_image"], status: .unprocessableContent)
        } catch let error as InvalidInput {
            return try await editor(
                form, session: session, article: article, message: t.format("nr_error_save", ["reason": error.description]),
                status: .unprocessableContent)
        }
    }

    /// Keeps what the editor has typed so far (posted every few seconds and when the page is left); 204.
    @Sendable func autosave(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return Response(status: .unauthorized) }
        let articleID =
            context.parameters.get("id") == nil ? nil : try await Self.loadArticle(context, session: session, editorial: editorial).id
        if let articleID { try await drafts.touch(articleID: articleID, userID: session.user.id, now: pages.now()) }
        let form = ArticleForm(context.newsroom.form ?? FormQuery(nil))
        let fields = String(decoding: try JSONEncoder().encode(form), as: UTF8.self)
        try await drafts.autosave(userID: session.user.id, articleID: articleID, fields: fields, now: pages.now())
        return Response(status: .noContent, headers: [.cacheControl: "no-store"])
    }

    /// The editor page says it is still open (every 10 seconds), or, with `left=1`, that it was closed; 204.
    @Sendable func presence(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return Response(status: .unauthorized) }
        let article = try await Self.loadArticle(context, session: session, editorial: editorial)
        if context.newsroom.form?.all("left").first == "1" {
            try await drafts.leave(articleID: article.id, userID: session.user.id)
        } else {
            try await drafts.touch(articleID: article.id, userID: session.user.id, now: pages.now())
        }
        return Response(status: .noContent, headers: [.cacheControl: "no-store"])
    }

    /// How long an editor page counts as open after it last said so: a closed tab that could not say goodbye (a
    /// crash, a lost connection) drops out of "also open by" within this, its page saying so every 10 seconds.
    static let presenceWindow: TimeInterval = 25

    /// The unsaved text this user left on the article, if any, and a notice saying so.
    private func restored(_ session: NewsroomSession, articleID: Int?) async throws -> (ArticleForm, String)? {
        guard let (fields, at) = try await drafts.autosaved(userID: session.user.id, articleID: articleID),
            let form = try? JSONDecoder().decode(ArticleForm.self, from: Data(fields.utf8))
        else { return nil }
        return (form, t.format("nr_autosave_restored", ["time": pages.dates.dateLine(at)]))
    }

    /// The editor page. `note`: a correction the editor typed and that was refused, shown back in its form.
    func editor(
        _ form: ArticleForm, session: NewsroomSession, article: EditableArticle?, message: String? = nil, info: String? = nil,
        conflict: ConflictView? = nil, note: (kind: CorrectionKind, text: String)? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let sections = try await taxonomy.sections()
        let current = article?.draft.status ?? .draft
        let own = article.map { $0.ownerID == session.user.id } ?? true
        var buttons = [NewsroomButton(action: "save", label: t["nr_action_save"], primary: true)]
        if Workflow.allows(from: current, to: current, role: session.user.role, own: own) == false { buttons = [] }
        for target in Workflow.targets(from: current, role: session.user.role, own: own) {
            let action = ArticleForm.action(for: target)
            buttons.append(NewsroomButton(action: action, label: t["nr_action_" + action], primary: false))
        }
        var revisions: [RevisionInfo] = []
        var editing: String?
        if let article {
            revisions = try await editorial.revisions(articleID: article.id)
            let now = pages.now()
            let others = try await drafts.editors(
                articleID: article.id, except: session.user.id, since: now.addingTimeInterval(-Self.presenceWindow))
            if !others.isEmpty { editing = t.format("nr_editing", ["names": others.joined(separator: ", ")]) }
            try await drafts.touch(articleID: article.id, userID: session.user.id, now: now)
        }
        var notes: NewsroomCorrectionsView?
        if let article, article.draft.status == .published {
            notes = NewsroomCorrectionsView(
                items: try await corrections.corrections(articleID: article.id).map { pages.views.correction($0) },
                formAction: session.user.role.editsAnyone ? NewsroomURLs.corrections(article.id) : nil, text: note?.text ?? "",
                clarification: note?.kind == .clarification)
        }
        let selected = form.section.isEmpty ? sections.first?.name ?? "" : form.section
        var featured: MediaItem?
        if let hash = ArticleForm.mediaHash(form.featured) { featured = try await media.item(hash: hash) }
        var slugFollows = true
        if let article { slugFollows = try await writes.slugFollowsTitle(articleID: article.id) }
        var social: MediaItem?
        if let hash = ArticleForm.mediaHash(form.socialImage) { social = try await media.item(hash: hash) }
        let page = NewsroomEditorPage(
            layout: pages.layout(article == nil ? t["nr_new_article"] : form.title, session), csrf: session.csrf,
            heading: article == nil ? t["nr_new_article"] : t["nr_edit_article"],
            formAction: article.map { NewsroomURLs.article($0.id) } ?? NewsroomURLs.newArticle,
            form: ArticleFormView(
                form, featuredImage: featured?.address, featuredAlt: featured?.alt ?? "", socialImage: social?.address,
                socialAlt: social?.alt ?? ""),
            sections: sections.map { NewsroomOption(value: $0.name, label: $0.name, selected: $0.name == selected || $0.slug == selected) },
            buttons: buttons, status: article.map { t["nr_status_" + $0.draft.status.rawValue] }, message: message, info: info,
            publicURL: article.flatMap {
                $0.draft.status == .published ? SiteURLs.article(section: $0.sectionSlug, slug: $0.draft.slug) : nil
            },
            revisions: revisions.map {
                NewsroomRevisionView(
                    url: NewsroomURLs.article(article?.id ?? 0) + "/revisions/\($0.number)", number: String($0.number), user: $0.userName,
                    at: pages.dates.dateLine($0.at), status: t["nr_status_" + $0.status.rawValue])
            },
            hasRevisions: !revisions.isEmpty, editing: editing, presenceURL: article.map { NewsroomURLs.article($0.id) + "/presence" },
            conflict: conflict, corrections: notes, liveURL: article.map { NewsroomURLs.live($0.id) },
            pasteScriptURL: pages.theme.assets.url("editor-paste.js"), moreScriptURL: pages.theme.assets.url("editor-more.js"),
            moreAutomatic: MoreLinks(automatic: pages.site.moreBlocks).json,
            slugFollows: slugFollows,
            seo: seoPanel(article: article),
            markUpdated: article?.draft.status == .published
                ? MarkUpdatedView(
                    checked: form.markUpdated,
                    last: article?.modifiedAt.map { t.format("nr_mark_updated_last", ["time": pages.dates.dateLine($0)]) })
                : nil)
        return try pages.render("nr-editor", page, status: status)
    }

    /// What the "SEO и социални мрежи" panel's previews need beyond the form: the site's name and address, and the
    /// article's public address (or where a new one will be).
    private func seoPanel(article: EditableArticle?) -> SEOPanelView {
        let site = pages.site
        let address = article.map { SiteURLs.article(section: $0.sectionSlug, slug: $0.draft.slug) } ?? "/"
        return SEOPanelView(
            siteName: site.siteName, url: SiteURLs.absolute(address, on: site.publicURL),
            host: URL(string: site.publicURL)?.host ?? site.publicURL, scriptURL: pages.theme.assets.url("editor-seo.js"),
            titleLength: ArticleSEO.titleLength, descriptionLength: ArticleSEO.descriptionLength,
            maxTitle: ArticleInput.maxSEOTitle, maxDescription: ArticleInput.maxSEODescription)
    }

    /// Both versions side by side: every field when nothing was merged, else only the fields that clashed.
    private func conflictView(mine: ArticleInput, theirs: EditorialConflict) -> ConflictView {
        let time = pages.dates.dateLine(theirs.at)
        guard theirs.merged != nil else {
            return ConflictView(
                message: t.format("nr_conflict", ["name": theirs.byName, "time": time]), help: t["nr_conflict_help"],
                leftLabel: t["nr_conflict_mine"], rightLabel: t["nr_conflict_theirs"],
                fields: ArticleComparison(t: t, dates: pages.dates).fields(mine, theirs.current))
        }
        let keys = theirs.clashes.map(ArticleComparison.labelKey)
        return ConflictView(
            message: t.format(
                "nr_conflict_merged", ["name": theirs.byName, "time": time, "fields": keys.map { t[$0] }.joined(separator: ", ")]),
            help: t["nr_conflict_merged_help"], leftLabel: t["nr_conflict_mine"], rightLabel: t["nr_conflict_theirs"],
            fields: ArticleComparison(t: t, dates: pages.dates).fields(mine, theirs.current, only: Set(keys)))
    }
}
