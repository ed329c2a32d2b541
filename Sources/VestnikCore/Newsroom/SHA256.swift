import Crypto

/// SHA-256, so that session, reset, invitation and API tokens are stored only as digests (a copy of the database then
/// holds nothing that logs anyone in), and pictures are named by their bytes (`MediaAddress`). swift-crypto's (BoringSSL
/// on Linux, CryptoKit on Apple's systems), not our own. Not used for passwords (those are bcrypt).
public enum SHA256 {
    /// The 32-byte digest of `bytes`.
    public static func digest<Bytes: Collection>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        Array(Crypto.SHA256.hash(data: Array(bytes)))
    }

    /// The digest of the UTF-8 text, as 64 lowercase hex digits.
    public static func hex(_ text: String) -> String { Hex.encode(digest(Array(text.utf8))) }
}

extension MediaAddress {
    /// The address of these bytes.
    public init(bytes: [UInt8], format: ImageFormat) {
        self.init(hash: Hex.encode(SHA256.digest(bytes)), format: format)
    }
}
