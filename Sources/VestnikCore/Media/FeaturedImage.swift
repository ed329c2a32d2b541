/// The picture an article leads with, as the editor chose it: a library picture by its hash, and a caption and
/// credit for this article. Empty caption or credit means "the library's own", so fixing a credit in the library
/// fixes every article that did not write its own.
public struct FeaturedImage: Sendable, Equatable, Codable {
    /// The SHA-256 of the picture's bytes (see `MediaAddress`).
    public var media: String
    public var caption: String
    public var credit: String

    public init(media: String, caption: String = "", credit: String = "") {
        self.media = media
        self.caption = caption
        self.credit = credit
    }
}

/// A featured picture as a page shows it: where it is, how big, and its words (caption and credit already chosen
/// between the article's and the library's).
public struct ArticleImage: Sendable, Equatable {
    public var address: MediaAddress
    public var width: Int
    public var height: Int
    public var alt: String
    public var caption: String
    public var credit: String
    /// The file's size in bytes.
    public var bytes: Int

    public init(address: MediaAddress, width: Int, height: Int, alt: String, caption: String, credit: String, bytes: Int) {
        self.address = address
        self.width = width
        self.height = height
        self.alt = alt
        self.caption = caption
        self.credit = Self.creditName(credit)
        self.bytes = bytes
    }

    /// The name a credit gives, without a label its writer typed before it ("Снимка: БГНЕС" → "БГНЕС"): pages put
    /// their own label in front ("Снимка: {credit}"), and it must not read "Снимка: Снимка: БГНЕС".
    public static func creditName(_ credit: String) -> String {
        let trimmed = credit.trimmingCharacters(in: .whitespaces)
        guard let colon = trimmed.firstIndex(of: ":") else { return trimmed }
        let label = trimmed[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
        guard creditLabels.contains(label) else { return trimmed }
        let name = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        return name.isEmpty ? trimmed : name
    }

    private static let creditLabels: Set<String> = [
        "снимка", "снимки", "фото", "фотография", "фотограф", "photo", "photos", "photograph", "credit", "image",
    ]
}
