import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport

@testable import VestnikWeb

/// A webhook receiver on 127.0.0.1 that keeps what it was sent; the first `failing` requests it answers 503 (a
/// receiver that is down behind its proxy).
private final class Receiver: Sendable {
    struct Delivery: Sendable {
        var signature: String
        var event: String
        var id: String
        var body: [UInt8]
    }
    let received = Mutex<[Delivery]>([])
    let failing: Mutex<Int>

    init(failing: Int = 0) { self.failing = Mutex(failing) }

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.post("/hook") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 20)
            self.received.withLock {
                $0.append(
                    Delivery(
                        signature: request.headers[HTTPField.Name("Vestnik-Signature")!] ?? "",
                        event: request.headers[HTTPField.Name("Vestnik-Event")!] ?? "",
                        id: request.headers[HTTPField.Name("Vestnik-Delivery")!] ?? "",
                        body: Array(buffer: body)))
            }
            let down = self.failing.withLock { left in
                defer { left = max(0, left - 1) }
                return left > 0
            }
            if down { return Response(status: .serviceUnavailable, body: ResponseBody(byteBuffer: ByteBuffer(string: "busy"))) }
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "thanks")))
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }
}

/// The receiver's own check, written from the README's description (not with Vestnik's code): HMAC-SHA256 keyed by
/// the secret over "<t>." and the raw body, and a time near the receiver's clock.
private func verifies(_ delivery: Receiver.Delivery, secret: String, now: Date) -> Bool {
    var fields: [String: String] = [:]
    for part in delivery.signature.split(separator: ",") {
        let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
        if pair.count == 2 { fields[pair[0]] = pair[1] }
    }
    guard let t = fields["t"], let time = Int(t), abs(time - Int(now.timeIntervalSince1970)) <= 300, let given = fields["v1"] else {
        return false
    }
    let mac = HMAC<Crypto.SHA256>.authenticationCode(
        for: Array("\(t).".utf8) + delivery.body, using: SymmetricKey(data: Array(secret.utf8)))
    return mac.map { String(format: "%02x", $0) }.joined() == given
}

private func deliveries(_ site: Site) async throws -> [(event: String, status: String, payload: [String: Any])] {
    let rows = try await site.database.read { db in
        try await db.raw("SELECT event, status, payload FROM webhook_deliveries ORDER BY id").all().map {
            (
                try $0.decode(column: "event", as: String.self), try $0.decode(column: "status", as: String.self),
                try $0.decode(column: "payload", as: String.self)
            )
        }
    }
    return rows.map { ($0.0, $0.1, (try? JSONSerialization.jsonObject(with: Data($0.2.utf8))) as? [String: Any] ?? [:]) }
}

@Suite("Webhooks", .enabled(if: Outbound.isAvailable))
struct WebhookTests {
    /// A chief adds a webhook on the newsroom page; returns the signing secret the page showed once.
    private func addHook(_ client: any TestClientProtocol, _ site: Site, url: String, events: [WebhookEvent]) async throws -> String {
        try await createUser(site, "chief@vestnik.bg", role: .chief)
        let chief = NewsroomBrowser(client)
        try await chief.logIn("chief@vestnik.bg")
        try await chief.get(WebhooksController.path)
        let page = try await chief.post(WebhooksController.path, [("url", url)] + events.map { ("event", $0.rawValue) })
        #expect(page.status == .ok)
        let secret = try #require(page.body.components(separatedBy: "<code class=\"nr-token\">").dropFirst().first?.prefix { $0 != "<" })
        #expect(secret.hasPrefix(WebhooksController.secretPrefix))
        return String(secret)
    }

    @Test(
        "a publication queues its event in the same write; a receiver that failed gets it again, signed, from a restarted sender",
        arguments: TestDatabase.all)
    func deliveredAfterFailure(_ kind: TestDatabase) async throws {
        // (A receiver that refuses connections, and a killed server, are e2e test_api.py's webhook test.)
        try await withSite(kind, articles: newsroomSeed, settings: [WebhookDelivery.allowPrivateKey: "on"]) { client, site in
            let receiver = Receiver(failing: 1)
            let (secret, id) = try await receiver.application().test(.live) { receiving -> (String, Int) in
                let port = try #require(receiving.port)
                let secret = try await addHook(client, site, url: "http://127.0.0.1:\(port)/hook", events: [.published])
                // The event exists as soon as the article is published, before anything is sent.
                let saved = try await site.writes.save(
                    article("Новина за уебкукичка"), articleID: nil, baseRevision: 0, by: .system, now: testNow)
                guard case .saved(let id, _) = saved else {
                    Issue.record("not saved: \(saved)")
                    return ("", 0)
                }
                #expect(try await deliveries(site).map(\.event) == ["article.published"])
                // The receiver answers 503: the try fails and waits (10 s, then longer).
                let first = WebhookDelivery(site: site, logger: Logger(label: "test"))
                #expect(try await first.deliverDue() == 0)
                #expect(try await first.deliverDue() == 0)
                // The site's own sender runs beside this test and may have made that try (then these found it
                // claimed): wait until the one try is recorded, whoever made it.
                var failed = try #require(try await WebhookRepository(database: site.database).deliveries().first)
                for _ in 0..<200 where !(failed.status == "queued" && failed.attempts == 1) {
                    try await Task.sleep(for: .milliseconds(50))
                    failed = try #require(try await WebhookRepository(database: site.database).deliveries().first)
                }
                #expect(failed.status == "queued" && failed.attempts == 1 && failed.lastStatus == 503 && failed.lastResponse == "busy")
                #expect(failed.nextAttemptAt.timeIntervalSince(testNow) >= WebhookRepository.retryWaits[0])
                // The server restarts (a new sender over the same database) and tries again a minute later.
                let restarted = WebhookDelivery(site: site, now: { testNow.addingTimeInterval(61) }, logger: Logger(label: "test"))
                #expect(try await restarted.deliverDue() == 1)
                #expect(try await restarted.deliverDue() == 0)
                return (secret, id)
            }
            let got = receiver.received.withLock { $0 }
            try #require(got.count == 2)
            // The same delivery both times, each try signed anew.
            #expect(got[0].id == got[1].id && got[0].body == got[1].body && got[0].signature != got[1].signature)
            #expect(verifies(got[1], secret: secret, now: testNow.addingTimeInterval(61)))
            #expect(!verifies(got[1], secret: secret + "x", now: testNow.addingTimeInterval(61)))
            var tampered = got[1]
            tampered.body += Array(" ".utf8)
            #expect(!verifies(tampered, secret: secret, now: testNow.addingTimeInterval(61)))
            // Replayed an hour later, the signature's time gives it away (Vestnik's own check says the same).
            #expect(!verifies(got[1], secret: secret, now: testNow.addingTimeInterval(3_661)))
            #expect(
                WebhookSignature.verify(got[1].signature, body: got[1].body, secret: secret, now: Int(testNow.timeIntervalSince1970) + 61))
            #expect(
                !WebhookSignature.verify(
                    got[1].signature, body: got[1].body, secret: secret, now: Int(testNow.timeIntervalSince1970) + 3_661))
            #expect(got[1].event == "article.published")
            let payload = try #require(try JSONSerialization.jsonObject(with: Data(got[1].body)) as? [String: Any])
            let body = try #require(payload["article"] as? [String: Any])
            #expect(payload["event"] as? String == "article.published" && body["id"] as? Int == id)
            #expect(body["slug"] as? String == "novina-za-uebkukichka" && body["api"] as? String == "/api/v1/articles/\(id)")
            // The chief sees the delivery with the receiver's answer.
            let chief = NewsroomBrowser(client)
            try await chief.logIn("chief@vestnik.bg")
            let page = try await chief.get(WebhooksController.path).body
            #expect(page.contains("HTTP 200 thanks") && page.contains("article.published"))
            #expect(!page.contains(secret))
            #expect(try await deliveries(site).map(\.status) == ["sent"])
        }
    }

    @Test(
        "a scheduled publication queues the same event as a manual one, once, whichever node wins; updates and unpublishing too",
        arguments: TestDatabase.all)
    func scheduledPublication(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed, settings: [WebhookDelivery.allowPrivateKey: "on"]) { client, site in
            _ = try await addHook(client, site, url: "http://127.0.0.1:9/hook", events: WebhookEvent.allCases)
            let writes = site.writes
            _ = try await writes.save(
                article("Насрочена статия", hoursAgo: 0.1, status: .scheduled), articleID: nil, baseRevision: 0, by: .system, now: testNow)
            #expect(try await deliveries(site).isEmpty)
            // Two nodes' schedulers at once: one publishes it.
            async let one = writes.publishDue(now: testNow)
            async let two = writes.publishDue(now: testNow)
            #expect(try await (one + two).count == 1)
            #expect(try await writes.publishDue(now: testNow).isEmpty)
            let scheduled = try await deliveries(site)
            #expect(scheduled.map(\.event) == ["article.published", "article.schedule_fired"])
            // A manual publication, then an edit and unpublishing.
            guard
                case .saved(let id, let revision) = try await writes.save(
                    article("Ръчна статия"), articleID: nil, baseRevision: 0, by: .system, now: testNow)
            else { Issue.record("not saved"); return }
            _ = try await writes.save(
                article("Ръчна статия", paragraphs: 6), articleID: id, baseRevision: revision, by: .system, now: testNow)
            // A correction changes the published article for its readers: an update too.
            try await writes.addCorrection(to: id, kind: .correction, text: "Поправка на името.", by: .system, now: testNow)
            _ = try await writes.save(
                article("Ръчна статия", status: .unpublished), articleID: id, baseRevision: revision + 1, by: .system, now: testNow)
            let all = try await deliveries(site)
            #expect(
                all.map(\.event) == [
                    "article.published", "article.schedule_fired", "article.published", "article.updated", "article.updated",
                    "article.unpublished",
                ])
            // The scheduled and the manual publication's events have the same members.
            let members = { (payload: [String: Any]) in Set((payload["article"] as? [String: Any] ?? [:]).keys).union(payload.keys) }
            #expect(members(all[0].payload) == members(all[2].payload) && members(all[0].payload).contains("published_at"))
            #expect((all[0].payload["article"] as? [String: Any])?["status"] as? String == "published")
        }
    }

    @Test(
        "only a chief adds webhooks; private addresses are refused unless the setting allows them; both are audited",
        arguments: TestDatabase.all)
    func rules(_ kind: TestDatabase) async throws {
        try await withSite(kind, articles: newsroomSeed) { client, site in
            try await createUser(site, "chief@vestnik.bg", role: .chief)
            try await createUser(site, "editor@vestnik.bg", role: .editor)
            let editor = NewsroomBrowser(client)
            try await editor.logIn("editor@vestnik.bg")
            #expect(try await editor.get(WebhooksController.path).status == .forbidden)
            #expect(
                try await editor.post(WebhooksController.path, [("url", "https://example.bg/"), ("event", "article.published")]).status
                    == .forbidden)
            let chief = NewsroomBrowser(client)
            try await chief.logIn("chief@vestnik.bg")
            try await chief.get(WebhooksController.path)
            for url in [
                "http://127.0.0.1:8080/", "http://0x7f.1/", "http://[::ffff:10.0.0.1]/", "ftp://example.bg/", "http://169.254.169.254/",
            ] {
                let refused = try await chief.post(WebhooksController.path, [("url", url), ("event", "article.published")])
                #expect(refused.status == .unprocessableContent, "\(url)")
            }
            #expect(
                try await chief.post(
                    WebhooksController.path, [("url", "http://127.0.0.1:8080/"), ("event", "article.published")], csrf: "x"
                ).status == .forbidden)
            #expect(try await WebhookRepository(database: site.database).list().isEmpty)
            try await site.settings.set(WebhookDelivery.allowPrivateKey, to: "on")
            #expect(
                try await chief.post(WebhooksController.path, [("url", "http://127.0.0.1:8080/"), ("event", "article.published")]).status
                    == .ok)
            let hook = try #require(try await WebhookRepository(database: site.database).list().first)
            #expect(try await chief.post("\(WebhooksController.path)/\(hook.id)/remove", []).status == .ok)
            #expect(try await WebhookRepository(database: site.database).list().isEmpty)
            let audit = try await site.database.read { db in
                try await db.raw("SELECT action FROM audit_log WHERE action LIKE 'webhook%' ORDER BY id").all().map {
                    try $0.decode(column: "action", as: String.self)
                }
            }
            #expect(audit == ["webhook_created", "webhook_removed"])
        }
    }
}
