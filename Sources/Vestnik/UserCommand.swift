import ArgumentParser
import Foundation
import VestnikCore
import VestnikStore
import VestnikWeb

/// `vestnik user …`: newsroom accounts from the command line. The staff changes go through `StaffService`, the same
/// rules and audit log as the newsroom's user page; the shell acts as the operator (`ArticleWriter.system`), so the
/// audit rows name no user, and the last active chief editor still cannot be suspended, demoted or deleted.
struct User: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage newsroom accounts.",
        subcommands: [List.self, Create.self, ChangeRole.self, Suspend.self, Reactivate.self, Delete.self, ResetPassword.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the newsroom's accounts: e-mail, role, state, name.")

        @OptionGroup var options: DatabaseOptions

        func run() async throws {
            try await reportingFailures {
                let database = try await options.openMigrated(logger: makeLogger())
                let members = try await database.closing { try await StaffService(database: database).members() }
                for member in members {
                    let user = member.user
                    print([user.email, user.role.rawValue, member.suspended ? "suspended" : "active", user.name].joined(separator: "\t"))
                }
            }
        }
    }

    struct ChangeRole: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "role", abstract: "Give a user another role.")

        @OptionGroup var options: DatabaseOptions

        @Option(help: "The user's e-mail address.")
        var email: String

        @Option(help: "contributor, author, editor or chief.")
        var role: String

        func run() async throws {
            guard let role = Role(rawValue: role) else {
                throw ValidationError("--role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            try await changing(email, options: options) { staff, user in
                try await staff.setRole(userID: user.id, to: role, by: .system, now: Date())
                return "\(user.name) <\(user.email)> is now \(role.rawValue)."
            }
        }
    }

    struct Suspend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Suspend a user: their sessions end at once, on every node; their articles and bylines stay.")

        @OptionGroup var options: DatabaseOptions

        @Option(help: "The user's e-mail address.")
        var email: String

        func run() async throws {
            try await changing(email, options: options) { staff, user in
                try await staff.suspend(userID: user.id, by: .system, now: Date())
                return "\(user.name) <\(user.email)> is suspended."
            }
        }
    }

    struct Reactivate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Let a suspended user sign in again.")

        @OptionGroup var options: DatabaseOptions

        @Option(help: "The user's e-mail address.")
        var email: String

        func run() async throws {
            try await changing(email, options: options) { staff, user in
                try await staff.reactivate(userID: user.id, by: .system, now: Date())
                return "\(user.name) <\(user.email)> is active."
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a user, handing their drafts, articles in review and scheduled articles to another user.")

        @OptionGroup var options: DatabaseOptions

        @Option(help: "The user's e-mail address.")
        var email: String

        @Option(help: "The e-mail address of the active user who takes over the unfinished work.")
        var reassignTo: String

        func run() async throws {
            try await changing(email, options: options) { staff, user in
                guard let successor = try await staff.member(email: reassignTo) else { throw StaffError.badSuccessor }
                try await staff.delete(userID: user.id, handingWorkTo: successor.user.id, by: .system, now: Date())
                return "\(user.name) <\(user.email)> is deleted; their unfinished work is \(successor.user.name)'s."
            }
        }
    }

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
                throw ValidationError(PasswordHasher.problemInWords(problem))
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

        @Option(help: "The site's public address, when the site.url setting is not set (default: $VESTNIK_PUBLIC_URL).")
        var publicURL: String?

        func run() async throws {
            let logger = makeLogger()
            try await reportingFailures {
                let database = try await options.openMigrated(logger: logger)
                let link = try await database.closing {
                    try await Accounts(database: database, hasher: PasswordHasher()).resetLink(
                        email: email, now: Date(), settings: SettingsRepository(database: database),
                        publicURL: publicURL ?? ProcessInfo.processInfo.environment["VESTNIK_PUBLIC_URL"])
                }
                print(link)
            }
        }
    }
}

/// Runs one staff change on the account with `email` and prints what was done.
private func changing(
    _ email: String, options: DatabaseOptions,
    _ body: @escaping @Sendable (StaffService, NewsroomUser) async throws -> String
) async throws {
    try await reportingFailures {
        let database = try await options.openMigrated(logger: makeLogger())
        let done = try await database.closing {
            let staff = StaffService(database: database)
            guard let member = try await staff.member(email: email) else { throw StaffError.noSuchUser }
            return try await body(staff, member.user)
        }
        print(done)
    }
}
