import Crypto
import Foundation
import Logging
import ServiceLifecycle
import VestnikCore
import VestnikStore

/// How a receiver knows a delivery came from this site and is fresh: the header
/// `Vestnik-Signature: t=<Unix seconds>,v1=<hex HMAC-SHA256 of "<t>." followed by the body, keyed by the hook's secret>`.
/// A receiver recomputes it over the raw body, compares in constant time, and refuses a `t` more than five minutes
/// from its clock (a replayed old delivery). Each try is signed anew, with its own time.
public enum WebhookSignature {
    public static let header = "Vestnik-Signature"
    /// How far from the receiver's clock a signature's time may be.
    public static let tolerance = 300

    public static func sign(body: [UInt8], secret: String, timestamp: Int) -> String {
        let mac = HMAC<Crypto.SHA256>.authenticationCode(
            for: Array("\(timestamp).".utf8) + body, using: SymmetricKey(data: Array(secret.utf8)))
        return "t=\(timestamp),v1=\(Hex.encode(Array(mac)))"
    }

    /// What a receiver does (the README shows the same in Python).
    public static func verify(_ header: String, body: [UInt8], secret: String, now: Int) -> Bool {
        var fields: [Substring: Substring] = [:]
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            if pair.count == 2 { fields[pair[0]] = pair[1] }
        }
        guard let t = fields["t"].flatMap({ Int($0) }), abs(now - t) <= tolerance, let given = fields["v1"] else { return false }
        let expected = sign(body: body, secret: secret, timestamp: t)
        return SecureToken.equal(String(expected.split(separator: "=").last ?? ""), String(given))
    }
}

/// Beside the HTTP server, sends the webhook deliveries that are due (every few seconds, at most four at once),
/// through `Outbound`: a receiver's 2xx is delivered; anything else, or no answer, is retried with growing waits for
/// a day (`WebhookRepository.retryWaits`). Deliveries are claimed by one node at a time, so each goes out once.
public struct WebhookDelivery: Service {
    let hooks: WebhookRepository
    let settings: SettingsRepository
    let now: @Sendable () -> Date
    let interval: Duration
    let logger: Logger

    /// The setting that lets webhooks reach loopback and private addresses (`on`); off by default.
    public static let allowPrivateKey = SettingRules.webhooksAllowPrivateKey
    /// Deliveries sent at once by one node.
    static let concurrency = 4

    /// `now` replaces the site's clock (tests stand a minute later to see a retry).
    public init(site: Site, interval: Duration = .seconds(5), now: (@Sendable () -> Date)? = nil, logger: Logger) {
        hooks = WebhookRepository(database: site.database)
        settings = site.settings
        self.now = now ?? site.now
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        if !Outbound.isAvailable { logger.warning("webhooks are off: \(Outbound.curl) is not installed; deliveries wait for it") }
        await repeatUntilShutdown(every: interval, logger: logger, job: "webhooks", failure: "webhook delivery failed") {
            try await deliverDue()
        }
    }

    /// The policy deliveries are sent with (the setting is read for every round: no restart).
    func policy() async throws -> Outbound.Policy {
        Outbound.Policy(allowPrivate: try await settings.value(Self.allowPrivateKey) == "on", timeout: 15, maxResponseBytes: 64 << 10)
    }

    /// Sends every delivery due now, once; returns how many were delivered.
    @discardableResult
    public func deliverDue() async throws -> Int {
        guard Outbound.isAvailable else { return 0 }
        let policy = try await policy()
        let due = try await hooks.claimDue(now: now())
        var delivered = 0
        for batch in stride(from: 0, to: due.count, by: Self.concurrency).map({ due[$0..<min($0 + Self.concurrency, due.count)] }) {
            delivered += try await withThrowingTaskGroup(of: Bool.self) { group in
                for delivery in batch { group.addTask { try await send(delivery, policy: policy) } }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
        }
        return delivered
    }

    private func send(_ delivery: WebhookDeliveryRecord, policy: Outbound.Policy) async throws -> Bool {
        let body = Array(delivery.payload.utf8)
        let request = Outbound.Request(
            method: "POST", url: delivery.url,
            headers: [
                ("Content-Type", "application/json"), ("Vestnik-Event", delivery.event), ("Vestnik-Delivery", String(delivery.id)),
                (
                    WebhookSignature.header,
                    WebhookSignature.sign(body: body, secret: delivery.secret, timestamp: Int(now().timeIntervalSince1970))
                ),
            ], body: body)
        do {
            let response = try await Outbound.send(request, policy: policy)
            let answer = String(decoding: response.body.prefix(WebhookRepository.responseShown), as: UTF8.self)
            if (200..<300).contains(response.status) {
                try await hooks.markDelivered(delivery.id, status: response.status, response: answer, now: now())
                return true
            }
            try await hooks.markFailed(
                delivery.id, attempts: delivery.attempts, status: response.status, response: answer, error: "HTTP \(response.status)",
                now: now())
        } catch let failure as Outbound.Failure {
            logger.warning("a webhook was not delivered", metadata: ["id": "\(delivery.id)", "error": "\(failure)"])
            try await hooks.markFailed(
                delivery.id, attempts: delivery.attempts, status: nil, response: nil, error: "\(failure)", now: now())
        }
        return false
    }
}
