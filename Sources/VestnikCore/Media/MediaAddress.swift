/// The public, content-addressed name of a stored picture: the SHA-256 of its bytes and its format's extension,
/// served at `/media/<64 hex digits>.<ext>`. The same bytes always get the same address, so an address never
/// changes what it shows and may be cached forever; and a name that is not exactly this shape never reaches the
/// file system, so no path can climb out of the media folder.
public struct MediaAddress: Sendable, Equatable, Hashable {
    /// 64 lowercase hexadecimal digits.
    public let hash: String
    public let format: ImageFormat

    public static let pathPrefix = "/media/"

    public init(hash: String, format: ImageFormat) {
        precondition(Self.isHash(hash), "not a SHA-256 in hex: \(hash)")
        self.hash = hash
        self.format = format
    }

    // `init(bytes:format:)`, the address of a picture's bytes, is beside `SHA256` (Newsroom/SHA256.swift).

    /// `<hash>.<ext>` as it stands in a URL, or nil when it is anything else.
    public init?(fileName: String) {
        let parts = fileName.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, Self.isHash(String(parts[0])), let format = ImageFormat(fileExtension: String(parts[1])) else { return nil }
        self.hash = String(parts[0])
        self.format = format
    }

    /// `/media/<hash>.<ext>` (only exactly that), or nil.
    public init?(path: String) {
        guard path.hasPrefix(Self.pathPrefix) else { return nil }
        self.init(fileName: String(path.dropFirst(Self.pathPrefix.count)))
    }

    public var fileName: String { "\(hash).\(format.fileExtension)" }
    public var path: String { Self.pathPrefix + fileName }

    /// Exactly 64 lowercase hex digits.
    public static func isHash(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
