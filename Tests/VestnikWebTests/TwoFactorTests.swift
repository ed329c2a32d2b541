import Foundation
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport

@testable import VestnikWeb

/// RFC 4648 base32 back to bytes (the test reads the key off the enrolment page, as a person types it into an app).
private func base32Decode(_ text: String) -> [UInt8] {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    var out: [UInt8] = []
    var buffer: UInt32 = 0
    var bits = 0
    for character in text.uppercased() where character != " " && character != "=" {
        guard let value = alphabet.firstIndex(of: character) else { continue }
        buffer = buffer << 5 | UInt32(value)
        bits += 5
        if bits >= 8 {
            out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits - 8)))
            bits -= 8
        }
    }
    return out
}

/// The key an enrolment page shows, as bytes.
private func shownSecret(_ page: String) throws -> [UInt8] {
    let start = try #require(page.range(of: "<code id=\"totp-key\">"))
    let end = try #require(page[start.upperBound...].range(of: "</code>"))
    return base32Decode(String(page[start.upperBound..<end.lowerBound]))
}

/// `oathtool` (Debian's oath-toolkit), an independent TOTP implementation: its code for `secret` at `date`.
private func oathtool(_ secret: [UInt8], at date: Date, digits: Int = 6) throws -> String {
    // `ChildProcess`, not Foundation's `Process` (swift-corelibs-foundation #5472 crashed the whole test run in CI).
    let arguments = ["oathtool", "--totp", "-d", String(digits), "-N", "@\(Int(date.timeIntervalSince1970))", Hex.encode(secret)]
    let child = try ChildProcess("/usr/bin/env", arguments: arguments, environment: ProcessInfo.processInfo.environment, takesInput: false)
    let output = ChildProcess.readAll(child.output, keep: 4_096)
    _ = ChildProcess.readAll(child.errors, keep: 0)
    #expect(child.wait() == 0, "oathtool must be installed (Debian package oathtool; .ci/run installs it)")
    return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

@Suite("Two-factor sign-in (TOTP)")
struct TwoFactorTests {
    @Test("RFC 6238 appendix B: the SHA-1 test vectors, 8 digits")
    func rfcVectors() {
        let totp = TOTP(secret: Array("12345678901234567890".utf8), digits: 8)
        let vectors: [(TimeInterval, String)] = [
            (59, "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"), (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"), (20_000_000_000, "65353130"),
        ]
        for (seconds, code) in vectors { #expect(totp.code(at: Date(timeIntervalSince1970: seconds)) == code) }
        // RFC 4226 appendix D: HOTP of counters 0 and 9, 6 digits.
        let hotp = TOTP(secret: Array("12345678901234567890".utf8))
        #expect(hotp.code(counter: 0) == "755224" && hotp.code(counter: 9) == "520489")
        #expect(Base32.encode(Array("foobar".utf8)) == "MZXW6YTBOI" && Base32.encode(Array("f".utf8)) == "MY")
    }

    @Test("oathtool computes the same codes as we do for our own secrets")
    func sameAsOathtool() throws {
        for round in 0..<5 {
            let secret = TOTP.newSecret()
            let at = testNow.addingTimeInterval(Double(round) * 7_919)
            #expect(try oathtool(secret, at: at) == TOTP(secret: secret).code(at: at))
            #expect(try oathtool(secret, at: at, digits: 8) == TOTP(secret: secret, digits: 8).code(at: at))
        }
    }

    @Test("a code is taken within a step of now, once; other input is refused")
    func matching() {
        let totp = TOTP(secret: TOTP.newSecret())
        let step = totp.step(at: testNow)
        #expect(totp.matchingStep(totp.code(at: testNow), now: testNow, after: nil) == step)
        #expect(totp.matchingStep(totp.code(at: testNow.addingTimeInterval(-30)), now: testNow, after: nil) == step - 1)
        #expect(totp.matchingStep(totp.code(at: testNow.addingTimeInterval(-90)), now: testNow, after: nil) == nil)
        #expect(totp.matchingStep(totp.code(at: testNow), now: testNow, after: step) == nil)
        #expect(totp.matchingStep("12345", now: testNow, after: nil) == nil)
        #expect(totp.matchingStep("１２３４５６", now: testNow, after: nil) == nil)
    }

    @Test("a sealed secret opens only with its key and for its user; without a key it is marked plain")
    func sealing() throws {
        let secret = TOTP.newSecret()
        let box = TOTPSecretBox(key: Array(repeating: 7, count: 32))
        let sealed = try box.seal(secret, userID: 3)
        #expect(sealed.hasPrefix("gcm:") && !sealed.contains(Hex.encode(secret)))
        #expect(box.open(sealed, userID: 3) == secret)
        #expect(box.open(sealed, userID: 4) == nil)
        #expect(TOTPSecretBox(key: Array(repeating: 8, count: 32)).open(sealed, userID: 3) == nil)
        #expect(TOTPSecretBox(key: nil).open(sealed, userID: 3) == nil)
        #expect(try TOTPSecretBox(key: nil).seal(secret, userID: 3) == "plain:" + Hex.encode(secret))
        #expect(throws: InvalidInput.self) { try TOTPSecretBox.fromEnvironment(["VESTNIK_SECRET_KEY": "abc"]) }
        #expect(try TOTPSecretBox.fromEnvironment(["VESTNIK_SECRET_KEY": String(repeating: "ab", count: 32)]).seals)
        #expect(try !TOTPSecretBox.fromEnvironment([:]).seals)
    }

    @Test(
        "enrol with the key shown, sign in with a code as a second step, a code works once, recovery codes once",
        arguments: TestDatabase.all)
    func enrolAndSignIn(_ kind: TestDatabase) async throws {
        let key = Array(repeating: UInt8(42), count: 32)
        try await withSite(kind, articles: newsroomSeed, secrets: TOTPSecretBox(key: key)) { client, site in
            try await createUser(site, "author@vestnik.bg", role: .author, name: "Ана Автор")
            let id = try #require(try await StaffService(database: site.database).member(email: "author@vestnik.bg")).user.id
            let ana = NewsroomBrowser(client)
            try await ana.logIn("author@vestnik.bg")
            #expect(try await ana.get(NewsroomURLs.password).body.contains(NewsroomURLs.twoFactor))
            let page = try await ana.get(NewsroomURLs.twoFactor)
            #expect(page.status == .ok && page.body.contains("name=\"code\""))
            if QRCode.problem == nil { #expect(page.body.contains("<svg") && page.body.contains("<path d=\"M")) }
            let secret = try shownSecret(page.body)
            #expect(secret.count == 20)
            // Reloading shows the same key, and the database holds it only sealed.
            #expect(try shownSecret(try await ana.get(NewsroomURLs.twoFactor).body) == secret)
            let stored = try #require(try await site.twoFactor.repository.state(userID: id).sealedPending)
            #expect(stored.hasPrefix("gcm:") && !stored.contains(Hex.encode(secret)))

            let wrong = try await ana.post(NewsroomURLs.twoFactor + "/confirm", [("code", "000000")])
            #expect(wrong.status == .unprocessableContent && wrong.body.contains("Кодът не е верен"))
            let totp = TOTP(secret: secret)
            let confirmed = try await ana.post(NewsroomURLs.twoFactor + "/confirm", [("code", totp.code(at: testNow))])
            #expect(confirmed.status == .ok && confirmed.body.contains("Кодове за възстановяване"))
            let codesList = try #require(confirmed.body.range(of: "id=\"recovery-codes\">"))
            let recovery = confirmed.body[codesList.upperBound...].components(separatedBy: "<code>").dropFirst().compactMap {
                $0.components(separatedBy: "</code>").first
            }
            #expect(recovery.count == TwoFactor.recoveryCodeCount)
            #expect(try await site.twoFactor.repository.state(userID: id).sealedSecret?.hasPrefix("gcm:") == true)

            // The password alone makes no session: the code is asked next.
            let again = NewsroomBrowser(client)
            let first = try await again.logIn("author@vestnik.bg")
            #expect(first.status == .seeOther && first.location == NewsroomURLs.loginCode)
            #expect(again.cookies["vestnik_session"] == nil)
            #expect(try await again.get(NewsroomURLs.home).status == .seeOther)
            #expect(try await again.get(NewsroomURLs.loginCode).body.contains("name=\"code\""))
            let bad = try await again.post(NewsroomURLs.loginCode, [("code", "123456")])
            #expect(bad.status == .unauthorized && again.cookies["vestnik_session"] == nil)
            // The code used to confirm was used already: refused.
            #expect(try await again.post(NewsroomURLs.loginCode, [("code", totp.code(at: testNow))]).status == .unauthorized)
            let next = totp.code(at: testNow.addingTimeInterval(30))
            let done = try await again.post(NewsroomURLs.loginCode, [("code", next)])
            #expect(done.status == .seeOther && done.location == NewsroomURLs.home)
            #expect(try await again.get(NewsroomURLs.home).status == .ok)
            // The challenge is spent, and so is that code.
            #expect(try await again.post(NewsroomURLs.loginCode, [("code", next)]).status == .unauthorized)
            let replay = NewsroomBrowser(client)
            try await replay.logIn("author@vestnik.bg")
            #expect(try await replay.post(NewsroomURLs.loginCode, [("code", next)]).status == .unauthorized)

            // A recovery code signs in once.
            let lost = NewsroomBrowser(client)
            try await lost.logIn("author@vestnik.bg")
            #expect(try await lost.post(NewsroomURLs.loginCode, [("code", recovery[0].uppercased())]).status == .seeOther)
            let lostAgain = NewsroomBrowser(client)
            try await lostAgain.logIn("author@vestnik.bg")
            #expect(try await lostAgain.post(NewsroomURLs.loginCode, [("code", recovery[0])]).status == .unauthorized)
            #expect(try await site.twoFactor.repository.state(userID: id).recoveryCodesLeft == TwoFactor.recoveryCodeCount - 1)

            // Turning it off takes the password.
            #expect(try await ana.post(NewsroomURLs.twoFactor + "/disable", [("current", "грешна-парола")]).status == .unprocessableContent)
            #expect(try await ana.post(NewsroomURLs.twoFactor + "/disable", [("current", "много-тайна-парола")]).status == .ok)
            #expect(try await NewsroomBrowser(client).logIn("author@vestnik.bg").location == NewsroomURLs.home)
        }
    }

    @Test("the code step is throttled like the password", arguments: TestDatabase.all)
    func throttled(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            try await createUser(site, "editor@vestnik.bg", role: .editor)
            let id = try #require(try await StaffService(database: site.database).member(email: "editor@vestnik.bg")).user.id
            let secret = try await site.twoFactor.pendingSecret(userID: id)
            #expect(try await site.twoFactor.confirm(userID: id, code: TOTP(secret: secret).code(at: testNow), now: testNow) != nil)
            let guesser = NewsroomBrowser(client)
            try await guesser.logIn("editor@vestnik.bg")
            var statuses: [Int] = []
            for guess in ["111111", "222222", "333333", "444444"] {
                statuses.append(try await guesser.post(NewsroomURLs.loginCode, [("code", guess)]).status.code)
            }
            #expect(statuses == [401, 401, 401, 429])
            let right = TOTP(secret: secret).code(at: testNow.addingTimeInterval(30))
            #expect(try await guesser.post(NewsroomURLs.loginCode, [("code", right)]).status == .tooManyRequests)
        }
    }

    @Test("required for editors: sent to enrol before anything else; a chief resets a lost phone, audited", arguments: TestDatabase.all)
    func requiredAndReset(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            try await createUser(site, "chief@vestnik.bg", role: .chief, name: "Главна")
            try await createUser(site, "editor@vestnik.bg", role: .editor, name: "Елена Редактор")
            try await createUser(site, "author@vestnik.bg", role: .author)
            let staff = StaffService(database: site.database)
            let editorID = try #require(try await staff.member(email: "editor@vestnik.bg")).user.id
            let authorID = try #require(try await staff.member(email: "author@vestnik.bg")).user.id
            try await site.settings.set(TwoFactor.requiredKey, to: "yes")
            let editor = NewsroomBrowser(client)
            #expect(try await editor.logIn("editor@vestnik.bg").status == .seeOther)
            #expect(try await editor.get(NewsroomURLs.home).location == NewsroomURLs.twoFactor)
            #expect(try await editor.get(NewsroomURLs.newArticle).location == NewsroomURLs.twoFactor)
            let page = try await editor.get(NewsroomURLs.twoFactor)
            #expect(page.status == .ok && page.body.contains("изисква двустепенен вход"))
            // An author is not asked.
            let author = NewsroomBrowser(client)
            try await author.logIn("author@vestnik.bg")
            #expect(try await author.get(NewsroomURLs.home).status == .ok)
            let secret = try shownSecret(page.body)
            #expect(
                try await editor.post(NewsroomURLs.twoFactor + "/confirm", [("code", TOTP(secret: secret).code(at: testNow))]).status == .ok
            )
            #expect(try await editor.get(NewsroomURLs.home).status == .ok)

            // The chief resets it: the editor's sessions end and the next sign-in is by password, then enrolment again.
            // The chief is held to the rule too: enrolled here, signing in with a code.
            let chiefID = try #require(try await staff.member(email: "chief@vestnik.bg")).user.id
            let chiefSecret = try await site.twoFactor.pendingSecret(userID: chiefID)
            #expect(
                try await site.twoFactor.confirm(userID: chiefID, code: TOTP(secret: chiefSecret).code(at: testNow), now: testNow) != nil)
            let chief = NewsroomBrowser(client)
            #expect(try await chief.logIn("chief@vestnik.bg").location == NewsroomURLs.loginCode)
            let chiefCode = TOTP(secret: chiefSecret).code(at: testNow.addingTimeInterval(30))
            #expect(try await chief.post(NewsroomURLs.loginCode, [("code", chiefCode)]).location == NewsroomURLs.home)
            let users = try await chief.get(NewsroomURLs.users)
            #expect(users.body.contains(NewsroomURLs.user(editorID, "two-factor/reset")))
            #expect(!users.body.contains(NewsroomURLs.user(authorID, "two-factor/reset")))
            #expect(try await author.post(NewsroomURLs.user(editorID, "two-factor/reset"), []).status == .forbidden)
            let reset = try await chief.post(NewsroomURLs.user(editorID, "two-factor/reset"), [])
            #expect(reset.status == .ok && reset.body.contains("Двустепенният вход на Елена Редактор е нулиран"))
            #expect(try await editor.get(NewsroomURLs.home).location?.hasPrefix(NewsroomURLs.login) == true)
            let back = NewsroomBrowser(client)
            #expect(try await back.logIn("editor@vestnik.bg").location == NewsroomURLs.home)
            #expect(try await back.get(NewsroomURLs.home).location == NewsroomURLs.twoFactor)
            let log = try await chief.get(NewsroomURLs.home + "/audit").body
            #expect(log.contains("нулира двустепенния вход на") && log.contains("Елена Редактор &lt;editor@vestnik.bg&gt;"))
            #expect(log.contains("включи двустепенния си вход"))
        }
    }
}
