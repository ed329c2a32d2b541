import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Bounds how much one address, and one network around it (an IPv4 /24, an IPv6 /64), can add to one article's
/// count, whatever headers it sends: a token bucket per (address, article) and per (network, article), each holding
/// up to `perAddress` (`perNetwork`) reads and refilling that many per window.
///
/// De-duplication tells readers apart by address and user agent, so a program that rotates its user agent, or a
/// handful of neighbouring addresses, would otherwise count as many readers as it likes. The cap leaves room for
/// real readers sharing one address (an office, a school, a mobile operator's NAT): they are told apart by their
/// browsers, and up to `perAddress` of them count for an article at once, one more every `window / perAddress`
/// after that. Within any window one address adds at most `2 × perAddress` reads to an article, one network
/// `2 × perNetwork`.
///
/// Memory is bounded: at most `capacity` buckets (a keyed hash each, like `RepeatReads`). A bucket that has refilled
/// is the same as none, so full ones are swept out when the table fills; if it is still full, a new source is not
/// counted: under a flood the count may fall short, it never grows past the cap.
final class ReadCap: @unchecked Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Double
    }

    let perAddress: Double
    let perNetwork: Double
    private let window: TimeInterval
    private let capacity: Int
    private let now: @Sendable () -> Date
    private let salt = (UInt64.random(in: .min ... .max), UInt64.random(in: .min ... .max))

    private let lock = NSLock()
    private var addresses: [Int: Bucket] = [:]
    private var networks: [Int: Bucket] = [:]
    private var nextSweep = -Double.infinity

    init(perAddress: Int, perNetwork: Int, window: TimeInterval, capacity: Int, now: @escaping @Sendable () -> Date) {
        self.perAddress = Double(max(1, perAddress))
        self.perNetwork = Double(max(1, perNetwork))
        self.window = max(1, window)
        self.capacity = max(2, capacity)
        self.now = now
    }

    /// Takes one read from the address's and the network's allowance for this article; false (and nothing taken)
    /// when either has none left.
    func admit(address: String, articleID: Int) -> Bool {
        let time = now().timeIntervalSince1970
        let addressKey = key(address, articleID)
        let networkKey = key(ReaderNetwork.prefix(of: address), articleID)
        return lock.withLock {
            let fresh = (addresses[addressKey] == nil ? 1 : 0) + (networks[networkKey] == nil ? 1 : 0)
            if addresses.count + networks.count + fresh > capacity {
                guard time >= nextSweep else { return false }
                sweep(at: time)
                guard addresses.count + networks.count + fresh <= capacity else { return false }
            }
            let address = refilled(addresses[addressKey], size: perAddress, at: time)
            let network = refilled(networks[networkKey], size: perNetwork, at: time)
            let admitted = address.tokens >= 1 && network.tokens >= 1
            addresses[addressKey] = Bucket(tokens: address.tokens - (admitted ? 1 : 0), updated: time)
            networks[networkKey] = Bucket(tokens: network.tokens - (admitted ? 1 : 0), updated: time)
            return admitted
        }
    }

    /// How many buckets are kept now.
    var count: Int { lock.withLock { addresses.count + networks.count } }

    private func refilled(_ bucket: Bucket?, size: Double, at time: Double) -> Bucket {
        guard let bucket else { return Bucket(tokens: size, updated: time) }
        return Bucket(tokens: min(size, bucket.tokens + max(0, time - bucket.updated) * size / window), updated: time)
    }

    /// Drops the buckets that have refilled; at most one sweep a second, so a flood cannot make every read pay for
    /// one.
    private func sweep(at time: Double) {
        func open(_ size: Double) -> (Int, Bucket) -> Bool {
            { _, bucket in bucket.tokens + max(0, time - bucket.updated) * size / self.window < size }
        }
        addresses = addresses.filter(open(perAddress))
        networks = networks.filter(open(perNetwork))
        nextSweep = time + 1
    }

    private func key(_ source: String, _ articleID: Int) -> Int {
        var hasher = Hasher()
        hasher.combine(salt.0)
        hasher.combine(salt.1)
        hasher.combine(source)
        hasher.combine(articleID)
        return hasher.finalize()
    }
}

/// The network an address belongs to, for caps that a block of neighbouring addresses must share.
enum ReaderNetwork {
    /// `203.0.113.0/24` for an IPv4 address (also written as `::ffff:203.0.113.7`), `2001:db8:1:2::/64` for an
    /// IPv6 one; anything else (no address) is its own network.
    static func prefix(of address: String) -> String {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 { return ipv4Prefix(v4) }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, address, &v6) == 1 else { return address }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        // An IPv4-mapped address is an IPv4 reader.
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            return "\(bytes[12]).\(bytes[13]).\(bytes[14]).0/24"
        }
        let groups = (0..<4).map { String(UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "::/64"
    }

    private static func ipv4Prefix(_ address: in_addr) -> String {
        var copy = address
        let bytes = withUnsafeBytes(of: &copy) { Array($0) }
        return "\(bytes[0]).\(bytes[1]).\(bytes[2]).0/24"
    }
}
