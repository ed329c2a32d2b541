import ArgumentParser
import Foundation
import VestnikStore

/// `vestnik import-wordpress EXPORT.xml`: a WordPress site's posts, with their old addresses answering 301.
struct ImportWordPress: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-wordpress",
        abstract: "Import a WordPress export (Tools → Export, WXR 1.1/1.2): posts, categories, tags, authors and old links.")

    @OptionGroup var options: DatabaseOptions

    @Argument(help: "The export file (.xml), read as a stream: any size.")
    var export: String

    @Flag(help: "Read and convert everything and print the report; write nothing.")
    var dryRun = false

    @Option(help: "A post meta key whose value becomes the article's kicker.")
    var kickerMeta: String?

    @Flag(help: "Drop a post's categories after the first (by default they become tags).")
    var dropExtraCategories = false

    @Option(help: "The section of posts that have no category.")
    var defaultSection = "Новини"

    func run() async throws {
        let logger = makeLogger()
        var failed = false
        try await reportingFailures {
            let database = try await options.openMigrated(logger: logger)
            let report = try await database.closing {
                var settings = WordPressImporter.Options()
                settings.dryRun = dryRun
                settings.kickerMeta = kickerMeta
                settings.extraCategoriesAsTags = !dropExtraCategories
                settings.defaultSection = defaultSection
                let progress = Progress()
                let report = try await WordPressImporter(database: database).run(
                    try WXRReader(url: URL(fileURLWithPath: export)), options: settings, progress: progress.show)
                progress.done(report)
                return report
            }
            print(Self.summary(report, dryRun: dryRun))
            failed = !report.failures.isEmpty
        }
        if failed { throw ExitCode.failure }
    }

    static func summary(_ report: WordPressImporter.Report, dryRun: Bool) -> String {
        func list(_ counts: [String: Int]) -> String {
            counts.isEmpty ? "none" : counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        var lines = [
            dryRun ? "Dry run: nothing was written." : "Imported \(report.created) new and \(report.updated) updated articles.",
            "Items read: \(report.total) (\(list(report.items))).",
            "Posts by WordPress status: \(list(report.posts)).",
            "Not imported: \(list(report.skipped)); comments: \(report.comments) (not imported); sticky posts: \(report.sticky).",
            "Shortcodes taken out (their text kept): \(list(report.shortcodes)).",
            "Old addresses answering 301: \(report.redirects).",
        ]
        lines += report.warnings.map { "warning: \($0)" }
        lines += report.failures.map { "failed: \($0)" }
        return lines.joined(separator: "\n")
    }
}

/// Items per second and the count so far: a line that rewrites itself on a terminal, a line every 1,000 items
/// otherwise.
private final class Progress: @unchecked Sendable {
    private let started = Date()
    private var lastShown = Date.distantPast
    private let terminal = isatty(STDERR_FILENO) != 0

    func show(_ report: WordPressImporter.Report) {
        let now = Date()
        let total = report.total
        if terminal {
            guard now.timeIntervalSince(lastShown) >= 0.25 else { return }
        } else {
            guard total % 1_000 == 0 else { return }
        }
        lastShown = now
        let rate = Double(total) / max(now.timeIntervalSince(started), 0.001)
        let line = "\(total) items, \(report.created + report.updated) articles, \(report.failures.count) failed, \(Int(rate)) items/s"
        FileHandle.standardError.write(Data((terminal ? "\r\u{1B}[K" + line : line + "\n").utf8))
    }

    func done(_ report: WordPressImporter.Report) {
        if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        let seconds = Date().timeIntervalSince(started)
        FileHandle.standardError.write(Data("\(report.total) items in \(String(format: "%.1f", seconds)) s\n".utf8))
    }
}
