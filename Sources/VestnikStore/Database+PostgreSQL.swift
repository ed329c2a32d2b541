import Foundation
import Logging
import NIOCore
import PostgresKit

// PostgreSQL's side of `Database`: its URL, and how a call notices that the server is gone.

/// Tries one direct connection to the PostgreSQL server; callers within a second share the same attempt, so a
/// thousand waiting requests cost one connection attempt.
final class ServerProbe: @unchecked Sendable {
    private let configuration: PostgresConnection.Configuration?
    private let logger: Logger
    private let lock = NSLock()
    private var latest: (started: ContinuousClock.Instant, attempt: Task<String?, Never>)?

    init(configuration: PostgresConnection.Configuration?, logger: Logger) {
        var configuration = configuration
        configuration?.options.connectTimeout = .seconds(2)
        self.configuration = configuration
        self.logger = logger
    }

    /// Nil when the server accepted a connection, else why not.
    func failure() async -> String? {
        guard let configuration else { return nil }
        let logger = self.logger
        let attempt: Task<String?, Never> = lock.withLock {
            if let latest, ContinuousClock.now - latest.started < .seconds(1) { return latest.attempt }
            let attempt = Task<String?, Never> {
                do {
                    let connection = try await PostgresConnection.connect(configuration: configuration, id: 2, logger: logger)
                    try? await connection.close()
                    return nil
                } catch {
                    return String(reflecting: error)
                }
            }
            latest = (ContinuousClock.now, attempt)
            return attempt
        }
        return await attempt.value
    }
}

/// Whether a pooled PostgreSQL call got its connection (then the lease timeout no longer applies).
final class LeaseState: @unchecked Sendable {
    private let lock = NSLock()
    private var leased = false

    func markLeased() { lock.withLock { leased = true } }
    var isLeased: Bool { lock.withLock { leased } }
}

/// Parses `postgres://user:pass@host:port/db?sslmode=require` into a client configuration.
enum PostgresURL {
    static func configuration(_ url: String, searchPath: String?) throws -> PostgresClient.Configuration {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else {
            throw DatabaseOpenError(description: "not a valid PostgreSQL URL: \(DatabaseLocation.postgres(url: url))")
        }
        let tls: PostgresClient.Configuration.TLS = usesTLS(url) ? .require(.makeClientConfiguration()) : .disable
        let database = components.path.split(separator: "/").first.map(String.init)
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: components.user ?? "postgres",
            password: components.password, database: database, tls: tls)
        configuration.options.maximumConnections = 16
        configuration.options.additionalStartupParameters = startupParameters(searchPath: searchPath)
        return configuration
    }

    /// Every connection's settings. JIT is off: it compiles a statement whose estimated cost is high, and a search's
    /// newest-first walk is estimated as if it read a word's every posting (the planner does not know it stops at
    /// 1,001), so a statement that runs in a few milliseconds spent 25 ms to seconds being compiled. Vestnik's
    /// statements are all short.
    static func startupParameters(searchPath: String?) -> [(String, String)] {
        [("jit", "off")] + (searchPath.map { [("search_path", $0)] } ?? [])
    }

    /// The same server, user and database for one connection of our own (outside the pool).
    static func connectionConfiguration(_ url: String, searchPath: String?) throws -> PostgresConnection.Configuration {
        let pooled = try configuration(url, searchPath: searchPath)
        var configuration = PostgresConnection.Configuration(
            host: pooled.host ?? "127.0.0.1", port: pooled.port ?? 5432, username: pooled.username, password: pooled.password,
            database: pooled.database,
            tls: usesTLS(url) ? .require(try NIOSSLContext(configuration: .makeClientConfiguration())) : .disable)
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.additionalStartupParameters = startupParameters(searchPath: searchPath)
        return configuration
    }

    static func usesTLS(_ url: String) -> Bool {
        let mode = URLComponents(string: url)?.queryItems?.first { $0.name == "sslmode" }?.value ?? ""
        return ["require", "verify-full", "verify-ca"].contains(mode)
    }

    /// One direct connection attempt, so that a wrong address or password fails at once with the server's reason
    /// instead of after the pool's retries.
    static func probe(_ client: PostgresClient.Configuration, location: DatabaseLocation, logger: Logger) async throws {
        guard let host = client.host else { return }
        var configuration = PostgresConnection.Configuration(
            host: host, port: client.port ?? 5432, username: client.username, password: client.password,
            database: client.database, tls: .disable)
        configuration.options.connectTimeout = .seconds(10)
        do {
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
            try await connection.close()
        } catch {
            throw DatabaseOpenError(description: "cannot connect to PostgreSQL at \(location): \(String(reflecting: error))")
        }
    }
}
