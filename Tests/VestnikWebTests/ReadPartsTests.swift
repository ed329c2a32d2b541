import Foundation
import HTTPTypes
import Hummingbird
import Testing
import VestnikCore
import VestnikStore
@testable import VestnikWeb

@Suite struct ReaderFilterTests {
    @Test func browsersAreReaders() {
        for agent in [
            browser, phone,
            "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
            "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0 Mobile Safari/537.36",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/470.0]",
            "Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
            "Opera/9.80 (Android; Opera Mini/7.5.33361/191.227; U; bg) Presto/2.12.423 Version/12.16",
        ] {
            #expect(ReaderFilter.verdict(userAgent: agent) == .reader, "\(agent)")
        }
    }

    @Test func crawlersAndProgramsAreNot() {
        #expect(ReaderFilter.verdict(userAgent: nil) == .notABrowser)
        #expect(ReaderFilter.verdict(userAgent: "") == .notABrowser)
        #expect(ReaderFilter.verdict(userAgent: "curl/8.5.0") == .notABrowser)
        #expect(ReaderFilter.verdict(userAgent: "WhatsApp/2.23.20.0") == .notABrowser)
        #expect(ReaderFilter.verdict(userAgent: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)") == .bot)
        #expect(ReaderFilter.verdict(userAgent: "Mozilla/5.0 (compatible; SemrushBot/7~bl)") == .bot)
        #expect(ReaderFilter.verdict(userAgent: "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/131.0.0.0") == .bot)
        #expect(ReaderFilter.verdict(userAgent: "Mozilla/5.0 (compatible; Feedly/1.0)") == .bot)
        #expect(ReaderFilter.verdict(userAgent: "MOZILLA/5.0 (COMPATIBLE; BINGBOT/2.0)") == .bot)
    }

    @Test func speculativeLoadsAreNotReads() {
        var headers: HTTPFields = [.userAgent: browser]
        #expect(ReaderFilter.verdict(headers) == .reader)
        headers[HTTPField.Name("Sec-Purpose")!] = "prefetch;prerender"
        #expect(ReaderFilter.verdict(headers) == .prefetch)
        headers = [.userAgent: browser, HTTPField.Name("Sec-Fetch-Mode")!: "no-cors", HTTPField.Name("Purpose")!: "Prefetch"]
        #expect(ReaderFilter.verdict(headers) == .prefetch)
    }
}

@Suite struct RepeatReadsTests {
    @Test func aReadCountsOnceWithinTheWindow() {
        let clock = TestClock()
        let repeats = RepeatReads(window: 1800, capacity: 100, now: { clock.now })
        #expect(repeats.isFirstRead(address: "a", userAgent: "u", articleID: 1))
        #expect(!repeats.isFirstRead(address: "a", userAgent: "u", articleID: 1))
        #expect(repeats.isFirstRead(address: "a", userAgent: "u", articleID: 2))
        #expect(repeats.isFirstRead(address: "b", userAgent: "u", articleID: 1))
        #expect(repeats.isFirstRead(address: "a", userAgent: "v", articleID: 1))
        clock.advance(1799)
        #expect(!repeats.isFirstRead(address: "a", userAgent: "u", articleID: 1))
        clock.advance(2)
        #expect(repeats.isFirstRead(address: "a", userAgent: "u", articleID: 1))
        // Everything older than the window has been forgotten.
        #expect(repeats.count == 1)
    }

    @Test func memoryIsBoundedOldestFirst() {
        let clock = TestClock()
        let repeats = RepeatReads(window: 1800, capacity: 1_000, now: { clock.now })
        for n in 0..<5_000 {
            #expect(repeats.isFirstRead(address: "10.0.\(n / 256).\(n % 256)", userAgent: "u", articleID: 1))
            clock.advance(0.01)
        }
        #expect(repeats.count == 1_000)
        // The newest are still known; the oldest were forgotten (and count again).
        #expect(!repeats.isFirstRead(address: "10.0.19.135", userAgent: "u", articleID: 1))  // n = 4999
        #expect(repeats.isFirstRead(address: "10.0.0.0", userAgent: "u", articleID: 1))
    }

    @Test func theSaltChangesWithTheSofiaDay() {
        // 23:59 in Sofia, then a minute later: the same reader is a stranger with a new day's salt.
        let clock = TestClock(SofiaTime.startOfDay(containing: testNow).addingTimeInterval(86_400 - 60))
        let salts = SaltLog()
        let repeats = RepeatReads(window: 1800, capacity: 100, now: { clock.now }, makeSalt: { salts.next() })
        #expect(repeats.isFirstRead(address: "a", userAgent: "u", articleID: 1))
        clock.advance(30)
        #expect(!repeats.isFirstRead(address: "a", userAgent: "u", articleID: 1))
        #expect(salts.made == 1)
        clock.advance(60)
        #expect(repeats.isFirstRead(address: "a", userAgent: "u", articleID: 1))
        #expect(salts.made == 2)
    }
}

final class SaltLog: @unchecked Sendable {
    private let lock = NSLock()
    private var count: UInt64 = 0
    var made: UInt64 { lock.withLock { count } }
    func next() -> (UInt64, UInt64) {
        lock.withLock {
            count += 1; return (count, count)
        }
    }
}

@Suite struct AddressRateLimiterTests {
    @Test func aBucketRefillsAtItsRate() {
        let clock = TestClock()
        let limiter = AddressRateLimiter(.init(perSecond: 2, burst: 3), capacity: 10, now: { clock.now })
        #expect((0..<5).map { _ in limiter.allow("a") } == [true, true, true, false, false])
        clock.advance(0.5)
        #expect(limiter.allow("a"))
        #expect(!limiter.allow("a"))
        clock.advance(60)
        #expect((0..<4).map { _ in limiter.allow("a") } == [true, true, true, false])
    }

    @Test func memoryIsBounded() {
        let clock = TestClock()
        let limiter = AddressRateLimiter(.init(perSecond: 1, burst: 2), capacity: 100, now: { clock.now })
        for n in 0..<1_000 { _ = limiter.allow("a\(n)") }
        #expect(limiter.count == 100)  // the rest passed untracked
        clock.advance(5)  // every bucket has refilled: the next new address sweeps them out
        #expect(limiter.allow("fresh"))
        #expect(limiter.count == 1)
    }
}

@Suite struct ReadSeriesTests {
    @Test func hoursAreFilledInOldestFirst() {
        let hour = ReadIncrement.hour(containing: testNow)
        let points = ReadSeries.hours([HourlyReads(hour: hour.addingTimeInterval(-3600), count: 4)], count: 3, now: testNow)
        #expect(
            points == [
                .init(start: hour.addingTimeInterval(-7200), count: 0), .init(start: hour.addingTimeInterval(-3600), count: 4),
                .init(start: hour, count: 0),
            ])
    }

    @Test func daysFollowSofiaAcrossTheClockChange() throws {
        // Sunday 25 October 2026 has 25 hours in Sofia; the day after, at 00:30.
        let now = try #require(SofiaTime.date(from: LocalDateTime(year: 2026, month: 10, day: 26, hour: 0, minute: 30)))
        let lastHourOf25th = try #require(SofiaTime.date(from: LocalDateTime(year: 2026, month: 10, day: 25, hour: 23)))
        let firstHourOf24th = try #require(SofiaTime.date(from: LocalDateTime(year: 2026, month: 10, day: 24, hour: 0)))
        let points = ReadSeries.days(
            [HourlyReads(hour: lastHourOf25th, count: 2), HourlyReads(hour: firstHourOf24th, count: 5), HourlyReads(hour: now, count: 1)],
            count: 3, now: now)
        #expect(points.map { SofiaTime.components(of: $0.start).day } == [24, 25, 26])
        #expect(points.map(\.count) == [5, 2, 1])
    }
}

@Suite struct ReadChartTests {
    @Test func theScaleEndsOnARoundNumber() {
        #expect([0, 1, 2, 3, 7, 10, 11, 37, 200, 201, 4_999].map(ReadChart.niceCeiling) == [1, 1, 2, 5, 10, 10, 20, 50, 200, 500, 5_000])
    }

    @Test func barsStandOnTheBaselineInProportion() {
        let chart = ReadChart.make(
            title: "t", summary: "s", points: [.init(value: 5, title: "a", label: "x"), .init(value: 10, title: "b", label: nil)])
        #expect(chart.bars.map(\.height) == ["90", "180"])
        #expect(chart.bars.map(\.y) == ["102", "12"])
        #expect(chart.ticks.map(\.label) == ["0", "5", "10"])
        #expect(chart.labels.map(\.text) == ["x"])
        #expect(chart.bars.map(\.title) == ["a", "b"])
    }
}
