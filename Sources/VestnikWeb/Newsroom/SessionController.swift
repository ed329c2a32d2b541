import Foundation
import Hummingbird
import VestnikCore
import VestnikStore

/// Signing in and out, and passwords: a signed-in user's own change, and the one-time reset link.
struct SessionController: Sendable {
    typealias Context = VestnikRequestContext
    let pages: NewsroomPages
    let accounts: Accounts
    let twoFactor: TwoFactor
    /// How many proxies in front append to `X-Forwarded-For` (`ReadSettings.trustedProxies`): the login throttle
    /// counts per real client, not per proxy.
    let trustedProxies: Int

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("login", use: loginPage)
        group.post("login", use: login)
        group.get("login/code", use: codePage)
        group.post("login/code", use: code)
        group.post("logout", use: logout)
        group.post("logout/everywhere", use: signOutEverywhere)
        group.get("password", use: passwordPage)
        group.post("password", use: changePassword)
        group.get("reset/{token}", use: resetPage)
        group.post("reset/{token}", use: reset)
    }

    private var t: SiteLocale { pages.t }

    @Sendable func loginPage(_ request: Request, context: Context) async throws -> Response {
        let query = FormQuery(request.uri.query)
        let next = NewsroomURLs.returnPath(query.all("next").first)
        if context.newsroom.session != nil { return pages.redirect(next ?? NewsroomURLs.home) }
        let info = query.all("done").first.map { _ in t["nr_password_changed"] }
        return try pages.formPage("nr-login", title: t["nr_login_title"], request: request, info: info, next: next)
    }

    @Sendable func login(_ request: Request, context: Context) async throws -> Response {
        let form = try (context.newsroom.form ?? FormQuery(nil)).decode(LoginForm.self)
        let email = form.normalizedEmail
        let next = NewsroomURLs.returnPath(form.next)
        let now = pages.now()
        let found = try await accounts.repository.user(email: email)
        let client = ClientAddress.of(request, connection: context.remoteAddress?.ipAddress, trustedProxies: trustedProxies)
        let device = request.cookies[LoginThrottle.deviceCookie].map(\.value).flatMap { SecureToken.isWellFormed($0) ? $0 : nil }
        var knownDevice: String?
        if let found, let device, try await accounts.repository.isKnownDevice(tokenHash: SHA256.hex(device), userID: found.user.id) {
            knownDevice = SHA256.hex(device)
        }
        let keys = LoginThrottle.keys(email: email, client: client, knownDevice: knownDevice)
        let attempt: LoginAttempt
        switch try await LoginThrottle(accounts: accounts.repository).reserve(keys, now: now) {
        case .wait(let wait):
            return try pages.formPage(
                "nr-login", title: t["nr_login_title"], request: request, email: email,
                message: t.format("nr_login_throttled", ["seconds": String(Int(wait.rounded(.up)))]), status: .tooManyRequests, next: next)
        case .reserved(let reserved):
            attempt = reserved
        }
        // An unknown address costs one bcrypt check too, so timing does not tell which addresses have accounts.
        let matches = try await accounts.hasher.verify(form.password, hash: found?.passwordHash ?? PasswordHasher.decoy)
        guard let (user, _) = found, matches else {
            // The reserved attempt stays: it is the recorded failure.
            return try pages.formPage(
                "nr-login", title: t["nr_login_title"], request: request, email: email, message: t["nr_login_failed"],
                status: .unauthorized, next: next)
        }
        try await accounts.repository.release(attempt, clearing: keys.own)
        if try await twoFactor.isEnrolled(userID: user.id) {
            // No session yet: the code comes first.
            let token = SecureToken.make()
            try await twoFactor.repository.createChallenge(
                tokenHash: SHA256.hex(token), userID: user.id, next: next ?? NewsroomURLs.home, now: now,
                lifetime: TwoFactor.challengeLifetime)
            var response = pages.redirect(NewsroomURLs.loginCode)
            response.setCookie(pages.cookie(NewsroomCookies.challenge, token, request: request, maxAge: Int(TwoFactor.challengeLifetime)))
            return response
        }
        return try await signIn(user, device: device, request: request, next: next ?? NewsroomURLs.home, now: now)
    }

    /// The session of a sign-in that is complete, and this browser known to the account from now on (`LoginThrottle`).
    private func signIn(_ user: NewsroomUser, device: String?, request: Request, next: String, now: Date) async throws -> Response {
        let deviceToken = device ?? SecureToken.make()
        try await accounts.repository.rememberDevice(tokenHash: SHA256.hex(deviceToken), userID: user.id, now: now)
        var response = try await pages.startSession(for: user, request: request, location: next)
        if device == nil {
            response.setCookie(
                pages.cookie(LoginThrottle.deviceCookie, deviceToken, request: request, maxAge: Int(LoginThrottle.deviceLifetime)))
        }
        return response
    }

    /// The digest of the challenge cookie's token, when it is well formed.
    private func challengeHash(_ request: Request) -> String? {
        request.cookies[NewsroomCookies.challenge].map(\.value).flatMap { SecureToken.isWellFormed($0) ? SHA256.hex($0) : nil }
    }

    @Sendable func codePage(_ request: Request, context: Context) async throws -> Response {
        guard let hash = challengeHash(request), try await twoFactor.repository.challenge(tokenHash: hash, now: pages.now()) != nil else {
            return try pages.formPage(
                "nr-login", title: t["nr_login_title"], request: request, message: t["nr_2fa_expired"], status: .unauthorized)
        }
        return try pages.formPage("nr-login-code", title: t["nr_2fa_login_title"], request: request)
    }

    /// The second step: the code, throttled as passwords are (under keys of its own), and only then a session.
    @Sendable func code(_ request: Request, context: Context) async throws -> Response {
        let form = try (context.newsroom.form ?? FormQuery(nil)).decode(TwoFactorCodeForm.self)
        let now = pages.now()
        guard let hash = challengeHash(request), let (user, next) = try await twoFactor.repository.challenge(tokenHash: hash, now: now)
        else {
            return try pages.formPage(
                "nr-login", title: t["nr_login_title"], request: request, message: t["nr_2fa_expired"], status: .unauthorized)
        }
        let client = ClientAddress.of(request, connection: context.remoteAddress?.ipAddress, trustedProxies: trustedProxies)
        let keys = LoginThrottle.keys(email: "2fa:" + user.email, client: client, knownDevice: nil)
        let attempt: LoginAttempt
        switch try await LoginThrottle(accounts: accounts.repository).reserve(keys, now: now) {
        case .wait(let wait):
            return try pages.formPage(
                "nr-login-code", title: t["nr_2fa_login_title"], request: request,
                message: t.format("nr_login_throttled", ["seconds": String(Int(wait.rounded(.up)))]), status: .tooManyRequests)
        case .reserved(let reserved):
            attempt = reserved
        }
        guard try await twoFactor.verify(userID: user.id, code: form.code, now: now) else {
            return try pages.formPage(
                "nr-login-code", title: t["nr_2fa_login_title"], request: request, message: t["nr_2fa_wrong_code"], status: .unauthorized)
        }
        try await accounts.repository.release(attempt, clearing: keys.own)
        // One challenge makes one session, even when its code is posted twice at once.
        guard try await twoFactor.repository.endChallenge(tokenHash: hash) else {
            return try pages.formPage(
                "nr-login", title: t["nr_login_title"], request: request, message: t["nr_2fa_expired"], status: .unauthorized)
        }
        let device = request.cookies[LoginThrottle.deviceCookie].map(\.value).flatMap { SecureToken.isWellFormed($0) ? $0 : nil }
        var response = try await signIn(user, device: device, request: request, next: next, now: now)
        response.setCookie(pages.cookie(NewsroomCookies.challenge, "", request: request, maxAge: 0))
        return response
    }

    @Sendable func logout(_ request: Request, context: Context) async throws -> Response {
        if let hash = context.newsroom.tokenHash { try await accounts.repository.deleteSession(tokenHash: hash) }
        var response = pages.redirect(NewsroomURLs.login)
        response.setCookie(pages.cookie(NewsroomCookies.session, "", request: request, maxAge: 0))
        return response
    }

    /// Ends every session of the signed-in user, this one included: for a lost phone or a shared computer.
    @Sendable func signOutEverywhere(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return pages.redirect(NewsroomURLs.login) }
        try await accounts.repository.endSessions(userID: session.user.id)
        var response = pages.redirect(NewsroomURLs.login)
        response.setCookie(pages.cookie(NewsroomCookies.session, "", request: request, maxAge: 0))
        return response
    }

    @Sendable func passwordPage(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return pages.redirect(NewsroomURLs.login) }
        return try pages.render("nr-password", NewsroomFormPage(layout: pages.layout(t["nr_password_title"], session), csrf: session.csrf))
    }

    @Sendable func changePassword(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return pages.redirect(NewsroomURLs.login) }
        let form = try (context.newsroom.form ?? FormQuery(nil)).decode(PasswordChangeForm.self)
        var problem: String?
        if let (_, hash) = try await accounts.repository.user(id: session.user.id),
            try await accounts.hasher.verify(form.current, hash: hash)
        {
            if let newProblem = pages.newPasswordProblem(form.password, repeated: form.password2) {
                problem = newProblem
            } else {
                try await accounts.repository.setPassword(
                    userID: session.user.id, passwordHash: try await accounts.hasher.hash(form.password),
                    keepingSession: context.newsroom.tokenHash)
                return try pages.render(
                    "nr-password",
                    NewsroomFormPage(
                        layout: pages.layout(t["nr_password_title"], session), csrf: session.csrf, info: t["nr_password_changed"]))
            }
        } else {
            problem = t["nr_password_wrong"]
        }
        return try pages.render(
            "nr-password", NewsroomFormPage(layout: pages.layout(t["nr_password_title"], session), csrf: session.csrf, message: problem),
            status: .unprocessableContent)
    }

    @Sendable func resetPage(_ request: Request, context: Context) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        guard SecureToken.isWellFormed(token),
            try await accounts.repository.resetUser(tokenHash: SHA256.hex(token), now: pages.now()) != nil
        else {
            return try pages.formPage(
                "nr-reset", title: t["nr_reset_title"], request: request, message: t["nr_reset_invalid"], status: .notFound)
        }
        return try pages.formPage("nr-reset", title: t["nr_reset_title"], request: request, action: NewsroomURLs.reset(token))
    }

    @Sendable func reset(_ request: Request, context: Context) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        let form = try (context.newsroom.form ?? FormQuery(nil)).decode(PasswordResetForm.self)
        var problem = pages.newPasswordProblem(form.password, repeated: form.password2)
        if problem == nil {
            if SecureToken.isWellFormed(token),
                try await accounts.repository.consumeReset(
                    tokenHash: SHA256.hex(token), passwordHash: try await accounts.hasher.hash(form.password), now: pages.now())
            {
                return pages.redirect(NewsroomURLs.login + "?done=1")
            }
            problem = t["nr_reset_invalid"]
        }
        return try pages.formPage(
            "nr-reset", title: t["nr_reset_title"], request: request, message: problem, action: NewsroomURLs.reset(token),
            status: .unprocessableContent)
    }
}
