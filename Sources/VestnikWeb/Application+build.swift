import Foundation
import Hummingbird
import Logging
import NIOCore
import VestnikStore

/// How to run the site; filled from the command line and environment by the executable.
public struct ServerSettings: Sendable {
    public var hostname: String
    public var port: Int
    /// How reads are counted (de-duplication, rate limit, flush interval).
    public var reads: ReadSettings

    public init(hostname: String = "127.0.0.1", port: Int = 8080, reads: ReadSettings = ReadSettings()) {
        self.hostname = hostname
        self.port = port
        self.reads = reads
    }
}

/// The request context of every route.
public struct VestnikRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The address the connection comes from (a reader's, or the proxy's in front of us).
    public let remoteAddress: SocketAddress?
    /// Session and form, filled in by `NewsroomMiddleware` on `/newsroom` routes.
    var newsroom = NewsroomRequestState()

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// The router with every route and middleware: the one place the web side is wired together.
public func buildRouter(site: Site, readCounter: ReadCounter, readSettings: ReadSettings = ReadSettings()) -> Router<VestnikRequestContext> {
    let router = Router(context: VestnikRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.add(middleware: ErrorPageMiddleware(site: site))
    let mostRead = MostReadLists(reads: site.reads, maxAge: readSettings.mostReadMaxAge, now: site.now)
    let articles = site.articles
    let gate = ReadGate(settings: readSettings, now: site.now) { id, now in try await articles.summary(id: id, now: now) != nil }
    ReadBeaconController(gate: gate, counter: readCounter, trustedProxies: readSettings.trustedProxies).addRoutes(to: router)
    ReadStatsController(site: site, mostRead: mostRead).addRoutes(to: router)
    SearchController(site: site).addRoutes(to: router)
    let newsroom = router.group("newsroom").add(middleware: NewsroomMiddleware(site: site))
    NewsroomController(site: site).addRoutes(to: newsroom)
    MediaController(site: site).addRoutes(to: newsroom)
    MediaController(site: site).addPublicRoutes(to: router)
    PublicController(site: site, mostRead: mostRead).addRoutes(to: router)
    FeedController(site: site).addRoutes(to: router)
    SitemapController(site: site).addRoutes(to: router)
    return router
}

/// The composition root: the application serving `site` as configured, with the read counter running beside the
/// server (it stops after the server, so a graceful stop writes every read the server answered).
/// Pass `readCounter` to hold on to it (tests); otherwise one is made from `settings.reads`.
public func buildApplication(
    site: Site, settings: ServerSettings, readCounter: ReadCounter? = nil, logger: Logger
) -> some ApplicationProtocol {
    let counter =
        readCounter
        ?? ReadCounter(repository: site.reads, flushInterval: settings.reads.flushInterval, now: site.now, logger: logger)
    return Application(
        router: buildRouter(site: site, readCounter: counter, readSettings: settings.reads),
        configuration: .init(address: .hostname(settings.hostname, port: settings.port), serverName: "Vestnik"),
        services: [counter, PublicationScheduler(site: site, logger: logger)],
        logger: logger)
}
