import Foundation
import VestnikStore

/// Slows down password guessing: after a few failures in 15 minutes, an account or an address must wait before the
/// next try, twice as long after each further failure (5 s, 10 s, 20 s … up to 15 minutes).
struct LoginThrottle: Sendable {
    let accounts: AccountRepository
    static let window: TimeInterval = 15 * 60
    static let freeFailuresPerAccount = 3
    static let freeFailuresPerAddress = 10

    static func keys(email: String, address: String?) -> [String] {
        ["email:" + email, "addr:" + (address ?? "unknown")]
    }

    /// Seconds to wait before another try is allowed, or nil.
    func wait(keys: [String], now: Date) async throws -> TimeInterval? {
        var longest: TimeInterval = 0
        for key in keys {
            let free = key.hasPrefix("email:") ? Self.freeFailuresPerAccount : Self.freeFailuresPerAddress
            let (count, last) = try await accounts.failures(key: key, since: now.addingTimeInterval(-Self.window))
            guard count >= free, let last else { continue }
            let delay = min(Self.window, 5 * pow(2, Double(min(count - free, 20))))
            longest = max(longest, last.addingTimeInterval(delay).timeIntervalSince(now))
        }
        return longest > 0 ? longest : nil
    }
}
