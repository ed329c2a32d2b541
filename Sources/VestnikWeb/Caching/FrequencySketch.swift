/// How often each page was asked for lately, in a fixed amount of memory (TinyLFU, Einziger and Friedman): a
/// count-min sketch of small counters behind a "doorkeeper" bit set, halved every `sampleSize` requests so that what
/// was popular yesterday makes way for today's news.
///
/// The doorkeeper takes a page's first request and the counters only the later ones, so the pages read once (most
/// of an archive walk) never touch the counters. Not thread-safe: `PageCache` calls it with its lock held.
struct FrequencySketch {
    /// Four counters of up to 15 per page, as in Caffeine: more would only count further past what admission
    /// compares.
    static let maximum: UInt8 = 15
    private var counters: [UInt8]
    private var doorkeeper: [UInt64]
    private let counterMask: Int
    private let doorkeeperMask: Int
    /// Requests recorded since the last halving.
    private(set) var samples = 0
    let sampleSize: Int

    /// `pages`: about how many pages the cache holds. The sketch counts over ten times as many requests (Caffeine's
    /// sample size), and both tables are sized for that many different pages.
    init(pages: Int) {
        sampleSize = max(64, pages) * 10
        let width = Self.powerOfTwo(atLeast: sampleSize)
        counters = Array(repeating: 0, count: width)
        counterMask = width - 1
        // Eight bits per request of the sample: with two probes, under 2 % of new pages pass for seen before.
        let bits = Self.powerOfTwo(atLeast: sampleSize * 8)
        doorkeeper = Array(repeating: 0, count: bits / 64)
        doorkeeperMask = bits - 1
    }

    /// Counts one request for `hash`.
    mutating func record(_ hash: Int) {
        samples += 1
        if !doorkeeperContains(hash) {
            insertDoorkeeper(hash)
        } else {
            let least = estimateCounters(hash)
            if least < Self.maximum {
                // Conservative update: only the counters at the minimum grow, which keeps collisions from inflating
                // a page's count.
                for row in 0..<4 where counters[index(hash, row)] == least { counters[index(hash, row)] = least + 1 }
            }
        }
        if samples >= sampleSize { halve() }
    }

    /// About how many times `hash` was asked for lately (the doorkeeper's bit counts as one).
    func frequency(_ hash: Int) -> Int {
        guard doorkeeperContains(hash) else { return 0 }
        return Int(estimateCounters(hash)) + 1
    }

    /// Ages every count: counters halve and the doorkeeper forgets, so a page must be asked for again to count.
    private mutating func halve() {
        samples /= 2
        for slot in counters.indices { counters[slot] >>= 1 }
        for word in doorkeeper.indices { doorkeeper[word] = 0 }
    }

    private func estimateCounters(_ hash: Int) -> UInt8 {
        var least = Self.maximum
        for row in 0..<4 { least = min(least, counters[index(hash, row)]) }
        return least
    }

    private static let seeds: [UInt64] = [0x9E37_79B9_7F4A_7C15, 0xC2B2_AE3D_27D4_EB4F, 0x1656_67B1_9E37_79F9, 0x85EB_CA77_C2B2_AE63]

    /// The counter of `hash` in row `row`: one multiply-and-shift per row spreads one hash over four slots.
    private func index(_ hash: Int, _ row: Int) -> Int {
        let mixed = (UInt64(bitPattern: Int64(hash)) &+ UInt64(row)) &* Self.seeds[row]
        return Int(truncatingIfNeeded: mixed >> 32) & counterMask
    }

    private func doorkeeperBits(_ hash: Int) -> (Int, Int) {
        let value = UInt64(bitPattern: Int64(hash))
        let first = Int(truncatingIfNeeded: value) & doorkeeperMask
        let second = Int(truncatingIfNeeded: (value &* 0x9E37_79B9_7F4A_7C15) >> 29) & doorkeeperMask
        return (first, second)
    }

    private func doorkeeperContains(_ hash: Int) -> Bool {
        let (first, second) = doorkeeperBits(hash)
        return doorkeeper[first >> 6] & (1 << UInt64(first & 63)) != 0 && doorkeeper[second >> 6] & (1 << UInt64(second & 63)) != 0
    }

    private mutating func insertDoorkeeper(_ hash: Int) {
        let (first, second) = doorkeeperBits(hash)
        doorkeeper[first >> 6] |= 1 << UInt64(first & 63)
        doorkeeper[second >> 6] |= 1 << UInt64(second & 63)
    }

    private static func powerOfTwo(atLeast value: Int) -> Int {
        var power = 1
        while power < value { power <<= 1 }
        return power
    }
}
