import Crypto
import Foundation
import VestnikCore
import VestnikStore

/// Seals TOTP secrets before they reach the database, so that a dump or a backup of it alone signs nobody in: AES-GCM
/// (swift-crypto) under a 32-byte key that the database never holds, from `VESTNIK_SECRET_KEY` (64 hex digits; every
/// node of a site needs the same one, e.g. `openssl rand -hex 32`). Without a key the secrets are stored as they are,
/// marked `plain:`, and the two-factor page and the server's log say so; once a key is set, new enrolments are sealed
/// and old plain ones still open. A sealed secret is bound to its user (the user id is the authenticated data), so
/// copying one user's column onto another's does not work.
public struct TOTPSecretBox: Sendable {
    let key: SymmetricKey?

    public init(key: [UInt8]?) { self.key = key.map { SymmetricKey(data: $0) } }

    /// The key from `VESTNIK_SECRET_KEY`; nil when it is unset. A value that is not 64 hex digits is an error: the
    /// operator meant to seal, and must not be left with secrets silently stored plain.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> TOTPSecretBox {
        guard let text = environment["VESTNIK_SECRET_KEY"]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else {
            return TOTPSecretBox(key: nil)
        }
        guard let bytes = hexBytes(text), bytes.count == 32 else {
            throw InvalidInput("VESTNIK_SECRET_KEY must be 64 hexadecimal digits (32 bytes), e.g. from `openssl rand -hex 32`")
        }
        return TOTPSecretBox(key: bytes)
    }

    /// Whether secrets are sealed (a key is set).
    public var seals: Bool { key != nil }

    public func seal(_ secret: [UInt8], userID: Int) throws -> String {
        guard let key else { return "plain:" + Hex.encode(secret) }
        let box = try AES.GCM.seal(secret, using: key, authenticating: Array(String(userID).utf8))
        guard let combined = box.combined else { throw InvalidInput("the secret could not be sealed") }
        return "gcm:" + Hex.encode(Array(combined))
    }

    /// The secret, or nil when it cannot be opened (no key or another key, or not this user's).
    public func open(_ sealed: String, userID: Int) -> [UInt8]? {
        if sealed.hasPrefix("plain:") { return Self.hexBytes(String(sealed.dropFirst(6))) }
        guard sealed.hasPrefix("gcm:"), let key, let bytes = Self.hexBytes(String(sealed.dropFirst(4))),
            let box = try? AES.GCM.SealedBox(combined: bytes),
            let secret = try? AES.GCM.open(box, using: key, authenticating: Array(String(userID).utf8))
        else { return nil }
        return Array(secret)
    }

    /// Lowercase or uppercase hex of an even length; nil for anything else.
    static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0, digits.count <= 4096 else { return nil }
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x61...0x66: c - 0x61 + 10
            case 0x41...0x46: c - 0x41 + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        for i in stride(from: 0, to: digits.count, by: 2) {
            guard let high = value(digits[i]), let low = value(digits[i + 1]) else { return nil }
            out.append(high << 4 | low)
        }
        return out
    }
}
