import Foundation

/// How one contact attempt ended (回访结果).
public enum ContactOutcome: String, Codable, CaseIterable, Sendable {
    case reached
    case noAnswer
    case busy
    case wrongNumber
    case refused
    /// The customer asked to be called back at a time.
    case callbackRequested
    /// The customer asked never to be called again: the customer's do-not-disturb flag is set.
    case doNotCall

    /// What the outcome means for the figures and for the task.
    public var flags: OutcomeFlags {
        switch self {
        case .reached: OutcomeFlags(contactMade: true, completed: true, needsRetry: false, stopContacting: false)
        case .noAnswer, .busy:
            OutcomeFlags(contactMade: false, completed: false, needsRetry: true, stopContacting: false)
        case .wrongNumber: OutcomeFlags(contactMade: false, completed: false, needsRetry: false, stopContacting: true)
        case .refused: OutcomeFlags(contactMade: true, completed: false, needsRetry: false, stopContacting: true)
        case .callbackRequested:
            OutcomeFlags(contactMade: true, completed: false, needsRetry: true, stopContacting: false)
        case .doNotCall: OutcomeFlags(contactMade: true, completed: false, needsRetry: false, stopContacting: true)
        }
    }
}

/// The facts about an attempt that the figures are computed from.
public struct OutcomeFlags: Codable, Hashable, Sendable {
    /// The customer was spoken to (or answered in writing).
    public let contactMade: Bool
    /// The follow-up is done: reached and recorded.
    public let completed: Bool
    /// Another attempt is due.
    public let needsRetry: Bool
    /// No further attempt on this task.
    public let stopContacting: Bool

    public init(contactMade: Bool, completed: Bool, needsRetry: Bool, stopContacting: Bool) {
        self.contactMade = contactMade
        self.completed = completed
        self.needsRetry = needsRetry
        self.stopContacting = stopContacting
    }
}

/// What becomes of a task after an attempt.
public enum AttemptResult: Equatable, Sendable {
    case completed
    /// Not reached: tried again from the start of the next contact window.
    case retry(at: Date)
    /// Called back when the customer asked.
    case callback(at: Date)
    /// Attempts used up, or the number is wrong.
    case unreachable
    /// The customer refused, or asked not to be called.
    case refused

    /// Decides from the outcome, the attempts made so far (this one included) and the task's windows.
    /// A requested callback does not count against the maximum: the customer was reached and chose the time.
    public static func after(
        _ outcome: ContactOutcome, attemptsMade: Int, maxAttempts: Int, now: Date,
        callbackAt: Date?, windows: ContactWindows
    ) -> AttemptResult {
        switch outcome {
        case .reached: return .completed
        case .wrongNumber: return .unreachable
        case .refused, .doNotCall: return .refused
        case .callbackRequested where callbackAt != nil:
            return .callback(at: callbackAt!)
        case .noAnswer, .busy, .callbackRequested:
            guard attemptsMade < maxAttempts, let next = windows.nextWindowStart(after: now) else {
                return .unreachable
            }
            return .retry(at: next)
        }
    }
}

extension ContactWindows {
    /// The start of the first window that begins after `instant`: another window than the one
    /// the instant may be in, so that a retry is not made in the same slot; `nil` when none in a year.
    public func nextWindowStart(after instant: Date) -> Date? {
        let (date, second) = calendar.localDate(of: instant)
        for offset in 0...366 {
            let day = date.adding(days: offset)
            guard !workingDaysOnly || calendar.isWorkingDay(day) else { continue }
            if let range = ranges.first(where: { offset > 0 || $0.start > second }) {
                return calendar.instant(local: Int64(day.dayNumber) * 86_400 + Int64(range.start))
            }
        }
        return nil
    }
}

/// What a recorded attempt owes its survey: a follow-up recorded as reached and completed on a task that
/// asks a survey carries the survey's answers, or says explicitly that the customer declined it — so one
/// stray key press cannot count as a completed follow-up without answers.
public enum SurveyRequirement {
    /// The catalogue key of the problem with the `answers` field, or nil when the attempt is fine.
    public static func problem(outcome: ContactOutcome?, asksSurvey: Bool, hasAnswers: Bool, declined: Bool) -> String?
    {
        if declined, hasAnswers { return "record.problem.declinedWithAnswers" }
        if declined, outcome?.flags.completed != true { return "record.problem.declinedNeedsReached" }
        guard let outcome, outcome.flags.completed, asksSurvey, !hasAnswers, !declined else { return nil }
        return "record.problem.surveyRequired"
    }
}
