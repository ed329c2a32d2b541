import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import VestnikCore
import VestnikStore

/// How to run the site; filled from the command line and environment by the executable.
public struct ServerSettings: Sendable {
    public var hostname: String
    public var port: Int
    /// How reads are counted (de-duplication, rate limit, flush interval).
    public var reads: ReadSettings
    /// The most bytes rendered pages may take in memory (0: no page cache, every page is rendered).
    public var pageCacheBytes: Int
    /// How long a cached page lives at most, for what changes with the clock alone (relative times, read counts).
    public var pageLifetime: TimeInterval
    /// Which new pages may push others out of a full page cache (bench/mixed.sh compares them).
    public var pageCacheAdmission: PageCache.Admission = .tinyLFU
    /// What browsers and CDNs are told about keeping public pages.
    public var httpCache: HTTPCachePolicy
    /// Shared caches to purge by key when content changes (Varnish with xkey).
    public var purgeTargets: [PurgeTarget] = []
    /// Seconds a connection may send nothing before it is closed: between requests, while the request head is
    /// coming (so it is the header timeout too) and in the middle of a body. A request being answered is not idle.
    public var idleTimeout: TimeInterval = 30
    /// How e-mail leaves this node (`--mail-command`, else msmtp with the `mail.smtp_*` settings).
    public var mail = MailTransport()
    /// Where `/metrics` listens (a port of its own, on 127.0.0.1 unless told otherwise); nil: no metrics.
    public var metricsPort: Int?
    public var metricsHostname = "127.0.0.1"
    /// Turned on at SIGTERM by `runDraining`; `/readyz` answers 503 from then on.
    public var drain = Drain()
    /// How the copies of outside pictures in bodies are downloaded (`BodyPictureCopier`; its size cap is the media
    /// library's): no private addresses unless the operator allows them, 10 s to connect, 60 s in all, 3 redirects.
    public var outsidePictures = Outbound.Policy(connectTimeout: 10, timeout: 60, maxRedirects: 3)
    /// Whether this node runs the copier of outside pictures at all (tests that drive a copier of their own turn it
    /// off, so that two copiers never race for one address).
    public var copiesOutsidePictures = true
    /// Whether this node looks embedded posts up at their providers for their facades (`--no-embed-lookups`: never).
    public var embedLookups = true
    /// Whether this node runs due rebuilds of the search index (a test that steps a rebuild itself turns it off, so
    /// that the node's rebuilder never finishes it between the test's steps).
    public var rebuildsSearch = true
    /// Whether page cache hits are answered on the connection's event loop (`EventLoopHits`) rather than by the
    /// responder chain (the same bytes; `--no-event-loop-hits` for comparison).
    public var eventLoopHits = true

    /// The page cache's size when none is given: an eighth of the machine's memory, at most 256 MB (what Debian's
    /// Varnish is set up with) and at least 16 MB. A 10,000-article site's 15,214 public pages, kept gzip-compressed,
    /// take 132.5 MB: 64 MB held about 7,200 (96 % of bench/mixed.sh's reads, p99 12-16 ms: the misses are the tail);
    /// 256 MB holds them all (p99 4.35-5.01 ms on a quiet machine, bench/README).
    public static func defaultPageCacheMegabytes(physicalMemory: UInt64 = ProcessInfo.processInfo.physicalMemory) -> Int {
        Int(min(256, max(16, (physicalMemory >> 20) / 8)))
    }

    public init(
        hostname: String = "127.0.0.1", port: Int = 8080, reads: ReadSettings = ReadSettings(),
        pageCacheBytes: Int = 64 << 20, pageLifetime: TimeInterval = 60, httpCache: HTTPCachePolicy = HTTPCachePolicy()
    ) {
        self.hostname = hostname
        self.port = port
        self.reads = reads
        self.pageCacheBytes = pageCacheBytes
        self.pageLifetime = pageLifetime
        self.httpCache = httpCache
    }

    /// The page cache these settings describe, listening to the site's changes.
    func makePageCache(for site: Site) -> PageCache {
        let cache = PageCache(capacity: pageCacheBytes, lifetime: pageLifetime, admission: pageCacheAdmission, now: site.now)
        site.database.changes.subscribe { cache.invalidate($0) }
        return cache
    }
}

/// The request context of every route.
public struct VestnikRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The address the connection comes from (a reader's, or the proxy's in front of us).
    public let remoteAddress: SocketAddress?
    /// Session and form, filled in by `NewsroomMiddleware` on `/newsroom` routes.
    var newsroom = NewsroomRequestState()
    /// The admin API token's holder, filled in by `AdminAuthMiddleware` on `/api/admin` routes.
    var apiCaller: APICaller?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// The router with every route and middleware: the one place the web side is wired together.
/// (The page cache stands in front of it: see `buildApplication`.)
public func buildRouter(
    site: Site, readCounter: ReadCounter, readSettings: ReadSettings = ReadSettings(), mail: MailTransport = MailTransport(),
    apiCache: PageCache? = nil, httpCache: HTTPCachePolicy = HTTPCachePolicy(), metrics: Bool = false, drain: Drain? = nil
) -> Router<VestnikRequestContext> {
    let router = Router(context: VestnikRequestContext.self, options: .autoGenerateHeadEndpoints)
    // Requests by route, method and status with their latency (hb_requests, http_server_request_duration); first, so
    // it sees the status the error pages answer with. Pages the page cache answers never reach the router: they are
    // vestnik_page_cache_hits_total.
    if metrics { router.add(middleware: MetricsMiddleware()) }
    router.add(middleware: ErrorPageMiddleware(site: site))
    router.add(middleware: LegacyRedirectMiddleware(resolver: LegacyRedirectResolver(site: site)))
    let mostRead = MostReadLists(reads: site.reads, maxAge: readSettings.mostReadMaxAge, now: site.now)
    let articles = site.articles
    let gate = ReadGate(settings: readSettings, now: site.now) { id, now in try await articles.summary(id: id, now: now) != nil }
    let reads = site.reads
    let totals = ReadTotals(counter: readCounter, now: site.now) { id in try await reads.stored(articleID: id) }
    ReadBeaconController(gate: gate, counter: readCounter, totals: totals, trustedProxies: readSettings.trustedProxies)
        .addRoutes(to: router)
    HealthController(database: site.database, mediaFolder: site.mediaFiles.folder, pictures: site.renditions.availability, drain: drain)
        .addRoutes(to: router)
    SecurityTxtController(settings: site.settings, publicURL: { site.publicURL }, now: site.now).addRoutes(to: router)
    SearchController(site: site).addRoutes(to: router)
    let apiCache = apiCache ?? PageCache(capacity: 0)
    addAPIRoutes(to: router, site: site, mostRead: mostRead, cache: apiCache, httpCache: httpCache)
    addWordPressRoutes(to: router, site: site)
    addAdminAPIRoutes(to: router, site: site)
    let newsroom = router.group("newsroom").add(middleware: NewsroomMiddleware(site: site))
    let pages = NewsroomPages(site: site)
    SetupController(pages: pages, accounts: site.accounts, settings: site.settings).addRoutes(to: newsroom)
    SessionController(pages: pages, accounts: site.accounts, twoFactor: site.twoFactor, trustedProxies: readSettings.trustedProxies)
        .addRoutes(to: newsroom)
    TwoFactorController(pages: pages, accounts: site.accounts, twoFactor: site.twoFactor).addRoutes(to: newsroom)
    ForgotPasswordController(
        pages: pages, accounts: site.accounts, settings: site.settings, outbox: MailOutbox(database: site.database),
        trustedProxies: readSettings.trustedProxies, logger: Logger(label: "vestnik.mail")
    ).addRoutes(to: newsroom)
    let users = UsersController(
        pages: pages, accounts: site.accounts, staff: StaffService(database: site.database), outbox: MailOutbox(database: site.database),
        mail: mail, settings: site.settings)
    users.addRoutes(to: newsroom)
    InvitationsController(
        pages: pages, accounts: site.accounts, staff: StaffService(database: site.database), settings: site.settings, users: users
    ).addRoutes(to: newsroom)
    SettingsController(pages: pages, service: SettingsService(database: site.database)).addRoutes(to: newsroom)
    APITokensController(pages: pages, tokens: APITokenRepository(database: site.database), staff: StaffService(database: site.database))
        .addRoutes(to: newsroom)
    WebhooksController(pages: pages, hooks: WebhookRepository(database: site.database), settings: site.settings).addRoutes(to: newsroom)
    ProfileController(pages: pages, accounts: site.accounts, taxonomy: site.taxonomy, drafts: site.drafts).addRoutes(to: newsroom)
    ArticleListController(
        pages: pages, editorial: site.editorial, taxonomy: site.taxonomy, search: site.search,
        rebuild: SearchRebuild(database: site.database)
    ).addRoutes(to: newsroom)
    let editor = EditorController(
        pages: pages, editorial: site.editorial, writes: site.writes, drafts: site.drafts, taxonomy: site.taxonomy, media: site.media,
        corrections: CorrectionRepository(database: site.database))
    editor.addRoutes(to: newsroom)
    ArticleCorrectionsController(editor: editor).addRoutes(to: newsroom)
    MoreLinksController(site: site, editorial: site.editorial).addRoutes(to: newsroom)
    LiveDeskController(editor: editor, live: LiveCoverageRepository(database: site.database), site: site).addRoutes(to: newsroom)
    RevisionsController(pages: pages, editorial: site.editorial).addRoutes(to: newsroom)
    PreviewController(site: site, pages: pages).addRoutes(to: newsroom)
    AuditController(pages: pages, drafts: site.drafts).addRoutes(to: newsroom)
    BreakingNewsController(pages: pages, banners: BreakingNewsRepository(database: site.database)).addRoutes(to: newsroom)
    FrontController(site: site, pages: pages, mostRead: mostRead).addRoutes(to: newsroom)
    MediaController(site: site).addRoutes(to: newsroom)
    MediaController(site: site).addPublicRoutes(to: router)
    StructureController(site: site).addRoutes(to: newsroom)
    ReadStatsController(site: site, mostRead: mostRead).addRoutes(to: newsroom, movedFrom: router)
    CorrectionsController(site: site).addRoutes(to: router)
    PublicController(site: site, mostRead: mostRead).addRoutes(to: router)
    FeedController(site: site).addRoutes(to: router)
    SitemapController(site: site).addRoutes(to: router)
    return router
}

/// The composition root: the application serving `site` as configured, with the read counter running beside the
/// server (it stops after the server, so a graceful stop writes every read the server answered), the publication
/// scheduler, and on PostgreSQL the `ChangeListener` that keeps this node's page cache exact when other nodes write.
/// Pass `readCounter` or `pageCache` to hold on to them (tests); otherwise they are made from `settings`.
public func buildApplication(
    site: Site, settings: ServerSettings, readCounter: ReadCounter? = nil, pageCache: PageCache? = nil,
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }, logger: Logger
) -> some ApplicationProtocol {
    let counter =
        readCounter
        ?? ReadCounter(repository: site.reads, flushInterval: settings.reads.flushInterval, now: site.now, logger: logger)
    var services: [any Service] = [
        counter, PublicationScheduler(site: site, logger: logger), MailDelivery(site: site, transport: settings.mail, logger: logger),
        RenditionWorker(renditions: site.renditions, now: site.now, logger: logger), BackupScheduler(site: site, logger: logger),
        WebhookDelivery(site: site, logger: logger),
    ]
    if settings.rebuildsSearch { services.append(SearchRebuilder(site: site, logger: logger)) }
    if settings.copiesOutsidePictures {
        services.append(BodyPictureCopier(site: site, policy: settings.outsidePictures, logger: logger))
    }
    if settings.embedLookups {
        services.append(
            EmbedPreviewWorker(
                previews: site.embedPreviews, lookup: EmbedLookup(files: site.mediaFiles), database: site.database, now: site.now,
                logger: logger))
    }
    if site.database.dialect == .postgres { services.append(ChangeListener(database: site.database, logger: logger)) }
    if site.database.dialect == .sqlite { services.append(ExternalWriteWatcher(database: site.database, logger: logger)) }
    if !settings.purgeTargets.isEmpty {
        services.append(CachePurger(targets: settings.purgeTargets, changes: site.database.changes, logger: logger))
    }
    let apiCache = ContentAPICache.make(for: site, settings: settings)
    let pageCache = pageCache ?? settings.makePageCache(for: site)
    if let port = settings.metricsPort {
        let endpoint = MetricsEndpoint(
            registry: PrometheusMetrics.registry, caches: [("pages", pageCache), ("api", apiCache)], readCounter: counter)
        services.append(endpoint.application(hostname: settings.metricsHostname, port: port, logger: logger))
    }
    let router = buildRouter(
        site: site, readCounter: counter, readSettings: settings.reads, mail: settings.mail, apiCache: apiCache,
        httpCache: settings.httpCache, metrics: settings.metricsPort != nil, drain: settings.drain)
    // The page cache answers before the router looks the route up: a hit costs a dictionary lookup, not a trie walk.
    let cache = PageCacheMiddleware<VestnikRequestContext>(
        cache: pageCache, policy: settings.httpCache, oldAddresses: LegacyRedirectResolver(site: site),
        fragments: PublicController<VestnikRequestContext>.todayFragments(site: site))
    let http = HTTP1Channel.Configuration(idleTimeout: .milliseconds(Int64(settings.idleTimeout * 1000)))
    let serverName = "Vestnik"
    // Always in the pipeline: besides the hits (unless `--no-event-loop-hits`), it sends each connection where it runs
    // (the newsroom's on `NewsroomLane`, the rest on the cooperative pool).
    let hits = EventLoopHits(
        pages: cache, publicURL: { site.publicURL }, serverName: serverName, answering: settings.eventLoopHits, logger: logger)
    return Application(
        responder: NewsroomLaneResponder(
            inner: RequestIDResponder(
                inner: SecurityHeadersResponder(
                    inner: PageCacheResponder(inner: router.buildResponder(), cache: cache), publicURL: { site.publicURL }))),
        server: hits.server(http),
        configuration: .init(address: .hostname(settings.hostname, port: settings.port), serverName: serverName),
        services: services.map { OnCooperativePool(inner: $0) }, onServerRunning: onServerRunning, logger: logger)
}
