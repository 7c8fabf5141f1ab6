import Foundation
import HuifangCore

/// A role's home page (工作台): numbers that each link to the list behind them, and short lists of what needs
/// doing. One shape for every role, so one template draws them all.
struct Dashboard: Encodable {
    /// A number and what it counts; `tone` is `bad` when it needs attention, `good` when a target is met.
    struct Tile: Encodable {
        let id: String
        let value: String
        let label: String
        var href: String?
        var note: String?
        var tone = ""
        /// A keyboard shortcut, hidden on touch screens.
        var hint: String?
    }
    struct Cell: Encodable {
        let text: String
        var href: String?
        var tone = ""

        init(_ text: String, href: String? = nil, tone: String = "") {
            self.text = text
            self.href = href
            self.tone = tone
        }
    }
    /// A short list with its headings; `empty` says what to do when it has no rows; `more` opens the whole list.
    struct Panel: Encodable {
        let id: String
        let title: String
        let headings: [String]
        let rows: [[Cell]]
        let empty: String
        var more: Cell?
    }

    let greeting: String
    let role: String
    var tiles: [Tile] = []
    var panels: [Panel] = []
}

/// The instants and days a home page counts from, in the organisation's time zone.
struct DashboardDay {
    let now: Date
    let today: LocalDate
    /// The first instant of today.
    let midnight: Date
    /// Monday of this week.
    let weekStart: LocalDate

    init(now: Date, config: HuifangConfig) {
        self.now = now
        today = config.today(now: now)
        midnight = LocalTime.parse(today.iso, in: config.timeZone)?.instant ?? now
        weekStart = today.adding(days: -(today.isoWeekday - 1))
    }

    /// This week so far, and the same days of last week (a fair comparison mid-week).
    var weeks: (this: ReportPeriod, last: ReportPeriod) {
        (
            ReportPeriod(from: weekStart, to: today),
            ReportPeriod(from: weekStart.adding(days: -7), to: today.adding(days: -7))
        )
    }

    var month: String { String(today.iso.prefix(7)) }
}
