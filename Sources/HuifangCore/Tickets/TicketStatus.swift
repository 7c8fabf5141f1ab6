/// What a ticket is about (工单类型).
public enum TicketKind: String, Codable, CaseIterable, Sendable {
    case service, quality, complaint, suggestion, other
}

/// How serious a ticket is (严重程度).
public enum Severity: String, Codable, CaseIterable, Sendable {
    case serious, general, minor
}

/// Where a ticket is in its life. Suggestions end adopted or declined; everything else
/// goes new → assigned → in progress → resolved → customer informed → closed.
public enum TicketStatus: String, Codable, CaseIterable, Sendable {
    case new, assigned, inProgress, resolved, informed, closed, adopted, declined

    /// No further work unless re-opened.
    public var isFinished: Bool { self == .closed || self == .adopted || self == .declined }
}

/// A change asked of a ticket.
public enum TicketAction: String, Codable, CaseIterable, Sendable {
    case assign, start, resolve, inform, close, reopen, adopt, decline
}

/// A change the ticket's state does not allow, with the catalogue key of a sentence that says why.
public struct TicketTransitionError: Error, Equatable, Sendable {
    public let from: TicketStatus
    public let action: TicketAction
    public let key: String
}

/// The ticket state machine (工单状态流转).
public enum TicketStateMachine {
    /// The status after `action`, or why it is refused.
    public static func next(from status: TicketStatus, kind: TicketKind, _ action: TicketAction)
        throws(TicketTransitionError) -> TicketStatus
    {
        func refuse(_ key: String) -> TicketTransitionError {
            TicketTransitionError(from: status, action: action, key: key)
        }
        let isSuggestion = kind == .suggestion
        if isSuggestion, [.resolve, .inform, .close, .reopen].contains(action) {
            throw refuse("ticket.refuse.suggestionDecides")
        }
        switch (action, status) {
        case (.assign, .new), (.assign, .assigned), (.assign, .inProgress):
            return .assigned
        case (.start, .assigned):
            return .inProgress
        case (.resolve, .inProgress):
            return .resolved
        case (.inform, .resolved):
            return .informed
        case (.close, .informed):
            return .closed
        case (.reopen, .resolved), (.reopen, .informed), (.reopen, .closed):
            return .inProgress
        case (.adopt, .assigned), (.adopt, .inProgress), (.decline, .assigned), (.decline, .inProgress):
            guard isSuggestion else { throw refuse("ticket.refuse.onlySuggestions") }
            return action == .adopt ? .adopted : .declined
        case (.resolve, _), (.start, _):
            throw refuse(status.isFinished ? "ticket.refuse.finished" : "ticket.refuse.notInProgress")
        case (.inform, _):
            throw refuse("ticket.refuse.notResolved")
        case (.close, _):
            throw refuse("ticket.refuse.notInformed")
        case (.reopen, _):
            throw refuse("ticket.refuse.notReopenable")
        case (.assign, _), (.adopt, _), (.decline, _):
            throw refuse(Self.refusal(action, from: status))
        }
    }

    /// Why assigning, adopting or declining is refused: only a finished ticket is "finished"; a new suggestion is
    /// assigned before it is decided, and a resolved ticket is re-opened before it is assigned again.
    static func refusal(_ action: TicketAction, from status: TicketStatus) -> String {
        if status.isFinished { return "ticket.refuse.finished" }
        if action == .assign { return "ticket.refuse.reopenToAssign" }
        return status == .new ? "ticket.refuse.assignFirst" : "ticket.refuse.notInProgress"
    }
}
