/// Something public changed: the keys (see `CacheKey`) of the pages that may now show something else.
public struct ContentChange: Sendable, Hashable {
    public var keys: Set<String>

    public init(keys: Set<String>) { self.keys = keys }

    /// Everything may have changed (navigation, settings, a bulk import).
    public static let everything = ContentChange(keys: [CacheKey.site])

    /// Everything, and the settings too: what a write by another process or a missed notification may have been.
    public static let everythingAndSettings = ContentChange(keys: [CacheKey.site, CacheKey.settings])

    /// Whether every node must read the site's settings again.
    public var changesSettings: Bool { keys.contains(CacheKey.settings) }

    public var isEverything: Bool { keys.contains(CacheKey.site) }
    public var isEmpty: Bool { keys.isEmpty }

    public mutating func formUnion(_ other: ContentChange) { keys.formUnion(other.keys) }

    /// The keys as one header value or notification payload: space-separated, sorted so it reads the same everywhere.
    public var headerValue: String { keys.sorted().joined(separator: " ") }

    /// Parses a space-separated list of keys; unknown words are ignored, so a hostile payload can name nothing else.
    public init(headerValue: Substring) {
        keys = Set(headerValue.split(separator: " ").filter { CacheKey.isValid($0) }.map(String.init))
    }
}
