/// What a report shows for a period, line by line: the nine rates, then the median time to contact, the mean
/// score, NPS, declined surveys and calls. The page's figures table and the workbook's overview list them in
/// this order, each beside the previous period's value and the change.
public enum Measure: String, CaseIterable, Sendable {
    case completion, coverage, timeliness, satisfaction, onTimeHandling, resolution, firstContactResolution
    case complaintSuccess, suggestionAdoption
    case medianWorkingDays, meanScore, netPromoter, surveysDeclined, calls

    /// The figure, for the nine rates.
    public var figure: Figure? { Figure(rawValue: rawValue) }

    /// Decimals of the unit a value is kept in: tenths of a percent for a rate, hundredths for the mean score.
    public var decimals: Int {
        switch self {
        case .meanScore: 2
        case .medianWorkingDays, .netPromoter, .surveysDeclined, .calls: 0
        default: 1
        }
    }

    /// Whether a rise is good news (rates, the mean score, NPS), bad news (the time to contact), or neither (counts).
    public var higherIsBetter: Bool? {
        switch self {
        case .medianWorkingDays: false
        case .surveysDeclined, .calls: nil
        default: true
        }
    }

    /// The value as the report shows it, in its unit (tenths of a percent, hundredths, whole numbers); nil for "—".
    public func value(in set: FigureSet) -> Int? {
        if let figure { return set.rate(figure).perMille }
        switch self {
        case .medianWorkingDays: return set.medianWorkingDays
        case .meanScore: return set.meanScore.hundredths
        case .netPromoter: return set.netPromoter.score
        case .surveysDeclined: return set.surveysDeclined
        case .calls: return set.calls
        default: return nil
        }
    }

    /// The value as text: `66.7%`, `3.50`, `2`, or `—`; the same text as `Rate.text` and `ScoreMean.text`.
    public func text(_ value: Int?) -> String {
        guard let value else { return "—" }
        let shown = Self.decimal(value, decimals)
        return figure == nil ? shown : shown + "%"
    }

    /// `value` in units of 10^-`decimals` as a decimal: (952, 1) is `95.2`, (-5, 2) is `-0.05`.
    public static func decimal(_ value: Int, _ decimals: Int) -> String {
        guard decimals > 0 else { return String(value) }
        var scale = 1
        for _ in 0..<decimals { scale *= 10 }
        let fraction = String(abs(value) % scale)
        let padded = String(repeating: "0", count: decimals - fraction.count) + fraction
        return (value < 0 ? "-" : "") + "\(abs(value) / scale).\(padded)"
    }
}

/// How a value moved from the previous period to this one: this period's value as shown minus the previous
/// period's as shown, in the same unit (for a rate, tenths of a percentage point). Nothing when either is "—".
public struct Change: Hashable, Sendable {
    public enum Direction: String, Sendable { case up, down, same }

    public let difference: Int
    public let decimals: Int

    public init?(_ now: Int?, since before: Int?, decimals: Int) {
        guard let now, let before else { return nil }
        difference = now - before
        self.decimals = decimals
    }

    public var direction: Direction { difference > 0 ? .up : difference < 0 ? .down : .same }

    /// `+1.2`, `−0.5` (a minus sign), `0.0`.
    public var text: String {
        let magnitude = Measure.decimal(abs(difference), decimals)
        switch direction {
        case .up: return "+" + magnitude
        case .down: return "−" + magnitude
        case .same: return magnitude
        }
    }

    /// good, bad, or empty when the measure has no better direction or nothing moved.
    public func judgement(higherIsBetter: Bool?) -> String {
        guard let higherIsBetter, difference != 0 else { return "" }
        return (difference > 0) == higherIsBetter ? "good" : "bad"
    }
}

/// One line of the report compared with the previous period.
public struct ComparedMeasure: Hashable, Sendable {
    public let measure: Measure
    public let value: Int?
    public let previous: Int?
    public var change: Change? { Change(value, since: previous, decimals: measure.decimals) }

    public init(_ measure: Measure, now: FigureSet, before: FigureSet) {
        self.measure = measure
        value = measure.value(in: now)
        previous = measure.value(in: before)
    }

    /// Every line of `now` beside `before`, in the report's order.
    public static func lines(_ now: FigureSet, before: FigureSet) -> [ComparedMeasure] {
        Measure.allCases.map { ComparedMeasure($0, now: now, before: before) }
    }
}
