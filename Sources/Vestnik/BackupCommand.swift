import ArgumentParser
import Foundation
import VestnikStore

/// The media library's folder: `--media-dir`, else $VESTNIK_MEDIA_DIR, else `media/` beside a SQLite file, else
/// `./media`. Every command that touches the library finds it the same way.
func mediaFolder(_ option: String?, _ environment: [String: String], database: DatabaseLocation) -> URL {
    if let path = option ?? environment["VESTNIK_MEDIA_DIR"], !path.isEmpty { return URL(fileURLWithPath: path) }
    if case .sqlite(let path) = database {
        return URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("media")
    }
    return URL(fileURLWithPath: "media")
}

/// `vestnik backup DEST`: a consistent copy of the database and the media library while the site serves.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract:
            "Copy the database (SQLite: VACUUM INTO; PostgreSQL: pg_dump) and the media library into a new folder, while the site serves.")

    @OptionGroup var options: DatabaseOptions

    @Option(help: "The media library's folder (default: $VESTNIK_MEDIA_DIR, else media/ beside a SQLite file, else ./media).")
    var mediaDir: String?

    @Argument(help: "A folder that does not exist yet, or is empty.")
    var destination: String

    func run() async throws {
        let logger = makeLogger()
        try await reportingFailures {
            let database = try await options.openMigrated(logger: logger)
            let folder = mediaFolder(mediaDir, ProcessInfo.processInfo.environment, database: options.location)
            let report = try await database.closing {
                try await Backup(database: database, mediaFolder: folder).write(to: URL(fileURLWithPath: destination))
            }
            print("Backed up the database to \(report.databaseFile) and \(report.mediaFiles) media files (\(report.mediaBytes) bytes).")
            for name in report.missingMedia { print("warning: the library names \(name), which is not in \(folder.path)") }
        }
    }
}

/// `vestnik restore SRC`: a backup into a new SQLite file or an empty PostgreSQL database.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Restore a backup folder into a new SQLite file or an empty PostgreSQL database, and its media.")

    @OptionGroup var options: DatabaseOptions

    @Option(help: "The media library's folder to restore into (default as for serve).")
    var mediaDir: String?

    @Argument(help: "A folder written by vestnik backup.")
    var source: String

    func run() async throws {
        try await reportingFailures {
            let folder = mediaFolder(mediaDir, ProcessInfo.processInfo.environment, database: options.location)
            let copied = try Backup.restore(from: URL(fileURLWithPath: source), into: options.location, mediaFolder: folder)
            let database = try await options.openMigrated(logger: makeLogger())
            await database.close()
            print("Restored \(options.location) and \(copied) media files into \(folder.path).")
        }
    }
}
