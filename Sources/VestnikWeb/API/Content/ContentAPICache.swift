import Foundation
import Hummingbird
import HummingbirdCore

/// The content API's answers are kept like pages (`PageCacheMiddleware`, with the ETag, the 304 and the purge by
/// key), in a cache of their own: a client varying its query strings can push out only API answers, never the
/// site's pages.
enum ContentAPICache {
    /// A quarter of the page cache's memory.
    static func make(for site: Site, settings: ServerSettings) -> PageCache {
        let cache = PageCache(capacity: settings.pageCacheBytes / 4, lifetime: settings.pageLifetime, now: site.now)
        site.database.changes.subscribe { cache.invalidate($0) }
        return cache
    }

    /// The path and the query's parameters in sorted order, so `?a=1&b=2` and `?b=2&a=1` are one entry. Nil for a
    /// query too long for any valid request (the route refuses it).
    static func key(_ uri: URI) -> String? {
        guard let query = uri.query, !query.isEmpty else { return uri.path }
        guard query.utf8.count <= APIParameters.maxQueryLength else { return nil }
        return uri.path + "?" + query.split(separator: "&").sorted().joined(separator: "&")
    }
}
