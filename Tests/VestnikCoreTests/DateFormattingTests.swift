import Foundation
import Testing
@testable import VestnikCore

/// An instant given as a UTC timestamp like "2023-09-04T22:12:00Z".
private func utc(_ iso: String) -> Date {
    guard let date = ISO8601DateFormatter().date(from: iso) else { fatalError("bad test timestamp \(iso)") }
    return date
}

private extension DateVocabulary {
    /// The Bulgarian vocabulary, as a site's locale file would provide it.
    static let bulgarian = DateVocabulary(
        months: [
            "януари", "февруари", "март", "април", "май", "юни",
            "юли", "август", "септември", "октомври", "ноември", "декември",
        ],
        weekdays: ["понеделник", "вторник", "сряда", "четвъртък", "петък", "събота", "неделя"],
        dateLine: "{day} {month} {year}, {time} часа",
        justNow: "току-що",
        minuteOne: "преди {n} минута",
        minuteOther: "преди {n} минути",
        hourOne: "преди {n} час",
        hourOther: "преди {n} часа",
        yesterday: "вчера"
    )
}

@Suite struct NewsDateFormatterTests {
    let formatter = NewsDateFormatter(vocabulary: .bulgarian)
    let article = utc("2023-09-04T22:12:00Z")

    @Test func dateLineMatchesTheArticlePage() {
        #expect(formatter.dateLine(article) == "05 септември 2023, 01:12 часа")
    }

    @Test func dateLineInWinterAndOtherPatterns() {
        #expect(formatter.dateLine(utc("2024-01-01T07:05:00Z")) == "01 януари 2024, 09:05 часа")
        #expect(formatter.dateLine(utc("2024-12-31T21:59:00Z")) == "31 декември 2024, 23:59 часа")
        var vocabulary = DateVocabulary.bulgarian
        vocabulary.dateLine = "{weekday}, {day} {month} {year} {unknown}"
        #expect(NewsDateFormatter(vocabulary: vocabulary).dateLine(article) == "вторник, 05 септември 2023 {unknown}")
    }

    @Test func shortForms() {
        #expect(formatter.shortTime(article) == "01:12")
        #expect(formatter.shortDate(article) == "05.09.2023")
        #expect(formatter.shortTime(utc("2024-01-01T00:00:00Z")) == "02:00")
    }

    @Test func isoDateTimeCarriesTheSofiaOffset() {
        #expect(formatter.isoDateTime(article) == "2023-09-05T01:12:00+03:00")
        #expect(formatter.isoDateTime(utc("2024-01-15T10:00:30Z")) == "2024-01-15T12:00:30+02:00")
        // Either side of the October switch: the same local hour, two offsets.
        #expect(formatter.isoDateTime(utc("2024-10-27T00:30:00Z")) == "2024-10-27T03:30:00+03:00")
        #expect(formatter.isoDateTime(utc("2024-10-27T01:30:00Z")) == "2024-10-27T03:30:00+02:00")
    }

    @Test func feedFormatsAreUTCAndEnglish() {
        #expect(formatter.rfc3339UTC(article) == "2023-09-04T22:12:00Z")
        #expect(formatter.rfc822(article) == "Mon, 04 Sep 2023 22:12:00 +0000")
        #expect(formatter.rfc822(utc("2024-02-29T09:03:07Z")) == "Thu, 29 Feb 2024 09:03:07 +0000")
        #expect(formatter.rfc3339UTC(Date(timeIntervalSince1970: 0.9)) == "1970-01-01T00:00:00Z")
        // Padding of short years and single digits everywhere.
        #expect(formatter.rfc3339UTC(Date(timeIntervalSince1970: -59_011_361_755)) == "0100-01-02T03:04:05Z")
        #expect(formatter.rfc3339UTC(Date(timeIntervalSince1970: 1_774_745_949)) == "2026-03-29T00:59:09Z")
    }

    @Test func aDateLinePatternIsTakenApartOnceAndStillFilledAsWritten() {
        var formatter = NewsDateFormatter(vocabulary: .bulgarian)
        formatter.vocabulary.dateLine = "{weekday}|{unknown}|{day}.{month}{year} {time}{"
        #expect(formatter.dateLine(article) == "вторник|{unknown}|05.септември2023 01:12{")
        formatter.vocabulary.dateLine = "a\u{0}{day}\u{0}b"
        #expect(formatter.dateLine(article) == "a\u{0}05\u{0}b")
    }

    @Test func incompleteVocabularyDoesNotCrash() {
        var vocabulary = DateVocabulary.bulgarian
        vocabulary.months = []
        vocabulary.weekdays = []
        vocabulary.dateLine = "{weekday}{day} {month} {year}"
        #expect(NewsDateFormatter(vocabulary: vocabulary).dateLine(article) == "05 09 2023")
    }

    @Test func vocabularyDecodesFromJSON() throws {
        let json = """
            {"months":["a","b","c","d","e","f","g","h","i","j","k","l"],"weekdays":["1","2","3","4","5","6","7"],
             "dateLine":"{day}.{month}","justNow":"now","minuteOne":"{n} min","minuteOther":"{n} mins",
             "hourOne":"{n} hour","hourOther":"{n} hours","yesterday":"yesterday"}
            """
        let vocabulary = try JSONDecoder().decode(DateVocabulary.self, from: Data(json.utf8))
        #expect(NewsDateFormatter(vocabulary: vocabulary).dateLine(article) == "05.i")
        let encoded = try JSONEncoder().encode(DateVocabulary.bulgarian)
        #expect(try JSONDecoder().decode(DateVocabulary.self, from: encoded) == .bulgarian)
    }
}

@Suite struct RelativeTimeFormatterTests {
    func relative(now: String) -> RelativeTimeFormatter {
        let clock = utc(now)
        return RelativeTimeFormatter(vocabulary: .bulgarian, now: { clock })
    }

    @Test func minutesAndHours() {
        let f = relative(now: "2024-07-15T12:00:00Z")  // 15:00 in Sofia
        #expect(f.string(for: utc("2024-07-15T12:00:00Z")) == "току-що")
        #expect(f.string(for: utc("2024-07-15T11:59:01Z")) == "току-що")
        #expect(f.string(for: utc("2024-07-15T11:59:00Z")) == "преди 1 минута")
        #expect(f.string(for: utc("2024-07-15T11:58:59Z")) == "преди 1 минута")
        #expect(f.string(for: utc("2024-07-15T11:55:00Z")) == "преди 5 минути")
        #expect(f.string(for: utc("2024-07-15T11:00:01Z")) == "преди 59 минути")
        #expect(f.string(for: utc("2024-07-15T11:00:00Z")) == "преди 1 час")
        #expect(f.string(for: utc("2024-07-15T10:00:00Z")) == "преди 2 часа")
        #expect(f.string(for: utc("2024-07-14T21:00:00Z")) == "преди 15 часа")  // local midnight
    }

    @Test func yesterdayAndOlder() {
        let f = relative(now: "2024-07-15T12:00:00Z")
        #expect(f.string(for: utc("2024-07-14T20:59:59Z")) == "вчера")  // 23:59:59 yesterday
        #expect(f.string(for: utc("2024-07-13T21:00:00Z")) == "вчера")  // 00:00 yesterday
        #expect(f.string(for: utc("2024-07-13T20:59:59Z")) == "13.07.2024")
        #expect(f.string(for: utc("2023-09-04T22:12:00Z")) == "05.09.2023")
    }

    @Test func justAfterMidnight() {
        let f = relative(now: "2024-01-14T22:10:00Z")  // 00:10 on 15 January
        #expect(f.string(for: utc("2024-01-14T21:50:00Z")) == "преди 20 минути")  // 23:50 the day before
        #expect(f.string(for: utc("2024-01-14T20:50:00Z")) == "вчера")
        #expect(f.string(for: utc("2024-01-14T22:00:00Z")) == "преди 10 минути")
    }

    @Test func futureDatesShowTheDate() {
        let f = relative(now: "2024-07-15T12:00:00Z")
        #expect(f.string(for: utc("2024-07-15T12:00:01Z")) == "15.07.2024")
        #expect(f.string(for: utc("2024-07-16T12:00:00Z")) == "16.07.2024")
    }

    @Test func acrossTheSpringForwardDay() {
        // 31 March 2024 lasts 23 hours; at 23:30 EEST (20:30 UTC) the day began 21.5 h ago.
        let f = relative(now: "2024-03-31T20:30:00Z")
        #expect(f.string(for: utc("2024-03-30T22:00:00Z")) == "преди 22 часа")  // 00:00 EET
        #expect(f.string(for: utc("2024-03-30T21:59:59Z")) == "вчера")
        #expect(f.string(for: utc("2024-03-31T00:30:00Z")) == "преди 20 часа")  // 02:30 EET
        #expect(f.string(for: utc("2024-03-31T01:30:00Z")) == "преди 19 часа")  // 04:30 EEST
        // The next morning, the whole short day is "yesterday".
        let next = relative(now: "2024-04-01T06:00:00Z")
        #expect(next.string(for: utc("2024-03-30T22:00:00Z")) == "вчера")
        #expect(next.string(for: utc("2024-03-30T21:59:59Z")) == "30.03.2024")
    }

    @Test func acrossTheFallBackDay() {
        // 27 October 2024 lasts 25 hours; at 23:59 EET (21:59 UTC) it began 24 h 59 min ago.
        let f = relative(now: "2024-10-27T21:59:00Z")
        #expect(f.string(for: utc("2024-10-26T21:00:00Z")) == "преди 24 часа")  // 00:00 EEST
        #expect(f.string(for: utc("2024-10-26T20:59:59Z")) == "вчера")
        #expect(f.string(for: utc("2024-10-27T00:30:00Z")) == "преди 21 часа")  // first 03:30
        #expect(f.string(for: utc("2024-10-27T01:30:00Z")) == "преди 20 часа")  // second 03:30
        // Just after midnight, the 25-hour day is "yesterday" from its first second.
        let next = relative(now: "2024-10-27T22:00:00Z")
        #expect(next.string(for: utc("2024-10-26T21:00:00Z")) == "вчера")
        #expect(next.string(for: utc("2024-10-26T20:59:59Z")) == "26.10.2024")
    }

    @Test func usesTheInjectedClockEachTime() {
        final class Clock: @unchecked Sendable {
            var now = utc("2024-07-15T12:00:00Z")
        }
        let clock = Clock()
        let f = RelativeTimeFormatter(vocabulary: .bulgarian, now: { clock.now })
        let published = utc("2024-07-15T11:59:30Z")
        #expect(f.string(for: published) == "току-що")
        clock.now = utc("2024-07-15T12:03:00Z")
        #expect(f.string(for: published) == "преди 3 минути")
    }
}
