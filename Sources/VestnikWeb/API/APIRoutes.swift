import Foundation
import HTTPTypes
import Hummingbird
import Logging
import VestnikStore

/// The API's routes: the document and its page, and the content API behind its problem details, CORS and cache.
func addAPIRoutes(
    to router: Router<VestnikRequestContext>, site: Site, mostRead: MostReadLists, cache: PageCache, httpCache: HTTPCachePolicy
) {
    do {
        APIDocumentController(site: site, document: try APIDocument.builtIn()).addRoutes(to: router)
    } catch {
        // The document ships in the binary; without it the API still answers, its description does not.
        Logger(label: "vestnik.api").error("the OpenAPI document could not be read: \(error)")
    }
    let content = router.group(RouterPath(ContentAPIController.prefix))
        .add(middleware: ProblemMiddleware())
        .add(middleware: CORSMiddleware(current: { site.apiOrigins }))
        .add(middleware: PageCacheMiddleware(cache: cache, policy: httpCache, key: { ContentAPICache.key($0) }))
    ContentAPIController(site: site, mostRead: mostRead).addRoutes(to: content)
}

/// The admin API: problem details, then the token (before any body is read), then the routes. No CORS, no cache.
func addAdminAPIRoutes(to router: Router<VestnikRequestContext>, site: Site) {
    let admin = router.group(RouterPath(AdminArticlesController.prefix))
        .add(middleware: ProblemMiddleware())
        .add(middleware: AdminAuthMiddleware(tokens: APITokenRepository(database: site.database), now: site.now))
    AdminArticlesController(site: site).addRoutes(to: admin)
}

/// The WordPress-compatible read subset, under the content API's CORS setting. Its answers carry `Surrogate-Key`s
/// for a shared cache, but this node's page cache does not keep them: it keeps only the headers pages have, and
/// WordPress clients read `X-WP-Total` and `Link`.
func addWordPressRoutes(to router: Router<VestnikRequestContext>, site: Site) {
    let wordpress = router.group(RouterPath(WordPressController.prefix))
        .add(middleware: WordPressErrorMiddleware())
        .add(middleware: CORSMiddleware(current: { site.apiOrigins }))
    WordPressController(site: site).addRoutes(to: wordpress)
}
