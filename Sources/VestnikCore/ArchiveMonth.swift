import Foundation

/// A calendar month of the paper, in Sofia time: the unit the article archive (and its sitemaps) is cut into.
public struct ArchiveMonth: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    /// `nil` unless `month` is 1…12 and `year` has four digits.
    public init?(year: Int, month: Int) {
        guard (1000...9999).contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    /// The Sofia month an instant falls in.
    public static func containing(_ date: Date) -> ArchiveMonth {
        let local = SofiaTime.components(of: date)
        return ArchiveMonth(unchecked: local.year, local.month)
    }

    private init(unchecked year: Int, _ month: Int) {
        self.year = year
        self.month = month
    }

    /// Sofia midnight that starts the month.
    public var start: Date {
        // Sofia midnight always exists (clocks change at 03:00/04:00).
        SofiaTime.date(from: LocalDateTime(year: year, month: month, day: 1))!
    }

    /// The first instant after the month.
    public var end: Date { next.start }

    public var next: ArchiveMonth {
        month == 12 ? ArchiveMonth(unchecked: year + 1, 1) : ArchiveMonth(unchecked: year, month + 1)
    }

    /// `2026-11`.
    public var description: String {
        String(year) + (month < 10 ? "-0" : "-") + String(month)
    }

    public static func < (lhs: ArchiveMonth, rhs: ArchiveMonth) -> Bool {
        (lhs.year, lhs.month) < (rhs.year, rhs.month)
    }
}
