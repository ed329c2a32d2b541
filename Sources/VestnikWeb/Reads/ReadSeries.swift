import Foundation
import VestnikCore
import VestnikStore

/// An article's hourly read counts laid out for a chart: the last hours one by one, or the last days by Sofia day,
/// oldest first, with the empty hours and days in place.
enum ReadSeries {
    struct Point: Equatable {
        /// The start of the hour, or of the Sofia day.
        var start: Date
        var count: Int
    }

    /// The current hour and the `count - 1` before it.
    static func hours(_ buckets: [HourlyReads], count: Int, now: Date) -> [Point] {
        let current = ReadIncrement.hour(containing: now)
        var byHour: [Date: Int] = [:]
        for bucket in buckets { byHour[bucket.hour, default: 0] += bucket.count }
        return (0..<max(1, count)).reversed().map { back in
            let start = current.addingTimeInterval(-Double(back) * 3600)
            return Point(start: start, count: byHour[start] ?? 0)
        }
    }

    /// Today (in Sofia) and the `count - 1` days before it. A Sofia day is 23, 24 or 25 whole UTC hours, so every
    /// hourly bucket falls in exactly one.
    static func days(_ buckets: [HourlyReads], count: Int, now: Date) -> [Point] {
        var starts = [SofiaTime.startOfDay(containing: now)]
        while starts.count < max(1, count) {
            starts.append(SofiaTime.startOfDay(containing: starts[starts.count - 1].addingTimeInterval(-3600)))
        }
        var byDay: [Date: Int] = [:]
        for bucket in buckets { byDay[SofiaTime.startOfDay(containing: bucket.hour), default: 0] += bucket.count }
        return starts.reversed().map { Point(start: $0, count: byDay[$0] ?? 0) }
    }
}
