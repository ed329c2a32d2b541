import Foundation
import Logging
import ServiceLifecycle
import VestnikCore
import VestnikStore

/// How mail leaves this node: through a `sendmail`-compatible program that reads the message on standard input.
/// By default Debian's `msmtp`, given the SMTP settings (`mail.smtp_*`: host, port, STARTTLS or implicit TLS, user; the
/// password from the environment, never the database); or the operator's own program (`--mail-command`, e.g.
/// `/usr/sbin/sendmail -t -i` for a local postfix). A program, not an SMTP client in the binary: TLS, authentication
/// and the relay's quirks are msmtp's well-kept work, and the binary needs no TLS library to build.
public struct MailTransport: Sendable {
    /// The operator's program and its arguments (from the command line, never from a setting a web page can change).
    public let command: [String]?

    public init(command: [String]? = nil) { self.command = command }

    public static let msmtp = "/usr/bin/msmtp"
    static let passwordVariable = "VESTNIK_SMTP_PASSWORD"

    /// The settings mail reads (`vestnik setting KEY VALUE`, read again for every message: no restart).
    public enum Keys {
        public static let from = "mail.from"
        public static let host = "mail.smtp_host"
        public static let port = "mail.smtp_port"
        /// `starttls` (the default), `tls` (implicit, port 465) or `off` (a relay on this machine only).
        public static let tls = "mail.smtp_tls"
        public static let user = "mail.smtp_user"
        /// A file of trusted certificates for a relay whose certificate no public authority signed.
        public static let caFile = "mail.smtp_ca_file"
    }

    /// The program to run for one message, or why mail is off.
    func program(settings: SettingsRepository) async throws -> Result<[String], MailOff> {
        if let command { return .success(command) }
        guard let host = try await settings.value(Keys.host), !host.isEmpty else { return .failure(.notConfigured) }
        guard let from = try await settings.value(Keys.from), MailMessage.isAddress(from) else { return .failure(.noSender) }
        guard FileManager.default.isExecutableFile(atPath: Self.msmtp) else { return .failure(.noProgram) }
        let tls = try await settings.value(Keys.tls) ?? "starttls"
        let port = try await settings.value(Keys.port) ?? (tls == "tls" ? "465" : "587")
        var arguments = [
            Self.msmtp, "--host=\(host)", "--port=\(port)", "--from=\(from)", "--tls=\(tls == "off" ? "off" : "on")",
            "--tls-starttls=\(tls == "tls" ? "off" : "on")", "--timeout=30",
        ]
        if let caFile = try await settings.value(Keys.caFile), !caFile.isEmpty { arguments.append("--tls-trust-file=\(caFile)") }
        if let user = try await settings.value(Keys.user), !user.isEmpty {
            arguments += ["--auth=on", "--user=\(user)", "--passwordeval=printenv \(Self.passwordVariable)"]
        } else {
            arguments.append("--auth=off")
        }
        return .success(arguments + ["-t"])
    }

    /// Why no mail can be sent now; the chief's staff page says it.
    public enum MailOff: String, Error, Sendable {
        case notConfigured = "nr_mail_off_unset"
        case noSender = "nr_mail_off_sender"
        case noProgram = "nr_mail_off_program"
    }

    /// A write to a pipe whose reader has gone must fail, not end the server (SIGPIPE's default).
    private static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    /// Runs `program` with `message` on its standard input; throws with what it said when it fails or takes over 60 s.
    func send(_ message: [UInt8], with program: [String]) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            // A thread of its own: the program's pipes are read and waited for by blocking calls. `ChildProcess`, not
            // Foundation's `Process` (see there).
            DispatchQueue.global().async {
                let child: ChildProcess
                do {
                    child = try ChildProcess(
                        program[0], arguments: Array(program.dropFirst()), environment: ProcessInfo.processInfo.environment,
                        takesInput: true)
                } catch {
                    continuation.resume(throwing: error)
                    return
                }
                let timer = DispatchWorkItem { child.kill() }
                DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: timer)
                // A program that exits without reading closes the pipe: the write then fails (EPIPE, with SIGPIPE
                // ignored) and the exit status says what went wrong.
                _ = Self.ignoreBrokenPipes
                child.send(message)
                let said = ChildProcess.readAll(child.output, keep: 2_000) + ChildProcess.readAll(child.errors, keep: 2_000)
                let exit = child.wait()
                timer.cancel()
                if exit == 0 {
                    continuation.resume()
                } else {
                    let status = exit.map(String.init) ?? "a signal"
                    continuation.resume(
                        throwing: InvalidInput(
                            "\(program[0]) exited with \(status): \(String(decoding: said.prefix(2_000), as: UTF8.self))"))
                }
            }
        }
    }
}

/// Beside the HTTP server, sends what the outbox holds (every few seconds), retrying failures with growing waits.
public struct MailDelivery: Service {
    let outbox: MailOutbox
    let settings: SettingsRepository
    let transport: MailTransport
    /// The site's name now, as the sender's name (the `site.name` setting may change while the site runs).
    let siteName: @Sendable () -> String
    let now: @Sendable () -> Date
    let interval: Duration
    let logger: Logger

    /// `now` replaces the site's clock (tests stand a minute later to see a retry).
    public init(
        site: Site, transport: MailTransport, interval: Duration = .seconds(5), now: (@Sendable () -> Date)? = nil, logger: Logger
    ) {
        outbox = MailOutbox(database: site.database)
        settings = site.settings
        self.transport = transport
        siteName = { site.siteName }
        self.now = now ?? site.now
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await repeatUntilShutdown(every: interval, logger: logger, job: "mail", failure: "mail delivery failed") { try await deliverDue() }
    }

    /// Sends every message due now, once; returns how many went out.
    @discardableResult
    public func deliverDue() async throws -> Int {
        guard case .success(let program) = try await transport.program(settings: settings) else { return 0 }
        let from = try await settings.value(MailTransport.Keys.from) ?? ""
        var sent = 0
        for mail in try await outbox.claimDue(now: now()) {
            let message = MailMessage(from: from, fromName: siteName(), to: mail.recipient, subject: mail.subject, body: mail.body)
            do {
                guard let bytes = message.rendered(date: now(), messageID: "\(mail.id).\(SecureToken.make().prefix(16))") else {
                    throw InvalidInput("the sender \(from) or the recipient is not an e-mail address")
                }
                try await transport.send(bytes, with: program)
                try await outbox.markSent(mail.id, now: now())
                sent += 1
            } catch {
                logger.warning("an e-mail was not sent", metadata: ["id": "\(mail.id)", "error": "\(error)"])
                try await outbox.markFailed(mail.id, attempts: mail.attempts, error: "\(error)", now: now())
            }
        }
        return sent
    }
}
