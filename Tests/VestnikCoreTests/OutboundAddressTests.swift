import Foundation
import Testing
import VestnikCore

@Suite("Outgoing requests' address rules")
struct OutboundAddressTests {
    @Test(
        "every inet_aton form of IPv4 is read as the C library reads it",
        arguments: [
            ("127.0.0.1", "127.0.0.1"), ("127.1", "127.0.0.1"), ("0x7f.1", "127.0.0.1"), ("0x7F.0.0.1", "127.0.0.1"),
            ("2130706433", "127.0.0.1"), ("0177.0.0.1", "127.0.0.1"), ("017700000001", "127.0.0.1"), ("0x7f000001", "127.0.0.1"),
            ("10.1.65535", "10.1.255.255"), ("0", "0.0.0.0"), ("8.8.8.8", "8.8.8.8"), ("[::ffff:127.0.0.1]", "[::ffff:127.0.0.1]"),
        ])
    func ipv4Forms(text: String, canonical: String) throws {
        #expect(try #require(IPAddress(literal: text)).description == canonical)
    }

    @Test(
        "what is not an address is not read as one",
        arguments: ["256.0.0.1", "1.2.3.4.5", "08.0.0.1", "1..2", "+1.2.3.4", "example.bg", "", "1.2.3.256", "0x1.0x100.1.1", "::g"])
    func notAddresses(text: String) {
        #expect(IPAddress(literal: text) == nil)
    }

    @Test(
        "loopback, private, link-local, CGNAT, multicast, unspecified and reserved are refused, IPv4 and IPv6",
        arguments: [
            ("127.0.0.1", "loopback"), ("0x7f.1", "loopback"), ("2130706433", "loopback"), ("0177.1", "loopback"),
            ("10.0.0.5", "private"), ("172.16.0.1", "private"), ("172.31.255.255", "private"), ("192.168.1.1", "private"),
            ("169.254.169.254", "link-local"), ("100.64.0.1", "CGNAT"), ("100.127.255.254", "CGNAT"), ("224.0.0.1", "multicast"),
            ("0.0.0.0", "unspecified"), ("0", "unspecified"), ("255.255.255.255", "reserved"), ("::1", "loopback"),
            ("::", "unspecified"), ("::ffff:127.0.0.1", "loopback"), ("::ffff:7f00:1", "loopback"), ("::ffff:10.0.0.1", "private"),
            ("::127.0.0.1", "loopback"), ("64:ff9b::a9fe:a9fe", "link-local"), ("2002:c0a8:0101::1", "private"),
            ("fe80::1%eth0", "link-local"), ("[fe80::1]", "link-local"), ("fc00::1", "private"), ("fd12:3456::1", "private"),
            ("ff02::1", "multicast"), ("fec0::1", "private"),
        ])
    func refused(text: String, reason: String) throws {
        #expect(try #require(IPAddress(literal: text)).refusal == reason)
    }

    @Test(
        "public addresses pass",
        arguments: ["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "192.169.0.1", "2001:4860:4860::8888", "::ffff:8.8.8.8"])
    func allowed(text: String) throws {
        #expect(try #require(IPAddress(literal: text)).refusal == nil)
    }

    @Test("a URL is refused before any connection: scheme, credentials, private hosts in any spelling, names that resolve to loopback")
    func targets() throws {
        let policy = Outbound.Policy()
        for url in ["ftp://example.bg/", "file:///etc/passwd", "gopher://x/", "http://user:pw@example.bg/", "http:///x", "http://a b/"] {
            #expect(throws: Outbound.Failure.self, "\(url)") { try Outbound.target(url, policy: policy) }
        }
        for url in [
            "http://127.0.0.1/", "http://0x7f.1/", "http://2130706433:8080/", "http://[::ffff:127.0.0.1]/", "http://[::1]:80/",
            "https://localhost/", "http://169.254.169.254/latest/meta-data/", "http://0/",
        ] {
            #expect(throws: Outbound.Failure.self, "\(url)") { try Outbound.target(url, policy: policy) }
            do {
                _ = try Outbound.target(url, policy: policy)
            } catch let failure as Outbound.Failure {
                guard case .refused = failure else { Issue.record("\(url): \(failure)"); continue }
            }
        }
        // The flag lets them through, with the one address the request will connect to.
        let local = try Outbound.target("http://0x7f.1:8080/hook", policy: Outbound.Policy(allowPrivate: true))
        #expect(local.address == .v4(0x7f00_0001) && local.port == 8080 && local.host == "0x7f.1")
        let v6 = try Outbound.target("https://[::1]/", policy: Outbound.Policy(allowPrivate: true))
        #expect(v6.address.description == "[::1]" && v6.port == 443)
    }
}
