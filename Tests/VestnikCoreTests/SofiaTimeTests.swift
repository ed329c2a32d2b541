import Foundation
import Testing
@testable import VestnikCore

/// An instant given as a UTC timestamp like "2023-09-04T22:12:00Z".
private func utc(_ iso: String) -> Date {
    let formatter = ISO8601DateFormatter()
    guard let date = formatter.date(from: iso) else { fatalError("bad test timestamp \(iso)") }
    return date
}

@Suite struct SofiaTimeTests {
    /// Summer time starts at 01:00 UTC on the last Sunday of March (03:00 EET → 04:00 EEST).
    @Test(arguments: ["2023-03-26", "2024-03-31", "2026-03-29"])
    func springForward(day: String) {
        let before = utc("\(day)T00:59:59Z")
        let after = utc("\(day)T01:00:00Z")
        #expect(SofiaTime.utcOffset(at: before) == 7200)
        #expect(SofiaTime.utcOffset(at: after) == 10800)
        #expect(SofiaTime.components(of: before).hour == 2)
        #expect(SofiaTime.components(of: before).minute == 59)
        #expect(SofiaTime.components(of: before).second == 59)
        #expect(SofiaTime.components(of: after).hour == 4)
        #expect(SofiaTime.components(of: after).minute == 0)
    }

    /// Summer time ends at 01:00 UTC on the last Sunday of October (04:00 EEST → 03:00 EET).
    @Test(arguments: ["2023-10-29", "2024-10-27", "2026-10-25"])
    func fallBack(day: String) {
        let before = utc("\(day)T00:59:59Z")
        let after = utc("\(day)T01:00:00Z")
        #expect(SofiaTime.utcOffset(at: before) == 10800)
        #expect(SofiaTime.utcOffset(at: after) == 7200)
        #expect(SofiaTime.components(of: before).hour == 3)
        #expect(SofiaTime.components(of: after).hour == 3)
        #expect(SofiaTime.components(of: after).minute == 0)
    }

    @Test func transitionDaysAreSundays() {
        for day in ["2023-03-26", "2023-10-29", "2024-03-31", "2024-10-27", "2026-03-29", "2026-10-25"] {
            #expect(SofiaTime.components(of: utc("\(day)T12:00:00Z")).weekday == 7)
        }
    }

    @Test func componentsOfAnArticleDate() {
        let local = SofiaTime.components(of: utc("2023-09-04T22:12:00Z"))
        #expect(local == LocalDateTime(year: 2023, month: 9, day: 5, hour: 1, minute: 12, second: 0))
        #expect(local.weekday == 2)  // Tuesday
    }

    @Test func midnightBoundaries() {
        // Winter: local midnight is 22:00 UTC the day before.
        #expect(
            SofiaTime.components(of: utc("2024-01-14T21:59:59Z"))
                == LocalDateTime(year: 2024, month: 1, day: 14, hour: 23, minute: 59, second: 59))
        #expect(
            SofiaTime.components(of: utc("2024-01-14T22:00:00Z"))
                == LocalDateTime(year: 2024, month: 1, day: 15))
        // Summer: local midnight is 21:00 UTC the day before.
        #expect(SofiaTime.components(of: utc("2024-07-14T20:59:59Z")).day == 14)
        #expect(
            SofiaTime.components(of: utc("2024-07-14T21:00:00Z"))
                == LocalDateTime(year: 2024, month: 7, day: 15))
        // New Year and a leap day.
        #expect(
            SofiaTime.components(of: utc("2023-12-31T22:00:00Z"))
                == LocalDateTime(year: 2024, month: 1, day: 1))
        #expect(
            SofiaTime.components(of: utc("2024-02-28T22:30:00Z"))
                == LocalDateTime(year: 2024, month: 2, day: 29, hour: 0, minute: 30))
    }

    @Test func startOfDay() {
        #expect(SofiaTime.startOfDay(containing: utc("2024-01-15T10:00:00Z")) == utc("2024-01-14T22:00:00Z"))
        #expect(SofiaTime.startOfDay(containing: utc("2024-07-15T10:00:00Z")) == utc("2024-07-14T21:00:00Z"))
        // Just after local midnight, and just before it.
        #expect(SofiaTime.startOfDay(containing: utc("2024-01-14T22:00:00Z")) == utc("2024-01-14T22:00:00Z"))
        #expect(SofiaTime.startOfDay(containing: utc("2024-01-14T21:59:59Z")) == utc("2024-01-13T22:00:00Z"))
    }

    @Test func startOfDayOnDSTDays() {
        // The day began in winter time and ends in summer time (23 hours long).
        let spring = SofiaTime.startOfDay(containing: utc("2024-03-31T20:00:00Z"))
        #expect(spring == utc("2024-03-30T22:00:00Z"))
        #expect(SofiaTime.startOfDay(containing: utc("2024-03-31T20:59:59Z")) == spring)
        #expect(SofiaTime.startOfDay(containing: utc("2024-03-31T21:00:00Z")) == utc("2024-03-31T21:00:00Z"))
        // The day began in summer time and ends in winter time (25 hours long).
        let autumn = SofiaTime.startOfDay(containing: utc("2024-10-27T21:00:00Z"))
        #expect(autumn == utc("2024-10-26T21:00:00Z"))
        #expect(SofiaTime.startOfDay(containing: utc("2024-10-27T21:59:59Z")) == autumn)
        #expect(SofiaTime.startOfDay(containing: utc("2024-10-27T22:00:00Z")) == utc("2024-10-27T22:00:00Z"))
    }

    @Test func dateFromLocal() {
        #expect(
            SofiaTime.date(from: LocalDateTime(year: 2023, month: 9, day: 5, hour: 1, minute: 12))
                == utc("2023-09-04T22:12:00Z"))
        #expect(SofiaTime.date(from: LocalDateTime(year: 2024, month: 1, day: 1)) == utc("2023-12-31T22:00:00Z"))
        // Skipped hour in March.
        #expect(SofiaTime.date(from: LocalDateTime(year: 2024, month: 3, day: 31, hour: 3, minute: 30)) == nil)
        #expect(
            SofiaTime.date(from: LocalDateTime(year: 2024, month: 3, day: 31, hour: 2, minute: 59))
                == utc("2024-03-31T00:59:00Z"))
        #expect(SofiaTime.date(from: LocalDateTime(year: 2024, month: 3, day: 31, hour: 4)) == utc("2024-03-31T01:00:00Z"))
        // Repeated hour in October: the earlier instant.
        #expect(
            SofiaTime.date(from: LocalDateTime(year: 2024, month: 10, day: 27, hour: 3, minute: 30))
                == utc("2024-10-27T00:30:00Z"))
        #expect(SofiaTime.date(from: LocalDateTime(year: 2024, month: 10, day: 27, hour: 4)) == utc("2024-10-27T02:00:00Z"))
        // Invalid components.
        #expect(SofiaTime.date(from: LocalDateTime(year: 2023, month: 2, day: 29)) == nil)
        #expect(SofiaTime.date(from: LocalDateTime(year: 2023, month: 13, day: 1)) == nil)
        #expect(SofiaTime.date(from: LocalDateTime(year: 2023, month: 1, day: 1, hour: 24)) == nil)
        #expect(SofiaTime.date(from: LocalDateTime(year: 2024, month: 2, day: 29)) != nil)
    }

    @Test func roundTripsEveryHourOfAYear() {
        var instant = utc("2024-01-01T00:00:00Z")
        for _ in 0..<(366 * 24) {
            let local = SofiaTime.components(of: instant)
            let back = SofiaTime.date(from: local)
            // Only the second pass through the repeated October hour maps back elsewhere.
            if local.month == 10 && local.day == 27 && local.hour == 3 {
                #expect(back != nil)
            } else {
                #expect(back == instant)
            }
            instant += 3600
        }
    }

    @Test func weekdays() {
        #expect(LocalDateTime(year: 1970, month: 1, day: 1).weekday == 4)
        #expect(LocalDateTime(year: 2000, month: 1, day: 1).weekday == 6)
        #expect(LocalDateTime(year: 2024, month: 12, day: 30).weekday == 1)
        #expect(LocalDateTime(year: 1969, month: 12, day: 28).weekday == 7)
    }

    @Test func instantsBefore1970() {
        let local = SofiaTime.components(of: utc("1965-06-30T23:30:15Z"))
        #expect(local == LocalDateTime(year: 1965, month: 7, day: 1, hour: 2, minute: 30, second: 15))
        #expect(SofiaTime.components(of: Date(timeIntervalSince1970: -0.5)).second == 59)
    }

    /// Where the system has tzdata, it must agree with the EU rule from 1998 on.
    @Test func agreesWithTzdataWhenAvailable() throws {
        guard let zone = TimeZone(identifier: "Europe/Sofia") else { return }
        for year in 1998...2037 {
            for month in ["03", "10"] {
                var instant = utc("\(year)-\(month)-24T00:00:00Z")
                for _ in 0..<(9 * 48) {
                    #expect(SofiaTime.utcOffset(at: instant) == zone.secondsFromGMT(for: instant), "\(instant)")
                    instant += 1800
                }
            }
        }
    }
}
