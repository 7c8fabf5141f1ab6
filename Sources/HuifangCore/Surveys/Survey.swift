import Foundation

/// The kinds of question a survey (问卷) asks.
public enum QuestionType: String, Codable, CaseIterable, Sendable {
    /// 1–5, each level with an optional label (很不满意 … 非常满意).
    case scale5
    /// 满意 / 基本满意 / 不满意.
    case satisfaction3
    /// Net promoter score, 0–10.
    case nps
    case yesNo
    case singleChoice
    case text

    /// The range of a scored answer; `nil` for unscored questions.
    public var scoreRange: ClosedRange<Int>? {
        switch self {
        case .scale5: 1...5
        case .satisfaction3: 1...3
        case .nps: 0...10
        case .yesNo, .singleChoice, .text: nil
        }
    }
}

/// The three answers of a 满意/基本满意/不满意 question, stored by these codes.
public enum SatisfactionLevel: String, CaseIterable, Sendable {
    case dissatisfied, fair, satisfied

    public var score: Int {
        switch self {
        case .dissatisfied: 1
        case .fair: 2
        case .satisfied: 3
        }
    }
}

/// One question: what is asked, how it is answered, and the indicator (评价指标) its answers count for.
public struct SurveyQuestion: Codable, Hashable, Sendable {
    /// Stable across the survey's versions (`q1`, `q2`, …), so that figures follow a question through edits.
    public var key: String
    public var text: String
    public var type: QuestionType
    /// 服务态度, 产品质量, 配送速度, …; every scored question has one.
    public var indicator: String
    public var required: Bool
    /// scale5: five labels from the lowest level up (or none for plain 1–5); singleChoice: the choices.
    public var options: [String]

    public init(
        key: String, text: String, type: QuestionType, indicator: String = "", required: Bool = true,
        options: [String] = []
    ) {
        self.key = key
        self.text = text
        self.type = type
        self.indicator = indicator
        self.required = required
        self.options = options
    }
}

/// When low answers open a ticket.
public enum TicketThreshold: String, Codable, CaseIterable, Sendable {
    case off
    /// An answer at the lowest level of its scale: 1 of 5, 不满意, NPS 0.
    case lowest
    /// A dissatisfied answer: 1–2 of 5, 不满意, NPS 0–6.
    case dissatisfied
}

/// Whether a ticket is opened at once or proposed to the agent, who confirms it.
public enum LowAnswerAction: String, Codable, CaseIterable, Sendable {
    case propose
    case open
}

/// A questionnaire as a supervisor builds it.
public struct SurveyDefinition: Codable, Hashable, Sendable {
    public var name: String
    /// The greeting on the customer's page.
    public var intro: String
    public var questions: [SurveyQuestion]
    public var threshold: TicketThreshold
    public var ticketAction: LowAnswerAction

    public static let maxQuestions = 30
    /// Indicators offered in the builder; others may be typed.
    public static let commonIndicators = ["总体满意度", "服务态度", "产品质量", "配送速度", "处理时效", "专业能力", "环境设施", "价格", "推荐意愿"]

    public init(
        name: String, intro: String = "", questions: [SurveyQuestion], threshold: TicketThreshold = .lowest,
        ticketAction: LowAnswerAction = .propose
    ) {
        self.name = name
        self.intro = intro
        self.questions = questions
        self.threshold = threshold
        self.ticketAction = ticketAction
    }

    /// Every problem, each naming its field (`questions[2].text`) and a catalogue key.
    public func problems() -> [NamedFieldError] {
        var found: [NamedFieldError] = []
        func add(_ field: String, _ key: String) { found.append(NamedFieldError(field: field, key: key)) }
        func blank(_ text: String) -> Bool { text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        if blank(name) { add("name", "problem.required") }
        if name.count > 100 { add("name", "survey.problem.tooLong") }
        if intro.count > 1000 { add("intro", "survey.problem.tooLong") }
        if questions.isEmpty { add("questions", "survey.problem.noQuestions") }
        if questions.count > Self.maxQuestions { add("questions", "survey.problem.tooManyQuestions") }
        for (index, question) in questions.enumerated() {
            let field = "questions[\(index)]"
            if blank(question.text) { add(field + ".text", "problem.required") }
            if question.text.count > 500 { add(field + ".text", "survey.problem.tooLong") }
            if questions[..<index].contains(where: { $0.key == question.key }) || blank(question.key) {
                add(field + ".key", "survey.problem.duplicateKey")
            }
            if question.type.scoreRange != nil, blank(question.indicator) {
                add(field + ".indicator", "survey.problem.indicatorRequired")
            }
            if question.indicator.count > 40 { add(field + ".indicator", "survey.problem.tooLong") }
            let options = question.options.filter { !blank($0) }
            switch question.type {
            case .scale5:
                if !options.isEmpty, options.count != 5 {
                    add(field + ".options", "survey.problem.fiveLabels")
                }
            case .singleChoice:
                if options.count < 2 { add(field + ".options", "survey.problem.twoChoices") }
                if Set(options).count != options.count {
                    add(field + ".options", "survey.problem.duplicateChoice")
                }
            case .satisfaction3, .nps, .yesNo, .text:
                break
            }
        }
        return found
    }

    /// Checks and scores a customer's answers (question key → value). Values: scale5 `1`–`5`,
    /// satisfaction3 `satisfied`/`fair`/`dissatisfied`, nps `0`–`10`, yesNo `yes`/`no`,
    /// singleChoice one of the choices, text anything up to 2,000 characters. An empty value is no answer.
    public func score(_ answers: [String: String]) throws(NamedFieldErrors) -> [ScoredAnswer] {
        var problems: [NamedFieldError] = []
        func refuse(_ field: String, _ key: String) { problems.append(NamedFieldError(field: field, key: key)) }
        var scored: [ScoredAnswer] = []
        for key in answers.keys where !questions.contains(where: { $0.key == key }) {
            refuse("answers." + key, "survey.problem.unknownQuestion")
        }
        for question in questions {
            let field = "answers." + question.key
            let value = answers[question.key]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if value.isEmpty {
                if question.required { refuse(field, "survey.problem.answerRequired") }
                continue
            }
            var score: Int?
            switch question.type {
            case .scale5, .nps:
                guard let number = Int(value), question.type.scoreRange!.contains(number) else {
                    refuse(field, question.type == .nps ? "survey.problem.nps" : "survey.problem.scale")
                    continue
                }
                score = number
            case .satisfaction3:
                guard let level = SatisfactionLevel(rawValue: value) else {
                    refuse(field, "survey.problem.satisfaction")
                    continue
                }
                score = level.score
            case .yesNo:
                guard value == "yes" || value == "no" else {
                    refuse(field, "survey.problem.yesNo")
                    continue
                }
            case .singleChoice:
                guard question.options.contains(value) else {
                    refuse(field, "survey.problem.choice")
                    continue
                }
            case .text:
                guard value.count <= 2000 else {
                    refuse(field, "survey.problem.tooLong")
                    continue
                }
            }
            scored.append(ScoredAnswer(question: question, value: value, score: score, threshold: threshold))
        }
        guard problems.isEmpty else { throw NamedFieldErrors(errors: problems) }
        return scored
    }

    /// The label of a stored answer value, for records and pages.
    public func label(of value: String, for question: SurveyQuestion, _ language: Language) -> String {
        switch question.type {
        case .scale5:
            if let n = Int(value), question.options.count == 5, (1...5).contains(n) {
                return "\(n) \(question.options[n - 1])"
            }
            return value
        case .satisfaction3: return Catalogue.text("survey.level." + value, language)
        case .yesNo: return Catalogue.text(value == "yes" ? "common.yes" : "common.no", language)
        case .nps, .singleChoice, .text: return value
        }
    }
}

/// One accepted answer, with what the figures need: the score, whether it is in the top two
/// levels of its scale (满意度), and whether it meets the survey's ticket threshold.
public struct ScoredAnswer: Codable, Hashable, Sendable {
    public let key: String
    public let indicator: String
    public let type: QuestionType
    public let value: String
    public let score: Int?
    public let isTopTwo: Bool?
    public let meetsThreshold: Bool

    init(question: SurveyQuestion, value: String, score: Int?, threshold: TicketThreshold) {
        key = question.key
        indicator = question.indicator
        type = question.type
        self.value = value
        self.score = score
        guard let score, let range = question.type.scoreRange else {
            isTopTwo = nil
            meetsThreshold = false
            return
        }
        isTopTwo = score >= range.upperBound - 1
        meetsThreshold = question.type.meets(threshold, score: score)
    }
}

extension QuestionType {
    /// Whether a score is low enough for the threshold to propose a ticket.
    public func meets(_ threshold: TicketThreshold, score: Int) -> Bool {
        guard let range = scoreRange else { return false }
        switch threshold {
        case .off: return false
        case .lowest: return score == range.lowerBound
        case .dissatisfied:
            switch self {
            case .scale5: return score <= 2
            case .nps: return score <= 6
            default: return score == range.lowerBound
            }
        }
    }
}

extension SurveyQuestion {
    /// The answers offered, as stored value and label, in the order shown (best first for 满意 scales,
    /// lowest first for numbers), with whether each meets the threshold.
    public func choices(_ threshold: TicketThreshold, _ language: Language) -> [(
        value: String, label: String, isLow: Bool
    )] {
        switch type {
        case .scale5:
            return (1...5).map { n in
                (String(n), options.count == 5 ? "\(n) \(options[n - 1])" : String(n), type.meets(threshold, score: n))
            }
        case .satisfaction3:
            return SatisfactionLevel.allCases.reversed().map {
                (
                    $0.rawValue, Catalogue.text("survey.level." + $0.rawValue, language),
                    type.meets(threshold, score: $0.score)
                )
            }
        case .nps:
            return (0...10).map { (String($0), String($0), type.meets(threshold, score: $0)) }
        case .yesNo:
            return [
                ("yes", Catalogue.text("common.yes", language), false),
                ("no", Catalogue.text("common.no", language), false),
            ]
        case .singleChoice:
            return options.map { ($0, $0, false) }
        case .text:
            return []
        }
    }
}
