import Foundation
import HTTPTypes
import Hummingbird
import VestnikCore
import VestnikStore

/// Front-page curation, for editors and the chief: the layouts of the home page and of each section's front, one
/// layout arranged (pins, zone rules), previewed as the real page, published now or scheduled. Every write is a
/// `FrontLayoutService` call (role, audit, the page's purge); this only translates forms and answers.
struct FrontController: Sendable {
    typealias Context = VestnikRequestContext
    let site: Site
    let pages: NewsroomPages
    let mostRead: MostReadLists

    var fronts: FrontLayoutService { FrontLayoutService(database: site.database, zones: site.theme.zones) }

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("front", use: list)
        group.post("front", use: create)
        group.get("front/{id}", use: show)
        group.get("front/{id}/preview", use: preview)
        group.post("front/{id}/{action}", use: change)
    }

    // MARK: Pages

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let session = try await editor(context)
        guard let session else { return try await pages.signInFirst() }
        return try await listPage(session)
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        guard let session = try await editor(context) else { return try await pages.signInFirst() }
        let form = context.newsroom.form ?? FormQuery(nil)
        guard let text = form.all("scope").first, text.count <= 12, let number = Int(text), number >= 0 else {
            throw HTTPError(.badRequest)
        }
        do {
            let layout = try await fronts.create(
                FrontScope(number: number), name: form.all("name").first ?? "", by: writer(session), now: pages.now())
            return pages.redirect(NewsroomURLs.front(layout.id))
        } catch let error as InvalidInput {
            return try await listPage(
                session, message: pages.t.format("nr_front_refused", ["reason": error.description]), status: .unprocessableContent)
        }
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        guard let session = try await editor(context) else { return try await pages.signInFirst() }
        let layout = try await layout(context)
        let done = FormQuery(request.uri.query).all("done").first
        let info = done.flatMap { ["saved", "published", "scheduled"].contains($0) ? pages.t["nr_front_done_" + $0] : nil }
        return try await editorPage(session, layout, info: info)
    }

    /// The real page (the home page, or the section's first page) with this layout: not cached, not public.
    @Sendable func preview(_ request: Request, context: Context) async throws -> Response {
        guard try await editor(context) != nil else { return try await pages.signInFirst() }
        let layout = try await layout(context)
        let publicPages = PublicController<Context>(site: site, mostRead: mostRead)
        var response: Response
        switch layout.scope {
        case .home:
            var unused = PageKeys()
            response = Response.html(try await publicPages.homePage(layout: layout, now: site.now(), keys: &unused))
        case .section(let id):
            guard let section = try await site.taxonomy.sections().first(where: { $0.id == id }) else { throw HTTPError(.notFound) }
            response = try await publicPages.list(
                request, subject: .section(section), kind: "section", description: section.description, currentSection: section.slug,
                front: .preview(layout))
            response.headers[.surrogateKey] = nil
        }
        response.headers[.cacheControl] = "no-store"
        response.headers[HTTPField.Name("X-Robots-Tag")!] = "noindex"
        return response
    }

    /// `…/pins` (`action`: `place`, `up`, `down`, `remove`), `…/rules`, `…/publish`, `…/schedule`, `…/discard`.
    @Sendable func change(_ request: Request, context: Context) async throws -> Response {
        guard let session = try await editor(context) else { return try await pages.signInFirst() }
        let layout = try await layout(context)
        let form = context.newsroom.form ?? FormQuery(nil)
        let by = writer(session)
        let now = pages.now()
        let back = NewsroomURLs.front(layout.id)
        func number(_ name: String) -> Int? {
            guard let text = form.all(name).first, text.count <= 12 else { return nil }
            return Int(text)
        }
        do {
            switch context.parameters.get("action") ?? "" {
            case "pins":
                guard let article = number("article") else { throw InvalidInput(pages.t["nr_front_no_article"]) }
                switch form.all("action").first ?? "place" {
                case "up": try await fronts.move(article, by: -1, in: layout.id, by: by, now: now)
                case "down": try await fronts.move(article, by: 1, in: layout.id, by: by, now: now)
                case "remove": try await fronts.unpin(article, in: layout.id, by: by, now: now)
                default:
                    try await fronts.pin(
                        article, zone: form.all("zone").first ?? "", at: number("index") ?? Int.max, in: layout.id, by: by, now: now)
                }
                return pages.redirect(back + "?done=saved#zone-" + (form.all("zone").first.map(Self.anchor) ?? ""))
            case "rules":
                let zone = form.all("zone").first ?? ""
                let choice = form.all("rule").first ?? ""
                if choice == "theme" {
                    try await fronts.setRule(nil, zone: zone, in: layout.id, by: by, now: now)
                } else {
                    guard let rule = FrontRule(choice: choice, maxAgeHours: form.all("maxAge").first ?? "") else {
                        throw InvalidInput(pages.t["nr_front_bad_rule"])
                    }
                    try await fronts.setRule(rule, zone: zone, in: layout.id, by: by, now: now)
                }
                return pages.redirect(back + "?done=saved")
            case "publish":
                try await fronts.publish(layout.id, by: by, now: now)
                return pages.redirect(back + "?done=published")
            case "schedule":
                guard let at = ArticleForm.sofiaTime(form.all("at").first ?? "") else { throw InvalidInput(pages.t["nr_front_bad_time"]) }
                try await fronts.schedule(layout.id, at: at, by: by, now: now)
                return pages.redirect(back + "?done=scheduled")
            case "discard":
                try await fronts.discard(layout.id, by: by, now: now)
                return pages.redirect(NewsroomURLs.fronts)
            default:
                throw HTTPError(.notFound)
            }
        } catch let error as InvalidInput {
            return try await editorPage(
                session, layout, message: pages.t.format("nr_front_refused", ["reason": error.description]),
                status: .unprocessableContent)
        }
    }

    // MARK: Steps

    private func editor(_ context: Context) async throws -> NewsroomSession? {
        guard let session = context.newsroom.session else { return nil }
        guard session.user.role.editsAnyone else { throw HTTPError(.forbidden) }
        return session
    }

    private func writer(_ session: NewsroomSession) -> ArticleWriter { ArticleWriter(userID: session.user.id, role: session.user.role) }

    private func layout(_ context: Context) async throws -> FrontLayout {
        guard let text = context.parameters.get("id"), text.count <= 12, let id = Int(text),
            let layout = try await fronts.layout(id: id)
        else { throw HTTPError(.notFound) }
        return layout
    }

    private static func anchor(_ zone: String) -> String { String(zone.prefix(24).filter { $0.isLetter || $0 == "_" }) }

    private func stateLabel(_ layout: FrontLayout) -> String {
        switch layout.state {
        case .scheduled:
            return pages.t.format(
                "nr_front_state_scheduled_at", ["date": layout.publishAt.map { pages.dates.dateLine($0) } ?? ""])
        default: return pages.t["nr_front_state_" + layout.state.rawValue]
        }
    }

    private func listPage(_ session: NewsroomSession, message: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        var scopes: [(String, FrontScope)] = [(pages.t["nr_front_home"], .home)]
        for section in try await site.taxonomy.sections() { scopes.append((section.name, .section(section.id))) }
        var rows: [NewsroomFrontScope] = []
        for (name, scope) in scopes {
            let layouts = try await fronts.layouts(scope)
            rows.append(
                NewsroomFrontScope(
                    name: name, scope: scope.number,
                    layouts: layouts.map {
                        NewsroomFrontRow(name: $0.name, url: NewsroomURLs.front($0.id), state: stateLabel($0), live: $0.state == .live)
                    }))
        }
        let view = NewsroomFrontsPage(
            layout: pages.layout(pages.t["nr_front_title"], session), csrf: session.csrf, pages: rows, message: message)
        return try pages.render("nr-fronts", view, status: status)
    }

    private func editorPage(
        _ session: NewsroomSession, _ layout: FrontLayout, message: String? = nil, info: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let now = pages.now()
        let declared = site.theme.zones.zones(layout.scope.kind)
        let sections = try await site.taxonomy.sections()
        let topics = try await site.taxonomy.topics()
        let pageName: String
        let filter: ArticleFilter
        switch layout.scope {
        case .home:
            pageName = pages.t["nr_front_home"]
            filter = .all
        case .section(let id):
            pageName = sections.first { $0.id == id }?.name ?? String(id)
            filter = .section(id)
        }
        let pinnedIDs = declared.flatMap { layout.pins[$0.name] }
        let found = try await site.articles.front(pinned: pinnedIDs, lists: [FrontListQuery(filter: filter, limit: 40)], now: now)
        func label(_ zone: FrontZone) -> String {
            let key = "zone_" + zone.name
            return pages.t[key] == key ? zone.name : pages.t[key]
        }
        func zoneOptions(_ selected: String?) -> [NewsroomFrontOption] {
            declared.map { NewsroomFrontOption(value: $0.name, label: label($0), selected: $0.name == selected) }
        }
        let zones = declared.map { zone -> NewsroomFrontZone in
            let ids = layout.pins[zone.name]
            let pins = ids.enumerated().map { index, id in
                NewsroomFrontPin(
                    id: id, title: found.pinned[id].map { ($0.kicker.isEmpty ? "" : $0.kicker + ": ") + $0.title } ?? "#\(id)",
                    index: index, zone: zone.name, first: index == 0, last: index == ids.count - 1, zoneOptions: zoneOptions(zone.name))
            }
            let rule = layout.rule(for: zone)
            let own = layout.rules[zone.name] != nil
            let choices =
                [("newest", pages.t["nr_front_rule_newest"]), ("most_read", pages.t["nr_front_rule_most_read"])]
                + sections.map { ("section:\($0.id)", pages.t.format("nr_front_rule_section", ["name": $0.name])) }
                + topics.map { ("topic:\($0.id)", pages.t.format("nr_front_rule_topic", ["name": $0.name])) }
            let options =
                [NewsroomFrontOption(value: "theme", label: pages.t["nr_front_rule_theme"], selected: !own)]
                + choices.map { NewsroomFrontOption(value: $0.0, label: $0.1, selected: own && rule.choice == $0.0) }
            return NewsroomFrontZone(
                name: zone.name, label: label(zone), size: zone.size, pins: pins, free: max(0, zone.size - pins.count),
                rules: options, maxAge: rule.maxAgeHours.map(String.init) ?? "", zoneOptions: zoneOptions(nil))
        }
        let candidates = (found.lists.first ?? []).filter { !layout.pins.contains($0.id) }.map {
            NewsroomFrontCandidate(
                id: $0.id, title: ($0.kicker.isEmpty ? "" : $0.kicker + ": ") + $0.title, section: $0.sectionName,
                when: pages.dates.dateLine($0.publishedAt))
        }
        let view = NewsroomFrontEditor(
            layout: pages.layout(pages.t["nr_front_title"] + ": " + layout.name, session), csrf: session.csrf, name: layout.name,
            page: pageName, state: stateLabel(layout), isLive: layout.state == .live, baseURL: NewsroomURLs.front(layout.id),
            previewURL: NewsroomURLs.front(layout.id) + "/preview", zones: zones, candidates: candidates,
            scheduleAt: BreakingNewsController.localTime(now.addingTimeInterval(60)),
            publishAt: layout.publishAt.map { pages.dates.dateLine($0) }, message: message, info: info)
        return try pages.render("nr-front", view, status: status)
    }
}
