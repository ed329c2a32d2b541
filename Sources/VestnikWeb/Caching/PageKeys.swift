import HTTPTypes
import Hummingbird
import VestnikCore
import VestnikStore

/// The `CacheKey`s of one page, gathered while the page is put together: every article it shows and every list it
/// shows. Every page also carries `CacheKey.site` (the navigation and settings show everywhere).
struct PageKeys {
    private(set) var keys: Set<String> = [CacheKey.site]

    mutating func insert(_ key: String) { keys.insert(key) }

    /// Another page part's keys too.
    mutating func formUnion(_ other: PageKeys) { keys.formUnion(other.keys) }

    mutating func insert(_ articles: [ArticleSummary]) { keys.formUnion(articles.map { CacheKey.article($0.id) }) }

    mutating func insert(_ articles: [Article]) { keys.formUnion(articles.map { CacheKey.article($0.id) }) }

    mutating func insert(_ articles: [MostReadArticle]) { insert(articles.map(\.summary)) }

    /// The list a list page shows.
    mutating func insert(_ subject: ListSubject) { insert(subject.cacheKey) }

    var headerValue: String { keys.sorted().joined(separator: " ") }
}

extension Response {
    /// A public page the page cache and CDNs may keep, dropped when anything `keys` names changes.
    static func page(_ html: ByteBuffer, keys: PageKeys) -> Response {
        var response = Response.html(html)
        response.headers[.surrogateKey] = keys.headerValue
        return response
    }

    /// Marks a response (a feed, say) as cacheable under `keys`.
    func cacheable(under keys: PageKeys) -> Response {
        var response = self
        if response.status == .ok { response.headers[.surrogateKey] = keys.headerValue }
        return response
    }
}
