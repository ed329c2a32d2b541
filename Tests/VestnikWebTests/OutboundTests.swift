import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
import VestnikCore

/// Outgoing requests against a real HTTP server the test starts on 127.0.0.1 (curl must be installed, as in CI).
@Suite("Outgoing requests", .enabled(if: Outbound.isAvailable))
struct OutboundTests {
    /// What the receiver saw.
    final class Seen: Sendable {
        let requests = Mutex<[(path: String, host: String, body: String, test: String)]>([])
    }

    func receiver(_ seen: Seen) -> some ApplicationProtocol {
        let router = Router()
        router.get("/ok") { request, _ in
            seen.requests.withLock {
                $0.append((request.uri.path, request.head.authority ?? "", "", request.headers[HTTPField.Name("X-Test")!] ?? ""))
            }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "здравей")))
        }
        router.post("/echo") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 20)
            seen.requests.withLock {
                $0.append((request.uri.path, "", String(buffer: body), request.headers[HTTPField.Name("X-Test")!] ?? ""))
            }
            return Response(status: .accepted, body: ResponseBody(byteBuffer: body))
        }
        // 2 MB with a Content-Length, and an endless body without one.
        router.get("/big") { _, _ in Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(repeating: 65, count: 2 << 20))) }
        router.get("/endless") { _, _ in
            Response(
                status: .ok,
                body: ResponseBody { writer in
                    for _ in 0..<10_000 { try await writer.write(ByteBuffer(repeating: 66, count: 64 << 10)) }
                    try await writer.finish(nil)
                })
        }
        router.get("/slow") { _, _ in
            try await Task.sleep(for: .seconds(4))
            return "late"
        }
        router.get("/moved") { _, _ in Response(status: .found, headers: [.location: "/ok"]) }
        router.get("/away") { _, _ in Response(status: .found, headers: [.location: "ftp://127.0.0.1/"]) }
        router.get("/loop") { _, _ in Response(status: .found, headers: [.location: "/loop"]) }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    @Test("a private receiver is refused by default and reached with the flag; the connection is pinned to the checked address")
    func privateAddresses() async throws {
        let seen = Seen()
        try await receiver(seen).test(.live) { client in
            let port = try #require(client.port)
            await #expect(throws: Outbound.Failure.self) { try await Outbound.send(.init(url: "http://127.0.0.1:\(port)/ok")) }
            await #expect(throws: Outbound.Failure.self) { try await Outbound.send(.init(url: "http://localhost:\(port)/ok")) }
            await #expect(throws: Outbound.Failure.self) { try await Outbound.send(.init(url: "http://0x7f.1:\(port)/ok")) }
            #expect(seen.requests.withLock { $0.isEmpty })
            let allowed = Outbound.Policy(allowPrivate: true)
            let response = try await Outbound.send(.init(url: "http://localhost:\(port)/ok", headers: [("X-Test", "1")]), policy: allowed)
            #expect(response.status == 200 && String(decoding: response.body, as: UTF8.self) == "здравей")
            #expect(response.contentType == "text/plain; charset=utf-8")
            #expect(["127.0.0.1", "[::1]"].contains("\(response.address)"))
            // The odd spelling reaches the same server, and the name the request used is what the receiver sees.
            let odd = try await Outbound.send(.init(url: "http://0x7f.1:\(port)/ok"), policy: allowed)
            #expect(odd.status == 200 && odd.address == .v4(0x7f00_0001))
            let hosts = seen.requests.withLock { $0.map(\.host) }
            // curl writes a numeric host in its usual form.
            #expect(hosts == ["localhost:\(port)", "127.0.0.1:\(port)"])
        }
    }

    @Test("a POST carries its body and headers; any status is a response")
    func post() async throws {
        let seen = Seen()
        try await receiver(seen).test(.live) { client in
            let port = try #require(client.port)
            let body = Array(#"{"event":"article.published"}"#.utf8)
            let response = try await Outbound.send(
                .init(
                    method: "POST", url: "http://127.0.0.1:\(port)/echo",
                    headers: [("X-Test", "signed"), ("Content-Type", "application/json")], body: body),
                policy: .init(allowPrivate: true))
            #expect(response.status == 202 && response.body == body)
            #expect(seen.requests.withLock { $0.map(\.test) } == ["signed"])
            let missing = try await Outbound.send(.init(url: "http://127.0.0.1:\(port)/nothing"), policy: .init(allowPrivate: true))
            #expect(missing.status == 404)
            await #expect(throws: Outbound.Failure.self) {
                try await Outbound.send(
                    .init(url: "http://127.0.0.1:\(port)/ok", headers: [("X-Test", "a\r\nHost: evil")]), policy: .init(allowPrivate: true))
            }
        }
    }

    @Test("the size cap (declared or streamed), the timeout and refused connections are failures, not hangs")
    func limits() async throws {
        try await receiver(Seen()).test(.live) { client in
            let port = try #require(client.port)
            // A generous time for the size cap (a loaded CI machine), a short one against the handler's 4 s.
            let policy = Outbound.Policy(allowPrivate: true, timeout: 30, maxResponseBytes: 1 << 20)
            await #expect(throws: Outbound.Failure.tooLarge(1 << 20)) {
                try await Outbound.send(.init(url: "http://127.0.0.1:\(port)/big"), policy: policy)
            }
            await #expect(throws: Outbound.Failure.tooLarge(1 << 20)) {
                try await Outbound.send(.init(url: "http://127.0.0.1:\(port)/endless"), policy: policy)
            }
            await #expect(throws: Outbound.Failure.timedOut) {
                try await Outbound.send(
                    .init(url: "http://127.0.0.1:\(port)/slow"), policy: Outbound.Policy(allowPrivate: true, timeout: 1))
            }
        }
        // Nothing listens on port 9 of this machine.
        await #expect(throws: Outbound.Failure.self) {
            try await Outbound.send(.init(url: "http://127.0.0.1:9/"), policy: .init(allowPrivate: true))
        }
    }

    @Test("redirects are returned, not followed, unless asked; a followed hop is checked like the first")
    func redirects() async throws {
        try await receiver(Seen()).test(.live) { client in
            let port = try #require(client.port)
            let base = "http://127.0.0.1:\(port)"
            let kept = try await Outbound.send(.init(url: "\(base)/moved"), policy: .init(allowPrivate: true))
            #expect(kept.status == 302 && kept.location == "\(base)/ok")
            let followed = try await Outbound.send(.init(url: "\(base)/moved"), policy: .init(allowPrivate: true, maxRedirects: 3))
            #expect(followed.status == 200 && followed.url == "\(base)/ok")
            await #expect(throws: Outbound.Failure.self) {
                try await Outbound.send(.init(url: "\(base)/away"), policy: .init(allowPrivate: true, maxRedirects: 3))
            }
            await #expect(throws: Outbound.Failure.tooManyRedirects) {
                try await Outbound.send(.init(url: "\(base)/loop"), policy: .init(allowPrivate: true, maxRedirects: 3))
            }
        }
    }
}
