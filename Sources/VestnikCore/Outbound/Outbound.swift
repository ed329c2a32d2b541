import Foundation

/// Outgoing HTTP(S) requests to addresses that outside people choose (webhook URLs, media of an imported site).
///
/// Only `http` and `https`. The host is resolved once, every address it resolves to is checked (loopback, private,
/// link-local, CGNAT, multicast, unspecified and reserved are refused unless `allowPrivate`), and the request connects
/// to exactly the checked address: a DNS answer that changes between the check and the connection (rebinding) cannot
/// move it. Timeouts, a cap on the response's size, no redirects unless asked for (and then every hop checked the same
/// way). Callers bound how many run at once.
///
/// The transport is the `curl` program (`--connect-to` pins the connection to the checked address while TLS still
/// verifies the host's own name): like mail through msmtp, it costs the build nothing, where an HTTP client library
/// would bring its own TLS library into every build. Without curl installed, outgoing requests are off and say so.
public enum Outbound {
    /// Where the program is; `isAvailable` says whether it is there.
    public static let curl = "/usr/bin/curl"
    public static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: curl) }

    /// The limits of one request.
    public struct Policy: Sendable {
        /// Lets requests reach loopback and private networks (a setting the operator chooses, and tests).
        public var allowPrivate: Bool
        public var connectTimeout: Int
        /// Seconds for the whole exchange.
        public var timeout: Int
        /// Bytes of response body kept; a longer body fails the request with `tooLarge`.
        public var maxResponseBytes: Int
        /// Redirects followed (each hop checked like the first); 0 returns the redirect itself.
        public var maxRedirects: Int

        public init(
            allowPrivate: Bool = false, connectTimeout: Int = 10, timeout: Int = 30, maxResponseBytes: Int = 1 << 20, maxRedirects: Int = 0
        ) {
            self.allowPrivate = allowPrivate
            self.connectTimeout = connectTimeout
            self.timeout = timeout
            self.maxResponseBytes = maxResponseBytes
            self.maxRedirects = maxRedirects
        }
    }

    public struct Request: Sendable {
        public var method: String
        public var url: String
        /// Names are HTTP tokens, values without line breaks (checked).
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]?

        public init(method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil) {
            self.method = method
            self.url = url
            self.headers = headers
            self.body = body
        }
    }

    public struct Response: Sendable {
        public var status: Int
        public var contentType: String?
        /// Where a redirect that was not followed points.
        public var location: String?
        public var body: [UInt8]
        /// The address the request connected to, and the URL of the last hop.
        public var address: IPAddress
        public var url: String
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case badURL(String)
        case refused(host: String, address: String, reason: String)
        case unresolved(String)
        case tooLarge(Int)
        case timedOut
        case tooManyRedirects
        case noProgram
        case transport(String)

        public var description: String {
            switch self {
            case .badURL(let why): return "not a usable URL: \(why)"
            case .refused(let host, let address, let reason): return "\(host) is \(address), a \(reason) address: refused"
            case .unresolved(let host): return "\(host) does not resolve"
            case .tooLarge(let limit): return "the response is over \(limit) bytes"
            case .timedOut: return "no answer in time"
            case .tooManyRedirects: return "too many redirects"
            case .noProgram: return "outgoing requests are off: \(curl) is not installed"
            case .transport(let said): return said
            }
        }
    }

    /// A URL an outgoing request may go to: its parts, and the one address it will connect to.
    public struct Target: Sendable, Equatable {
        public var url: String
        public var host: String
        public var port: Int
        public var address: IPAddress
    }

    /// Parses `url` and resolves and checks its host (the blocking name lookup happens here, once).
    public static func target(_ url: String, policy: Policy) throws -> Target {
        guard url.utf8.count <= 4_096, !url.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 32 || $0 == 127 } == true })
        else { throw Failure.badURL("too long or with spaces or control characters") }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            throw Failure.badURL("not a URL")
        }
        guard scheme == "http" || scheme == "https" else { throw Failure.badURL("only http and https") }
        guard components.user == nil && components.password == nil else { throw Failure.badURL("no user or password in the URL") }
        guard var host = components.host, !host.isEmpty else { throw Failure.badURL("no host") }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        guard (1...65_535).contains(port) else { throw Failure.badURL("no such port") }
        let addresses = IPAddress.resolve(host)
        guard let first = addresses.first else { throw Failure.unresolved(host) }
        if !policy.allowPrivate {
            // Every address the name has is checked: a name that mixes public and private addresses is refused.
            for address in addresses {
                if let reason = address.refusal { throw Failure.refused(host: host, address: "\(address)", reason: reason) }
            }
        }
        return Target(url: url, host: host, port: port, address: first)
    }

    /// `target`, off the tasks' threads (the name lookup blocks): for checking a URL when someone enters it.
    public static func check(_ url: String, policy: Policy) async throws -> Target {
        try await blocking { try target(url, policy: policy) }
    }

    /// Sends `request` within `policy`: the status, type and (capped) body of whatever answered, any status.
    public static func send(_ request: Request, policy: Policy = Policy()) async throws -> Response {
        guard isAvailable else { throw Failure.noProgram }
        guard request.method.allSatisfy({ $0.isASCII && $0.isUppercase }), !request.method.isEmpty else {
            throw Failure.badURL("no such method")
        }
        for header in request.headers {
            guard !header.name.isEmpty, header.name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }),
                !header.value.contains(where: { $0.isNewline || $0 == "\0" })
            else { throw Failure.badURL("a header that cannot be sent: \(header.name.prefix(40))") }
        }
        var current = request
        for _ in 0...policy.maxRedirects {
            let url = current.url
            let target = try await blocking { try Self.target(url, policy: policy) }
            let response = try await exchange(current, to: target, policy: policy)
            guard policy.maxRedirects > 0, [301, 302, 303, 307, 308].contains(response.status), let location = response.location,
                let next = URL(string: location, relativeTo: URL(string: current.url))?.absoluteString
            else { return response }
            current.url = next
            if response.status == 303 || (response.status != 307 && response.status != 308 && current.method == "POST") {
                current.method = "GET"
                current.body = nil
            }
        }
        throw Failure.tooManyRedirects
    }

    static let statusMark = "@@vestnik-status "
    static let typeMark = "@@vestnik-type "
    static let locationMark = "@@vestnik-location "

    /// The curl command for one hop: configuration files, proxies, globbing and redirects off, the connection pinned.
    static func arguments(_ request: Request, to target: Target, policy: Policy) -> [String] {
        var arguments = [
            "-q", "--silent", "--show-error", "--globoff", "--noproxy", "*", "--proto", "=http,https", "--max-redirs", "0",
            "--connect-to", "::\(target.address):\(target.port)",
            "--connect-timeout", "\(policy.connectTimeout)", "--max-time", "\(policy.timeout)",
            "--max-filesize", "\(policy.maxResponseBytes)", "--request", request.method,
            "--user-agent", "Vestnik", "--header", "Expect:",
        ]
        for header in request.headers { arguments += ["--header", "\(header.name): \(header.value)"] }
        if request.body != nil { arguments += ["--data-binary", "@-"] }
        arguments += [
            "--output", "-",
            "--write-out", "%{stderr}\n\(statusMark)%{http_code}\n\(typeMark)%{content_type}\n\(locationMark)%{redirect_url}\n",
            "--url", target.url,
        ]
        return arguments
    }

    /// Runs curl for one hop; reads at most the cap of body and stops curl when it sends more.
    static func exchange(_ request: Request, to target: Target, policy: Policy) async throws -> Response {
        let arguments = arguments(request, to: target, policy: policy)
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Response, any Error>) in
            DispatchQueue.global().async {
                // No proxy or curl settings from the server's environment; only where the trusted certificates are.
                let environment = ProcessInfo.processInfo.environment.filter { ["SSL_CERT_FILE", "SSL_CERT_DIR"].contains($0.key) }
                let child: ChildProcess
                do {
                    child = try ChildProcess(curl, arguments: arguments, environment: environment, takesInput: request.body != nil)
                } catch {
                    continuation.resume(throwing: Failure.transport("\(curl) did not start: \(error)"))
                    return
                }
                // SIGKILL: curl blocked writing to a full pipe ends too.
                let timer = DispatchWorkItem { child.kill() }
                DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(policy.timeout + 5), execute: timer)
                if let body = request.body {
                    DispatchQueue.global().async {
                        _ = ignoreBrokenPipes
                        child.send(body)
                    }
                }
                var received: [UInt8] = []
                var tooLarge = false
                while true {
                    let chunk = ChildProcess.read(child.output)
                    if chunk.isEmpty { break }
                    received.append(contentsOf: chunk)
                    if received.count > policy.maxResponseBytes {
                        tooLarge = true
                        child.kill()
                        break
                    }
                }
                let said = String(decoding: ChildProcess.readAll(child.errors, keep: 8_192), as: UTF8.self)
                let exit = child.wait()
                timer.cancel()
                if tooLarge || exit == 63 {
                    continuation.resume(throwing: Failure.tooLarge(policy.maxResponseBytes))
                    return
                }
                // 28: curl's own time limit; no exit status: the timer's kill.
                guard let status = exit, status != 28 else {
                    continuation.resume(throwing: Failure.timedOut)
                    return
                }
                let lines = said.split(separator: "\n").map(String.init)
                func marked(_ mark: String) -> String? {
                    lines.last { $0.hasPrefix(mark) }.map { String($0.dropFirst(mark.count)) }.flatMap { $0.isEmpty ? nil : $0 }
                }
                guard status == 0, let code = marked(statusMark).flatMap({ Int($0) }), code >= 100 else {
                    let message = lines.filter { !$0.hasPrefix("@@vestnik-") }.joined(separator: " ")
                    continuation.resume(
                        throwing: Failure.transport(message.isEmpty ? "curl exited with \(status)" : String(message.prefix(500))))
                    return
                }
                continuation.resume(
                    returning: Response(
                        status: code, contentType: marked(typeMark), location: marked(locationMark), body: received,
                        address: target.address, url: target.url))
            }
        }
    }

    /// Runs `work`, which blocks (a name lookup), on a thread of its own instead of the tasks' few.
    static func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }

    /// A write to a pipe whose reader has gone must fail, not end the server (SIGPIPE's default).
    private static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()
}
