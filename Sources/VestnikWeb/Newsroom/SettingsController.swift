import Foundation
import HTTPTypes
import Hummingbird
import VestnikCore
import VestnikStore

/// The chief editor's settings page, `/newsroom/settings`: every setting of `SettingCatalog`, grouped, each with its
/// help text. Saving checks every field first; if one is refused, nothing is changed and the form comes back with
/// what was typed and why. Otherwise each changed setting goes through `SettingsService` (audited, announced to every
/// node, the pages it shows on dropped), the same path `vestnik setting` takes.
struct SettingsController: Sendable {
    typealias Context = VestnikRequestContext
    let pages: NewsroomPages
    let service: SettingsService

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("settings", use: settingsPage)
        group.post("settings", use: save)
    }

    private var t: SiteLocale { pages.t }

    @Sendable func settingsPage(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await pages.signInFirst() }
        guard session.user.role == .chief else { throw HTTPError(.forbidden) }
        let stored = try await pages.site.settings.all()
        let info = FormQuery(request.uri.query).all("saved").first.map { _ in t["nr_settings_saved"] }
        return try render(session, values: stored, problems: [:], info: info)
    }

    @Sendable func save(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await pages.signInFirst() }
        guard session.user.role == .chief else { throw HTTPError(.forbidden) }
        let form = context.newsroom.form ?? FormQuery(nil)
        let stored = try await pages.site.settings.all()
        // A field the form did not send keeps its value; a sent field is trimmed, and empty means "the default".
        var typed = stored
        var changes: [(key: String, value: String?)] = []
        var problems: [String: String] = [:]
        for definition in SettingCatalog.all {
            guard let sent = form.all(definition.key).first else { continue }
            let value = sent.trimmingCharacters(in: .whitespacesAndNewlines)
            typed[definition.key] = value
            guard value != (stored[definition.key] ?? "") else { continue }
            if !value.isEmpty, let problem = SettingRules.problem(key: definition.key, value: value) {
                problems[definition.key] = problem
            } else {
                changes.append((definition.key, value.isEmpty ? nil : value))
            }
        }
        guard problems.isEmpty else {
            return try render(session, values: typed, problems: problems, message: t["nr_settings_refused"], status: .unprocessableContent)
        }
        let actor = ArticleWriter(userID: session.user.id, role: session.user.role)
        let now = pages.now()
        for change in changes { try await service.change(change.key, to: change.value, by: actor, now: now) }
        return pages.redirect(NewsroomURLs.settings + "?saved=1")
    }

    private func render(
        _ session: NewsroomSession, values: [String: String], problems: [String: String], message: String? = nil, info: String? = nil,
        status: HTTPResponse.Status = .ok
    ) throws -> Response {
        var order: [String] = []
        var fields: [String: [SettingFieldView]] = [:]
        for definition in SettingCatalog.all {
            let name = definition.key.replacingOccurrences(of: ".", with: "_")
            let value = values[definition.key] ?? ""
            var options: [NewsroomOption] = []
            if case .choice(let allowed) = definition.kind {
                // An unset choice shows its default (the first), as the site uses it.
                let chosen = value.isEmpty ? allowed[0] : value
                options = allowed.map { NewsroomOption(value: $0, label: t["nr_setting_\(name)_\($0)"], selected: $0 == chosen) }
            }
            let field = SettingFieldView(
                key: definition.key, id: "setting-" + name, label: t["nr_setting_\(name)"], help: t["nr_setting_\(name)_help"],
                value: value, isChoice: !options.isEmpty, options: options, isAddress: definition.kind == .address,
                problem: problems[definition.key].map { t["nr_settings_bad"] + " " + $0 })
            if fields[definition.group] == nil { order.append(definition.group) }
            fields[definition.group, default: []].append(field)
        }
        let groups = order.map { SettingsGroupView(title: t["nr_settings_group_" + $0], fields: fields[$0] ?? []) }
        let page = SettingsPage(
            layout: pages.layout(t["nr_settings_title"], session), csrf: session.csrf, groups: groups, message: message, info: info)
        return try pages.render("nr-settings", page, status: status)
    }
}
