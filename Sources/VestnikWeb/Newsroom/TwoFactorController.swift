import Foundation
import Hummingbird
import VestnikCore
import VestnikStore

/// A signed-in user's own two-factor sign-in: enrolment with a QR code (and the key as text), confirmed by a code,
/// which shows the recovery codes once; turning it off with the password. Signing in with the code is
/// `SessionController`'s; a chief's reset of someone else's is on the staff page (`UsersController`).
struct TwoFactorController: Sendable {
    typealias Context = VestnikRequestContext
    let pages: NewsroomPages
    let accounts: Accounts
    let twoFactor: TwoFactor

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("two-factor", use: page)
        group.post("two-factor/confirm", use: confirm)
        group.post("two-factor/disable", use: disable)
    }

    private var t: SiteLocale { pages.t }

    @Sendable func page(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await pages.signInFirst() }
        return try await render(session: session)
    }

    @Sendable func confirm(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await pages.signInFirst() }
        let form = try (context.newsroom.form ?? FormQuery(nil)).decode(TwoFactorCodeForm.self)
        guard let codes = try await twoFactor.confirm(userID: session.user.id, code: form.code, now: pages.now()) else {
            return try await render(session: session, message: t["nr_2fa_wrong_code"], status: .unprocessableContent)
        }
        return try await render(session: session, info: t["nr_2fa_enabled"], recoveryCodes: codes)
    }

    @Sendable func disable(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await pages.signInFirst() }
        let form = try (context.newsroom.form ?? FormQuery(nil)).decode(TwoFactorDisableForm.self)
        guard let (_, hash) = try await accounts.repository.user(id: session.user.id),
            try await accounts.hasher.verify(form.current, hash: hash)
        else { return try await render(session: session, message: t["nr_password_wrong"], status: .unprocessableContent) }
        try await twoFactor.repository.disableOwn(userID: session.user.id, now: pages.now())
        return try await render(session: session, info: t["nr_2fa_disabled"])
    }

    private func render(
        session: NewsroomSession, message: String? = nil, info: String? = nil, recoveryCodes: [String] = [],
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let userID = session.user.id
        let state = try await twoFactor.repository.state(userID: userID)
        let enrolled = state.sealedSecret != nil
        let required = enrolled ? false : twoFactor.isRequired(for: session.user.role)
        var svg: String?
        var secretText = ""
        if !enrolled {
            let secret = try await twoFactor.pendingSecret(userID: userID)
            let uri = TOTP(secret: secret).authenticatorURI(account: session.user.email, issuer: pages.siteName)
            svg = QRCode.svg(uri, title: t["nr_2fa_qr_title"])
            secretText = Base32.grouped(secret)
        }
        let page = TwoFactorPage(
            layout: pages.layout(t["nr_2fa_title"], session), csrf: session.csrf, enrolled: enrolled,
            required: required, qrSVG: svg,
            qrProblem: !enrolled && svg == nil ? (QRCode.problem ?? "") : nil, secretText: secretText, recoveryCodes: recoveryCodes,
            hasRecoveryCodes: !recoveryCodes.isEmpty, recoveryLeft: state.recoveryCodesLeft, unsealed: !twoFactor.box.seals,
            message: message, info: info)
        return try pages.render("nr-two-factor", page, status: status)
    }
}
