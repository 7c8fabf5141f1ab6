/// Which period a report page shows, and the periods beside it.
extension ReportPeriod {
    /// The calendar month before the one `today` falls in: the month a report opens on.
    public static func lastFinishedMonth(before today: LocalDate) -> ReportPeriod {
        let first = LocalDate(year: today.year, month: today.month, day: 1)!.adding(months: -1)
        return ReportPeriod(from: first, to: first.adding(months: 1).adding(days: -1))
    }

    /// The calendar month `today` falls in, from its first day to its last.
    public static func runningMonth(_ today: LocalDate) -> ReportPeriod {
        ReportPeriod.months(endingWith: today, count: 1)[0]
    }

    /// The period a report page asks for: `month` (`2026-10`) when given, else `from`/`to`, else the last finished
    /// month. Every wrong field is named (`month`, `from`, `to`).
    public static func requested(month: String?, from: String?, to: String?, today: LocalDate)
        throws(NamedFieldErrors) -> ReportPeriod
    {
        let month = month?.trimmingWhitespace() ?? ""
        let from = from?.trimmingWhitespace() ?? ""
        let to = to?.trimmingWhitespace() ?? ""
        if from.isEmpty && to.isEmpty {
            if month.isEmpty { return lastFinishedMonth(before: today) }
            guard let period = ReportPeriod(month: month) else {
                throw NamedFieldErrors(errors: [.init(field: "month", key: "report.problem.month")])
            }
            return period
        }
        return try parse(from: from, to: to)
    }

    /// How many days the period has, both ends included.
    public var dayCount: Int { to.dayNumber - from.dayNumber + 1 }

    /// How many whole calendar months the period is (from a month's first day to a month's last), else nil.
    public var wholeMonths: Int? {
        guard from.day == 1, to.adding(days: 1).day == 1 else { return nil }
        let next = to.adding(days: 1)
        return (next.year * 12 + next.month) - (from.year * 12 + from.month)
    }

    /// The period a report compares this one with: as many whole months just before it when the period is whole
    /// months (October against September, a quarter against the quarter before), else as many days just before it
    /// (10–16 October against 3–9 October).
    public var previous: ReportPeriod { shifted(by: -1) }

    /// The period after this one, counted as `previous` counts.
    public var following: ReportPeriod { shifted(by: 1) }

    private func shifted(by step: Int) -> ReportPeriod {
        if let months = wholeMonths {
            let first = from.adding(months: step * months)
            return ReportPeriod(from: first, to: first.adding(months: months).adding(days: -1))
        }
        return ReportPeriod(from: from.adding(days: step * dayCount), to: to.adding(days: step * dayCount))
    }

    /// `2026-10` for a calendar month, else `2026-10-03 – 2026-10-09`.
    public var label: String { month ?? "\(from.iso) – \(to.iso)" }
}
