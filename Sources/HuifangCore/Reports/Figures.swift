/// The figures management is judged on (DESIGN.md "The figures"), as pure arithmetic over counts the
/// database has already aggregated. Rates are kept as two integers and shown in tenths of a percent,
/// never as binary floating point; a rate with nothing to divide by has no value and shows as "—".
public enum Figure: String, CaseIterable, Codable, Sendable {
    /// 回访完成率: tasks due in the period that were completed ÷ tasks due in the period.
    case completion
    /// 回访覆盖率: distinct customers with a completed follow-up ÷ active customers.
    case coverage
    /// 回访及时性: completed tasks finished inside their due window ÷ completed tasks.
    case timeliness
    /// 满意度: answers in the top two levels of a scale ÷ all scored answers.
    case satisfaction
    /// 问题处理及时率: tickets resolved before their resolution deadline ÷ tickets resolved.
    case onTimeHandling
    /// 问题解决率: tickets resolved ÷ tickets opened in the period.
    case resolution
    /// 首次解决率: tickets resolved without re-opening or escalation ÷ tickets resolved.
    case firstContactResolution
    /// 投诉处理成功率: complaints closed with the customer satisfied ÷ complaints closed.
    case complaintSuccess
    /// 客户反馈采纳率: suggestions adopted ÷ suggestions decided.
    case suggestionAdoption
}

/// A share: numerator ÷ denominator.
public struct Rate: Hashable, Codable, Sendable {
    public let numerator: Int
    public let denominator: Int

    public init(_ numerator: Int, of denominator: Int) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// Tenths of a percent, rounded half up (952 is 95.2 %); `nil` when there is nothing to divide by.
    public var perMille: Int? {
        guard denominator > 0 else { return nil }
        return (numerator * 1000 * 2 + denominator) / (denominator * 2)
    }

    /// `95.2%`, or `—` when the rate has no denominator.
    public var text: String {
        guard let perMille else { return "—" }
        return "\(perMille / 10).\(perMille % 10)%"
    }
}

/// Net promoter score from answers 0–10: % promoters (9–10) − % detractors (0–6), rounded; `nil` without answers.
public struct NetPromoterScore: Hashable, Codable, Sendable {
    public let promoters: Int
    public let passives: Int
    public let detractors: Int

    public init(promoters: Int, passives: Int, detractors: Int) {
        self.promoters = promoters
        self.passives = passives
        self.detractors = detractors
    }

    public var total: Int { promoters + passives + detractors }

    public var score: Int? {
        guard total > 0 else { return nil }
        let difference = (promoters - detractors) * 100
        // Rounded half away from zero.
        return difference >= 0 ? (difference * 2 + total) / (total * 2) : -((-difference * 2 + total) / (total * 2))
    }
}

/// A target for a figure (e.g. completion ≥ 95 %) and the seeds' assessment: a deduction for each
/// full step of percentage points below it (扣分：低于标准每 5 个百分点扣 1 分).
public struct FigureTarget: Hashable, Codable, Sendable {
    public let figure: Figure
    /// In tenths of a percent (950 is 95 %).
    public let minimumPerMille: Int
    /// Points taken off per step below the target.
    public let pointsPerStep: Int
    /// The step in tenths of a percent (50 is 5 percentage points).
    public let stepPerMille: Int

    public init(figure: Figure, minimumPerMille: Int, pointsPerStep: Int = 1, stepPerMille: Int = 50) {
        self.figure = figure
        self.minimumPerMille = minimumPerMille
        self.pointsPerStep = pointsPerStep
        self.stepPerMille = stepPerMille
    }

    /// Whether the rate meets the target; `nil` when the rate has no value (nothing to judge).
    public func isMet(by rate: Rate) -> Bool? {
        rate.perMille.map { $0 >= minimumPerMille }
    }

    /// Points taken off: one deduction for each started step below the target (94.9 % against 95 % is one step).
    public func deduction(for rate: Rate) -> Int {
        guard let value = rate.perMille, value < minimumPerMille, stepPerMille > 0 else { return 0 }
        let below = minimumPerMille - value
        return (below + stepPerMille - 1) / stepPerMille * pointsPerStep
    }
}
