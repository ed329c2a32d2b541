import Foundation

/// A bar chart drawn by the server as SVG: every coordinate is worked out here, so the template only places shapes
/// and the page needs no script.
struct ReadChart {
    /// One bar: its value, the text a pointer shows over it, and an axis label if this bar carries one.
    struct Point {
        var value: Int
        var title: String
        var label: String?
    }

    static let width = 720.0
    static let height = 220.0
    static let left = 48.0
    static let right = 8.0
    static let top = 12.0
    static let bottom = 28.0

    /// `summary` describes the whole chart to those who cannot see it.
    static func make(title: String, summary: String, points: [Point]) -> ChartView {
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let ceiling = niceCeiling(points.map(\.value).max() ?? 0)
        let slot = plotWidth / Double(max(1, points.count))
        let barWidth = max(1, slot * 0.7)
        let baseline = top + plotHeight
        let bars = points.enumerated().map { index, point in
            let barHeight = Double(point.value) / Double(ceiling) * plotHeight
            return ChartBar(
                x: number(left + Double(index) * slot + (slot - barWidth) / 2), y: number(baseline - barHeight),
                width: number(barWidth), height: number(barHeight), title: point.title)
        }
        let tickValues = ceiling % 2 == 0 ? [0, ceiling / 2, ceiling] : [0, ceiling]
        let ticks = tickValues.map { value in
            ChartTick(
                x1: number(left), x2: number(width - right), y: number(baseline - Double(value) / Double(ceiling) * plotHeight),
                labelX: number(left - 6), label: String(value))
        }
        let labels = points.enumerated().compactMap { index, point in
            point.label.map { ChartLabel(x: number(left + (Double(index) + 0.5) * slot), y: number(height - 8), text: $0) }
        }
        return ChartView(
            title: title, summary: summary, width: number(width), height: number(height), bars: bars, ticks: ticks,
            labels: labels)
    }

    /// The smallest 1, 2 or 5 times a power of ten that is at least `value` (and at least 1).
    static func niceCeiling(_ value: Int) -> Int {
        var power = 1
        while true {
            for step in [1, 2, 5] where step * power >= value { return step * power }
            power *= 10
        }
    }

    /// A coordinate with at most one decimal.
    static func number(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return tenths % 10 == 0 ? String(tenths / 10) : "\(tenths / 10).\(abs(tenths % 10))"
    }
}
