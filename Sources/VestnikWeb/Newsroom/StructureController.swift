import Foundation
import HTTPTypes
import Hummingbird
import VestnikCore
import VestnikStore

/// The structure of the paper in the newsroom: sections (order on the home page), topics (with the story pinned on
/// the hub page), tags (rename, merge, delete an unused one) and authors (byline title, biography, portrait), for
/// editors and the chief editor; and the tag suggestions of the article editor, for everyone signed in.
///
/// A renamed entry keeps its old slug answering with a 301 (`taxonomy_slug_history`), so links out in the world
/// still land. Every change is written to the audit log with who and when.
struct StructureController: Sendable {
    typealias Context = VestnikRequestContext
    let site: Site
    let pages: NewsroomPages
    /// Tags listed on the tags page at once (the filter finds the others).
    let tagPageSize = 200

    init(site: Site) {
        self.site = site
        self.pages = NewsroomPages(site: site)
    }

    func addRoutes(to group: RouterGroup<Context>) {
        for kind in [TaxonomyKind.section, .topic, .author] {
            group.get("\(kind.rawValue)s") { request, context in try await self.page(kind, request, context) }
            group.post("\(kind.rawValue)s") { request, context in try await self.save(kind, request, context) }
            group.get("\(kind.rawValue)s/{id}") { request, context in try await self.page(kind, request, context) }
            group.post("\(kind.rawValue)s/{id}") { request, context in try await self.save(kind, request, context) }
        }
        group.get("tags", use: tags)
        group.get("tags/{id}", use: tags)
        group.post("tags/{id}", use: changeTag)
        group.get("api/tags", use: suggestions)
    }

    private var t: SiteLocale { site.locale }

    // MARK: Sections, topics, authors

    func page(_ kind: TaxonomyKind, _ request: Request, _ context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await pages.signInFirst() }
        guard session.user.role.editsAnyone else { throw HTTPError(.forbidden) }
        let id = try entryID(context)
        var form = StructureFormView()
        if let id {
            switch kind {
            case .section:
                guard let section = try await site.taxonomy.section(id: id) else { throw HTTPError(.notFound) }
                form = StructureFormView(
                    name: section.name, slug: section.slug, description: section.description, position: String(section.position))
            case .topic:
                guard let topic = try await site.taxonomy.topic(id: id) else { throw HTTPError(.notFound) }
                form = StructureFormView(name: topic.name, slug: topic.slug, description: topic.description)
            case .author:
                guard let author = try await site.taxonomy.author(id: id) else { throw HTTPError(.notFound) }
                form = StructureFormView(name: author.name, slug: author.slug, role: author.role, bio: author.bio, photo: author.photo)
            case .tag: throw HTTPError(.notFound)
            }
        } else if kind == .section {
            form = StructureFormView(position: String((try await site.taxonomy.sections().map(\.position).max() ?? 0) + 1))
        }
        let info = FormQuery(request.uri.query).all("saved").first.map { _ in t["nr_structure_saved"] }
        let pinned = kind == .topic && id != nil ? try await site.taxonomy.topic(id: id!)?.pinnedArticleID : nil
        return try await render(kind, session: session, id: id, form: form, pinned: pinned, info: info)
    }

    func save(_ kind: TaxonomyKind, _ request: Request, _ context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await pages.signInFirst() }
        guard session.user.role.editsAnyone else { throw HTTPError(.forbidden) }
        let id = try entryID(context)
        let posted = context.newsroom.form ?? FormQuery(nil)
        func one(_ name: String) -> String { posted.all(name).first ?? "" }
        let form = StructureFormView(
            name: one("name"), slug: one("slug"), description: one("description"), position: one("position"), role: one("role"),
            bio: one("bio"), photo: one("photo").trimmingCharacters(in: .whitespaces))
        let pinnedText = one("pinned")
        let pinned = Int(pinnedText)
        do {
            let edit: StructureEdit
            switch kind {
            case .section:
                guard let position = Int(form.position.trimmingCharacters(in: .whitespaces)) else { throw StructureProblem.badPosition }
                edit = try await site.taxonomy.editSection(
                    id: id, name: form.name, slug: form.slug, description: form.description, position: position)
            case .topic:
                guard pinnedText.isEmpty || (pinnedText.count <= 12 && pinned != nil) else { throw StructureProblem.badPin }
                edit = try await site.taxonomy.editTopic(
                    id: id, name: form.name, slug: form.slug, description: form.description, pinnedArticleID: pinned)
            case .author:
                edit = try await site.taxonomy.editAuthor(
                    id: id, name: form.name, slug: form.slug, role: form.role, bio: form.bio, photo: form.photo)
            case .tag: throw HTTPError(.notFound)
            }
            try await audit(session, kind.rawValue + (id == nil ? "_created" : "_updated"), edit)
            return pages.redirect(NewsroomURLs.structure(kind, edit.id) + "?saved=1")
        } catch let problem as StructureProblem {
            if problem == .notFound { throw HTTPError(.notFound) }
            return try await render(
                kind, session: session, id: id, form: form, pinned: pinned, message: t["nr_structure_" + problem.rawValue],
                status: .unprocessableContent)
        }
    }

    private func render(
        _ kind: TaxonomyKind, session: NewsroomSession, id: Int?, form: StructureFormView, pinned: Int?, message: String? = nil,
        info: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let rows: [StructureRow]
        switch kind {
        case .section:
            rows = try await site.taxonomy.sections().map {
                row(kind, id: $0.id, name: $0.name, slug: $0.slug, detail: String($0.position), current: $0.id == id)
            }
        case .topic:
            rows = try await site.taxonomy.topics().map {
                row(kind, id: $0.id, name: $0.name, slug: $0.slug, detail: nil, current: $0.id == id)
            }
        case .author:
            rows = try await site.taxonomy.authors().map {
                row(kind, id: $0.id, name: $0.name, slug: $0.slug, detail: $0.role.isEmpty ? nil : $0.role, current: $0.id == id)
            }
        case .tag: rows = []
        }
        var pinOptions: [NewsroomOption] = []
        if kind == .topic, let id {
            pinOptions =
                [NewsroomOption(value: "", label: t["nr_topic_no_pin"], selected: pinned == nil)]
                + (try await site.taxonomy.pinCandidates(topicID: id)).map {
                    NewsroomOption(value: String($0.id), label: $0.title, selected: $0.id == pinned)
                }
        }
        let current = rows.first(where: \.current)
        let heading = t["nr_structure_" + kind.rawValue + "s"]
        let page = StructurePage(
            layout: pages.layout(heading, session), csrf: session.csrf, heading: heading, rows: rows, empty: rows.isEmpty,
            formHeading: id == nil
                ? t["nr_structure_new_" + kind.rawValue] : t.format("nr_structure_edit", ["name": current?.name ?? form.name]),
            formAction: id.map { NewsroomURLs.structure(kind, $0) } ?? NewsroomURLs.structure(kind), form: form,
            isSection: kind == .section, isTopic: kind == .topic, isAuthor: kind == .author, pinOptions: pinOptions,
            publicURL: current?.publicURL, newURL: id == nil ? nil : NewsroomURLs.structure(kind), message: message, info: info)
        return try pages.render("nr-structure", page, status: status)
    }

    private func row(_ kind: TaxonomyKind, id: Int, name: String, slug: String, detail: String?, current: Bool) -> StructureRow {
        StructureRow(
            url: NewsroomURLs.structure(kind, id), name: name, slug: slug, detail: detail, publicURL: SiteURLs.list(kind, slug),
            current: current)
    }

    // MARK: Tags

    @Sendable func tags(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await pages.signInFirst() }
        guard session.user.role.editsAnyone else { throw HTTPError(.forbidden) }
        let query = FormQuery(request.uri.query)
        let info =
            query.all("saved").first.map { _ in t["nr_structure_saved"] }
            ?? query.all("deleted").first.map { _ in t["nr_tag_deleted"] }
        return try await tagsPage(
            session: session, id: try entryID(context), query: query.all("q").first ?? "", info: info)
    }

    @Sendable func changeTag(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await pages.signInFirst() }
        guard session.user.role.editsAnyone else { throw HTTPError(.forbidden) }
        guard let id = try entryID(context) else { throw HTTPError(.notFound) }
        let posted = context.newsroom.form ?? FormQuery(nil)
        func one(_ name: String) -> String { posted.all(name).first ?? "" }
        do {
            switch one("action") {
            case "rename":
                try await audit(session, "tag_renamed", try await site.taxonomy.renameTag(id: id, name: one("name")))
                return pages.redirect(NewsroomURLs.structure(.tag, id) + "?saved=1")
            case "merge":
                let edit = try await site.taxonomy.mergeTag(id: id, into: one("into"))
                try await audit(session, "tag_merged", edit)
                return pages.redirect(NewsroomURLs.structure(.tag, edit.id) + "?saved=1")
            case "delete":
                try await audit(session, "tag_deleted", try await site.taxonomy.deleteTag(id: id))
                return pages.redirect(NewsroomURLs.structure(.tag) + "?deleted=1")
            default: throw HTTPError(.badRequest)
            }
        } catch let problem as StructureProblem {
            if problem == .notFound { throw HTTPError(.notFound) }
            return try await tagsPage(
                session: session, id: id, query: "", typedName: one("name"), typedInto: one("into"),
                message: t["nr_structure_" + problem.rawValue], status: .unprocessableContent)
        }
    }

    private func tagsPage(
        session: NewsroomSession, id: Int?, query: String, typedName: String? = nil, typedInto: String = "", message: String? = nil,
        info: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        guard query.count <= StructureLimits.name else { throw HTTPError(.badRequest) }
        var edit: TagEditView?
        if let id {
            guard let tag = try await site.taxonomy.tag(id: id) else { throw HTTPError(.notFound) }
            let uses = try await site.taxonomy.tagUses(id: id)
            edit = TagEditView(
                action: NewsroomURLs.structure(.tag, id), name: typedName ?? tag.name, mergeInto: typedInto,
                uses: t.format("nr_tag_uses", ["count": String(uses)]), publicURL: SiteURLs.tag(tag.slug), deletable: uses == 0)
        }
        let rows = try await site.taxonomy.tagUsage(prefix: query, limit: tagPageSize).map {
            StructureRow(
                url: NewsroomURLs.structure(.tag, $0.tag.id), name: $0.tag.name, slug: $0.tag.slug, detail: String($0.articles),
                publicURL: SiteURLs.tag($0.tag.slug), current: $0.tag.id == id)
        }
        let page = TagsPage(
            layout: pages.layout(t["nr_structure_tags"], session), csrf: session.csrf, query: query, rows: rows, empty: rows.isEmpty,
            tag: edit, message: message, info: info)
        return try pages.render("nr-tags", page, status: status)
    }

    /// Up to 10 tags starting with `q` (any case), for the editor's tag field: JSON, for anyone signed in.
    @Sendable func suggestions(_ request: Request, context: Context) async throws -> Response {
        guard context.newsroom.session != nil else { return Response(status: .unauthorized, headers: [.cacheControl: "no-store"]) }
        let prefix = FormQuery(request.uri.query).all("q").first ?? ""
        guard prefix.count <= StructureLimits.name else { throw HTTPError(.badRequest) }
        let found = try await site.taxonomy.tagSuggestions(prefix: prefix, limit: 10).map { TagSuggestion(name: $0.name, slug: $0.slug) }
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(found))))
    }

    // MARK: Pieces

    /// The `{id}` of the path, nil on the list pages; a 404 for anything but a number.
    private func entryID(_ context: Context) throws -> Int? {
        guard let text = context.parameters.get("id") else { return nil }
        guard text.count <= 12, let id = Int(text), id > 0 else { throw HTTPError(.notFound) }
        return id
    }

    /// Notes the change: what was done, and to what (`Old → New` when the name changed).
    private func audit(_ session: NewsroomSession, _ action: String, _ edit: StructureEdit) async throws {
        let title = edit.previousName.map { $0 == edit.name ? edit.name : "\($0) → \(edit.name)" } ?? edit.name
        try await site.drafts.audit(userID: session.user.id, action: action, articleID: nil, title: title, now: site.now())
    }
}
