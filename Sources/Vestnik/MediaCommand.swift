import ArgumentParser
import Foundation
import VestnikCore
import VestnikStore
import VestnikWeb

/// `vestnik media scrub`: the media library's files from before uploads were scrubbed lose their location, camera
/// and owner metadata.
struct Media: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage the media library.", subcommands: [Scrub.self, Renditions.self])

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

        @OptionGroup var media: MediaFolderOption

        @Flag(help: "Only say what would change.")
        var dryRun = false

        func run() async throws {
            let logger = makeLogger()
            try await reportingFailures {
                let folder = try media.folder(database: options.location)
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

    struct Renditions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make the missing renditions (smaller sizes, WebP, AVIF, crops) of the library's pictures.",
            discussion: """
                Queues every picture that has none (a library from before renditions) and makes them here, one at a \
                time, with libvips; it may run while the site is up (the servers' workers share the queue, and a \
                job goes to one of them). A second run finds nothing to do.
                """)

        @OptionGroup var options: DatabaseOptions

        @OptionGroup var media: MediaFolderOption

        @Flag(help: "Try the pictures whose renditions failed again.")
        var retry = false

        func run() async throws {
            let logger = makeLogger()
            try await reportingFailures {
                if case .missing(let why) = Vips.availability {
                    throw ValidationError("libvips cannot be loaded (\(why)); install the libvips42 package")
                }
                let folder = try media.folder(database: options.location)
                let database = try await options.openMigrated(logger: logger)
                try await database.closing {
                    let renditions = MediaRenditions(database: database, files: MediaFiles(folder: folder))
                    let queued = try await renditions.enqueueMissing(retry: retry, now: Date())
                    let node = MediaRenditions.nodeName("cli")
                    var counts: [RenditionJob.State: Int] = [:]
                    while let item = try await renditions.claim(node: node, now: Date()) {
                        let state = try await renditions.process(item, node: node, now: { Date() })
                        counts[state, default: 0] += 1
                        let note = state == .done ? "" : " (\(try await renditions.job(item.address.hash)?.error ?? ""))"
                        print("\(item.address.fileName): \(state.rawValue)\(note)")
                    }
                    print(
                        "\(queued) queued; \(counts[.done] ?? 0) done, \(counts[.skipped] ?? 0) skipped, \(counts[.failed] ?? 0) failed "
                            + "(\(folder.path))")
                }
            }
        }
    }
}

/// `--media-dir` of the `media` commands.
struct MediaFolderOption: ParsableArguments {
    @Option(
        help:
            "The folder of the media library's files (default: $VESTNIK_MEDIA_DIR, else media/ next to a SQLite database, else ./media)."
    )
    var mediaDir: String?

    /// The same folder `serve` uses, from the same options and environment.
    func folder(database: DatabaseLocation) throws -> URL { try settings(database: database).folder }

    /// The folder and the size limit `serve` uses ($VESTNIK_MEDIA_MAX_MB).
    func settings(database: DatabaseLocation) throws -> MediaSettings {
        var serve = try Serve.parse([])
        serve.mediaDir = mediaDir
        return try serve.mediaSettings(ProcessInfo.processInfo.environment, database: database)
    }
}
