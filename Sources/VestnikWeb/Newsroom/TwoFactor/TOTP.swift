import Crypto
import Foundation

/// Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP), as authenticator apps make them: HMAC-SHA1 of
/// the 30-second step since 1970, dynamically truncated to 6 digits. The HMAC is swift-crypto's; this type only
/// counts steps and truncates. (hummingbird-auth's `HummingbirdOTP` keys the HMAC with a `String`'s UTF-8, so a
/// random 20-byte secret, which is rarely valid UTF-8, cannot be its key; it would also add swift-extras-base64.)
public struct TOTP: Sendable {
    /// The shared secret: 20 random bytes (160 bits, RFC 4226's recommendation).
    public let secret: [UInt8]
    public var digits = 6
    public var period: TimeInterval = 30

    public init(secret: [UInt8], digits: Int = 6) {
        self.secret = secret
        self.digits = digits
    }

    /// A new random secret from the system's CSPRNG.
    public static func newSecret() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<20).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// The time step that `date` falls in.
    public func step(at date: Date) -> UInt64 { UInt64(max(0, (date.timeIntervalSince1970 / period).rounded(.down))) }

    /// RFC 4226 HOTP of `counter`, zero-padded to `digits`.
    public func code(counter: UInt64) -> String {
        var message = [UInt8](repeating: 0, count: 8)
        for i in 0..<8 { message[i] = UInt8(truncatingIfNeeded: counter >> (56 - 8 * UInt64(i))) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let value =
            UInt32(mac[offset] & 0x7F) << 24 | UInt32(mac[offset + 1]) << 16 | UInt32(mac[offset + 2]) << 8 | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus &*= 10 }
        let text = String(value % modulus)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    /// The code at `date`.
    public func code(at date: Date) -> String { code(counter: step(at: date)) }

    /// The step whose code `typed` is, within one step either side of `now` (a phone's clock may be a little off),
    /// and later than `after` (a code is accepted once: the step last used is remembered). Nil when none matches.
    public func matchingStep(_ typed: String, now: Date, after: UInt64?) -> UInt64? {
        let typed = typed.filter { !$0.isWhitespace }
        guard typed.count == digits, typed.allSatisfy(\.isASCII), typed.allSatisfy(\.isNumber) else { return nil }
        let current = step(at: now)
        for step in [current, current &- 1, current &+ 1] where step <= current &+ 1 {
            if let after, step <= after { continue }
            if SecureToken.equal(code(counter: step), typed) { return step }
        }
        return nil
    }

    /// The `otpauth://` address an authenticator app reads from the QR code (Google Authenticator's key URI format).
    public func authenticatorURI(account: String, issuer: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~@")
        let issuer = issuer.addingPercentEncoding(withAllowedCharacters: allowed) ?? "Vestnik"
        let account = account.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
        return
            "otpauth://totp/\(issuer):\(account)?secret=\(Base32.encode(secret))&issuer=\(issuer)&algorithm=SHA1&digits=\(digits)&period=30"
    }
}

/// RFC 4648 base32 without padding, as authenticator apps take a secret typed in by hand. Only encoding: secrets
/// are made here, never read from outside.
public enum Base32 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | UInt32(byte)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[Int(buffer >> UInt32(bits - 5) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { out.append(alphabet[Int(buffer << UInt32(5 - bits) & 31)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The secret in groups of four, easier to type.
    public static func grouped(_ bytes: [UInt8]) -> String {
        let text = Array(encode(bytes))
        return stride(from: 0, to: text.count, by: 4).map { String(text[$0..<min($0 + 4, text.count)]) }.joined(separator: " ")
    }
}
