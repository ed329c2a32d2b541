import Foundation
import HTTPTypes
import Hummingbird
import VestnikCore
import VestnikStore

/// What every newsroom controller needs to answer: the layout around a page, rendering, redirects, the session
/// cookie and where a request without a session goes. Made once per site; the controllers hold it beside the
/// repositories they use.
struct NewsroomPages: Sendable {
    let site: Site
    var theme: Theme { site.theme }
    /// The site's language and settings now (they may change while the site runs: `SiteSettings`).
    var t: SiteLocale { site.locale }
    /// `t`'s strings as templates read them (`{{layout.t.…}}`).
    var strings: LocaleStrings { site.views.strings }
    var siteName: String { site.siteName }
    var publicURL: String { site.publicURL }
    var accounts: Accounts { site.accounts }
    var dates: NewsDateFormatter { site.views.dates }
    /// The public site's view factory, for what the newsroom shows as readers see it (an article's corrections).
    var views: ViewFactory { site.views }
    var now: @Sendable () -> Date { site.now }

    init(site: Site) { self.site = site }

    /// Where a request without a session goes: the setup page on a fresh install, else the login page.
    func signInFirst() async throws -> Response {
        redirect(try await accounts.repository.hasChief() ? NewsroomURLs.login : NewsroomURLs.setup)
    }

    func layout(_ title: String, _ session: NewsroomSession?, csrf: String? = nil) -> NewsroomLayout {
        NewsroomLayout(
            lang: t.language, pageTitle: "\(title) | \(t["nr_title"]) | \(siteName)", cssURL: theme.assets.url("newsroom.css"),
            jsURL: theme.assets.url("newsroom.js"), t: strings, user: session?.user.name,
            role: session.map { t["nr_role_" + $0.user.role.rawValue] }, isEditor: session?.user.role.editsAnyone ?? false,
            isChief: session?.user.role == .chief,
            csrf: session?.csrf ?? csrf ?? "")
    }

    func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    func render(_ template: String, _ view: some TemplateFields, status: HTTPResponse.Status = .ok) throws -> Response {
        var response = Response.html(try theme.render(template, view), status: status)
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// A page shown before sign-in, with the pre-session CSRF token in its form and cookie.
    func formPage(
        _ template: String, title: String, request: Request, email: String = "", name: String = "",
        message: String? = nil, info: String? = nil, action: String = "", status: HTTPResponse.Status = .ok, next: String? = nil,
        token: String? = nil
    ) throws -> Response {
        let existing = request.cookies[NewsroomCookies.preSession]?.value
        let csrf = existing.flatMap { SecureToken.isWellFormed($0) ? $0 : nil } ?? SecureToken.make()
        let page = NewsroomFormPage(
            layout: layout(title, nil, csrf: csrf), csrf: csrf, email: email, name: name, message: message, info: info, action: action,
            next: next, token: token)
        var response = try render(template, page, status: status)
        if existing != csrf { response.setCookie(cookie(NewsroomCookies.preSession, csrf, request: request, maxAge: nil)) }
        return response
    }

    /// Signs `user` in: a new session, its cookie, and on to `location`.
    func startSession(for user: NewsroomUser, request: Request, location: String = NewsroomURLs.home) async throws -> Response {
        let token = SecureToken.make()
        try await accounts.repository.createSession(
            tokenHash: SHA256.hex(token), userID: user.id, csrf: SecureToken.make(), now: now(),
            lifetime: NewsroomCookies.sessionLifetime)
        var response = redirect(location)
        response.setCookie(cookie(NewsroomCookies.session, token, request: request, maxAge: Int(NewsroomCookies.sessionLifetime)))
        return response
    }

    /// Secure when the request came over https (directly or through a proxy that says so) or the site is https.
    func cookie(_ name: String, _ value: String, request: Request, maxAge: Int?) -> Cookie {
        let forwarded = request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
        let secure = forwarded || request.uri.scheme?.rawValue == "https" || publicURL.hasPrefix("https://")
        return Cookie(name: name, value: value, maxAge: maxAge, path: NewsroomURLs.home, secure: secure, httpOnly: true, sameSite: .lax)
    }

    /// What is wrong with a new password typed twice, in words.
    func newPasswordProblem(_ password: String, repeated: String) -> String? {
        if password != repeated { return t["nr_password_mismatch"] }
        return PasswordHasher.problem(password).map { t[$0] }
    }
}
