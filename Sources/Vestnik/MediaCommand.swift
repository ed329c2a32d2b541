import ArgumentParser
import Foundation
import VestnikCore
import VestnikStore
import VestnikWeb

/// `vestnik media scrub`: the media library's files from before uploads were scrubbed lose their location, camera
/// and owner metadata.
struct Media: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage the media library.", subcommands: [Scrub.self])

    struct Scrub: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take location (GPS), camera and owner metadata out of the library's stored pictures.",
            discussion: """
                A rewritten picture gets a new address; the articles, revisions and author portraits that named the \
                old one name the new one, the old address answers 301, the old file is deleted and the change is \
                announced (on PostgreSQL every node drops its cached pages at once; on SQLite a running server keeps \
                them up to its page lifetime, and their old addresses redirect meanwhile). Pictures that are already \
                clean are left alone, so a second run changes nothing. It may run while the site is up.
                """)

        @OptionGroup var options: DatabaseOptions

        @Option(
            help:
                "The folder of the media library's files (default: $VESTNIK_MEDIA_DIR, else media/ next to a SQLite database, else ./media)."
        )
        var mediaDir: String?

        @Flag(help: "Only say what would change.")
        var dryRun = false

        func run() async throws {
            let logger = makeLogger()
            try await reportingFailures {
                // The same folder `serve` uses, from the same options and environment.
                var serve = try Serve.parse([])
                serve.mediaDir = mediaDir
                let folder = try serve.mediaSettings(ProcessInfo.processInfo.environment, database: options.location).folder
                let database = try await options.openMigrated(logger: logger)
                let report = try await database.closing {
                    try await MediaLibraryScrub(database: database, files: MediaFiles(folder: folder)).run(dryRun: dryRun, now: Date())
                }
                for change in report.changed {
                    let articles = change.articles.isEmpty ? "" : ", articles \(change.articles.map(String.init).joined(separator: " "))"
                    print(
                        "\(dryRun ? "would rewrite" : "rewrote") \(change.old.fileName) → \(change.new.fileName): removed "
                            + "\(change.removed.sorted().map(\.rawValue).joined(separator: " ")), "
                            + "\(change.bytesBefore) → \(change.bytesAfter) bytes\(articles)")
                }
                for address in report.missing { print("missing file: \(address.fileName) (its row is kept)") }
                for address in report.damaged { print("damaged, left as it is: \(address.fileName)") }
                print(
                    "\(report.changed.count) \(dryRun ? "to rewrite" : "rewritten"), \(report.clean) already clean, "
                        + "\(report.missing.count) missing, \(report.damaged.count) damaged (\(folder.path))")
            }
        }
    }
}
