import HTTPTypes
import Hummingbird

/// Tells a person reading from everything else that fetches a page: crawlers and link previewers, prefetches and
/// prerenders nobody may ever look at, and programs that do not claim to be a browser.
enum ReaderFilter {
    enum Verdict: Equatable {
        case reader
        case bot
        case prefetch
        case notABrowser
    }

    static func verdict(_ headers: HTTPFields) -> Verdict {
        for name in purposeHeaders {
            guard let value = headers[name] else { continue }
            let lowered = Array(value.utf8).map(lowercased)
            if purposeWords.contains(where: { contains(lowered, $0) }) { return .prefetch }
        }
        return verdict(userAgent: headers[.userAgent])
    }

    static func verdict(userAgent: String?) -> Verdict {
        guard let userAgent, !userAgent.isEmpty else { return .notABrowser }
        let lowered = Array(userAgent.utf8).map(lowercased)
        guard browserPrefixes.contains(where: { lowered.starts(with: $0) }) else { return .notABrowser }
        if containsBot(lowered) || botWords.contains(where: { contains(lowered, $0) }) { return .bot }
        return .reader
    }

    /// Headers with which browsers mark a speculative request: `Sec-Purpose: prefetch;prerender` (Chromium),
    /// `Purpose: prefetch` (older Chromium, Safari), `X-Moz: prefetch` (Firefox), `X-Purpose: preview` (Safari).
    static let purposeHeaders: [HTTPField.Name] = ["Sec-Purpose", "Purpose", "X-Moz", "X-Purpose"].compactMap {
        HTTPField.Name($0)
    }
    static let purposeWords: [[UInt8]] = ["prefetch", "prerender", "preview"].map { Array($0.utf8) }

    /// Every current browser's user agent starts with one of these.
    static let browserPrefixes: [[UInt8]] = ["mozilla/", "opera/"].map { Array($0.utf8) }

    /// Lowercase pieces of user agents that belong to crawlers, previewers, monitors and automation, besides "bot".
    /// Messengers' in-app browsers (Viber, Telegram, Facebook) are readers and stay out of this list; their link
    /// previewers either say "bot"/"preview" or do not claim to be Mozilla.
    static let botWords: [[UInt8]] = [
        "crawl", "spider", "slurp", "scrap", "fetch", "headless", "lighthouse", "pagespeed", "gtmetrix", "pingdom",
        "uptime", "monitor", "preview", "facebookexternalhit", "facebookcatalog", "meta-external", "embedly", "outbrain", "python", "curl/",
        "wget", "java/", "okhttp",
        "go-http", "axios", "node-fetch", "httpclient", "libwww", "phantomjs", "selenium", "puppeteer", "playwright",
        "yandex", "baidu", "bytespider", "ahrefs", "semrush", "mj12", "archive", "qwantify", "seznam", "mediapartners",
        "apis-google", "google-inspectiontool", "googleother", "gptbot", "chatgpt", "claude", "anthropic", "perplexity",
        "ccbot", "cohere", "validator", "linkcheck", "feed", "rss", "yeti", "daum",
    ].map { Array($0.utf8) }

    /// "bot" anywhere, except inside "cubot" (a make of phones whose user agents name the model).
    static func containsBot(_ bytes: [UInt8]) -> Bool {
        let bot: [UInt8] = Array("bot".utf8)
        var start = 0
        while let index = firstIndex(of: bot, in: bytes, from: start) {
            let afterCu = index >= 2 && bytes[index - 2] == UInt8(ascii: "c") && bytes[index - 1] == UInt8(ascii: "u")
            if !afterCu { return true }
            start = index + 1
        }
        return false
    }

    private static func contains(_ bytes: [UInt8], _ word: [UInt8]) -> Bool {
        firstIndex(of: word, in: bytes, from: 0) != nil
    }

    private static func firstIndex(of word: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard let first = word.first, bytes.count - start >= word.count else { return nil }
        var index = start
        let last = bytes.count - word.count
        while index <= last {
            if bytes[index] == first {
                var offset = 1
                while offset < word.count && bytes[index + offset] == word[offset] { offset += 1 }
                if offset == word.count { return index }
            }
            index += 1
        }
        return nil
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= 65 && byte <= 90 ? byte + 32 : byte
    }
}
