import ArgumentParser
import Foundation
import Hummingbird
import Logging
import VestnikCore
import VestnikDemo
import VestnikStore
import VestnikWeb

@main
struct Vestnik: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vestnik",
        abstract: "A news publishing engine: the public site, the newsroom and the API in one binary.",
        subcommands: [
            Serve.self, Migrate.self, Import.self, ImportWordPress.self, BackupCommand.self, RestoreCommand.self, Setting.self, User.self,
            Media.self, Search.self,
        ],
        defaultSubcommand: Serve.self)
}

/// Options every subcommand that touches the database shares.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "A SQLite file path or a postgres:// URL (default: $VESTNIK_DATABASE_URL, else ./vestnik.sqlite).")
    var database: String?

    var location: DatabaseLocation {
        DatabaseLocation(database ?? ProcessInfo.processInfo.environment["VESTNIK_DATABASE_URL"] ?? "./vestnik.sqlite")
    }

    /// Opens and migrates the database, or explains in one line why it cannot. `bulkWrites`: for a bulk import
    /// (`Database.open(bulkWrites:)`).
    func openMigrated(logger: Logger, bulkWrites: Bool = false) async throws -> Database {
        let database = try await Database.open(location, bulkWrites: bulkWrites, logger: logger)
        do {
            try await Migrator().migrate(database)
        } catch {
            await database.close()
            throw DatabaseOpenError(description: "cannot migrate the database \(location): \(error)")
        }
        return database
    }
}

/// Runs `body`, turning any failure into one line on standard error and exit code 1.
func reportingFailures(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as CleanExit {
        throw error
    } catch let error as ExitCode {
        throw error
    } catch {
        FileHandle.standardError.write(Data("vestnik: error: \(error)\n".utf8))
        throw ExitCode.failure
    }
}

func makeLogger() -> Logger {
    var logger = Logger(label: "vestnik")
    logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
    return logger
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the site (the default command).")

    @OptionGroup var options: DatabaseOptions

    @Option(help: "Address to listen on (default: $VESTNIK_HOSTNAME, else 127.0.0.1).")
    var hostname: String?

    @Option(help: "Port to listen on (default: $VESTNIK_PORT, else 8080).")
    var port: Int?

    @Option(help: "A theme folder whose templates/, static/ and locales/ override the built-in theme.")
    var theme: String?

    @Option(
        help:
            "The site's public address for canonical links, e.g. https://vestnik.bg (default: the site.url setting, else http://HOSTNAME:PORT)."
    )
    var publicURL: String?

    @Flag(help: "Do not load the demo site into an empty database.")
    var noDemo = false

    @Option(
        help:
            "Minutes within which a reader reading the same article again counts once; 0 counts every beacon (default: $VESTNIK_READ_DEDUP_MINUTES, else 30)."
    )
    var readDedupMinutes: Int?

    @Option(
        help:
            "Read beacons per second one address may send, in bursts of ten times that; 0 switches the limit off (default: $VESTNIK_READ_RATE_LIMIT, else 10)."
    )
    var readRateLimit: Double?

    @Option(
        help:
            "How many proxies in front of Vestnik append to X-Forwarded-For; 0 takes the reader's address from the connection (default: $VESTNIK_TRUSTED_PROXIES, else 0)."
    )
    var trustedProxies: Int?

    @Option(
        help: "The folder of the media library's files (default: $VESTNIK_MEDIA_DIR, else media/ next to a SQLite database, else ./media).")
    var mediaDir: String?

    @Option(help: "The largest picture an upload may be, in megabytes (default: $VESTNIK_MEDIA_MAX_MB, else 10).")
    var mediaMaxMb: Int?

    @Flag(
        help:
            "Let the copies of outside pictures (setting media.copy_external) reach loopback and private addresses (default: $VESTNIK_ALLOW_LOCAL_MEDIA=1, else off)."
    )
    var allowLocalMedia = false

    /// Where the media library lives and how large a picture may be, from the options, else the environment.
    func mediaSettings(_ environment: [String: String], database: DatabaseLocation) throws -> MediaSettings {
        let folder = mediaFolder(mediaDir, environment, database: database)
        let megabytes = try number(mediaMaxMb, "VESTNIK_MEDIA_MAX_MB", 10, environment)
        guard (1...1024).contains(megabytes) else { throw ValidationError("the media size limit must be 1 to 1024 MB, not \(megabytes)") }
        return MediaSettings(folder: folder, maxBytes: megabytes * 1024 * 1024)
    }

    @Option(
        help:
            "Megabytes of memory for rendered pages; 0 switches the page cache off (default: $VESTNIK_PAGE_CACHE_MB, else an eighth of the memory, 16 to 256)."
    )
    var pageCacheMb: Int?

    @Option(
        help:
            "Seconds a cached page lives at most, for relative times and read counts; edits drop pages at once (default: $VESTNIK_PAGE_LIFETIME, else 60)."
    )
    var pageLifetime: Int?

    @Option(
        help:
            "Which new pages may push others out of a full page cache: tinylfu (asked for again, and more often than what they push out), second (asked for again), lru (every page) (default: $VESTNIK_PAGE_CACHE_ADMISSION, else tinylfu)."
    )
    var pageCacheAdmission: String?

    @Option(
        help:
            "A shared cache to purge by key when content changes, e.g. http://127.0.0.1:6081/ (Varnish with deploy/varnish/vestnik.vcl); repeat for several (default: $VESTNIK_PURGE_URLS, comma-separated)."
    )
    var purgeUrl: [String] = []

    @Option(
        help:
            "Seconds a connection may send nothing (between requests, in a request's head or body) before it is closed (default: $VESTNIK_IDLE_TIMEOUT, else 30)."
    )
    var idleTimeout: Double?

    @Option(
        help:
            "A sendmail-compatible program and its arguments that sends one e-mail read from standard input, e.g. \"/usr/sbin/sendmail -t -i\" (default: $VESTNIK_MAIL_COMMAND, else msmtp with the mail.smtp_* settings)."
    )
    var mailCommand: String?

    @Option(
        help:
            "Serve Prometheus metrics at /metrics on this port, a listener of its own; off unless given (default: $VESTNIK_METRICS_PORT)."
    )
    var metricsPort: Int?

    @Flag(help: "Never look embedded posts up at their providers (oEmbed, thumbnails); facades then show the provider's name.")
    var noEmbedLookups = false

    @Flag(
        help:
            "Answer page cache hits through the router's responder chain instead of on the connection's event loop (the same bytes, slower; for comparison)."
    )
    var noEventLoopHits = false

    @Option(help: "Address the metrics listener binds (default: $VESTNIK_METRICS_HOSTNAME, else 127.0.0.1: keep it off the internet).")
    var metricsHostname: String?

    @Option(
        help:
            "Seconds between SIGTERM and the stop, while /readyz answers 503 and the site still serves, so load balancers take the node out first (default: $VESTNIK_DRAIN_SECONDS, else 5)."
    )
    var drainSeconds: Double?

    @Option(help: "How log lines look: text, or json (one object a line, for log shippers) (default: $VESTNIK_LOG_FORMAT, else text).")
    var logFormat: String?

    /// A number from the option, else the environment variable, else `fallback`; never negative.
    private func number<T: LosslessStringConvertible & Comparable & Numeric>(
        _ option: T?, _ variable: String, _ fallback: T, _ environment: [String: String]
    ) throws -> T {
        if let option {
            guard option >= 0 else { throw ValidationError("\(variable) must not be negative") }
            return option
        }
        guard let text = environment[variable] else { return fallback }
        guard let value = T(text), value >= 0 else { throw ValidationError("\(variable) must be a number from 0, not \(text)") }
        return value
    }

    /// How reads are counted, from the options, else the environment, else the defaults.
    func readSettings(_ environment: [String: String]) throws -> ReadSettings {
        func number<T: LosslessStringConvertible & Comparable & Numeric>(_ option: T?, _ variable: String, _ fallback: T) throws -> T {
            try self.number(option, variable, fallback, environment)
        }
        var settings = ReadSettings()
        let minutes = try number(readDedupMinutes, "VESTNIK_READ_DEDUP_MINUTES", 30)
        settings.repeatWindow = minutes == 0 ? nil : TimeInterval(minutes * 60)
        let rate = try number(readRateLimit, "VESTNIK_READ_RATE_LIMIT", 10.0)
        settings.rateLimit = rate == 0 ? nil : ReadSettings.RateLimit(perSecond: rate, burst: rate * 10)
        settings.trustedProxies = try number(trustedProxies, "VESTNIK_TRUSTED_PROXIES", 0)
        return settings
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        switch logFormat ?? environment["VESTNIK_LOG_FORMAT"] ?? "text" {
        case "text": LoggingSystem.bootstrap { DeferredMetadataLogHandler(StreamLogHandler.standardError(label: $0)) }
        case "json": LoggingSystem.bootstrap { JSONLogHandler(label: $0) }
        case let other: throw ValidationError("the log format must be text or json, not \(other)")
        }
        let logger = makeLogger()
        let drain = try number(drainSeconds, "VESTNIK_DRAIN_SECONDS", 5.0, environment)
        let port =
            try self.port ?? environment["VESTNIK_PORT"].map { value in
                guard let port = Int(value), (1...65535).contains(port) else {
                    throw ValidationError("VESTNIK_PORT must be a port number, not \(value)")
                }
                return port
            } ?? 8080
        let hostname = self.hostname ?? environment["VESTNIK_HOSTNAME"] ?? "127.0.0.1"
        let reads = try readSettings(environment)
        let media = try mediaSettings(environment, database: options.location)
        var server = ServerSettings(hostname: hostname, port: port, reads: reads)
        let cacheMegabytes = ServerSettings.defaultPageCacheMegabytes()
        server.pageCacheBytes = try number(pageCacheMb, "VESTNIK_PAGE_CACHE_MB", cacheMegabytes, environment) << 20
        server.pageLifetime = TimeInterval(try number(pageLifetime, "VESTNIK_PAGE_LIFETIME", 60, environment))
        if let name = pageCacheAdmission ?? environment["VESTNIK_PAGE_CACHE_ADMISSION"] {
            guard let admission = PageCache.Admission(rawValue: name) else {
                throw ValidationError("the page cache admission must be tinylfu, second or lru, not \(name)")
            }
            server.pageCacheAdmission = admission
        }
        server.idleTimeout = try number(idleTimeout, "VESTNIK_IDLE_TIMEOUT", 30.0, environment)
        server.outsidePictures.allowPrivate = allowLocalMedia || environment["VESTNIK_ALLOW_LOCAL_MEDIA"] == "1"
        if let command = (mailCommand ?? environment["VESTNIK_MAIL_COMMAND"])?.split(separator: " ").map(String.init), !command.isEmpty {
            server.mail = MailTransport(command: command)
        }
        server.embedLookups = !noEmbedLookups
        server.eventLoopHits = !noEventLoopHits
        guard server.idleTimeout > 0 else { throw ValidationError("the idle timeout must be more than 0 seconds") }
        if let metrics = metricsPort.map(String.init) ?? environment["VESTNIK_METRICS_PORT"] {
            guard let metrics = Int(metrics), (1...65535).contains(metrics), metrics != port else {
                throw ValidationError("the metrics port must be a port number other than the site's, not \(metrics)")
            }
            server.metricsPort = metrics
            server.metricsHostname = metricsHostname ?? environment["VESTNIK_METRICS_HOSTNAME"] ?? "127.0.0.1"
            // Before anything records a measurement: handles made earlier would stay no-ops.
            _ = PrometheusMetrics.registry
        }
        let purgeURLs = purgeUrl.isEmpty ? (environment["VESTNIK_PURGE_URLS"] ?? "").split(separator: ",").map(String.init) : purgeUrl
        server.purgeTargets = try purgeURLs.map { url in
            do { return try PurgeTarget(url: url.trimmingCharacters(in: .whitespaces)) } catch { throw ValidationError("\(error)") }
        }
        try await reportingFailures {
            let theme = try await Theme.load(overrideFolder: self.theme.map { URL(fileURLWithPath: $0) })
            let database = try await options.openMigrated(logger: logger)
            try await database.closing {
                if !noDemo { try await DemoSite.loadIfEmpty(database, logger: logger) }
                let site = try await Site.make(
                    database: database, theme: theme,
                    publicURL: publicURL ?? environment["VESTNIK_PUBLIC_URL"] ?? "http://\(hostname):\(port)", media: media)
                if let token = try await site.accounts.issueSetupToken(settings: site.settings) {
                    // Printed, not only logged: whoever starts the server creates the first account.
                    print(
                        "No chief editor yet: open \(site.publicURL)/newsroom/setup?token=\(token) to create one (valid until one exists).")
                    fflush(nil)
                }
                let app = buildApplication(site: site, settings: server, logger: logger)
                logger.info("Vestnik serves \(options.location) at http://\(hostname):\(port)")
                if let metrics = server.metricsPort { logger.info("metrics at http://\(server.metricsHostname):\(metrics)/metrics") }
                logger.info("\(BulgarianDictionary.system.summary)")
                if !site.twoFactor.box.seals {
                    logger.warning("VESTNIK_SECRET_KEY is not set: two-factor (TOTP) secrets are stored unsealed in the database")
                }
                logger.info("\(QRCode.summary)")
                try await runDraining(app, drain: server.drain, seconds: drain, logger: logger)
            }
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending schema migrations and exit.")

    @OptionGroup var options: DatabaseOptions

    func run() async throws {
        let logger = makeLogger()
        try await reportingFailures {
            let database = try await Database.open(options.location, logger: logger)
            let applied = try await database.closing { try await Migrator().migrate(database) }
            print(applied.isEmpty ? "The schema is up to date." : "Applied migrations: \(applied.map(String.init).joined(separator: ", "))")
        }
    }
}

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import a Markdown file, or a folder of them, with YAML front matter (same slug: update).")

    @OptionGroup var options: DatabaseOptions

    @Argument(help: "A .md file or a folder of them.")
    var path: String

    @Flag(help: "Shift all dates by one amount so that the newest article is published now.")
    var rebaseDates = false

    func run() async throws {
        let logger = makeLogger()
        var failed = false
        try await reportingFailures {
            let database = try await options.openMigrated(logger: logger)
            let report = try await database.closing {
                try await ContentImporter(database: database).importContent(
                    at: URL(fileURLWithPath: path), rebaseTo: rebaseDates ? Date() : nil)
            }
            for failure in report.failures {
                FileHandle.standardError.write(Data("vestnik: import failed: \(failure)\n".utf8))
            }
            print("Imported \(report.created.count) new and \(report.updated.count) updated articles; \(report.failures.count) failed.")
            failed = !report.succeeded
        }
        if failed { throw ExitCode.failure }
    }
}

struct Setting: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Show or change a site setting, as the newsroom's settings page does (checked, audited, and reaching running servers at once).",
        discussion: "Settings: \(SettingCatalog.keyList). An empty value removes the setting (back to its default)."
    )

    @OptionGroup var options: DatabaseOptions

    @Argument(help: "The setting's key.")
    var key: String

    @Argument(help: "The new value; leave out to show the current one.")
    var value: String?

    func run() async throws {
        let logger = makeLogger()
        try await reportingFailures {
            // Checked before the database is opened, so a typo changes nothing and creates nothing.
            guard SettingCatalog.definition(key) != nil || value == nil else {
                throw ValidationError(SettingsError.unknownKey(key).description)
            }
            if let value, !value.isEmpty, let problem = SettingRules.problem(key: key, value: value) { throw ValidationError(problem) }
            let database = try await options.openMigrated(logger: logger)
            try await database.closing {
                if let value {
                    try await SettingsService(database: database).change(key, to: value, by: .system)
                } else {
                    print(try await SettingsRepository(database: database).value(key) ?? "")
                }
            }
        }
    }
}
