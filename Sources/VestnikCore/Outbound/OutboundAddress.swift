import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An IP address that an outgoing request would connect to, and whether an outside address may make the server
/// connect there. Parsed the way the C library parses it (IPv4 in every `inet_aton` form: `127.1`, `0x7f.1`,
/// `0177.0.0.1`, `2130706433`), so a host that looks harmless to one parser cannot reach loopback through another.
public enum IPAddress: Sendable, Equatable, Hashable, CustomStringConvertible {
    case v4(UInt32)
    /// 16 bytes, network order.
    case v6([UInt8])

    /// A literal IPv4 (any `inet_aton` form) or IPv6 address (brackets and a zone such as `%eth0` allowed), or nil.
    public init?(literal text: String) {
        var text = Substring(text)
        if text.hasPrefix("[") && text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        if let v4 = Self.parseIPv4(text) {
            self = .v4(v4)
            return
        }
        if let percent = text.firstIndex(of: "%") { text = text[..<percent] }
        guard text.contains(":"), text.count <= 45 else { return nil }
        var raw = in6_addr()
        guard inet_pton(AF_INET6, String(text), &raw) == 1 else { return nil }
        self = .v6(withUnsafeBytes(of: &raw) { Array($0) })
    }

    /// IPv4 as `inet_aton` reads it: one to four parts, each decimal, octal (leading 0) or hexadecimal (0x); the last
    /// part fills the remaining bytes.
    static func parseIPv4(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count), text.count <= 64 else { return nil }
        var values: [UInt64] = []
        for part in parts {
            let lower = part.lowercased()
            let value: UInt64?
            if lower.hasPrefix("0x") {
                value = lower.count == 2 ? 0 : UInt64(lower.dropFirst(2), radix: 16)
            } else if lower.hasPrefix("0") && lower.count > 1 {
                value = UInt64(lower.dropFirst(), radix: 8)
            } else {
                value = lower.isEmpty ? nil : UInt64(lower, radix: 10)
            }
            guard let value, lower.allSatisfy({ $0.isHexDigit || $0 == "x" }) else { return nil }
            values.append(value)
        }
        let leading = values.dropLast()
        guard leading.allSatisfy({ $0 <= 255 }), let last = values.last else { return nil }
        let lastBits = 32 - 8 * leading.count
        guard last < (UInt64(1) << lastBits) else { return nil }
        var address: UInt64 = 0
        for (index, value) in leading.enumerated() { address |= value << (24 - 8 * index) }
        return UInt32(address | last)
    }

    /// The address as a URL host or curl's `--connect-to` wants it: `1.2.3.4` or `[2001:db8::1]`.
    public var description: String {
        switch self {
        case .v4(let value): return "\(value >> 24).\(value >> 16 & 255).\(value >> 8 & 255).\(value & 255)"
        case .v6(let bytes):
            var raw = in6_addr()
            withUnsafeMutableBytes(of: &raw) { $0.copyBytes(from: bytes) }
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            guard inet_ntop(AF_INET6, &raw, &buffer, socklen_t(buffer.count)) != nil else { return "[::]" }
            return "[\(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))]"
        }
    }

    /// Why an outside address may not make this server connect here (nil: a public address).
    public var refusal: String? {
        switch self {
        case .v4(let value): return Self.refusal(ipv4: value)
        case .v6(let bytes):
            let head = bytes.prefix(12)
            let embedded = UInt32(bytes[12]) << 24 | UInt32(bytes[13]) << 16 | UInt32(bytes[14]) << 8 | UInt32(bytes[15])
            // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) reach IPv4.
            if head == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] { return Self.refusal(ipv4: embedded) }
            if head.allSatisfy({ $0 == 0 }) {
                if embedded == 0 { return "unspecified" }
                if embedded == 1 { return "loopback" }
                return Self.refusal(ipv4: embedded)
            }
            if head == [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0] { return Self.refusal(ipv4: embedded) }
            // 6to4 (2002:a.b.c.d::/48) carries an IPv4 address in bytes 2 to 5.
            if bytes[0] == 0x20 && bytes[1] == 0x02 {
                return Self.refusal(ipv4: UInt32(bytes[2]) << 24 | UInt32(bytes[3]) << 16 | UInt32(bytes[4]) << 8 | UInt32(bytes[5]))
            }
            if bytes[0] == 0xff { return "multicast" }
            if bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80 { return "link-local" }
            if bytes[0] == 0xfe && bytes[1] & 0xc0 == 0xc0 { return "private" }  // site-local, deprecated
            if bytes[0] & 0xfe == 0xfc { return "private" }  // unique local fc00::/7
            return nil
        }
    }

    static func refusal(ipv4 value: UInt32) -> String? {
        func within(_ network: UInt32, _ bits: UInt32) -> Bool { value >> (32 - bits) == network >> (32 - bits) }
        if within(0x0000_0000, 8) { return "unspecified" }
        if within(0x7f00_0000, 8) { return "loopback" }
        if within(0x0a00_0000, 8) || within(0xac10_0000, 12) || within(0xc0a8_0000, 16) { return "private" }
        if within(0xa9fe_0000, 16) { return "link-local" }
        if within(0x6440_0000, 10) { return "CGNAT" }
        if within(0xe000_0000, 4) { return "multicast" }
        if within(0xf000_0000, 4) { return "reserved" }  // 240/4 and the broadcast address
        return nil
    }

    /// Every address `host` resolves to (once; the caller connects to one of exactly these).
    public static func resolve(_ host: String) -> [IPAddress] {
        if let literal = IPAddress(literal: host) { return [literal] }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var found: [IPAddress] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            if let socketAddress = current.pointee.ai_addr {
                switch Int32(current.pointee.ai_family) {
                case AF_INET:
                    let address = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
                    found.append(.v4(UInt32(bigEndian: address)))
                case AF_INET6:
                    var address = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    found.append(.v6(withUnsafeBytes(of: &address) { Array($0) }))
                default: break
                }
            }
            entry = current.pointee.ai_next
        }
        var unique: [IPAddress] = []
        for address in found where !unique.contains(address) { unique.append(address) }
        return unique
    }
}
