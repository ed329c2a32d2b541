import Foundation
import Hummingbird
import Logging
import VestnikCore
import VestnikStore

/// "Forgot password?" on the login page: a one-time reset link (an hour, stored hashed, on the site's configured
/// address, never the request's Host) goes to the address by e-mail, through the outbox. The page answers the same,
/// at once, whether or not the address has an account: the look-up and the message are made after the answer, so
/// neither the words nor the time tell which addresses exist.
struct ForgotPasswordController: Sendable {
    typealias Context = VestnikRequestContext
    let pages: NewsroomPages
    let accounts: Accounts
    let settings: SettingsRepository
    let outbox: MailOutbox
    let trustedProxies: Int
    let logger: Logger

    /// Requests per address and per client in `LoginThrottle.window` before the next must wait.
    static let freePerAddress = 3
    static let freePerClient = 10

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("forgot", use: page)
        group.post("forgot", use: request)
    }

    private var t: SiteLocale { pages.t }

    @Sendable func page(_ request: Request, context: Context) async throws -> Response {
        if context.newsroom.session != nil { return pages.redirect(NewsroomURLs.home) }
        return try pages.formPage("nr-forgot", title: t["nr_forgot_title"], request: request)
    }

    @Sendable func request(_ request: Request, context: Context) async throws -> Response {
        let form = try (context.newsroom.form ?? FormQuery(nil)).decode(ForgotPasswordForm.self)
        let email = String(form.normalizedEmail.prefix(254))
        let now = pages.now()
        let client = ClientAddress.of(request, connection: context.remoteAddress?.ipAddress, trustedProxies: trustedProxies)
        let keys = ["forgot-address:" + email, "forgot-client:" + client]
        let reservation = try await accounts.repository.reserveLoginAttempt(
            keys: keys, since: now.addingTimeInterval(-LoginThrottle.window), now: now,
            delay: { key, attempts in
                let free = key.hasPrefix("forgot-client:") ? Self.freePerClient : Self.freePerAddress
                return attempts >= free ? LoginThrottle.window / 3 : nil
            })
        if case .wait(let wait) = reservation {
            return try pages.formPage(
                "nr-forgot", title: t["nr_forgot_title"], request: request, email: email,
                message: t.format("nr_login_throttled", ["seconds": String(Int(wait.rounded(.up)))]), status: .tooManyRequests)
        }
        if MailMessage.isAddress(email) {
            let work = self
            Task { await work.sendLink(to: email, now: now) }
        }
        return try pages.formPage("nr-forgot", title: t["nr_forgot_title"], request: request, info: t["nr_forgot_sent"])
    }

    /// The link and its message, when the address is an active account's; nothing otherwise.
    private func sendLink(to email: String, now: Date) async {
        do {
            guard let (user, _) = try await accounts.repository.user(email: email) else { return }
            let link = try await accounts.resetLink(email: email, now: now, settings: settings, publicURL: pages.publicURL)
            try await outbox.enqueue(
                to: email, subject: t.format("nr_forgot_mail_subject", ["site": pages.siteName]),
                body: t.format("nr_forgot_mail_body", ["name": user.name, "site": pages.siteName, "link": link]), now: now)
        } catch {
            logger.warning("a password reset e-mail was not queued", metadata: ["error": "\(error)"])
        }
    }
}
