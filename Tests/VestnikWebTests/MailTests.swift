import Foundation
import Logging
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport

@testable import VestnikWeb

/// A `sendmail -t`-compatible program that appends each message it reads to `file` (as a local MTA's queue would).
private func appendingTo(_ file: URL) -> MailTransport {
    MailTransport(command: ["/bin/sh", "-c", "cat >> '\(file.path)'; echo '<<<end>>>' >> '\(file.path)'"])
}

private func outboxRows(_ site: Site) async throws -> [(recipient: String, body: String, status: String)] {
    try await site.database.read { db in
        try await db.raw("SELECT recipient, body, status FROM mail_outbox ORDER BY id").all().map {
            (
                try $0.decode(column: "recipient", as: String.self), try $0.decode(column: "body", as: String.self),
                try $0.decode(column: "status", as: String.self)
            )
        }
    }
}

/// Polls until `condition` holds (the reset link is queued after the page has answered), at most 10 s.
private func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
    for _ in 0..<200 {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return false
}

@Suite("E-mail: forgotten passwords and the outbox")
struct MailTests {
    @Test(
        "«forgot password» answers the same for any address; a staff address gets a link on the configured site",
        arguments: TestDatabase.all)
    func forgotPassword(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            try await site.settings.set(SettingKeys.publicURL, to: "https://vestnik.example")
            try await createUser(site, "ivan@vestnik.bg", role: .author, name: "Иван")
            let browser = NewsroomBrowser(client)
            #expect(try await browser.get(NewsroomURLs.login).body.contains("/newsroom/forgot"))
            try await browser.get("/newsroom/forgot")
            let known = try await browser.post("/newsroom/forgot", [("email", "Ivan@Vestnik.bg ")])
            let unknown = try await browser.post("/newsroom/forgot", [("email", "nobody@vestnik.bg")])
            #expect(known.status == .ok && unknown.status == .ok)
            let answer = { (body: String) in body.components(separatedBy: "nr-info")[1].prefix(200) }
            #expect(answer(known.body) == answer(unknown.body))
            #expect(try await eventually { try await outboxRows(site).count == 1 })
            let row = try #require(try await outboxRows(site).first)
            #expect(row.recipient == "ivan@vestnik.bg" && row.status == "queued")
            let link = try #require(row.body.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("https://") }.map(String.init))
            #expect(link.hasPrefix("https://vestnik.example/newsroom/reset/"))
            // The link sets a password once.
            let path = String(link.dropFirst("https://vestnik.example".count))
            try await browser.get(path)
            let set = try await browser.post(path, [("password", "съвсем-нова-парола-7"), ("password2", "съвсем-нова-парола-7")])
            #expect(set.status == .seeOther)
            #expect(try await browser.get(path).status == .notFound)
            #expect(try await browser.logIn("ivan@vestnik.bg", "съвсем-нова-парола-7").status == .seeOther)
            // Nothing more was queued for the unknown address.
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await outboxRows(site).count == 1)
        }
    }

    @Test("asking again and again for one address waits", arguments: TestDatabase.all)
    func forgotIsRateLimited(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            let browser = NewsroomBrowser(client)
            try await browser.get("/newsroom/forgot")
            for _ in 0..<ForgotPasswordController.freePerAddress {
                #expect(try await browser.post("/newsroom/forgot", [("email", "ivan@vestnik.bg")]).status == .ok)
            }
            #expect(try await browser.post("/newsroom/forgot", [("email", "ivan@vestnik.bg")]).status == .tooManyRequests)
            #expect(try await browser.post("/newsroom/forgot", [("email", "petar@vestnik.bg")]).status == .ok)
        }
    }

    @Test(
        "the outbox sends through a sendmail program, retries a failure later, and a new node sends what an old one left",
        arguments: TestDatabase.all)
    func delivery(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            try await site.settings.set(MailTransport.Keys.from, to: "redakcia@vestnik.bg")
            let outbox = MailOutbox(database: site.database)
            try await outbox.enqueue(to: "ivan@vestnik.bg", subject: "Първо писмо", body: "Текст на писмото.", now: site.now())
            // The relay is down: the try fails and waits a minute.
            let down = MailDelivery(site: site, transport: MailTransport(command: ["/bin/false"]), logger: Logger(label: "test"))
            #expect(try await down.deliverDue() == 0)
            #expect(try await down.deliverDue() == 0)
            let troubles = try await outbox.troubles()
            #expect(troubles.count == 1 && troubles[0].mail.attempts == 1 && !troubles[0].givenUp)
            // The chief sees it on the staff page.
            try await createUser(site, "chief@vestnik.bg", role: .chief)
            let chief = NewsroomBrowser(client)
            try await chief.logIn("chief@vestnik.bg")
            let staff = try await chief.get(NewsroomURLs.users).body
            #expect(staff.contains("Писма, които не са изпратени") && staff.contains("ivan@vestnik.bg") && staff.contains("/bin/false"))
            // A minute later, another node (a new delivery over the same database) with a working program sends it.
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vestnik-mail-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let spool = folder.appendingPathComponent("spool")
            let up = MailDelivery(
                site: site, transport: appendingTo(spool), now: { site.now().addingTimeInterval(61) }, logger: Logger(label: "test"))
            #expect(try await up.deliverDue() == 1)
            #expect(try await up.deliverDue() == 0)
            let message = try String(contentsOf: spool, encoding: .utf8)
            #expect(message.components(separatedBy: "<<<end>>>").count == 2)
            #expect(message.contains("To: <ivan@vestnik.bg>") && message.contains("Content-Transfer-Encoding: base64"))
            #expect(try await outboxRows(site).first?.status == "sent")
            #expect(try await outbox.troubles().isEmpty)
        }
    }

    @Test("without a way to send, the staff page says so and messages wait", arguments: TestDatabase.all)
    func mailOff(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            try await createUser(site, "chief@vestnik.bg", role: .chief)
            let chief = NewsroomBrowser(client)
            try await chief.logIn("chief@vestnik.bg")
            #expect(try await chief.get(NewsroomURLs.users).body.contains("Изпращането на писма не е настроено"))
            try await MailOutbox(database: site.database).enqueue(to: "ivan@vestnik.bg", subject: "x", body: "y", now: site.now())
            #expect(try await MailDelivery(site: site, transport: MailTransport(), logger: Logger(label: "test")).deliverDue() == 0)
            #expect(try await outboxRows(site).first?.status == "queued")
        }
    }
}
