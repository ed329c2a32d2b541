import Foundation
import SQLKit
import SQLiteKit
import VestnikCore

/// A consistent copy of the site while it serves: the database and the media library's files, with a manifest.
///
/// - SQLite: `VACUUM INTO` on the writer connection writes a compacted copy of one snapshot (readers go on; other
///   writes wait for the copy, a few seconds for a large paper).
/// - PostgreSQL: `pg_dump --format=custom` (Debian's `postgresql-client`), one snapshot by its own transaction.
/// - Media: files are named by their content and never change, so copying them after the database is consistent: the
///   manifest lists every file the copied database names, and a file missing from the folder is reported.
public struct Backup: Sendable {
    let database: Database
    let mediaFolder: URL

    public init(database: Database, mediaFolder: URL) {
        self.database = database
        self.mediaFolder = mediaFolder
    }

    public struct Report: Sendable, Equatable {
        public var databaseFile: String
        public var mediaFiles = 0
        public var mediaBytes = 0
        public var missingMedia: [String] = []
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The file names inside a backup folder.
    public static let sqliteName = "vestnik.sqlite"
    public static let postgresName = "vestnik.pgdump"
    public static let manifestName = "media-manifest.txt"

    /// Writes the backup into `folder`, which must be empty or not exist yet.
    public func write(to folder: URL) async throws -> Report {
        let files = FileManager.default
        if files.fileExists(atPath: folder.path), let contents = try? files.contentsOfDirectory(atPath: folder.path), !contents.isEmpty {
            throw Failure(description: "the backup folder \(folder.path) is not empty")
        }
        try files.createDirectory(at: folder, withIntermediateDirectories: true)
        var report: Report
        switch database.dialect {
        case .sqlite:
            let target = folder.appendingPathComponent(Self.sqliteName)
            try await database.withSQLiteWriter { db in try await db.raw("VACUUM INTO \(bind: target.path)").run() }
            report = Report(databaseFile: target.path)
        case .postgres:
            guard case .postgres(let url) = database.location else { throw Failure(description: "no PostgreSQL address") }
            let target = folder.appendingPathComponent(Self.postgresName)
            try Self.runTool("pg_dump", ["--format=custom", "--no-owner", "--file", target.path] + schemaArguments() + [url])
            report = Report(databaseFile: target.path)
        }
        // The media the database names, copied beside it.
        let names = try await database.read { db in
            try await db.raw("SELECT hash, type FROM media ORDER BY hash").all().map { row -> String in
                let hash = try row.string("hash")
                return MediaAddress(hash: hash, format: ImageFormat(rawValue: try row.string("type")) ?? .jpeg).fileName
            }
        }
        let mediaTarget = folder.appendingPathComponent("media")
        try files.createDirectory(at: mediaTarget, withIntermediateDirectories: true)
        var manifest = ""
        for name in names {
            let source = mediaFolder.appendingPathComponent(name)
            guard let attributes = try? files.attributesOfItem(atPath: source.path) else {
                report.missingMedia.append(name)
                continue
            }
            try files.copyItem(at: source, to: mediaTarget.appendingPathComponent(name))
            let bytes = (attributes[.size] as? NSNumber)?.intValue ?? 0
            report.mediaFiles += 1
            report.mediaBytes += bytes
            manifest += "\(name)\t\(bytes)\n"
        }
        try Data(manifest.utf8).write(to: folder.appendingPathComponent(Self.manifestName))
        return report
    }

    /// Restores a backup folder into `location`, which must be a new SQLite file or an empty PostgreSQL database, and
    /// its media into `mediaFolder`.
    public static func restore(from folder: URL, into location: DatabaseLocation, mediaFolder: URL) throws -> Int {
        let files = FileManager.default
        switch location {
        case .sqlite(let path):
            let source = folder.appendingPathComponent(sqliteName)
            guard files.fileExists(atPath: source.path) else { throw Failure(description: "\(folder.path) holds no \(sqliteName)") }
            guard !files.fileExists(atPath: path) else { throw Failure(description: "\(path) exists; restore into a new file") }
            try files.copyItem(atPath: source.path, toPath: path)
        case .postgres(let url):
            let source = folder.appendingPathComponent(postgresName)
            guard files.fileExists(atPath: source.path) else { throw Failure(description: "\(folder.path) holds no \(postgresName)") }
            try runTool("pg_restore", ["--no-owner", "--exit-on-error", "--dbname", url, source.path])
        }
        try files.createDirectory(at: mediaFolder, withIntermediateDirectories: true)
        var copied = 0
        let media = folder.appendingPathComponent("media")
        for name in (try? files.contentsOfDirectory(atPath: media.path)) ?? [] {
            let target = mediaFolder.appendingPathComponent(name)
            if files.fileExists(atPath: target.path) { continue }
            try files.copyItem(at: media.appendingPathComponent(name), to: target)
            copied += 1
        }
        return copied
    }

    private func schemaArguments() -> [String] {
        database.schema.map { ["--schema", $0] } ?? []
    }

    /// Runs a PostgreSQL client tool found on the PATH; its error output becomes the failure.
    static func runTool(_ name: String, _ arguments: [String]) throws {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent(name).path }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path else { throw Failure(description: "\(name) is not installed (Debian: apt-get install postgresql-client)") }
        // `ChildProcess`, not Foundation's `Process`: its `run()` on Linux can read past a page (swift-corelibs-foundation
        // #5472) and crash the whole server.
        let child: ChildProcess
        do {
            child = try ChildProcess(path, arguments: arguments, environment: ProcessInfo.processInfo.environment, takesInput: false)
        } catch {
            throw Failure(description: "\(name) could not start: \(error)")
        }
        // The tools write to --file or --dbname; their standard output is drained only so they can never block on it.
        let message = ChildProcess.readAll(child.errors, keep: 65_536)
        _ = ChildProcess.readAll(child.output, keep: 0)
        let status = child.wait()
        guard status == 0 else {
            let how = status.map { "exit status \($0)" } ?? "ended by a signal"
            throw Failure(description: "\(name) failed (\(how)): \(String(decoding: message, as: UTF8.self))")
        }
    }
}
