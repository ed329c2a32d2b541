import HTTPTypes
import Hummingbird

/// How long browsers and shared caches (a CDN, Varnish) may keep a public page. Browsers cannot be told of a
/// change, so they get a short `max-age`; shared caches get `s-maxage` (they are purged by key when a purge target
/// is configured), may serve a stale copy while they fetch a fresh one, and may keep serving it while we are down.
public struct HTTPCachePolicy: Sendable, Equatable {
    public var maxAge = 30
    public var sharedMaxAge = 60
    public var staleWhileRevalidate = 30
    public var staleIfError = 86_400

    public init() {}

    public var cacheControl: String {
        "public, max-age=\(maxAge), s-maxage=\(sharedMaxAge), stale-while-revalidate=\(staleWhileRevalidate), stale-if-error=\(staleIfError)"
    }
}

extension HTTPField.Name {
    /// The keys of what a page shows (see `CacheKey`), for caches that purge by key (Fastly, Varnish with xkey).
    static let surrogateKey = Self("Surrogate-Key")!
    /// `HIT` or `MISS`: whether this node's page cache answered (for people and tests; CDNs ignore it).
    static let xCache = Self("X-Cache")!
}
