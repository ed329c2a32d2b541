import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport

@testable import VestnikWeb

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Page cache hits answered on the event loop (`EventLoopHits`) against the same hits answered by the responder chain
/// (`PageCacheMiddleware`), on a live server: the same status, headers (in order) and bytes, but for the date and the
/// request's id.
@Suite struct EventLoopHitsTests {
    static let article = "/svyat/kim-chen-un-se-sreshta-s-putin"
    /// The pages asked for: an article (its "Новините днес" spliced in) and the home page (kept whole).
    static let urls = [article, "/"]

    /// One answer as compared: status, headers but the date and the request's id, body.
    struct Seen: Equatable, CustomStringConvertible {
        var status: Int
        var headers: [String]
        var body: [UInt8]
        var description: String { "\(status) \(headers.joined(separator: " | ")) (\(body.count) bytes)" }
    }

    static func seen(_ response: TestResponse) -> Seen {
        Seen(
            status: response.status.code,
            headers: response.headers.filter { $0.name != .date && $0.name != .requestID }.map { "\($0.name.rawName): \($0.value)" },
            body: Array(response.body.readableBytesView))
    }

    /// Asks for `url` until the cache answers it (a site's first background work may announce changes that keep
    /// a page rendered meanwhile from being kept).
    static func untilHit(_ client: any TestClientProtocol, _ url: String, headers: HTTPFields = [:]) async throws {
        for _ in 0..<20 {
            if try await client.execute(uri: url, method: .get, headers: headers, body: nil, testCallback: { $0.headers[.xCache] })
                == "HIT"
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("\(url) never became a hit")
    }

    /// The hits of every kind on a live server over `site`: identity, gzip, 304 for either validator, HEAD; with the
    /// number answered on the event loop.
    static func hits(_ site: Site, onEventLoop: Bool) async throws -> (answers: [Seen], raw: [String], eventLoop: Int) {
        var settings = ServerSettings(port: 0)
        settings.eventLoopHits = onEventLoop
        let cache = settings.makePageCache(for: site)
        let app = buildApplication(site: site, settings: settings, pageCache: cache, logger: Logger(label: "test"))
        return try await app.test(.live) { client in
            var answers: [Seen] = []
            for url in urls {
                try await untilHit(client, url)
                try await untilHit(client, url, headers: [.acceptEncoding: "gzip"])
            }
            let before = cache.stats.eventLoopHits
            var ask: [(String, HTTPRequest.Method, HTTPFields)] = []
            for url in urls {
                let plain = try await client.execute(uri: url, method: .get) { $0 }
                let zipped = try await client.execute(uri: url, method: .get, headers: [.acceptEncoding: "gzip, br"]) { $0 }
                let etag = try #require(plain.headers[.eTag])
                let zippedTag = try #require(zipped.headers[.eTag])
                answers += [seen(plain), seen(zipped)]
                ask += [
                    (url, .get, [.ifNoneMatch: etag]), (url, .get, [.ifNoneMatch: zippedTag, .acceptEncoding: "gzip"]),
                    (url, .get, [.ifNoneMatch: "\"other\", " + etag]), (url, .get, [.ifNoneMatch: "\"other\""]),
                    (url, .head, [:]), (url, .head, [.acceptEncoding: "gzip"]), (url + "?utm_source=x", .get, [:]),
                    (url, .get, [.acceptEncoding: "gzip;q=0, identity"]),
                ]
            }
            for (url, method, headers) in ask {
                answers.append(seen(try await client.execute(uri: url, method: method, headers: headers, body: nil) { $0 }))
            }
            for answer in answers { #expect(answer.headers.contains("X-Cache: HIT"), "\(answer)") }
            let eventLoop = cache.stats.eventLoopHits - before
            // Pipelined: several requests in one write, answered in order; the second batch starts with a request
            // the cache does not answer (its answers after it wait for it).
            let port = try #require(client.port)
            let raw = try await pipelined(
                port: port,
                [
                    ("GET", article, ""), ("GET", article, "Accept-Encoding: gzip\r\n"), ("HEAD", "/", ""), ("GET", "/", ""),
                    ("GET", "/newsroom/login", ""), ("GET", article, ""), ("HEAD", article, "Accept-Encoding: gzip\r\n"),
                    ("GET", "/", "Accept-Encoding: gzip\r\n"),
                ])
            // `Connection: close`: answered, then the connection ends; what was sent after it is not answered.
            let closed = try await pipelined(port: port, [("GET", article, "Connection: close\r\n"), ("GET", "/", "")], untilClosed: true)
            // A HEAD answered here, then a GET and a HEAD passed on: NIO's encoder frames an answer by the method of
            // the request it pairs it with, so its queue of methods must stay in step with the answers written past it.
            let paired = try await pipelined(
                port: port,
                [("HEAD", article, ""), ("GET", "/newsroom/login", ""), ("HEAD", "/newsroom/login", ""), ("GET", "/", "")])
            return (answers, raw + closed + paired, eventLoop)
        }
    }

    @Test(arguments: TestDatabase.all)
    func theEventLoopAnswersAHitWithTheMiddlewaresBytes(_ kind: TestDatabase) async throws {
        try await withTestSite(kind, articles: PageCacheTests.content) { site in
            let chain = try await Self.hits(site, onEventLoop: false)
            let loop = try await Self.hits(site, onEventLoop: true)
            #expect(chain.eventLoop == 0)
            #expect(loop.eventLoop == loop.answers.count)
            #expect(loop.answers.count == 20)
            for (expected, answered) in zip(chain.answers, loop.answers) { #expect(answered == expected) }
            let statuses = loop.answers.map(\.status)
            #expect(statuses.filter { $0 == 304 }.count == 6)
            #expect(statuses.filter { $0 == 200 }.count == 14)
            // Pipelined answers: the same, in the order asked (the newsroom's login page carries a fresh CSRF token).
            #expect(loop.raw.count == 13)
            #expect(chain.raw.count == 13)
            let login = [4, 10, 11]
            for (index, (expected, answered)) in zip(chain.raw, loop.raw).enumerated() where !login.contains(index) {
                #expect(answered == expected, "answer \(index + 1)")
            }
            for index in login { #expect(loop.raw[index].hasPrefix("HTTP/1.1 200 OK\r\n") && !loop.raw[index].contains("X-Cache")) }
            // The GET's page came whole, the HEAD's answer without a body.
            #expect(loop.raw[10].hasSuffix("</html>\n") && loop.raw[11].hasSuffix("\r\n\r\n"))
            #expect(loop.raw[1].contains("Content-Encoding: gzip") && loop.raw[2].hasPrefix("HTTP/1.1 200 OK"))
        }
    }

    /// The one-pass readings of a path and of `Accept-Encoding` that every hit takes agree with the full parses on
    /// random text made of the bytes that matter to them (and a combining mark, which joins a `/` into one Character).
    @Test func theFastReadingsAgreeWithTheFullOnes() {
        typealias M = PageCacheMiddleware<BasicRequestContext>
        let pathParts = ["/", "/", "/", ".", "..", "a", "ж", "\u{301}", "-", "%2F"]
        let codingParts = [
            "gzip", "GZip", "x-gzip", "deflate", "br", ",", ", ", " ", "\t", ";q=0", ";q=0.5", "*", "ü", "gz", "ip", "identity",
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<4_000 {
            let path = (0..<Int.random(in: 0...8, using: &generator)).map { _ in pathParts.randomElement(using: &generator)! }.joined()
            #expect(M.pathForm(path) == M.parsedPathForm(path), "\(path.debugDescription)")
            let value = (0..<Int.random(in: 0...6, using: &generator)).map { _ in codingParts.randomElement(using: &generator)! }.joined()
            #expect(M.acceptsGzip([value]) == M.parsedAcceptsGzip([value]), "\(value.debugDescription)")
        }
        #expect(M.plainCodingsNameGzip("gzip, deflate, br") == true)
        #expect(M.plainCodingsNameGzip("deflate, br") == false)
        #expect(M.plainCodingsNameGzip("gzip;q=0") == nil)
        #expect(M.isPlainlyCanonical("/svyat/dronove-nad-kiev"))
        #expect(!M.isPlainlyCanonical("/svyat/"))
    }

    /// A POST to a kept page's address, and the newsroom's pages of a signed-in editor, are never answered from the
    /// cache, on the event loop or anywhere.
    @Test(arguments: TestDatabase.all)
    func aPostOrASignedInRequestNeverGetsACachedPage(_ kind: TestDatabase) async throws {
        try await withTestSite(kind, articles: PageCacheTests.content) { site in
            try await createUser(site, "editor@vestnik.bg", role: .editor)
            let settings = ServerSettings(port: 0)
            let cache = settings.makePageCache(for: site)
            let app = buildApplication(site: site, settings: settings, pageCache: cache, logger: Logger(label: "test"))
            try await app.test(.live) { client in
                try await Self.untilHit(client, Self.article)
                let before = cache.stats
                let post = try await client.execute(
                    uri: Self.article, method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "x")
                ) { $0 }
                #expect(post.status != .ok)
                #expect(post.headers[.xCache] == nil)
                let browser = NewsroomBrowser(client)
                let login = try await browser.logIn("editor@vestnik.bg")
                #expect(login.status == .seeOther)
                #expect(browser.cookies[NewsroomCookies.session] != nil)
                for _ in 0..<2 {
                    let home = try await browser.get(NewsroomURLs.home)
                    #expect(home.status == .ok)
                    #expect(home.headers[.xCache] == nil)
                    #expect(home.headers[.cacheControl]?.contains("no-store") == true)
                }
                #expect(cache.stats.hits == before.hits)
                #expect(cache.stats.eventLoopHits == before.eventLoopHits)
            }
        }
    }
}

/// Sends `requests` (method, path, extra header lines) in one write on a new connection to the server on `port`,
/// and reads their answers: each as text with its `Date` and `X-Request-Id` lines left out.
func pipelined(
    port: Int, _ requests: [(method: String, path: String, headers: String)], untilClosed: Bool = false
) async throws
    -> [String]
{
    let text = requests.map { "\($0.method) \($0.path) HTTP/1.1\r\nHost: localhost\r\n\($0.headers)\r\n" }.joined()
    let bodiless = requests.map { $0.method == "HEAD" }
    let bytes: [UInt8] = try await withCheckedThrowingContinuation { continuation in
        // Blocking socket calls, on a thread of their own rather than one of Swift's few cooperative threads.
        Thread {
            continuation.resume(
                with: Result { try RawConnection.exchange(port: port, Array(text.utf8), bodiless: bodiless, untilClosed: untilClosed) })
        }.start()
    }
    return try RawConnection.answers(bytes, bodiless: bodiless).map { answer in
        answer.split(separator: "\r\n", omittingEmptySubsequences: false)
            .filter { !$0.lowercased().hasPrefix("date:") && !$0.lowercased().hasPrefix("x-request-id:") }
            .joined(separator: "\r\n")
    }
}

private enum RawConnection {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// A connection to `localhost` as the test server listens on it: 127.0.0.1, else ::1.
    static func connected(port: Int) throws -> Int32 {
        #if canImport(Glibc)
            let stream = Int32(SOCK_STREAM.rawValue)
        #else
            let stream = SOCK_STREAM
        #endif
        var four = sockaddr_in()
        four.sin_family = sa_family_t(AF_INET)
        four.sin_port = in_port_t(UInt16(port).bigEndian)
        four.sin_addr.s_addr = inet_addr("127.0.0.1")
        var six = sockaddr_in6()
        six.sin6_family = sa_family_t(AF_INET6)
        six.sin6_port = in_port_t(UInt16(port).bigEndian)
        six.sin6_addr = in6addr_loopback
        for family in [AF_INET, AF_INET6] {
            let descriptor = socket(family, stream, 0)
            guard descriptor >= 0 else { continue }
            let result =
                family == AF_INET
                ? withUnsafePointer(to: &four) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
                : withUnsafePointer(to: &six) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                    }
                }
            if result == 0 { return descriptor }
            close(descriptor)
        }
        throw Failure(description: "cannot connect to localhost:\(port)")
    }

    /// Sends `request` and reads until every answer came, or with `untilClosed` until the server ends the connection.
    static func exchange(port: Int, _ request: [UInt8], bodiless: [Bool], untilClosed: Bool) throws -> [UInt8] {
        let descriptor = try connected(port: port)
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var sent = 0
        while sent < request.count {
            let count = request[sent...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw Failure(description: "send") }
            sent += count
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while untilClosed || (try? answers(received, bodiless: bodiless).count) != bodiless.count {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0, untilClosed { break }
            guard count > 0 else { throw Failure(description: "the server sent \(received.count) bytes and stopped") }
            received += chunk[0..<count]
        }
        return received
    }

    /// The complete answers in `bytes`, as text (a gzip body as Latin-1, byte for byte); throws when one is cut off.
    static func answers(_ bytes: [UInt8], bodiless: [Bool]) throws -> [String] {
        var answers: [String] = []
        var start = 0
        let end = Array("\r\n\r\n".utf8)
        while start < bytes.count {
            guard let headEnd = (start..<max(start, bytes.count - 3)).first(where: { bytes[$0..<($0 + 4)].elementsEqual(end) }) else {
                throw Failure(description: "cut off")
            }
            let head = String(decoding: bytes[start..<headEnd], as: UTF8.self)
            let status = head.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            let length =
                head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
            guard answers.count < bodiless.count else { throw Failure(description: "more answers than requests") }
            let bodyLength = bodiless[answers.count] || status == 304 ? 0 : length
            let next = headEnd + 4 + bodyLength
            guard next <= bytes.count else { throw Failure(description: "cut off") }
            answers.append(head + "\r\n\r\n" + String(bytes[(headEnd + 4)..<next].map { Character(Unicode.Scalar($0)) }))
            start = next
        }
        return answers
    }
}
