import Foundation

/// The words a site uses to talk about dates, loaded from its locale file.
///
/// Core holds no user-facing strings: month names, weekday names and the phrases of
/// relative time come from the site's configuration, so the same engine can serve
/// any language. Patterns use `{placeholders}`.
public struct DateVocabulary: Sendable, Codable, Equatable {
    /// Twelve lowercase month names, January first.
    public var months: [String]
    /// Seven weekday names, Monday first.
    public var weekdays: [String]
    /// The article date line, e.g. `"{day} {month} {year}, {time} часа"`.
    /// Placeholders: `{day}` (two digits), `{month}` (name), `{year}`, `{time}` (HH:MM), `{weekday}` (name).
    public var dateLine: String
    /// Under a minute ago, e.g. `"току-що"`.
    public var justNow: String
    /// One minute ago, e.g. `"преди {n} минута"`.
    public var minuteOne: String
    /// Several minutes ago, e.g. `"преди {n} минути"`.
    public var minuteOther: String
    /// One hour ago, e.g. `"преди {n} час"`.
    public var hourOne: String
    /// Several hours ago, e.g. `"преди {n} часа"`.
    public var hourOther: String
    /// The previous local day, e.g. `"вчера"`.
    public var yesterday: String

    public init(
        months: [String], weekdays: [String], dateLine: String, justNow: String,
        minuteOne: String, minuteOther: String, hourOne: String, hourOther: String,
        yesterday: String
    ) {
        self.months = months
        self.weekdays = weekdays
        self.dateLine = dateLine
        self.justNow = justNow
        self.minuteOne = minuteOne
        self.minuteOther = minuteOther
        self.hourOne = hourOne
        self.hourOther = hourOther
        self.yesterday = yesterday
    }

    /// The month name for 1…12 (the two-digit number if the list is incomplete).
    public func monthName(_ month: Int) -> String {
        months.indices.contains(month - 1) ? months[month - 1] : twoDigits(month)
    }

    /// The weekday name for 1 = Monday … 7 = Sunday (empty if the list is incomplete).
    public func weekdayName(_ weekday: Int) -> String {
        weekdays.indices.contains(weekday - 1) ? weekdays[weekday - 1] : ""
    }
}

/// Formats instants for article pages (in Sofia time) and for feeds (in UTC).
///
/// One place decides how every date on the site and in its feeds is written, so the
/// page, the JSON-LD, the sitemaps and the feeds always agree.
public struct NewsDateFormatter: Sendable {
    public var vocabulary: DateVocabulary {
        didSet { dateLineParts = DateLinePart.parts(of: vocabulary.dateLine) }
    }
    /// `vocabulary.dateLine` taken apart once: every card of every list page has a date line.
    private var dateLineParts: [DateLinePart]

    public init(vocabulary: DateVocabulary) {
        self.vocabulary = vocabulary
        dateLineParts = DateLinePart.parts(of: vocabulary.dateLine)
    }

    /// The article date line in Sofia time, e.g. `05 септември 2023, 01:12 часа`.
    public func dateLine(_ date: Date) -> String {
        let local = SofiaTime.components(of: date)
        var out = ""
        out.reserveCapacity(48)
        for part in dateLineParts {
            switch part {
            case .text(let text): out += text
            case .day: out += twoDigits(local.day)
            case .month: out += vocabulary.monthName(local.month)
            case .year: out += String(local.year)
            case .time: out += clock(local.hour, local.minute)
            case .weekday: out += vocabulary.weekdayName(local.weekday)
            case .pattern(let pattern):
                out += Placeholders.fill(pattern) { name in
                    switch name {
                    case "day": twoDigits(local.day)
                    case "month": vocabulary.monthName(local.month)
                    case "year": String(local.year)
                    case "time": clock(local.hour, local.minute)
                    case "weekday": vocabulary.weekdayName(local.weekday)
                    default: nil
                    }
                }
            }
        }
        return out
    }

    /// Sofia time as `HH:MM`, e.g. `01:12`.
    public func shortTime(_ date: Date) -> String {
        let local = SofiaTime.components(of: date)
        return clock(local.hour, local.minute)
    }

    /// The Sofia date as `DD.MM.YYYY`, e.g. `05.09.2023`.
    public func shortDate(_ date: Date) -> String { sofiaShortDate(date) }

    /// ISO 8601 in Sofia time with its offset, e.g. `2023-09-05T01:12:00+03:00`
    /// (for `<time datetime>`, JSON-LD and Open Graph).
    public func isoDateTime(_ date: Date) -> String {
        let offset = SofiaTime.utcOffset(at: date)
        let local = CivilCalendar.dateTime(unixSeconds: SofiaTime.unixSeconds(date) + offset)
        let minutes = abs(offset) / 60
        var text = ASCIIText()
        text.iso(local)
        text.append(offset < 0 ? "-" : "+")
        text.digits(minutes / 60, 2)
        text.append(":")
        text.digits(minutes % 60, 2)
        return text.string
    }

    /// RFC 3339 in UTC, e.g. `2023-09-04T22:12:00Z` (Atom, JSON Feed, sitemaps).
    public func rfc3339UTC(_ date: Date) -> String {
        var text = ASCIIText()
        text.iso(Self.utcComponents(date))
        text.append("Z")
        return text.string
    }

    /// RFC 822 in UTC with English names, e.g. `Mon, 04 Sep 2023 22:12:00 +0000` (RSS).
    public func rfc822(_ date: Date) -> String {
        Self.englishDateTime(date) + " +0000"
    }

    /// An HTTP date (RFC 9110 IMF-fixdate), e.g. `Mon, 04 Sep 2023 22:12:00 GMT` (`Last-Modified`).
    public func httpDate(_ date: Date) -> String { Self.httpDate(date) }

    /// `httpDate` without a formatter (it names days and months in English whatever the vocabulary).
    public static func httpDate(_ date: Date) -> String {
        englishDateTime(date) + " GMT"
    }

    /// Reads an IMF-fixdate such as `Mon, 04 Sep 2023 22:12:00 GMT` (`If-Modified-Since`); `nil` for anything
    /// else, including the obsolete RFC 850 and asctime forms, which a client may send only if it ignores RFC 9110.
    public static func date(fromHTTPDate text: String) -> Date? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[0].count == 4, parts[0].hasSuffix(","), parts[5] == "GMT",
            englishWeekdays.contains(String(parts[0].dropLast())),
            parts[1].count == 2, let day = Int(parts[1]),
            let month = englishMonths.firstIndex(of: String(parts[2])).map({ $0 + 1 }),
            parts[3].count == 4, let year = Int(parts[3])
        else { return nil }
        let clock = parts[4].split(separator: ":")
        guard clock.count == 3, clock.allSatisfy({ $0.count == 2 }),
            let hour = Int(clock[0]), let minute = Int(clock[1]), let second = Int(clock[2]),
            (1...CivilCalendar.daysInMonth(year: year, month: month)).contains(day),
            (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        let seconds = CivilCalendar.days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// `Mon, 04 Sep 2023 22:12:00` in UTC: the part RFC 822 and HTTP dates share.
    private static func englishDateTime(_ date: Date) -> String {
        let t = utcComponents(date)
        let day = Self.englishWeekdays[t.weekday - 1]
        let month = Self.englishMonths[t.month - 1]
        return "\(day), \(twoDigits(t.day)) \(month) \(fourDigits(t.year)) "
            + "\(twoDigits(t.hour)):\(twoDigits(t.minute)):\(twoDigits(t.second))"
    }

    private static func utcComponents(_ date: Date) -> LocalDateTime {
        CivilCalendar.dateTime(unixSeconds: SofiaTime.unixSeconds(date))
    }

    private static let englishWeekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    private static let englishMonths = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun",
        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
}

/// A piece of the date line pattern: text as written, or a placeholder it knows (`Placeholders.fill`'s rules: an
/// unknown `{name}` stays as written).
private enum DateLinePart: Sendable {
    case text(String)
    case day, month, year, time, weekday
    /// The whole pattern, filled by `Placeholders.fill` on each call.
    case pattern(String)

    /// The parts of `pattern`, taken apart once per pattern: formatters are made per request (`ViewFactory`).
    static func parts(of pattern: String) -> [DateLinePart] {
        if let known = known.withLock({ $0[pattern] }) { return known }
        let parts = parse(pattern)
        known.withLock { if $0.count < 64 { $0[pattern] = parts } }
        return parts
    }

    private static let known = LockedParts()

    static func parse(_ pattern: String) -> [DateLinePart] {
        // Each known placeholder becomes a marker, the text between them literal parts. A pattern that holds the
        // marker itself (a NUL in a locale file) is filled on every call instead.
        let marker = "\u{0}"
        guard !pattern.unicodeScalars.contains("\u{0}") else { return [.pattern(pattern)] }
        let marked = Placeholders.fill(pattern) { name in
            ["day", "month", "year", "time", "weekday"].contains(name) ? marker + name + marker : nil
        }
        var parts: [DateLinePart] = []
        for (index, piece) in marked.split(separator: Character(marker), omittingEmptySubsequences: false).enumerated() {
            guard index % 2 == 1 else {
                if !piece.isEmpty { parts.append(.text(String(piece))) }
                continue
            }
            switch piece {
            case "day": parts.append(.day)
            case "month": parts.append(.month)
            case "year": parts.append(.year)
            case "time": parts.append(.time)
            default: parts.append(.weekday)
            }
        }
        return parts
    }
}

private final class LockedParts: @unchecked Sendable {
    private let lock = NSLock()
    private var value: [String: [DateLinePart]] = [:]

    func withLock<T>(_ body: (inout [String: [DateLinePart]]) -> T) -> T { lock.withLock { body(&value) } }
}

/// The Sofia date as `DD.MM.YYYY`.
private func sofiaShortDate(_ date: Date) -> String {
    let local = SofiaTime.components(of: date)
    return "\(twoDigits(local.day)).\(twoDigits(local.month)).\(fourDigits(local.year))"
}

/// Says how long ago something happened ("преди 5 минути", "вчера"), Sofia time.
///
/// Swift on Linux has no `RelativeDateTimeFormatter`, and tests need a fixed clock,
/// so the clock is injected.
public struct RelativeTimeFormatter: Sendable {
    public var vocabulary: DateVocabulary
    public let now: @Sendable () -> Date

    public init(vocabulary: DateVocabulary, now: @escaping @Sendable () -> Date = { Date() }) {
        self.vocabulary = vocabulary
        self.now = now
    }

    /// Under a minute: `justNow`; under an hour: minutes; later the same Sofia day:
    /// hours; the previous Sofia day: `yesterday`; older or in the future: `DD.MM.YYYY`.
    public func string(for date: Date) -> String {
        let current = now()
        let elapsed = Int(current.timeIntervalSince(date).rounded(.down))
        if elapsed >= 0 {
            if elapsed < 60 { return vocabulary.justNow }
            if elapsed < 3600 {
                return count(elapsed / 60, one: vocabulary.minuteOne, other: vocabulary.minuteOther)
            }
            let daysBack = SofiaTime.dayNumber(of: current) - SofiaTime.dayNumber(of: date)
            if daysBack == 0 {
                return count(elapsed / 3600, one: vocabulary.hourOne, other: vocabulary.hourOther)
            }
            if daysBack == 1 { return vocabulary.yesterday }
        }
        return sofiaShortDate(date)
    }

    /// Bulgarian (and English) plural rule: exactly one takes the singular.
    private func count(_ n: Int, one: String, other: String) -> String {
        Placeholders.fill(n == 1 ? one : other) { $0 == "n" ? String(n) : nil }
    }
}

private func twoDigits(_ n: Int) -> String {
    n >= 0 && n < 100 ? twoDigitNumbers[n] : String(n)
}

/// "00" … "99", made once: a date line or a card's time asks for several on every render.
private let twoDigitNumbers: [String] = (0..<100).map { $0 < 10 ? "0\($0)" : String($0) }

/// `HH:MM`.
private func clock(_ hour: Int, _ minute: Int) -> String {
    var text = ASCIIText()
    text.digits(hour, 2)
    text.append(":")
    text.digits(minute, 2)
    return text.string
}

/// ASCII text built byte by byte into one buffer: machine dates are written for every card of every page, and
/// string interpolation made a string per part. The buffer is inline (64 bytes, more than any date here takes,
/// whatever its year), so the string is the only allocation, and none for text of up to 15 bytes.
private struct ASCIIText {
    private var bytes = SIMD64<UInt8>()
    private var count = 0

    var string: String {
        withUnsafeBytes(of: bytes) { String(decoding: $0.prefix(count), as: UTF8.self) }
    }

    mutating func append(_ character: Unicode.Scalar) { append(byte: UInt8(ascii: character)) }

    private mutating func append(byte: UInt8) {
        bytes[count] = byte  // traps past 64 bytes, as an index out of range
        count += 1
    }

    /// `n` in decimal, zero-padded to `width` digits (a negative number gets its sign first).
    mutating func digits(_ n: Int, _ width: Int) {
        if n < 0 { append(byte: UInt8(ascii: "-")) }
        let magnitude = n.magnitude
        var digitCount = 1
        var divisor: UInt = 1
        while true {
            let (next, overflow) = divisor.multipliedReportingOverflow(by: 10)
            guard !overflow, next <= magnitude else { break }
            divisor = next
            digitCount += 1
        }
        for _ in digitCount..<max(width, digitCount) { append(byte: UInt8(ascii: "0")) }
        repeat {
            append(byte: UInt8(ascii: "0") + UInt8(magnitude / divisor % 10))
            divisor /= 10
        } while divisor > 0
    }

    /// `YYYY-MM-DDTHH:MM:SS`.
    mutating func iso(_ t: LocalDateTime) {
        digits(t.year, 4)
        append("-")
        digits(t.month, 2)
        append("-")
        digits(t.day, 2)
        append("T")
        digits(t.hour, 2)
        append(":")
        digits(t.minute, 2)
        append(":")
        digits(t.second, 2)
    }
}

private func fourDigits(_ n: Int) -> String {
    let digits = String(abs(n))
    return (n < 0 ? "-" : "") + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}
