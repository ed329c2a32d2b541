import Foundation
import Hummingbird
import VestnikCore
import VestnikStore

/// First run: the form that creates the chief editor, open only while the site has none, and only through the link
/// with the one-time token that `vestnik serve` prints at start (`Accounts.issueSetupToken`).
struct SetupController: Sendable {
    typealias Context = VestnikRequestContext
    let pages: NewsroomPages
    let accounts: Accounts
    let settings: SettingsRepository

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("setup", use: setupPage)
        group.post("setup", use: setup)
    }

    private var t: SiteLocale { pages.t }

    @Sendable func setupPage(_ request: Request, context: Context) async throws -> Response {
        if try await accounts.repository.hasChief() { return pages.redirect(NewsroomURLs.login) }
        let token = FormQuery(request.uri.query).all("token").first ?? ""
        guard try await accounts.isSetupToken(token, settings: settings) else { return try tokenNeeded(request) }
        return try pages.formPage("nr-setup", title: t["nr_setup_title"], request: request, token: token)
    }

    /// The setup page without the link the server printed: it says where to find it, and creates nothing.
    private func tokenNeeded(_ request: Request) throws -> Response {
        try pages.formPage(
            "nr-setup", title: t["nr_setup_title"], request: request, message: t["nr_setup_token_needed"], status: .forbidden)
    }

    @Sendable func setup(_ request: Request, context: Context) async throws -> Response {
        if try await accounts.repository.hasChief() { return pages.redirect(NewsroomURLs.login) }
        let form = try (context.newsroom.form ?? FormQuery(nil)).decode(SetupForm.self)
        guard try await accounts.isSetupToken(form.token, settings: settings) else { return try tokenNeeded(request) }
        var problem = pages.newPasswordProblem(form.password, repeated: form.password2)
        if problem == nil {
            do {
                let user = try await accounts.createUser(
                    email: form.email, name: form.name, role: .chief, password: form.password, now: pages.now(), onlyIfNoChief: true)
                try await settings.set(Accounts.setupTokenKey, to: "")
                return try await pages.startSession(for: user, request: request)
            } catch let error as InvalidInput {
                problem = t.format("nr_setup_failed", ["reason": error.description])
            }
        }
        return try pages.formPage(
            "nr-setup", title: t["nr_setup_title"], request: request, email: form.email, name: form.name, message: problem,
            status: .unprocessableContent, token: form.token)
    }
}
