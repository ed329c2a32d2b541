import Foundation

/// Wall-clock date and time fields, without a time zone.
///
/// Pages show, and editors enter, Sofia wall-clock time rather than UTC instants;
/// `SofiaTime` converts between the two.
public struct LocalDateTime: Sendable, Equatable, Hashable {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// ISO weekday of the date: 1 = Monday … 7 = Sunday.
    public var weekday: Int {
        CivilCalendar.weekday(ofDay: CivilCalendar.days(year: year, month: month, day: day))
    }
}

/// Europe/Sofia time computed from the EU rule, with no tzdata and no `TimeZone`.
///
/// Articles are stored in UTC but shown in Sofia time. Server containers often lack
/// tzdata and Foundation's time-zone support differs between platforms, so Vestnik
/// computes the offset itself: EET (UTC+2), and EEST (UTC+3) from the last Sunday of
/// March 01:00 UTC until the last Sunday of October 01:00 UTC.
public enum SofiaTime {
    /// Standard time offset (EET), in seconds.
    public static let standardOffset = 2 * 3600
    /// Summer time offset (EEST), in seconds.
    public static let summerOffset = 3 * 3600

    /// The offset from UTC in seconds (7200 or 10800) at the given instant.
    public static func utcOffset(at date: Date) -> Int {
        let t = unixSeconds(date)
        let year = CivilCalendar.civil(fromDays: CivilCalendar.floorDiv(t, 86_400)).year
        return isSummerTime(unixSeconds: t, year: year) ? summerOffset : standardOffset
    }

    /// The Sofia wall-clock time of an instant (fractions of a second are dropped).
    public static func components(of date: Date) -> LocalDateTime {
        let t = unixSeconds(date)
        return CivilCalendar.dateTime(unixSeconds: t + utcOffset(at: date))
    }

    /// The instant of Sofia midnight that starts the local day containing `date`.
    /// (Sofia switches clocks at 03:00/04:00, so local midnight always exists.)
    public static func startOfDay(containing date: Date) -> Date {
        let local = components(of: date)
        let midnight = LocalDateTime(year: local.year, month: local.month, day: local.day)
        // Midnight is never skipped or repeated in Sofia, so this cannot fail.
        return self.date(from: midnight)!
    }

    /// The instant at which Sofia clocks show `local`.
    ///
    /// Returns `nil` for invalid components (month 13, 30 February, hour 24, …) and
    /// for the hour skipped when clocks go forward (03:00–03:59 on the last Sunday of
    /// March). For the hour repeated in October the earlier (summer time) instant wins.
    public static func date(from local: LocalDateTime) -> Date? {
        guard (1...12).contains(local.month),
            (1...CivilCalendar.daysInMonth(year: local.year, month: local.month)).contains(local.day),
            (0...23).contains(local.hour), (0...59).contains(local.minute), (0...59).contains(local.second)
        else { return nil }
        let localSeconds =
            CivilCalendar.days(year: local.year, month: local.month, day: local.day) * 86_400
            + local.hour * 3600 + local.minute * 60 + local.second
        for offset in [summerOffset, standardOffset] {
            let candidate = Date(timeIntervalSince1970: TimeInterval(localSeconds - offset))
            if utcOffset(at: candidate) == offset { return candidate }
        }
        return nil
    }

    /// Days since 1970-01-01 of the Sofia calendar day containing `date`;
    /// consecutive local days differ by exactly 1, whatever their length in hours.
    public static func dayNumber(of date: Date) -> Int {
        CivilCalendar.floorDiv(unixSeconds(date) + utcOffset(at: date), 86_400)
    }

    private static func isSummerTime(unixSeconds t: Int, year: Int) -> Bool {
        let start = CivilCalendar.lastSunday(year: year, month: 3) * 86_400 + 3600
        let end = CivilCalendar.lastSunday(year: year, month: 10) * 86_400 + 3600
        return t >= start && t < end
    }

    static func unixSeconds(_ date: Date) -> Int {
        Int(date.timeIntervalSince1970.rounded(.down))
    }
}

/// Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01),
/// after Howard Hinnant's `days_from_civil` / `civil_from_days`.
enum CivilCalendar {
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// ISO weekday (1 = Monday … 7 = Sunday); 1970-01-01 was a Thursday.
    static func weekday(ofDay days: Int) -> Int {
        floorMod(days + 3, 7) + 1
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Day number of the last Sunday of a month.
    static func lastSunday(year: Int, month: Int) -> Int {
        let last = days(year: year, month: month, day: daysInMonth(year: year, month: month))
        return last - floorMod(weekday(ofDay: last), 7)
    }

    static func floorDiv(_ a: Int, _ b: Int) -> Int {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    static func floorMod(_ a: Int, _ b: Int) -> Int {
        a - floorDiv(a, b) * b
    }

    /// Wall-clock fields for a count of seconds since 1970-01-01 00:00 on that clock.
    static func dateTime(unixSeconds t: Int) -> LocalDateTime {
        let (year, month, day) = civil(fromDays: floorDiv(t, 86_400))
        let secondOfDay = floorMod(t, 86_400)
        return LocalDateTime(
            year: year, month: month, day: day,
            hour: secondOfDay / 3600, minute: secondOfDay % 3600 / 60, second: secondOfDay % 60)
    }
}
