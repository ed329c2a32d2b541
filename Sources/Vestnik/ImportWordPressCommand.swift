import ArgumentParser
import Foundation
import VestnikCore
import VestnikStore
import VestnikWeb

/// `vestnik import-wordpress EXPORT.xml`: a WordPress site's posts, with their old addresses answering 301.
struct ImportWordPress: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-wordpress",
        abstract:
            "Import a WordPress export (Tools → Export, WXR 1.1/1.2): posts, categories, tags, authors, pictures and old links.")

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

    @Option(
        help:
            "A copy of the site's wp-content/uploads folder: attachments, featured pictures and the pictures in posts go into the media library."
    )
    var uploads: String?

    @Flag(
        help:
            "Download the pictures from the addresses the export names instead of --uploads (http/https only; never private or loopback addresses)."
    )
    var fetchMedia = false

    @Flag(help: "Let --fetch-media reach loopback and private addresses (an old site on this machine or the local network).")
    var allowLocalMedia = false

    @Option(help: "Pictures --fetch-media downloads at once.")
    var fetchConcurrency = 4

    @Option(help: "Posts written per transaction (a batch is stored whole or not at all).")
    var batchSize = 200

    @OptionGroup var media: MediaFolderOption

    @Flag(
        help: "Create a contributor account (no password) for each author with an e-mail address, and print a reset link for each new one.")
    var createUsers = false

    @Option(help: "The site's public address for the reset links, when the site.url setting is not set (default: $VESTNIK_PUBLIC_URL).")
    var publicURL: String?

    func validate() throws {
        if uploads != nil && fetchMedia { throw ValidationError("--uploads and --fetch-media: choose one") }
        if allowLocalMedia && !fetchMedia { throw ValidationError("--allow-local-media goes with --fetch-media") }
        guard (1...10_000).contains(batchSize) else { throw ValidationError("--batch-size must be 1 to 10000") }
        guard (1...32).contains(fetchConcurrency) else { throw ValidationError("--fetch-concurrency must be 1 to 32") }
        if fetchMedia && !Outbound.isAvailable { throw ValidationError("--fetch-media needs \(Outbound.curl) (apt-get install curl)") }
    }

    func run() async throws {
        let logger = makeLogger()
        var failed = false
        try await reportingFailures {
            let database = try await options.openMigrated(logger: logger, bulkWrites: true)
            let report = try await database.closing {
                var settings = WordPressImporter.Options()
                settings.dryRun = dryRun
                settings.kickerMeta = kickerMeta
                settings.extraCategoriesAsTags = !dropExtraCategories
                settings.defaultSection = defaultSection
                settings.batchSize = batchSize
                let file = URL(fileURLWithPath: export)
                var intake: MediaIntake?
                if uploads != nil || fetchMedia {
                    let library = try media.settings(database: options.location)
                    intake = MediaIntake(database: database, folder: library.folder, maxBytes: library.maxBytes)
                    if let uploads {
                        settings.uploads = URL(fileURLWithPath: uploads)
                    } else {
                        settings.fetchMedia = Outbound.Policy(
                            allowPrivate: allowLocalMedia, connectTimeout: 10, timeout: 60, maxResponseBytes: library.maxBytes)
                        settings.fetchConcurrency = fetchConcurrency
                    }
                }
                if createUsers { settings.accounts = try await Self.accounts(database, publicURL: publicURL) }
                let progress = Progress()
                let report = try await WordPressImporter(database: database, media: intake).run(
                    try WXRReader(url: file), attachments: intake == nil ? nil : try WXRReader(url: file), options: settings,
                    progress: progress.show)
                progress.done(report)
                return report
            }
            print(Self.summary(report, dryRun: dryRun))
            failed = !report.failures.isEmpty
        }
        if failed { throw ExitCode.failure }
    }

    /// `--create-users`: a contributor account for each of the export's authors that has an e-mail address and no
    /// account yet, with a password nobody knows (a bcrypt hash of a random secret) and a one-time reset link printed,
    /// made as `vestnik user reset-password` makes it. An author whose address has an account already keeps it.
    static func accounts(_ database: Database, publicURL: String?) async throws -> @Sendable (WXRChannel) async throws -> [String: Int] {
        let publicURL = publicURL ?? ProcessInfo.processInfo.environment["VESTNIK_PUBLIC_URL"]
        // Refused before anything is written, as the reset links would be.
        guard try await SettingsRepository(database: database).value(SettingKeys.publicURL) ?? publicURL != nil else {
            throw ValidationError(
                "--create-users prints reset links: set the site's address with `vestnik setting site.url https://…` or pass --public-url")
        }
        return { channel in
            let accounts = Accounts(database: database, hasher: PasswordHasher())
            let staff = StaffService(database: database)
            var ids: [String: Int] = [:]
            for (login, name) in channel.authors.sorted(by: { $0.key < $1.key }) {
                guard let email = channel.authorEmails[login] else {
                    print("\(name) (\(login)): no account, the export gives no e-mail address")
                    continue
                }
                if let member = try await staff.member(email: email) {
                    ids[login] = member.user.id
                    print("\(name) <\(member.user.email)>: has an account already")
                    continue
                }
                let unknown = try await PasswordHasher(cost: 4).hash(SecureToken.make())
                let user = try await accounts.repository.createUser(
                    email: email, name: name, role: .contributor, passwordHash: unknown, now: Date())
                ids[login] = user.id
                let link = try await accounts.resetLink(
                    email: user.email, now: Date(), settings: SettingsRepository(database: database), publicURL: publicURL)
                print("\(name) <\(user.email)>: contributor account created; set a password at \(link)")
            }
            return ids
        }
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
        if report.mediaCopied + report.mediaKnown + report.mediaMissing > 0 {
            lines.append(
                "Pictures: \(report.mediaCopied) \(dryRun ? "to copy" : "copied") into the media library, \(report.mediaKnown) there already, "
                    + "\(report.mediaMissing) missing; featured pictures: \(report.featured).")
            lines += report.missingFiles.map { "missing file: \($0)" }
            if report.mediaMissing > report.missingFiles.count {
                lines.append("… and \(report.mediaMissing - report.missingFiles.count) more missing files")
            }
        }
        lines += report.mediaRefused.map { "picture not taken: \($0)" }
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
