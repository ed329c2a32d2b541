import Foundation
import VestnikStore

/// Slows down password guessing without letting strangers lock a user out. Each attempt counts under keys:
/// - `pair:` the account from this client (the real client behind trusted proxies, `ClientAddress`): 3 free failures;
/// - `client:` this client over every account: 10 free;
/// - `account:` the account from every client, the slowdown a guesser spread over many addresses meets: 10 free.
/// A browser that signed in to the account before (its device cookie is known, `AccountRepository.isKnownDevice`)
/// counts only under `device:`, its own record on that account, so neither guesses from elsewhere nor a shared proxy
/// address ever block its owner. After the free failures in 15 minutes the next try waits 5 s after the last, twice
/// as long after each further failure, up to 15 minutes. The check and the record are one serialised transaction
/// (`AccountRepository.reserveLoginAttempt`): parallel guesses are counted before any password is checked.
struct LoginThrottle: Sendable {
    let accounts: AccountRepository
    static let window: TimeInterval = 15 * 60
    static let freeFailuresPerPair = 3
    static let freeFailuresPerClient = 10
    static let freeFailuresPerAccount = 10
    /// The cookie that marks a browser which signed in before, and how long it is kept.
    static let deviceCookie = "vestnik_device"
    static let deviceLifetime: TimeInterval = 365 * 86_400

    /// The keys of one attempt; `own` is this client's record on the account, forgotten after a successful sign-in.
    struct Keys: Equatable {
        var all: [String]
        var own: String
    }

    /// `knownDevice`: the digest of the device cookie, when it signed in to this account before.
    static func keys(email: String, client: String, knownDevice: String?) -> Keys {
        let email = String(email.prefix(254))
        if let knownDevice {
            let own = "device:" + knownDevice + " " + email
            return Keys(all: [own], own: own)
        }
        let own = "pair:" + email + " " + client
        return Keys(all: [own, "client:" + client, "account:" + email], own: own)
    }

    /// How long after the last attempt the next may come, after `attempts` under `key` in the window; nil: at once.
    static func delay(key: String, attempts: Int) -> TimeInterval? {
        let free =
            key.hasPrefix("client:") ? freeFailuresPerClient : key.hasPrefix("account:") ? freeFailuresPerAccount : freeFailuresPerPair
        guard attempts >= free else { return nil }
        return min(window, 5 * pow(2, Double(min(attempts - free, 20))))
    }

    /// Lets the attempt through and records it, or says how many seconds to wait.
    func reserve(_ keys: Keys, now: Date) async throws -> LoginReservation {
        try await accounts.reserveLoginAttempt(
            keys: keys.all, since: now.addingTimeInterval(-Self.window), now: now, delay: { Self.delay(key: $0, attempts: $1) })
    }
}
