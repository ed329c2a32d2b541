import SQLKit
import VestnikCore

/// Site-wide settings as text: the site's language, its name, whether the demo was loaded. `set` is for what Vestnik
/// keeps for itself and for tests; a chief editor's change goes through `SettingsService` (role, audit, exact purge).
/// A change here may alter every page, so it announces everything, and every node reads its settings again.
public struct SettingsRepository: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    public func value(_ key: String) async throws -> String? {
        try await database.read { db in
            try await db.raw("SELECT value FROM settings WHERE key = \(bind: key)").first()?.string("value")
        }
    }

    /// Every stored setting, by key.
    public func all() async throws -> [String: String] {
        try await database.read { db in
            var values: [String: String] = [:]
            for row in try await db.raw("SELECT key, value FROM settings").all() { values[try row.string("key")] = try row.string("value") }
            return values
        }
    }

    /// Stores `value`; `InvalidInput` when `SettingRules` refuses it.
    public func set(_ key: String, to value: String) async throws {
        if let problem = SettingRules.problem(key: key, value: value) { throw InvalidInput(problem) }
        try await database.write { db in
            try await db.raw(
                """
                INSERT INTO settings (key, value) VALUES (\(bind: key), \(bind: value))
                ON CONFLICT (key) DO UPDATE SET value = \(bind: value)
                """
            ).run()
        }
        await database.announce(.everythingAndSettings)
    }
}

/// What a site setting may hold where a wrong value would be a hazard on every page: the one check that writing a
/// setting (`SettingsRepository.set`, the `vestnik setting` command) and reading it at start-up (`Site.make`) use.
public enum SettingRules {
    /// Settings whose value pages link to or build links on: `site.follow_url`, `site.url`.
    public static let webAddressKeys: Set<String> = ["site.follow_url", "site.url"]
    public static let maxAddressLength = 2_000

    /// Nil when `value` may be stored under `key`, else what is wrong with it, in a sentence.
    public static func problem(key: String, value: String) -> String? {
        if let definition = SettingCatalog.definition(key), case .choice(let allowed) = definition.kind, !allowed.contains(value) {
            return "\(key) must be one of \(allowed.joined(separator: ", ")), not „\(value.prefix(100))“"
        }
        if key == SettingKeys.siteName, value.trimmingCharacters(in: .whitespaces).isEmpty || value.count > 200 || hasControls(value) {
            return "\(key) must be a name of 1 to 200 characters on one line"
        }
        if key == SettingKeys.moreAfterParagraphs, moreAfter(value) == nil {
            return "\(key) must list paragraph numbers, e.g. 1,2,4, not „\(value.prefix(100))“"
        }
        if key == "mail.from", !MailMessage.isAddress(value) {
            return "\(key) must be an e-mail address, not „\(value.prefix(100))“"
        }
        if key == "mail.smtp_port", !(Int(value).map { (1...65_535).contains($0) } ?? false) {
            return "\(key) must be a port number from 1 to 65535, not „\(value.prefix(100))“"
        }
        if key == "mail.smtp_host" || key == "mail.smtp_user",
            value.count > 253 || value.contains(where: { $0 == " " || $0 == "," }) || hasControls(value)
        {
            return "\(key) must be one name without spaces, not „\(value.prefix(100))“"
        }
        if key == "mail.smtp_ca_file", !value.hasPrefix("/") || hasControls(value) {
            return "\(key) must be an absolute file path, not „\(value.prefix(100))“"
        }
        if webAddressKeys.contains(key), !isWebAddress(value) {
            return "\(key) must be an http:// or https:// address, not „\(value.prefix(100))“"
        }
        if key == "backup.folder", !value.isEmpty, !value.hasPrefix("/") {
            return "\(key) must be an absolute folder path (or empty: no scheduled backups), not „\(value.prefix(100))“"
        }
        if key == "backup.every_hours", !(Double(value).map { $0 >= 0.01 && $0 <= 24 * 366 } ?? false) {
            return "\(key) must be a number of hours from 0.01 to 8784, not „\(value.prefix(100))“"
        }
        if key == "backup.keep", !(Int(value).map { (1...10_000).contains($0) } ?? false) {
            return "\(key) must be how many backups to keep, 1 to 10000, not „\(value.prefix(100))“"
        }
        if key == securityContactKey, !isSecurityContact(value) {
            return "\(key) must be mailto: or https:// addresses, comma-separated, not „\(value.prefix(100))“"
        }
        if key == corsOriginsKey, !isOriginList(value) {
            return "\(key) must be * or comma-separated origins such as https://app.example.bg, not „\(value.prefix(100))“"
        }
        return nil
    }

    /// The paragraph numbers of `site.more_after` (`1,2,4`), or nil when it lists none or something else.
    public static func moreAfter(_ value: String) -> [Int]? {
        let items = value.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let numbers = items.compactMap { Int($0) }.filter { (1...1_000).contains($0) }
        return numbers.isEmpty || numbers.count != items.count || numbers.count > 50 ? nil : numbers
    }

    static func hasControls(_ text: String) -> Bool { text.unicodeScalars.contains { $0.value < 32 || $0.value == 127 } }

    /// `yes`: editors and chief editors must sign in with a TOTP code after the password (`TwoFactor`).
    public static let twoFactorRequiredKey = "newsroom.totp_required"

    /// Where to report a vulnerability, for /.well-known/security.txt (RFC 9116's Contact lines).
    public static let securityContactKey = "security.contact"

    /// One or more comma-separated `mailto:` or `https://` addresses, with no spaces or control characters inside.
    public static func isSecurityContact(_ text: String) -> Bool {
        let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return !items.isEmpty && text.count <= maxAddressLength
            && items.allSatisfy { item in
                (item.hasPrefix("mailto:") || item.hasPrefix("https://")) && item.count > 8
                    && item.unicodeScalars.allSatisfy { $0.value > 32 && $0.value < 127 }
            }
    }

    /// The web origins that may read the content API from a browser.
    public static let corsOriginsKey = "api.cors_origins"

    /// `*`, or one or more comma-separated `http(s)://host[:port]` origins (nothing after the host, as browsers send
    /// `Origin`).
    public static func isOriginList(_ text: String) -> Bool {
        let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if items == ["*"] { return true }
        return !items.isEmpty
            && items.allSatisfy { item in
                guard isWebAddress(item) else { return false }
                let rest = item.drop { $0 != "/" }.dropFirst(2)
                return !rest.contains("/") && !rest.contains("?") && !rest.contains("#")
            }
    }

    /// An absolute http or https address with a host: never `javascript:`, `data:` or a relative path, and nothing
    /// that could end an HTML attribute or a header (quotes, angle brackets, spaces, control characters).
    public static func isWebAddress(_ text: String) -> Bool {
        guard text.utf8.count <= maxAddressLength,
            text.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value != 127 && !(0x80...0x9F).contains($0.value) }),
            !text.contains(where: { "\"'<>\\`".contains($0) })
        else { return false }
        let lowered = text.lowercased()
        guard let scheme = ["https://", "http://"].first(where: { lowered.hasPrefix($0) }) else { return false }
        let host = text.dropFirst(scheme.count).prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return !host.isEmpty && !host.contains("@") && !host.hasPrefix(".") && !host.hasPrefix(":")
    }
}
