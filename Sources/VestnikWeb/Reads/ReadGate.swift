import Foundation
import Hummingbird

/// Decides whether a beacon is a read worth counting: the one place the rules of an honest number live.
///
/// In order: a flood from one address is turned away; an article a reader cannot see is unknown; crawlers,
/// prefetches and programs that are not browsers are answered but not counted; the same reader reading the same
/// article again within the window counts once; and one address or network adds no more than its cap to an article.
struct ReadGate: Sendable {
    enum Outcome: Equatable {
        case counted
        case rateLimited
        case unknownArticle
        case notCounted(ReaderFilter.Verdict)
        case repeated
        case overCap

        /// The verdict as `vestnik_read_beacons_total` labels it.
        var metricName: String {
            switch self {
            case .counted: "counted"
            case .rateLimited: "rate_limited"
            case .unknownArticle: "unknown_article"
            case .notCounted: "not_counted"
            case .repeated: "repeated"
            case .overCap: "over_cap"
            }
        }
    }

    let limiter: AddressRateLimiter?
    let articles: ReadableArticles
    let repeats: RepeatReads?
    let cap: ReadCap?

    init(settings: ReadSettings, now: @escaping @Sendable () -> Date, isVisible: @escaping @Sendable (Int, Date) async throws -> Bool) {
        limiter = settings.rateLimit.map { AddressRateLimiter($0, capacity: settings.trackedAddresses, now: now) }
        articles = ReadableArticles(now: now, lookup: isVisible)
        repeats = settings.repeatWindow.map { RepeatReads(window: $0, capacity: settings.rememberedReads, now: now) }
        if let window = settings.repeatWindow, let limits = settings.cap {
            cap = ReadCap(
                perAddress: limits.perAddress, perNetwork: limits.perNetwork, window: window, capacity: settings.rememberedReads, now: now)
        } else {
            cap = nil
        }
    }

    /// `counts` is false for requests that must never count whatever they carry (`HEAD`).
    func admit(articleID: Int, address: String, headers: HTTPFields, counts: Bool = true) async throws -> Outcome {
        if let limiter, !limiter.allow(address) { return .rateLimited }
        guard try await articles.isReadable(articleID) else { return .unknownArticle }
        let verdict = ReaderFilter.verdict(headers)
        guard verdict == .reader, counts else { return .notCounted(verdict) }
        if let repeats, !repeats.isFirstRead(address: address, userAgent: headers[.userAgent] ?? "", articleID: articleID) {
            return .repeated
        }
        if let cap, !cap.admit(address: address, articleID: articleID) { return .overCap }
        return .counted
    }

    /// An article id as a URL carries it: a positive whole number in plain digits, nothing else.
    static func articleID(_ text: String?) -> Int? {
        guard let text, (1...18).contains(text.utf8.count), text.utf8.first != UInt8(ascii: "0"),
            text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        return Int(text)
    }
}
