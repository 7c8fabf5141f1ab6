import Foundation

/// A contact attempt as an agent records it, its times already read as local time (`LocalTime`).
public struct AttemptInput: Sendable {
    public var outcome: String
    public var channel: String
    public var startedAt: Date?
    public var endedAt: Date?
    public var callbackAt: Date?
    /// Fields given as text that is not a time (they are reported as such, not as missing).
    public var unreadableTimes: Set<String>
    public var notes: String
    public var recordingRef: String
    public var recordingConsent: Bool

    public init(
        outcome: String, channel: String, startedAt: Date? = nil, endedAt: Date? = nil,
        callbackAt: Date? = nil, unreadableTimes: Set<String> = [], notes: String = "",
        recordingRef: String = "", recordingConsent: Bool = false
    ) {
        self.outcome = outcome
        self.channel = channel
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.callbackAt = callbackAt
        self.unreadableTimes = unreadableTimes
        self.notes = notes
        self.recordingRef = recordingRef
        self.recordingConsent = recordingConsent
    }
}

/// An attempt that passed `AttemptRules`: everything it records, in the types the rules use.
public struct CheckedAttempt: Equatable, Sendable {
    public let outcome: ContactOutcome
    public let channel: ContactChannel
    public let startedAt: Date
    public let endedAt: Date
    public let callbackAt: Date?
    public let notes: String
    public let recordingRef: String
}

/// What a recorded contact attempt may contain: a known outcome and channel; a start before its end, within a
/// day, and an end not in the future (five minutes of clock difference allowed; without times, the attempt
/// ended now); a callback time in the future when the customer asked for one; notes and the recording's
/// reference within their limits, and a recording only with the customer's consent. Every problem is named.
public enum AttemptRules {
    public static let longestCall: TimeInterval = 86_400
    public static let clockDifference: TimeInterval = 300
    public static let notesLimit = 2000
    public static let recordingRefLimit = 200

    /// The attempt, or every problem found (in the order of the form's fields).
    public static func check(_ input: AttemptInput, at now: Date) throws(NamedFieldErrors) -> CheckedAttempt {
        var errors: [NamedFieldError] = []
        func unreadable(_ field: String) {
            if input.unreadableTimes.contains(field) {
                errors.append(.init(field: field, key: "events.problem.invalidTime"))
            }
        }
        let outcome = ContactOutcome(rawValue: input.outcome)
        if outcome == nil { errors.append(.init(field: "outcome", key: "record.problem.outcome")) }
        let channel = ContactChannel(rawValue: input.channel)
        if channel == nil { errors.append(.init(field: "channel", key: "rule.problem.channel")) }
        unreadable("endedAt")
        unreadable("startedAt")
        let ended = input.endedAt ?? now
        let started = input.startedAt ?? ended
        if started > ended || ended.timeIntervalSince(started) > longestCall {
            errors.append(.init(field: "startedAt", key: "record.problem.duration"))
        }
        if ended > now.addingTimeInterval(clockDifference) {
            errors.append(.init(field: "endedAt", key: "record.problem.future"))
        }
        unreadable("callbackAt")
        if outcome == .callbackRequested {
            if input.callbackAt == nil, !input.unreadableTimes.contains("callbackAt") {
                errors.append(.init(field: "callbackAt", key: "record.problem.callbackRequired"))
            }
            if let callbackAt = input.callbackAt, callbackAt <= now {
                errors.append(.init(field: "callbackAt", key: "record.problem.callbackPast"))
            }
        }
        let notes = input.notes.trimmingWhitespace()
        if notes.count > notesLimit { errors.append(.tooLong("notes", notesLimit)) }
        let recordingRef = input.recordingRef.trimmingWhitespace()
        if recordingRef.count > recordingRefLimit { errors.append(.tooLong("recordingRef", recordingRefLimit)) }
        if !recordingRef.isEmpty, !input.recordingConsent {
            errors.append(.init(field: "recordingRef", key: "record.problem.noConsent"))
        }
        guard errors.isEmpty, let outcome, let channel else { throw NamedFieldErrors(errors: errors) }
        return CheckedAttempt(
            outcome: outcome, channel: channel, startedAt: started, endedAt: ended,
            callbackAt: input.callbackAt, notes: notes, recordingRef: recordingRef)
    }
}
