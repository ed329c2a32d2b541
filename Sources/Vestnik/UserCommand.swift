import ArgumentParser
import Foundation
import VestnikCore
import VestnikStore
import VestnikWeb

/// `vestnik user create` and `vestnik user reset-password`: newsroom accounts from the command line.
struct User: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage newsroom accounts.", subcommands: [Create.self, ResetPassword.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a newsroom user; the password is read from standard input (one line).")

        @OptionGroup var options: DatabaseOptions

        @Option(help: "The user's e-mail address (their login).")
        var email: String

        @Option(help: "The user's name as the newsroom shows it.")
        var name: String

        @Option(help: "contributor, author, editor or chief.")
        var role: String

        @Flag(help: "Read the password from standard input without a prompt (the default when stdin is not a terminal).")
        var passwordStdin = false

        func run() async throws {
            guard let role = Role(rawValue: role) else {
                throw ValidationError("--role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if !passwordStdin && isatty(0) != 0 { FileHandle.standardError.write(Data("Password: ".utf8)) }
            guard let password = readLine(strippingNewline: true), !password.isEmpty else {
                throw ValidationError("no password on standard input")
            }
            if let problem = PasswordHasher.problem(password) {
                throw ValidationError(problem == "nr_password_short" ? "the password must be at least 10 characters" : "the password must be at most 72 bytes")
            }
            let logger = makeLogger()
            try await reportingFailures {
                let database = try await options.openMigrated(logger: logger)
                let user = try await database.closing {
                    try await Accounts(database: database, hasher: PasswordHasher()).createUser(
                        email: email, name: name, role: role, password: password, now: Date())
                }
                print("Created \(user.role.rawValue) \(user.name) <\(user.email)>.")
            }
        }
    }

    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-password", abstract: "Print a one-time password reset link, valid for one hour.")

        @OptionGroup var options: DatabaseOptions

        @Option(help: "The user's e-mail address.")
        var email: String

        @Option(help: "The site's public address (default: the site.url setting, else $VESTNIK_PUBLIC_URL, else http://127.0.0.1:8080).")
        var publicURL: String?

        func run() async throws {
            let logger = makeLogger()
            try await reportingFailures {
                let database = try await options.openMigrated(logger: logger)
                let link = try await database.closing {
                    let path = try await Accounts(database: database, hasher: PasswordHasher()).resetPath(email: email, now: Date())
                    var base = try await SettingsRepository(database: database).value(SettingKeys.publicURL)
                        ?? publicURL ?? ProcessInfo.processInfo.environment["VESTNIK_PUBLIC_URL"] ?? "http://127.0.0.1:8080"
                    while base.hasSuffix("/") { base.removeLast() }
                    return base + path
                }
                print(link)
            }
        }
    }
}
