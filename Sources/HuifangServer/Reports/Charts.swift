import Foundation
import HuifangCore

/// Charts drawn by the server as SVG: no script, nothing loaded from the internet, readable in print
/// (plain strokes and fills, text in the page's font).
enum Chart {
    static func escape(_ text: String) -> String { XLSXWriter.escape(text) }

    /// A rate's trend over months (0–100 %), the target as a dashed line; a month without a value leaves a gap.
    static func trend(_ points: [(label: String, perMille: Int?)], target: Int?, title: String, id: String) -> String {
        let width = 640
        let height = 200
        let left = 44
        let right = 24
        let top = 24
        let bottom = 28
        let plotW = width - left - right
        let plotH = height - top - bottom
        let step = points.count > 1 ? Double(plotW) / Double(points.count - 1) : 0
        func x(_ i: Int) -> Double { Double(left) + (points.count > 1 ? step * Double(i) : Double(plotW) / 2) }
        func y(_ perMille: Int) -> Double {
            Double(top) + Double(plotH) * (1 - Double(min(max(perMille, 0), 1000)) / 1000)
        }
        var svg =
            "<svg id=\"\(id)\" class=\"chart\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(escape(title))\" xmlns=\"http://www.w3.org/2000/svg\">"
        svg += "<text x=\"\(left)\" y=\"14\" class=\"chart-title\">\(escape(title))</text>"
        for tick in stride(from: 0, through: 1000, by: 250) {
            let ty = y(tick)
            svg += "<line x1=\"\(left)\" x2=\"\(width - right)\" y1=\"\(fmt(ty))\" y2=\"\(fmt(ty))\" class=\"grid\"/>"
            svg +=
                "<text x=\"\(left - 4)\" y=\"\(fmt(ty + 4))\" text-anchor=\"end\" class=\"tick\">\(tick / 10)%</text>"
        }
        if let target {
            svg +=
                "<line x1=\"\(left)\" x2=\"\(width - right)\" y1=\"\(fmt(y(target)))\" y2=\"\(fmt(y(target)))\" class=\"target\"/>"
        }
        var segment: [String] = []
        var paths: [String] = []
        for (i, point) in points.enumerated() {
            if let value = point.perMille {
                segment.append("\(fmt(x(i))),\(fmt(y(value)))")
            } else if !segment.isEmpty {
                paths.append(segment.joined(separator: " "))
                segment = []
            }
        }
        if !segment.isEmpty { paths.append(segment.joined(separator: " ")) }
        for path in paths { svg += "<polyline points=\"\(path)\" class=\"line\"/>" }
        for (i, point) in points.enumerated() {
            if let value = point.perMille {
                let text = Rate(value, of: 1000).text
                svg +=
                    "<circle cx=\"\(fmt(x(i)))\" cy=\"\(fmt(y(value)))\" r=\"3\" class=\"dot\"><title>\(escape(point.label)) \(text)</title></circle>"
            }
            svg +=
                "<text x=\"\(fmt(x(i)))\" y=\"\(height - 8)\" text-anchor=\"middle\" class=\"tick\">\(escape(point.label))</text>"
        }
        return svg + "</svg>"
    }

    /// Calls by weekday (rows) and local hour (columns); darker is more.
    static func heatmap(_ grid: [[Int]], weekdays: [String], title: String, id: String) -> String {
        let cell = 22
        let left = 40
        let top = 24
        let width = left + cell * 24 + 8
        let height = top + cell * 7 + 22
        let most = max(grid.flatMap { $0 }.max() ?? 0, 1)
        var svg =
            "<svg id=\"\(id)\" class=\"chart\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(escape(title))\" xmlns=\"http://www.w3.org/2000/svg\">"
        svg += "<text x=\"\(left)\" y=\"14\" class=\"chart-title\">\(escape(title))</text>"
        for (day, row) in grid.enumerated() {
            let y = top + day * cell
            svg +=
                "<text x=\"\(left - 4)\" y=\"\(y + cell / 2 + 4)\" text-anchor=\"end\" class=\"tick\">\(escape(weekdays[day]))</text>"
            for (hour, count) in row.enumerated() {
                // Five shades; zero is the page's background.
                let level = count == 0 ? 0 : 1 + (count * 4) / (most + 1)
                svg +=
                    "<rect x=\"\(left + hour * cell)\" y=\"\(y)\" width=\"\(cell - 2)\" height=\"\(cell - 2)\" class=\"heat heat-\(level)\" data-count=\"\(count)\"><title>\(escape(weekdays[day])) \(hour):00 — \(count)</title></rect>"
            }
        }
        for hour in stride(from: 0, to: 24, by: 3) {
            svg +=
                "<text x=\"\(left + hour * cell + cell / 2)\" y=\"\(height - 6)\" text-anchor=\"middle\" class=\"tick\">\(hour)</text>"
        }
        return svg + "</svg>"
    }

    /// Horizontal bars with their counts.
    static func bars(_ items: [NamedCount], title: String, id: String) -> String {
        let rowH = 22
        let left = 110
        let top = 24
        let barW = 360
        let width = left + barW + 60
        let height = top + max(items.count, 1) * rowH + 6
        let most = max(items.map(\.count).max() ?? 0, 1)
        var svg =
            "<svg id=\"\(id)\" class=\"chart\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(escape(title))\" xmlns=\"http://www.w3.org/2000/svg\">"
        svg += "<text x=\"0\" y=\"14\" class=\"chart-title\">\(escape(title))</text>"
        if items.isEmpty { svg += "<text x=\"0\" y=\"\(top + 14)\" class=\"tick\">—</text>" }
        for (i, item) in items.enumerated() {
            let y = top + i * rowH
            let w = max(1, item.count * barW / most)
            svg +=
                "<text x=\"\(left - 6)\" y=\"\(y + 15)\" text-anchor=\"end\" class=\"label\">\(escape(item.label))</text>"
            svg += "<rect x=\"\(left)\" y=\"\(y + 3)\" width=\"\(w)\" height=\"\(rowH - 6)\" class=\"bar\"/>"
            svg += "<text x=\"\(left + w + 6)\" y=\"\(y + 15)\" class=\"label\">\(item.count)</text>"
        }
        return svg + "</svg>"
    }

    private static func fmt(_ value: Double) -> String { String(format: "%.1f", value) }
}
