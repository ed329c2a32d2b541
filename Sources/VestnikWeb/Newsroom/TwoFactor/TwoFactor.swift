import Foundation
import VestnikCore
import VestnikStore

/// Two-factor sign-in with TOTP: enrolment (a secret shown as a QR code and as text, confirmed by a code from it),
/// one-time recovery codes, and checking the code a sign-in gives after its password. Secrets are sealed
/// (`TOTPSecretBox`) before they are stored; recovery codes are stored as SHA-256 digests.
public struct TwoFactor: Sendable {
    public let repository: TwoFactorRepository
    public let box: TOTPSecretBox
    /// Whether the site requires a code now (the settings snapshot's `newsroom.totp_required`).
    let required: @Sendable () -> Bool

    /// The setting that makes two-factor sign-in required for editors and chief editors: `yes` or `no` (default).
    public static let requiredKey = SettingRules.twoFactorRequiredKey
    /// How many recovery codes an enrolment gives.
    public static let recoveryCodeCount = 10
    /// How long a sign-in waits for its code after the password.
    public static let challengeLifetime: TimeInterval = 5 * 60

    public init(database: Database, box: TOTPSecretBox, required: @escaping @Sendable () -> Bool) {
        repository = TwoFactorRepository(database: database)
        self.box = box
        self.required = required
    }

    /// Whether the site asks `role` to sign in with a code (the `newsroom.totp_required` setting, from the site's
    /// settings snapshot, which every node reads again when it changes).
    public func isRequired(for role: Role) -> Bool { role >= .editor && required() }

    /// Whether the user signs in with a code.
    public func isEnrolled(userID: Int) async throws -> Bool { try await repository.state(userID: userID).sealedSecret != nil }

    /// The secret the enrolment page shows: the one shown before, while it waits for its code, else a new one.
    public func pendingSecret(userID: Int) async throws -> [UInt8] {
        if let sealed = try await repository.state(userID: userID).sealedPending, let secret = box.open(sealed, userID: userID) {
            return secret
        }
        let secret = TOTP.newSecret()
        try await repository.setPending(userID: userID, sealed: try box.seal(secret, userID: userID))
        return secret
    }

    /// Confirms enrolment with a code from the pending secret: the new recovery codes (shown once), or nil when the
    /// code is wrong (or nothing is pending).
    public func confirm(userID: Int, code: String, now: Date) async throws -> [String]? {
        guard let sealed = try await repository.state(userID: userID).sealedPending, let secret = box.open(sealed, userID: userID),
            let step = TOTP(secret: secret).matchingStep(code, now: now, after: nil)
        else { return nil }
        let codes = (0..<Self.recoveryCodeCount).map { _ in Self.newRecoveryCode() }
        guard
            try await repository.confirm(
                userID: userID, sealedPending: sealed, step: Int(step), recoveryCodeHashes: codes.map(Self.recoveryDigest), now: now)
        else { return nil }
        return codes
    }

    /// Whether `code` signs the user in: a TOTP code not used before (within a step of `now`), or an unused recovery
    /// code, which is then spent.
    public func verify(userID: Int, code: String, now: Date) async throws -> Bool {
        let state = try await repository.state(userID: userID)
        guard let sealed = state.sealedSecret, let secret = box.open(sealed, userID: userID) else { return false }
        let typed = code.filter { !$0.isWhitespace }
        if typed.count == 6 {
            guard let step = TOTP(secret: secret).matchingStep(typed, now: now, after: state.lastStep.map { UInt64($0) }) else {
                return false
            }
            return try await repository.useStep(userID: userID, step: Int(step))
        }
        guard typed.count <= 40 else { return false }
        return try await repository.useRecoveryCode(userID: userID, codeHash: Self.recoveryDigest(typed), now: now)
    }

    /// A recovery code: ten letters and digits from base32's alphabet (no 0/1/8/9 to mistake), as `abcde-fghij`.
    static func newRecoveryCode() -> String {
        let letters = Array(Base32.encode(TOTP.newSecret()).lowercased().prefix(10))
        return String(letters[0..<5]) + "-" + String(letters[5..<10])
    }

    /// The stored form of a recovery code: letter case, spaces and dashes do not matter.
    static func recoveryDigest(_ code: String) -> String {
        SHA256.hex(code.lowercased().filter { $0 != "-" && !$0.isWhitespace })
    }
}
