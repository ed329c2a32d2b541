import Foundation

/// How reads are counted. The defaults are what a public site wants; tests and benchmarks switch parts off.
public struct ReadSettings: Sendable {
    /// The most a beacon's body may hold: `reads.js` sends none, so anything larger is refused (413) once this much
    /// is read, rather than drained whole.
    public static let maxBeaconBodyBytes = 1024

    /// A token bucket per address: `perSecond` beacons on average, up to `burst` at once.
    public struct RateLimit: Sendable, Equatable {
        public var perSecond: Double
        public var burst: Double

        public init(perSecond: Double, burst: Double) {
            self.perSecond = perSecond
            self.burst = burst
        }
    }

    /// How often counted reads are written: a process killed outright loses at most this much.
    public var flushInterval: Duration
    /// The same reader reading the same article again within this many seconds counts once; `nil` counts every
    /// beacon (tests and benchmarks).
    public var repeatWindow: TimeInterval?
    /// How many recent readers de-duplication remembers at most; past that the oldest are forgotten first.
    public var rememberedReads: Int
    /// `nil` lets any address send any number of beacons (benchmarks).
    public var rateLimit: RateLimit?
    /// How many reads one address, and one network (an IPv4 /24, an IPv6 /64), may add to one article per
    /// `repeatWindow`, up to that many at once (see `ReadCap`); `nil`, or no `repeatWindow`, caps nothing.
    public struct Cap: Sendable, Equatable {
        public var perAddress: Int
        public var perNetwork: Int

        public init(perAddress: Int, perNetwork: Int) {
            self.perAddress = perAddress
            self.perNetwork = perNetwork
        }
    }

    public var cap: Cap?
    /// How many addresses the rate limit tracks at most.
    public var trackedAddresses: Int
    /// How many proxies in front of Vestnik append to `X-Forwarded-For`: 0 takes the reader's address from the
    /// connection, 1 the last entry of the header, 2 the one before it.
    public var trustedProxies: Int
    /// How old a "most read" list may be, in seconds.
    public var mostReadMaxAge: TimeInterval

    public init(
        flushInterval: Duration = .seconds(1), repeatWindow: TimeInterval? = 30 * 60, rememberedReads: Int = 500_000,
        rateLimit: RateLimit? = RateLimit(perSecond: 10, burst: 100), trackedAddresses: Int = 100_000,
        trustedProxies: Int = 0, mostReadMaxAge: TimeInterval = 60, cap: Cap? = Cap(perAddress: 30, perNetwork: 100)
    ) {
        self.cap = cap
        self.flushInterval = flushInterval
        self.repeatWindow = repeatWindow
        self.rememberedReads = rememberedReads
        self.rateLimit = rateLimit
        self.trackedAddresses = trackedAddresses
        self.trustedProxies = trustedProxies
        self.mostReadMaxAge = mostReadMaxAge
    }
}
