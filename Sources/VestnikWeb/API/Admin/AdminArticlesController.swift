import Foundation
import Hummingbird
import VestnikCore
import VestnikStore

/// The admin API's article operations (`/api/admin/v1/articles…`): read, create, update with the base revision,
/// submit, schedule, publish, unpublish. Each one is a call to `ArticleWriteService` as the token's user, so the
/// newsroom's role rules, revisions, audit rows and cache purges apply unchanged; this only translates JSON.
struct AdminArticlesController: Sendable {
    typealias Context = VestnikRequestContext
    let site: Site

    static let prefix = "/api/admin/v1"
    /// The largest request body: an article of the newsroom's own maximum size, escaped as JSON.
    static let maxBody = 3 * ArticleForm.maxBody

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("articles/:id") { _, context in
            let caller = try caller(context)
            try caller.require(.read)
            let article = try await editable(context, for: caller, mayChange: false)
            return Response.json(body(article))
        }
        group.post("articles") { request, context in
            let caller = try caller(context)
            try caller.require(.write)
            let input = try await decode(request)
            let draft = try await draft(input, status: .draft)
            return try await save(draft, articleID: nil, baseRevision: 0, caller: caller, created: true)
        }
        group.put("articles/:id") { request, context in
            let caller = try caller(context)
            try caller.require(.write)
            let article = try await editable(context, for: caller, mayChange: true)
            let input = try await decode(request)
            guard let base = input.baseRevision else { throw APIProblem(.unprocessableContent, "base_revision is required") }
            let draft = try await draft(input, status: article.draft.status, keeping: article.draft)
            return try await save(
                draft, articleID: article.id, baseRevision: base, caller: caller, markUpdated: input.markUpdated ?? false)
        }
        for (action, status) in [
            ("submit", ArticleStatus.review), ("schedule", .scheduled), ("publish", .published), ("unpublish", .unpublished),
        ] {
            group.post(RouterPath("articles/:id/\(action)")) { request, context in
                let caller = try caller(context)
                try caller.require(status == .review ? .write : .publish)
                let article = try await editable(context, for: caller, mayChange: true)
                let step = try await decode(request, AdminTransition.self)
                var draft = article.draft
                draft.status = status
                if status == .scheduled {
                    guard let text = step.publishAt, let time = APIParameters.parseTime(text), time > site.now() else {
                        throw APIProblem(.unprocessableContent, "publish_at must be a future RFC 3339 time")
                    }
                    draft.publishedAt = time
                }
                return try await save(draft, articleID: article.id, baseRevision: step.baseRevision, caller: caller)
            }
        }
    }

    private func caller(_ context: Context) throws -> APICaller {
        guard let caller = context.apiCaller else { throw APIProblem(.unauthorized, "no token") }
        return caller
    }

    /// The article the path names, if the caller may see it (editors: any; others: their own, and published ones
    /// to read). Another's article below editor is a 404 to read and a 403 to change, as in the newsroom.
    private func editable(_ context: Context, for caller: APICaller, mayChange: Bool) async throws -> EditableArticle {
        let id = try AdminJSON.pathID(context)
        guard let article = try await site.editorial.article(id: id) else { throw APIProblem(.notFound, "no article has this id") }
        let own = article.ownerID == caller.user.id
        if !own, !caller.user.role.editsAnyone {
            if article.draft.status != .published { throw APIProblem(.notFound, "no article has this id") }
            if mayChange { throw APIProblem(.forbidden, "this role may not change this article") }
        }
        return article
    }

    private func decode<Body: Decodable>(_ request: Request, _ type: Body.Type) async throws -> Body {
        try await AdminJSON.decode(request, type, maxBody: Self.maxBody)
    }

    /// A create or update body, with its `more` told apart: absent (keep), null (automatic) or a plan.
    private func decode(_ request: Request) async throws -> AdminArticleInput {
        let bytes = try await AdminJSON.body(request, maxBody: Self.maxBody)
        var input = try AdminJSON.decode(bytes, AdminArticleInput.self)
        do {
            input.more = try JSONDecoder().decode(AdminMoreChange.self, from: bytes)
        } catch {
            throw APIProblem(.unprocessableContent, site.locale["nr_error_more"])
        }
        return input
    }

    /// The article the body describes, through the newsroom form's own checks (lengths, slug, section, the body
    /// sanitizer), or a 422 saying what is wrong.
    private func draft(
        _ input: AdminArticleInput, status: ArticleStatus, keeping current: ArticleInput? = nil
    ) async throws -> ArticleInput {
        var form = ArticleForm()
        form.kicker = input.kicker ?? ""
        form.title = input.title
        form.slug = input.slug ?? ""
        form.lead = input.lead ?? ""
        form.body = input.bodyHTML ?? ""
        form.section = input.section
        form.topic = input.topic ?? ""
        form.tags = (input.tags ?? []).joined(separator: ", ")
        form.authors = (input.authors ?? []).map { byline in byline.role.map { "\(byline.name) | \($0)" } ?? byline.name }
            .joined(separator: "\n")
        form.sources = (input.sources ?? []).joined(separator: ", ")
        form.video = input.hasVideo ?? false
        form.gallery = input.hasGallery ?? false
        form.featured = input.featuredMedia ?? ""
        // The hand-picked "Още:" arrangement, read and checked as the editor's hidden field is (`MoreLinks(json:)`).
        switch input.more {
        case .unchanged: form.more = current?.more?.json ?? ""
        case .automatic: form.more = ""
        case .plan(let plan): form.more = plan.json
        }
        form.seoTitle = input.seoTitle ?? ""
        form.seoDescription = input.seoDescription ?? ""
        form.socialTitle = input.socialTitle ?? ""
        form.socialDescription = input.socialDescription ?? ""
        form.socialImage = input.socialMedia ?? ""
        let sections = try await site.taxonomy.sections()
        switch form.draft(status: status == .scheduled ? .draft : status, sections: sections, now: site.now()) {
        case .failure(let problem): throw APIProblem(.unprocessableContent, site.locale[problem.key])
        case .success(var draft):
            draft.status = status
            // A scheduled article keeps its time until it is scheduled anew.
            if let current, status == .scheduled { draft.publishedAt = current.publishedAt }
            return draft
        }
    }

    private func save(
        _ draft: ArticleInput, articleID: Int?, baseRevision: Int, caller: APICaller, created: Bool = false, markUpdated: Bool = false
    ) async throws -> Response {
        let outcome: ArticleWriteService.Outcome
        do {
            outcome = try await site.writes.save(
                draft, articleID: articleID, baseRevision: baseRevision, by: caller.writer, now: site.now(), markUpdated: markUpdated)
        } catch ArticleWriteError.notAllowed {
            throw APIProblem(.forbidden, "the token's user (\(caller.user.role.rawValue)) may not make this change to this article")
        } catch ArticleWriteError.missingPicture {
            throw APIProblem(.unprocessableContent, ArticleWriteError.missingPicture.description)
        } catch ArticleWriteError.missingSocialPicture {
            throw APIProblem(.unprocessableContent, ArticleWriteError.missingSocialPicture.description)
        } catch let invalid as InvalidInput {
            throw APIProblem(.unprocessableContent, invalid.description)
        }
        switch outcome {
        case .saved(let id, _), .merged(let id, _, _):
            guard let article = try await site.editorial.article(id: id) else { throw APIProblem(.notFound, "no article has this id") }
            return Response.json(body(article), status: created ? .created : .ok)
        case .conflict(let conflict):
            throw APIProblem(
                .conflict,
                "revision \(baseRevision) is not the latest: \(conflict.revision) is (by \(conflict.byName)); reload and apply the change again",
                extra: ["current_revision": .int(conflict.revision)])
        }
    }

    /// An article as the admin API gives it: what it is now and the revision to base the next change on.
    private func body(_ article: EditableArticle) -> JSONValue {
        let draft = article.draft
        let dates = site.views.dates
        return .object([
            "id": .int(article.id), "revision": .int(article.revision), "status": .string(draft.status.rawValue),
            "slug": .string(draft.slug), "kicker": .string(draft.kicker), "title": .string(draft.title), "lead": .string(draft.lead),
            "body_html": .string(draft.bodyHTML), "section": .string(draft.section), "topic": .optional(draft.topic),
            "tags": .array(draft.tags.map(JSONValue.string)),
            "authors": .array(draft.authors.map { .object(["name": .string($0.name), "role": .optional($0.role)]) }),
            "sources": .array(draft.sources.map(JSONValue.string)), "has_video": .bool(draft.media.video),
            "has_gallery": .bool(draft.media.gallery), "featured_media": .optional(draft.featuredImage?.media),
            "more": Self.more(draft.more),
            "seo_title": .string(draft.seoTitle ?? ""), "seo_description": .string(draft.seoDescription ?? ""),
            "social_title": .string(draft.socialTitle ?? ""), "social_description": .string(draft.socialDescription ?? ""),
            "social_media": .optional(draft.socialImage),
            "published": .string(dates.isoDateTime(article.publishedAt)),
            "marked_updated": article.modifiedAt.map { .string(dates.isoDateTime($0)) } ?? .null,
            "url": draft.status == .published
                ? .string(site.publicURL + SiteURLs.article(section: article.sectionSlug, slug: draft.slug)) : .null,
        ])
    }
}

extension AdminArticlesController {
    /// The hand-picked "Още:" arrangement as the API gives it (`MoreLinks`' own JSON shape); null: the automatic blocks.
    static func more(_ plan: MoreLinks?) -> JSONValue {
        guard let plan else { return .null }
        return .object([
            "blocks": .array(plan.blocks.map { .object(["after": .int($0.after), "links": .array($0.links.map(JSONValue.int))]) }),
            "excluded": .array(plan.excluded.map(JSONValue.int)),
        ])
    }
}

/// What a create or update says of the article's "Още:" arrangement.
enum AdminMoreChange: Sendable, Equatable {
    /// No `more` member: an update keeps the arrangement (a create has none).
    case unchanged
    /// `"more": null`: the site's automatic blocks.
    case automatic
    /// `"more": {"blocks": [{"after": 2, "links": [12, 0]}], "excluded": [5]}`: 0 is a place the ranking fills.
    case plan(MoreLinks)
}

extension AdminMoreChange: Decodable {
    enum CodingKeys: String, CodingKey { case more }

    /// Read from the whole body: the member's absence and its null mean different things.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if !container.contains(.more) {
            self = .unchanged
        } else if try container.decodeNil(forKey: .more) {
            self = .automatic
        } else {
            self = .plan(try container.decode(MoreLinks.self, forKey: .more))
        }
    }
}

/// The body of a create or update. Only `title` and `section` are required to create; an update sends the whole
/// article again with the revision it was based on.
struct AdminArticleInput: Decodable {
    struct Byline: Decodable {
        var name: String
        var role: String?
    }
    var title: String
    var section: String
    var kicker: String?
    var slug: String?
    var lead: String?
    var bodyHTML: String?
    var topic: String?
    var tags: [String]?
    var authors: [Byline]?
    var sources: [String]?
    var hasVideo: Bool?
    var hasGallery: Bool?
    var featuredMedia: String?
    var seoTitle: String?
    var seoDescription: String?
    var socialTitle: String?
    var socialDescription: String?
    var socialMedia: String?
    /// "Покажи като обновена": a published article's page says "Обновена" with the time of this update.
    var markUpdated: Bool?
    var baseRevision: Int?
    /// Read apart (`AdminMoreChange`): a synthesised decoder cannot tell a missing member from a null one.
    var more = AdminMoreChange.unchanged

    enum CodingKeys: String, CodingKey {
        case title, section, kicker, slug, lead, topic, tags, authors, sources
        case bodyHTML = "body_html"
        case hasVideo = "has_video"
        case hasGallery = "has_gallery"
        case featuredMedia = "featured_media"
        case seoTitle = "seo_title"
        case seoDescription = "seo_description"
        case socialTitle = "social_title"
        case socialDescription = "social_description"
        case socialMedia = "social_media"
        case markUpdated = "mark_updated"
        case baseRevision = "base_revision"
    }
}

/// The body of a workflow step.
struct AdminTransition: Decodable {
    var baseRevision: Int
    /// `schedule` only: when, RFC 3339.
    var publishAt: String?

    enum CodingKeys: String, CodingKey {
        case baseRevision = "base_revision"
        case publishAt = "publish_at"
    }
}

/// What the admin API's controllers share: JSON bodies and ids in the path.
enum AdminJSON {
    /// The body as `Body`: only `application/json` (415), at most `maxBody` bytes (413), the JSON the operation
    /// takes (400 naming what is wrong).
    static func decode<Body: Decodable>(_ request: Request, _ type: Body.Type, maxBody: Int = 64 << 10) async throws -> Body {
        try decode(try await body(request, maxBody: maxBody), type)
    }

    /// The body's bytes: only `application/json` (415), at most `maxBody` bytes (413).
    static func body(_ request: Request, maxBody: Int) async throws -> Data {
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true else {
            throw APIProblem(.unsupportedMediaType, "send the body as application/json")
        }
        return Data(try await request.body.collect(upTo: maxBody).readableBytesView)
    }

    /// `bytes` as `Body` (400 naming what is wrong).
    static func decode<Body: Decodable>(_ bytes: Data, _ type: Body.Type) throws -> Body {
        do {
            return try JSONDecoder().decode(Body.self, from: bytes)
        } catch {
            throw APIProblem(.badRequest, "the body is not the JSON this operation takes: \(reason(error))")
        }
    }

    /// `{id}` in the path: a positive whole number (400 otherwise).
    static func pathID(_ context: VestnikRequestContext) throws -> Int {
        let text = try context.parameters.require("id")
        guard text.count <= 12, let id = Int(text), id > 0 else { throw APIProblem(.badRequest, "an id is a positive whole number") }
        return id
    }

    private static func reason(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "\(key.stringValue) is missing"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "\(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type"
        default: return "malformed JSON"
        }
    }
}
