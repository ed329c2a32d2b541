import Foundation
import Hummingbird
import Logging
import VestnikStore

/// How to run the site; filled from the command line and environment by the executable.
public struct ServerSettings: Sendable {
    public var hostname: String
    public var port: Int

    public init(hostname: String = "127.0.0.1", port: Int = 8080) {
        self.hostname = hostname
        self.port = port
    }
}

/// The request context of every route.
public struct VestnikRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's address, for login throttling (nil when unknown, as in router tests).
    public var remoteAddress: String?
    /// Session and form, filled in by `NewsroomMiddleware` on `/newsroom` routes.
    var newsroom = NewsroomRequestState()
    public init(source: Source) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }
}

/// The router with every route and middleware: the one place the web side is wired together.
public func buildRouter(site: Site) -> Router<VestnikRequestContext> {
    let router = Router(context: VestnikRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.add(middleware: ErrorPageMiddleware(site: site))
    SearchController(site: site).addRoutes(to: router)
    NewsroomController(site: site).addRoutes(to: router.group("newsroom").add(middleware: NewsroomMiddleware(site: site)))
    PublicController(site: site).addRoutes(to: router)
    FeedController(site: site).addRoutes(to: router)
    SitemapController(site: site).addRoutes(to: router)
    return router
}

/// The composition root: the application serving `site` as configured.
public func buildApplication(site: Site, settings: ServerSettings, logger: Logger) -> some ApplicationProtocol {
    Application(
        router: buildRouter(site: site),
        configuration: .init(address: .hostname(settings.hostname, port: settings.port), serverName: "Vestnik"),
        services: [PublicationScheduler(site: site, logger: logger)],
        logger: logger)
}
