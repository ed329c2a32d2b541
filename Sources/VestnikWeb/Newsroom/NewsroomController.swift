import Foundation
import HTTPTypes
import Hummingbird
import VestnikCore
import VestnikStore

/// The newsroom at `/newsroom`: first-run setup, sign-in and passwords, the article list and review queue, and the
/// article editor with its workflow (draft → in review → published → unpublished) and revisions.
struct NewsroomController: Sendable {
    typealias Context = VestnikRequestContext
    let site: Site
    let pageSize = 50

    func addRoutes(to group: RouterGroup<Context>) {
        group.get(use: list)
        group.get("review", use: reviewQueue)
        group.get("setup", use: setupPage)
        group.post("setup", use: setup)
        group.get("login", use: loginPage)
        group.post("login", use: login)
        group.post("logout", use: logout)
        group.get("password", use: passwordPage)
        group.post("password", use: changePassword)
        group.get("reset/{token}", use: resetPage)
        group.post("reset/{token}", use: reset)
        group.get("articles/new", use: newArticle)
        group.post("articles/new", use: createArticle)
        group.get("articles/{id}", use: editArticle)
        group.post("articles/{id}", use: saveArticle)
        group.post("articles/new/autosave", use: autosave)
        group.post("articles/{id}/autosave", use: autosave)
        group.get("audit", use: auditLog)
        group.get("articles/{id}/revisions/{number}", use: revision)
        group.post("articles/{id}/presence", use: presence)
        group.post("preview", use: preview)
        group.get("users", use: users)
        group.post("users", use: createUser)
    }

    private var t: SiteLocale { site.locale }

    // MARK: Sign-in

    @Sendable func setupPage(_ request: Request, context: Context) async throws -> Response {
        if try await site.accounts.repository.hasChief() { return redirect(NewsroomURLs.login) }
        return try formPage("nr-setup", title: t["nr_setup_title"], request: request, context: context)
    }

    @Sendable func setup(_ request: Request, context: Context) async throws -> Response {
        if try await site.accounts.repository.hasChief() { return redirect(NewsroomURLs.login) }
        let form = context.newsroom.form ?? FormQuery(nil)
        let name = form.all("name").first ?? ""
        let email = form.all("email").first ?? ""
        let password = form.all("password").first ?? ""
        var problem = newPasswordProblem(form)
        if problem == nil {
            do {
                let user = try await site.accounts.createUser(
                    email: email, name: name, role: .chief, password: password, now: site.now(), onlyIfNoChief: true)
                return try await startSession(for: user, request: request)
            } catch let error as InvalidInput {
                problem = t.format("nr_setup_failed", ["reason": error.description])
            }
        }
        return try formPage(
            "nr-setup", title: t["nr_setup_title"], request: request, context: context, email: email, name: name, message: problem,
            status: .unprocessableContent)
    }

    @Sendable func loginPage(_ request: Request, context: Context) async throws -> Response {
        let query = FormQuery(request.uri.query)
        let next = NewsroomURLs.returnPath(query.all("next").first)
        if context.newsroom.session != nil { return redirect(next ?? NewsroomURLs.home) }
        let info = query.all("done").first.map { _ in t["nr_password_changed"] }
        return try formPage("nr-login", title: t["nr_login_title"], request: request, context: context, info: info, next: next)
    }

    @Sendable func login(_ request: Request, context: Context) async throws -> Response {
        let form = context.newsroom.form ?? FormQuery(nil)
        let email = (form.all("email").first ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        let password = form.all("password").first ?? ""
        let next = NewsroomURLs.returnPath(form.all("next").first)
        let now = site.now()
        let throttle = LoginThrottle(accounts: site.accounts.repository)
        let keys = LoginThrottle.keys(email: email, address: context.remoteAddress?.ipAddress)
        if let wait = try await throttle.wait(keys: keys, now: now) {
            return try formPage(
                "nr-login", title: t["nr_login_title"], request: request, context: context, email: email,
                message: t.format("nr_login_throttled", ["seconds": String(Int(wait.rounded(.up)))]), status: .tooManyRequests, next: next)
        }
        let found = try await site.accounts.repository.user(email: email)
        // An unknown address costs one bcrypt check too, so timing does not tell which addresses have accounts.
        let matches = try await site.accounts.hasher.verify(password, hash: found?.passwordHash ?? PasswordHasher.decoy)
        if let (user, _) = found, matches {
            try await site.accounts.repository.clearFailures(key: keys[0])
            return try await startSession(for: user, request: request, location: next ?? NewsroomURLs.home)
        }
        try await site.accounts.repository.recordFailure(keys: keys, now: now)
        return try formPage(
            "nr-login", title: t["nr_login_title"], request: request, context: context, email: email, message: t["nr_login_failed"],
            status: .unauthorized, next: next)
    }

    @Sendable func logout(_ request: Request, context: Context) async throws -> Response {
        if let hash = context.newsroom.tokenHash { try await site.accounts.repository.deleteSession(tokenHash: hash) }
        var response = redirect(NewsroomURLs.login)
        response.setCookie(cookie(NewsroomCookies.session, "", request: request, maxAge: 0))
        return response
    }

    @Sendable func passwordPage(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return redirect(NewsroomURLs.login) }
        return try render("nr-password", NewsroomFormPage(layout: layout(t["nr_password_title"], session), csrf: session.csrf))
    }

    @Sendable func changePassword(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return redirect(NewsroomURLs.login) }
        let form = context.newsroom.form ?? FormQuery(nil)
        let current = form.all("current").first ?? ""
        let password = form.all("password").first ?? ""
        var problem: String?
        if let (_, hash) = try await site.accounts.repository.user(id: session.user.id),
            try await site.accounts.hasher.verify(current, hash: hash)
        {
            if let newProblem = newPasswordProblem(form) {
                problem = newProblem
            } else {
                try await site.accounts.repository.setPassword(
                    userID: session.user.id, passwordHash: try await site.accounts.hasher.hash(password),
                    keepingSession: context.newsroom.tokenHash)
                return try render(
                    "nr-password",
                    NewsroomFormPage(layout: layout(t["nr_password_title"], session), csrf: session.csrf, info: t["nr_password_changed"]))
            }
        } else {
            problem = t["nr_password_wrong"]
        }
        return try render(
            "nr-password", NewsroomFormPage(layout: layout(t["nr_password_title"], session), csrf: session.csrf, message: problem),
            status: .unprocessableContent)
    }

    @Sendable func resetPage(_ request: Request, context: Context) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        guard SecureToken.isWellFormed(token), try await site.accounts.repository.resetUser(tokenHash: SHA256.hex(token), now: site.now()) != nil
        else { return try formPage("nr-reset", title: t["nr_reset_title"], request: request, context: context, message: t["nr_reset_invalid"], status: .notFound) }
        return try formPage("nr-reset", title: t["nr_reset_title"], request: request, context: context, action: NewsroomURLs.reset(token))
    }

    @Sendable func reset(_ request: Request, context: Context) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        let form = context.newsroom.form ?? FormQuery(nil)
        let password = form.all("password").first ?? ""
        var problem = newPasswordProblem(form)
        if problem == nil {
            if SecureToken.isWellFormed(token),
                try await site.accounts.repository.consumeReset(
                    tokenHash: SHA256.hex(token), passwordHash: try await site.accounts.hasher.hash(password), now: site.now())
            {
                return redirect(NewsroomURLs.login + "?done=1")
            }
            problem = t["nr_reset_invalid"]
        }
        return try formPage(
            "nr-reset", title: t["nr_reset_title"], request: request, context: context, message: problem,
            action: NewsroomURLs.reset(token), status: .unprocessableContent)
    }

    // MARK: Users (chief editor)

    @Sendable func users(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await signInFirst() }
        guard session.user.role == .chief else { throw HTTPError(.forbidden) }
        return try await usersPage(session: session)
    }

    @Sendable func createUser(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await signInFirst() }
        guard session.user.role == .chief else { throw HTTPError(.forbidden) }
        let form = context.newsroom.form ?? FormQuery(nil)
        func one(_ name: String) -> String { form.all(name).first ?? "" }
        var problem = newPasswordProblem(form)
        if problem == nil {
            guard let role = Role(rawValue: one("role")) else { throw HTTPError(.badRequest) }
            do {
                let user = try await site.accounts.createUser(email: one("email"), name: one("name"), role: role, password: one("password"), now: site.now())
                return try await usersPage(session: session, info: t.format("nr_user_created", ["name": user.name]))
            } catch let error as InvalidInput {
                problem = t.format("nr_user_failed", ["reason": error.description])
            }
        }
        return try await usersPage(
            session: session, message: problem, name: one("name"), email: one("email"), role: one("role"), status: .unprocessableContent)
    }

    private func usersPage(
        session: NewsroomSession, info: String? = nil, message: String? = nil, name: String = "", email: String = "",
        role: String = Role.contributor.rawValue, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let page = UsersPage(
            layout: layout(t["nr_users_title"], session), csrf: session.csrf,
            users: try await site.accounts.repository.users().map {
                UserRowView(name: $0.name, email: $0.email, role: t["nr_role_" + $0.role.rawValue])
            },
            roles: Role.allCases.map { NewsroomOption(value: $0.rawValue, label: t["nr_role_" + $0.rawValue], selected: $0.rawValue == role) },
            name: name, email: email, message: message, info: info)
        return try render("nr-users", page, status: status)
    }

    // MARK: Lists

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await signInFirst() }
        return try await listPage(request, session: session, review: false)
    }

    @Sendable func reviewQueue(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await signInFirst() }
        guard session.user.role.editsAnyone else { throw HTTPError(.forbidden) }
        return try await listPage(request, session: session, review: true)
    }

    private func listPage(_ request: Request, session: NewsroomSession, review: Bool) async throws -> Response {
        let query = FormQuery(request.uri.query)
        func one(_ name: String) -> String { query.all(name).first ?? "" }
        let statusText = review ? ArticleStatus.review.rawValue : one("status")
        let sectionSlug = one("section")
        let authorSlug = one("author")
        let text = one("q")
        let afterText = one("after")
        var filter = NewsroomListFilter()
        if !statusText.isEmpty {
            guard let status = ArticleStatus(rawValue: statusText) else { throw HTTPError(.badRequest) }
            filter.status = status
        }
        let sections = try await site.taxonomy.sections()
        if !sectionSlug.isEmpty {
            guard let section = sections.first(where: { $0.slug == sectionSlug }) else { throw HTTPError(.badRequest) }
            filter.sectionID = section.id
        }
        if !authorSlug.isEmpty {
            guard let author = try await site.taxonomy.author(slug: Slug.make(authorSlug)) else { throw HTTPError(.badRequest) }
            filter.authorID = author.id
        }
        if !text.isEmpty, let parsed = try? SearchQuery.parse(text) {
            // The best 200 matches, then listed like the rest (newest change first).
            let found = try await site.search.search(
                parsed, filters: SearchFilters(includeUnpublished: true), page: PageRequest(number: 1, size: 200), now: site.now())
            filter.ids = found.items.map(\.article.id)
        }
        var cursor: NewsroomCursor?
        if !afterText.isEmpty {
            guard let parsed = NewsroomCursor(afterText) else { throw HTTPError(.badRequest) }
            cursor = parsed
        }
        let (rows, next) = try await site.editorial.list(filter, after: cursor, limit: pageSize)
        let base: [(String, String)] = [
            ("status", review ? "" : statusText), ("section", sectionSlug), ("author", authorSlug), ("q", text),
        ]
        let path = review ? NewsroomURLs.review : NewsroomURLs.home
        let page = NewsroomListPage(
            layout: layout(review ? t["nr_review_title"] : t["nr_list_title"], session),
            heading: review ? t["nr_review_title"] : t["nr_list_title"],
            statuses: [NewsroomOption(value: "", label: t["nr_status_any"], selected: statusText.isEmpty)]
                + ArticleStatus.allCases.map { NewsroomOption(value: $0.rawValue, label: t["nr_status_" + $0.rawValue], selected: $0.rawValue == statusText) },
            sections: sections.map { NewsroomOption(value: $0.slug, label: $0.name, selected: $0.slug == sectionSlug) },
            author: authorSlug, query: text, rows: rows.map(row), empty: rows.isEmpty,
            nextURL: next.map { SiteURLs.withQuery(path, base + [("after", $0.text)]) },
            firstURL: cursor == nil ? nil : SiteURLs.withQuery(path, base))
        return try render("nr-list", page)
    }

    private func row(_ row: NewsroomArticleRow) -> NewsroomRowView {
        NewsroomRowView(
            url: NewsroomURLs.article(row.id), title: row.title, kicker: row.kicker.isEmpty ? nil : row.kicker,
            status: t["nr_status_" + row.status.rawValue], statusClass: row.status.rawValue, section: row.sectionName,
            owner: row.ownerName, updated: site.views.dates.dateLine(row.updatedAt),
            publicURL: row.status == .published ? SiteURLs.article(section: row.sectionSlug, slug: row.slug) : nil)
    }

    // MARK: The editor

    @Sendable func newArticle(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await signInFirst() }
        if let (form, info) = try await restored(session, articleID: nil) {
            return try await editor(form, session: session, article: nil, info: info)
        }
        var form = ArticleForm()
        form.authors = session.user.name
        return try await editor(form, session: session, article: nil)
    }

    @Sendable func editArticle(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await signInFirst() }
        let article = try await loadArticle(context, session: session)
        let query = FormQuery(request.uri.query)
        if let text = query.all("restore").first, let number = Int(text),
            let (input, _) = try await site.editorial.revision(articleID: article.id, number: number)
        {
            // The old text in the form, based on the latest revision: saving it restores it as a new revision.
            var form = ArticleForm(input, revision: article.revision)
            form.section = input.section
            return try await editor(
                form, session: session, article: article, info: t.format("nr_revision_restoring", ["number": text]))
        }
        let info = query.all("saved").first.map { _ in t["nr_saved"] }
        if let (form, restoredInfo) = try await restored(session, articleID: article.id) {
            return try await editor(form, session: session, article: article, info: restoredInfo)
        }
        return try await editor(ArticleForm(article.draft, revision: article.revision), session: session, article: article, info: info)
    }

    @Sendable func createArticle(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await signInFirst() }
        return try await save(context: context, session: session, article: nil)
    }

    @Sendable func saveArticle(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await signInFirst() }
        return try await save(context: context, session: session, article: try await loadArticle(context, session: session))
    }

    private func loadArticle(_ context: Context, session: NewsroomSession) async throws -> EditableArticle {
        guard let text = context.parameters.get("id"), text.count <= 12, let id = Int(text),
            let article = try await site.editorial.article(id: id)
        else { throw HTTPError(.notFound) }
        guard session.user.role.editsAnyone || article.ownerID == session.user.id else { throw HTTPError(.forbidden) }
        return article
    }

    private func save(context: Context, session: NewsroomSession, article: EditableArticle?) async throws -> Response {
        let form = ArticleForm(context.newsroom.form ?? FormQuery(nil))
        let current = article?.draft.status ?? .draft
        let own = article.map { $0.ownerID == session.user.id } ?? true
        let target: ArticleStatus
        switch form.action {
        case "save": target = current
        case "review": target = .review
        case "publish": target = .published
        case "schedule": target = .scheduled
        case "unpublish": target = .unpublished
        case "draft": target = .draft
        default: throw HTTPError(.badRequest)
        }
        guard Workflow.allows(from: current, to: target, role: session.user.role, own: own) else { throw HTTPError(.forbidden) }
        let sections = try await site.taxonomy.sections()
        let draft: ArticleInput
        switch form.draft(status: target, sections: sections, now: site.now()) {
        case .failure(let problem):
            return try await editor(form, session: session, article: article, message: t[problem.key], status: .unprocessableContent)
        case .success(let value): draft = value
        }
        if let chosen = draft.featuredImage, try await site.media.item(hash: chosen.media) == nil {
            return try await editor(form, session: session, article: article, message: t["nr_error_featured"], status: .unprocessableContent)
        }
        do {
            switch try await site.editorial.save(
                draft, articleID: article?.id, baseRevision: form.revision, userID: session.user.id, now: site.now())
            {
            case .saved(let id, _):
                try await site.drafts.clearAutosave(userID: session.user.id, articleID: article?.id)
                let actions = (article == nil ? ["created"] : []) + (target != current ? [target.rawValue] : [])
                for action in actions {
                    try await site.drafts.audit(userID: session.user.id, action: action, articleID: id, title: draft.title, now: site.now())
                }
                return redirect(NewsroomURLs.article(id) + "?saved=1")
            case .conflict(let conflict):
                var mine = form
                mine.revision = conflict.revision
                let view = conflictView(mine: draft, theirs: conflict)
                return try await editor(mine, session: session, article: article, conflict: view, status: .conflict)
            }
        } catch let error as InvalidInput {
            return try await editor(
                form, session: session, article: article, message: t.format("nr_error_save", ["reason": error.description]),
                status: .unprocessableContent)
        }
    }

    /// Keeps what the editor has typed so far (posted every few seconds and when the page is left); 204.
    @Sendable func autosave(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return Response(status: .unauthorized) }
        let articleID = context.parameters.get("id") == nil ? nil : try await loadArticle(context, session: session).id
        if let articleID { try await site.drafts.touch(articleID: articleID, userID: session.user.id, now: site.now()) }
        let form = ArticleForm(context.newsroom.form ?? FormQuery(nil))
        let fields = String(decoding: try JSONEncoder().encode(form), as: UTF8.self)
        try await site.drafts.autosave(userID: session.user.id, articleID: articleID, fields: fields, now: site.now())
        return Response(status: .noContent, headers: [.cacheControl: "no-store"])
    }

    /// The form as it stands, shown in the public theme's article page (nothing is saved).
    @Sendable func preview(_ request: Request, context: Context) async throws -> Response {
        guard context.newsroom.session != nil else { return try await signInFirst() }
        let now = site.now()
        let sections = try await site.taxonomy.sections()
        let input: ArticleInput
        switch ArticleForm(context.newsroom.form ?? FormQuery(nil)).draft(status: .draft, sections: sections, now: now) {
        case .failure(let problem): throw HTTPError(.badRequest, message: t[problem.key])
        case .success(let value): input = value
        }
        guard let section = sections.first(where: { $0.name == input.section }) else { throw HTTPError(.badRequest) }
        let article = Article(
            slug: input.slug, kicker: input.kicker, title: input.title, lead: input.lead, bodyHTML: input.bodyHTML, section: section,
            topic: input.topic.map { Topic(slug: Slug.make($0), name: $0) }, tags: input.tags.map { Tag(slug: Slug.make($0), name: $0) },
            authors: input.authors.map { Author(slug: Slug.make($0.name), name: $0.name, role: $0.role ?? "") }, sources: input.sources,
            media: input.media, status: .draft, publishedAt: now, featuredImage: try await articleImage(input.featuredImage))
        let mostRead = MostReadLists(reads: site.reads, maxAge: ReadSettings().mostReadMaxAge, now: site.now)
        var unused = PageKeys()
        var response = Response.html(
            try await PublicController<Context>(site: site, mostRead: mostRead).page(
                for: article, now: now, countsReads: false, keys: &unused))
        response.headers[.cacheControl] = "no-store"
        response.headers[HTTPField.Name("X-Robots-Tag")!] = "noindex"
        return response
    }

    /// The editor page says it is still open (every 30 seconds); 204.
    @Sendable func presence(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return Response(status: .unauthorized) }
        let article = try await loadArticle(context, session: session)
        try await site.drafts.touch(articleID: article.id, userID: session.user.id, now: site.now())
        return Response(status: .noContent, headers: [.cacheControl: "no-store"])
    }

    /// The unsaved text this user left on the article, if any, and a notice saying so.
    private func restored(_ session: NewsroomSession, articleID: Int?) async throws -> (ArticleForm, String)? {
        guard let (fields, at) = try await site.drafts.autosaved(userID: session.user.id, articleID: articleID),
            let form = try? JSONDecoder().decode(ArticleForm.self, from: Data(fields.utf8))
        else { return nil }
        return (form, t.format("nr_autosave_restored", ["time": site.views.dates.dateLine(at)]))
    }

    @Sendable func auditLog(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await signInFirst() }
        guard session.user.role.editsAnyone else { throw HTTPError(.forbidden) }
        let entries = try await site.drafts.auditLog(limit: 200).map { entry in
            AuditEntryView(
                at: site.views.dates.dateLine(entry.at), user: entry.userName, action: t["nr_audit_" + entry.action],
                title: entry.title, url: entry.articleID.map(NewsroomURLs.article))
        }
        return try render("nr-audit", AuditPage(layout: layout(t["nr_audit_title"], session), entries: entries, empty: entries.isEmpty))
    }

    private func editor(
        _ form: ArticleForm, session: NewsroomSession, article: EditableArticle?, message: String? = nil, info: String? = nil,
        conflict: ConflictView? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let sections = try await site.taxonomy.sections()
        let current = article?.draft.status ?? .draft
        let own = article.map { $0.ownerID == session.user.id } ?? true
        var buttons = [NewsroomButton(action: "save", label: t["nr_action_save"], primary: true)]
        if Workflow.allows(from: current, to: current, role: session.user.role, own: own) == false { buttons = [] }
        for target in Workflow.targets(from: current, role: session.user.role, own: own) {
            let action: String
            switch target {
            case .review: action = "review"
            case .scheduled: action = "schedule"
            case .published: action = "publish"
            case .unpublished: action = "unpublish"
            case .draft: action = "draft"
            }
            buttons.append(NewsroomButton(action: action, label: t["nr_action_" + action], primary: false))
        }
        var revisions: [RevisionInfo] = []
        var editing: String?
        if let article {
            revisions = try await site.editorial.revisions(articleID: article.id)
            let now = site.now()
            let others = try await site.drafts.editors(articleID: article.id, except: session.user.id, since: now.addingTimeInterval(-90))
            if !others.isEmpty { editing = t.format("nr_editing", ["names": others.joined(separator: ", ")]) }
            try await site.drafts.touch(articleID: article.id, userID: session.user.id, now: now)
        }
        let selected = form.section.isEmpty ? sections.first?.name ?? "" : form.section
        var featured: MediaItem?
        if let hash = ArticleForm.mediaHash(form.featured) { featured = try await site.media.item(hash: hash) }
        let page = NewsroomEditorPage(
            layout: layout(article == nil ? t["nr_new_article"] : form.title, session), csrf: session.csrf,
            heading: article == nil ? t["nr_new_article"] : t["nr_edit_article"],
            formAction: article.map { NewsroomURLs.article($0.id) } ?? NewsroomURLs.newArticle, form: ArticleFormView(form, featuredImage: featured?.address, featuredAlt: featured?.alt ?? ""),
            sections: sections.map { NewsroomOption(value: $0.name, label: $0.name, selected: $0.name == selected || $0.slug == selected) },
            buttons: buttons, status: article.map { t["nr_status_" + $0.draft.status.rawValue] }, message: message, info: info,
            publicURL: article.flatMap { $0.draft.status == .published ? SiteURLs.article(section: $0.sectionSlug, slug: $0.draft.slug) : nil },
            revisions: revisions.map {
                NewsroomRevisionView(
                    url: NewsroomURLs.article(article?.id ?? 0) + "/revisions/\($0.number)", number: String($0.number), user: $0.userName, at: site.views.dates.dateLine($0.at), status: t["nr_status_" + $0.status.rawValue])
            },
            hasRevisions: !revisions.isEmpty, editing: editing, presenceURL: article.map { NewsroomURLs.article($0.id) + "/presence" },
            conflict: conflict)
        return try render("nr-editor", page, status: status)
    }

    private func conflictView(mine: ArticleInput, theirs: EditorialConflict) -> ConflictView {
        ConflictView(
            message: t.format("nr_conflict", ["name": theirs.byName, "time": site.views.dates.dateLine(theirs.at)]),
            leftLabel: t["nr_conflict_mine"], rightLabel: t["nr_conflict_theirs"], fields: comparison(mine, theirs.current))
    }

    /// Two versions of an article field by field, for the conflict page and the revision view.
    private func comparison(_ left: ArticleInput, _ right: ArticleInput) -> [ConflictField] {
        func field(_ key: String, _ a: String, _ b: String, html: Bool = false) -> ConflictField {
            ConflictField(label: t[key], mine: a, theirs: b, differs: a != b, html: html)
        }
        func names(_ input: ArticleInput) -> String { input.authors.map(\.name).joined(separator: ", ") }
        return [
            field("nr_field_kicker", left.kicker, right.kicker), field("nr_field_title", left.title, right.title),
            field("nr_field_slug", left.slug, right.slug), field("nr_field_lead", left.lead, right.lead),
            field("nr_field_body", left.bodyHTML, right.bodyHTML, html: true),
            field("nr_field_section", left.section, right.section), field("nr_field_topic", left.topic ?? "", right.topic ?? ""),
            field("nr_field_tags", left.tags.joined(separator: ", "), right.tags.joined(separator: ", ")),
            field("nr_field_authors", names(left), names(right)),
            field("nr_field_sources", left.sources.joined(separator: ", "), right.sources.joined(separator: ", ")),
            field("nr_field_featured", featuredText(left.featuredImage), featuredText(right.featuredImage)),
            field("nr_field_status", t["nr_status_" + left.status.rawValue], t["nr_status_" + right.status.rawValue]),
        ]
    }

    /// A featured picture in words, for comparisons: the hash, then the article's own caption and credit.
    private func featuredText(_ image: FeaturedImage?) -> String {
        guard let image else { return "" }
        return [image.media, image.caption, image.credit].filter { !$0.isEmpty }.joined(separator: " · ")
    }

    /// A chosen featured picture as the public page shows it (the preview), when the library holds it.
    private func articleImage(_ chosen: FeaturedImage?) async throws -> ArticleImage? {
        guard let chosen, let item = try await site.media.item(hash: chosen.media) else { return nil }
        return ArticleImage(
            address: item.address, width: item.width, height: item.height, alt: item.alt,
            caption: chosen.caption.isEmpty ? item.caption : chosen.caption, credit: chosen.credit.isEmpty ? item.credit : chosen.credit,
            bytes: item.bytes)
    }

    /// One revision beside the one before it, with a link that loads it into the editor to restore it.
    @Sendable func revision(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await signInFirst() }
        let article = try await loadArticle(context, session: session)
        guard let text = context.parameters.get("number"), text.count <= 9, let number = Int(text),
            let (input, info) = try await site.editorial.revision(articleID: article.id, number: number)
        else { throw HTTPError(.notFound) }
        let previous = try await site.editorial.revision(articleID: article.id, number: number - 1)
        let before = previous?.input ?? ArticleInput(slug: "", title: "", lead: "", bodyHTML: "", section: "", publishedAt: info.at)
        let diff = RevisionDiff.fields(from: before, to: input, locale: t)
        let page = RevisionPage(
            layout: layout(t.format("nr_revision_title", ["number": text]), session),
            heading: t.format("nr_revision_title", ["number": text]),
            byline: "\(info.userName) · \(site.views.dates.dateLine(info.at))",
            leftLabel: previous == nil ? t["nr_revision_none"] : t.format("nr_revision_title", ["number": String(number - 1)]),
            rightLabel: t.format("nr_revision_title", ["number": text]),
            diff: diff, unchanged: diff.isEmpty, fields: comparison(before, input),
            restoreURL: NewsroomURLs.article(article.id) + "?restore=\(number)", editURL: NewsroomURLs.article(article.id))
        return try render("nr-revision", page)
    }

    // MARK: Pieces

    /// What is wrong with the new password typed twice in `form` (fields `password` and `password2`), in words.
    private func newPasswordProblem(_ form: FormQuery) -> String? {
        let password = form.all("password").first ?? ""
        if password != (form.all("password2").first ?? "") { return t["nr_password_mismatch"] }
        return PasswordHasher.problem(password).map { t[$0] }
    }

    /// Where a request without a session goes: the setup page on a fresh install, else the login page.
    func signInFirst() async throws -> Response {
        redirect(try await site.accounts.repository.hasChief() ? NewsroomURLs.login : NewsroomURLs.setup)
    }

    private func startSession(for user: NewsroomUser, request: Request, location: String = NewsroomURLs.home) async throws -> Response {
        let token = SecureToken.make()
        try await site.accounts.repository.createSession(
            tokenHash: SHA256.hex(token), userID: user.id, csrf: SecureToken.make(), now: site.now(),
            lifetime: NewsroomCookies.sessionLifetime)
        var response = redirect(location)
        response.setCookie(cookie(NewsroomCookies.session, token, request: request, maxAge: Int(NewsroomCookies.sessionLifetime)))
        return response
    }

    /// A page shown before sign-in, with the pre-session CSRF token in its form and cookie.
    private func formPage(
        _ template: String, title: String, request: Request, context: Context, email: String = "", name: String = "",
        message: String? = nil, info: String? = nil, action: String = "", status: HTTPResponse.Status = .ok, next: String? = nil
    ) throws -> Response {
        let existing = request.cookies[NewsroomCookies.preSession]?.value
        let token = existing.flatMap { SecureToken.isWellFormed($0) ? $0 : nil } ?? SecureToken.make()
        let page = NewsroomFormPage(
            layout: layout(title, nil, csrf: token), csrf: token, email: email, name: name, message: message, info: info, action: action,
            next: next)
        var response = try render(template, page, status: status)
        if existing != token { response.setCookie(cookie(NewsroomCookies.preSession, token, request: request, maxAge: nil)) }
        return response
    }

    func layout(_ title: String, _ session: NewsroomSession?, csrf: String? = nil) -> NewsroomLayout {
        NewsroomLayout(
            lang: t.language, pageTitle: "\(title) | \(t["nr_title"]) | \(site.siteName)", cssURL: site.theme.assets.url("newsroom.css"),
            jsURL: site.theme.assets.url("newsroom.js"), t: t.strings, user: session?.user.name,
            role: session.map { t["nr_role_" + $0.user.role.rawValue] }, isEditor: session?.user.role.editsAnyone ?? false,
            isChief: session?.user.role == .chief,
            csrf: session?.csrf ?? csrf ?? "")
    }

    /// Secure when the request came over https (directly or through a proxy that says so) or the site is https.
    private func cookie(_ name: String, _ value: String, request: Request, maxAge: Int?) -> Cookie {
        let forwarded = request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
        let secure = forwarded || request.uri.scheme?.rawValue == "https" || site.publicURL.hasPrefix("https://")
        return Cookie(name: name, value: value, maxAge: maxAge, path: NewsroomURLs.home, secure: secure, httpOnly: true, sameSite: .lax)
    }

    func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    func render(_ template: String, _ view: Any, status: HTTPResponse.Status = .ok) throws -> Response {
        var response = Response.html(try site.theme.render(template, view), status: status)
        response.headers[.cacheControl] = "no-store"
        return response
    }
}

/// Slows down password guessing: after a few failures in 15 minutes, an account or an address must wait before the
/// next try, twice as long after each further failure (5 s, 10 s, 20 s … up to 15 minutes).
struct LoginThrottle: Sendable {
    let accounts: AccountRepository
    static let window: TimeInterval = 15 * 60
    static let freeFailuresPerAccount = 3
    static let freeFailuresPerAddress = 10

    static func keys(email: String, address: String?) -> [String] {
        ["email:" + email, "addr:" + (address ?? "unknown")]
    }

    /// Seconds to wait before another try is allowed, or nil.
    func wait(keys: [String], now: Date) async throws -> TimeInterval? {
        var longest: TimeInterval = 0
        for key in keys {
            let free = key.hasPrefix("email:") ? Self.freeFailuresPerAccount : Self.freeFailuresPerAddress
            let (count, last) = try await accounts.failures(key: key, since: now.addingTimeInterval(-Self.window))
            guard count >= free, let last else { continue }
            let delay = min(Self.window, 5 * pow(2, Double(min(count - free, 20))))
            longest = max(longest, last.addingTimeInterval(delay).timeIntervalSince(now))
        }
        return longest > 0 ? longest : nil
    }
}
