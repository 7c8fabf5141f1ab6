import Fluent
import Foundation
import HuifangCore
import SQLKit
import Vapor

/// A call as the phone system reported it: when it rang, was answered and ended, at whose extension, and where its
/// recording is kept.
final class PhoneCall: Model, @unchecked Sendable {
    static let schema = "phone_calls"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    /// The phone system's own id of the call.
    @Field(key: "call_ref") var callRef: String
    /// `inbound` or `outbound`.
    @Field(key: "direction") var direction: String
    @Field(key: "caller") var caller: String
    @Field(key: "called") var called: String
    @OptionalField(key: "phone_extension") var phoneExtension: String?
    @OptionalField(key: "agent_id") var agentID: UUID?
    @OptionalField(key: "customer_id") var customerID: Int?
    @OptionalField(key: "rang_at") var rangAt: Double?
    @OptionalField(key: "answered_at") var answeredAt: Double?
    @OptionalField(key: "ended_at") var endedAt: Double?
    @OptionalField(key: "duration_seconds") var durationSeconds: Int?
    @OptionalField(key: "recording_ref") var recordingRef: String?

    init() {}

    /// The customer's number: who called in, or who was called.
    var customerNumber: String { direction == "outbound" ? called : caller }

    /// The customer the phone system's number matched, if any.
    func customer(on db: any Database) async throws -> Customer? {
        guard let customerID else { return nil }
        return try await Customer.find(customerID, on: db)
    }

    /// The caller's number as `agent` may see it: whole for the customer's own agent and roles that see every number,
    /// masked otherwise — in the pop-up and in the form it opens alike.
    func number(shownTo agent: User, customer: Customer?) -> String {
        let phone = PhoneNumber(normalised: customerNumber)
        let sees =
            customer.map { canSeeContactDetails(role: agent.role, isAssignedAgent: $0.$assignedAgent.id == agent.id) }
            ?? agent.role.seesAllContactDetails
        return sees ? phone.display : phone.masked
    }

    /// The table of taken calls (M039): the id of each call an attempt or a logged call took.
    static let contacts = "phone_call_contacts"

    /// Which of these calls already time an attempt or are a logged inbound call: one call is one contact.
    static func taken(_ ids: [Int], on db: any Database) async throws -> Set<Int> {
        guard !ids.isEmpty else { return [] }
        let rows = try await db.sql.select().column("phone_call_id").from(contacts).where("phone_call_id", .in, ids)
            .all()
        return Set(try rows.map { try $0.decode(column: "phone_call_id", as: Int.self) })
    }

    /// Takes call `id` for the contact being saved (an attempt or a logged call), in that save's transaction. A call
    /// another save took first is a constraint failure, whichever table that save writes.
    static func take(_ id: Int, on db: any Database) async throws {
        try await db.sql.insert(into: contacts).columns("phone_call_id").values(SQLBind(id)).run()
    }
}

/// One event from the phone system (`POST /api/v1/telephony/events`).
struct TelephonyEvent: Content {
    /// `ringing`, `answered` or `ended`.
    let event: String
    let callId: String
    let caller: String?
    let called: String?
    let phoneExtension: String?
    /// `inbound` (the default) or `outbound`.
    let direction: String?
    /// When it happened (ISO 8601); default: when it arrives.
    let at: String?
    /// Where the phone system keeps the recording (a URL or its own reference), usually with `ended`.
    let recording: String?

    enum CodingKeys: String, CodingKey {
        case event, callId, caller, called, direction, at, recording
        case phoneExtension = "extension"
    }
}

/// The phone system's events: a ringing call pops up on its agent's pages at once (a live notification that opens
/// the inbound-call form filled in), and its answer and hang-up are recorded to the second with the recording.
struct TelephonyService {
    let db: any Database
    let config: HuifangConfig
    let now: Date

    struct Checked {
        let kind: String
        let callRef: String
        let at: Date
        let direction: String
        let phoneExtension: String?
        let recording: String?
    }

    /// Applies one event; the same event sent twice changes nothing more (a phone system retries).
    func handle(_ input: TelephonyEvent) async throws -> PhoneCall {
        let checked = try check(input)
        let call = try await call(for: input, checked)
        switch checked.kind {
        case "ringing":
            call.rangAt = call.rangAt ?? checked.at.timeIntervalSince1970
        case "answered":
            call.answeredAt = call.answeredAt ?? checked.at.timeIntervalSince1970
        default:
            call.endedAt = call.endedAt ?? checked.at.timeIntervalSince1970
            call.recordingRef = checked.recording ?? call.recordingRef
        }
        if let end = call.endedAt {  // also when the answer arrives after the hang-up (events may come out of order)
            call.durationSeconds = max(0, Int((end - (call.answeredAt ?? end)).rounded()))
        }
        if let phoneExtension = checked.phoneExtension, checked.kind != "ended" || call.agentID == nil {
            call.phoneExtension = phoneExtension
            call.agentID = try await User.query(on: db).filter(\.$phoneExtension == phoneExtension)
                .filter(\.$isActive == true).first()?.id
        }
        try await db.transaction { db in
            // Only the event that marks the call ringing pops it up, however many arrive at once.
            let firstRing = checked.kind == "ringing" ? try await Self.markRinging(call, on: db) : false
            try await call.save(on: db)
            if firstRing, let agent = call.agentID { try await popUp(call, for: agent, on: db) }
        }
        return call
    }

    /// Marks the call ringing unless an event did before (a conditional update); whether this one did.
    private static func markRinging(_ call: PhoneCall, on db: any Database) async throws -> Bool {
        try await !db.sql.raw(
            """
            UPDATE phone_calls SET rang_at = \(bind: call.rangAt) WHERE id = \(bind: call.id!) AND rang_at IS NULL
            RETURNING id
            """
        ).all().isEmpty
    }

    private func check(_ input: TelephonyEvent) throws -> Checked {
        var errors: [NamedFieldError] = []
        if !["ringing", "answered", "ended"].contains(input.event) {
            errors.append(.init(field: "event", key: "telephony.problem.event"))
        }
        let callRef = input.callId.trimmingWhitespace()
        if callRef.isEmpty || callRef.count > 100 {
            errors.append(.init(field: "callId", key: "telephony.problem.callId"))
        }
        let at = input.at.map(Self.instant) ?? now
        if at == nil { errors.append(.init(field: "at", key: "problem.invalidDate")) }
        let direction = input.direction ?? "inbound"
        if !["inbound", "outbound"].contains(direction) {
            errors.append(.init(field: "direction", key: "telephony.problem.direction"))
        }
        let phoneExtension = input.phoneExtension?.trimmingWhitespace().nilIfEmpty
        if let phoneExtension, !Self.validExtension(phoneExtension) {
            errors.append(.init(field: "extension", key: "telephony.problem.extension"))
        }
        for (field, value) in [("caller", input.caller), ("called", input.called)]
        where (value ?? "").count > 40 {
            errors.append(.tooLong(field, 40))
        }
        if TextLimit.exceeds(input.recording ?? "", TextLimit.line) {
            errors.append(.tooLong("recording", TextLimit.line))
        }
        guard errors.isEmpty, let at else { throw NamedFieldErrors(errors: errors) }
        return Checked(
            kind: input.event, callRef: callRef, at: at, direction: direction, phoneExtension: phoneExtension,
            recording: input.recording?.trimmingWhitespace().nilIfEmpty)
    }

    /// An ISO 8601 instant with or without fractions of a second (phone systems send both); nil if it is not one.
    static func instant(_ text: String) -> Date? {
        (try? Date(text, strategy: .iso8601))
            ?? (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }

    /// Digits (and `*`, `#`), at most 20: what a desk phone's extension is.
    static func validExtension(_ text: String) -> Bool {
        (1...20).contains(text.count) && text.allSatisfy { $0.isASCII && ($0.isNumber || $0 == "*" || $0 == "#") }
    }

    /// The call's row: found by the phone system's id, or made by the first event that names it (whichever event
    /// that is: a phone system may lose one). Two events of one new call at once make one row.
    private func call(for input: TelephonyEvent, _ checked: Checked) async throws -> PhoneCall {
        if let found = try await PhoneCall.query(on: db).filter(\.$callRef == checked.callRef).first() { return found }
        let call = PhoneCall()
        call.callRef = checked.callRef
        call.direction = checked.direction
        call.caller = Self.number(input.caller)
        call.called = Self.number(input.called)
        let number = checked.direction == "outbound" ? call.called : call.caller
        call.customerID = try await customer(number: number)?.id
        do {
            try await call.create(on: db)
            return call
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Another event of the same call made the row first.
            if let found = try await PhoneCall.query(on: db).filter(\.$callRef == checked.callRef).first() {
                return found
            }
            throw AppError(.conflict, "telephony.problem.callId")
        }
    }

    /// A number as stored: E.164 when it reads as one, else as given.
    static func number(_ raw: String?) -> String {
        let raw = raw?.trimmingWhitespace() ?? ""
        return (try? PhoneNumber(parsing: raw))?.e164 ?? raw
    }

    private func customer(number: String) async throws -> Customer? {
        guard !number.isEmpty else { return nil }
        return try await Customer.query(on: db).filter(\.$mobile == number).filter(\.$erasedAt == nil)
            .sort(\.$id).first()
    }

    /// The agent's pop-up: who is calling — the customer with their tier, open follow-ups and open tickets, or a new
    /// caller — as a live notification that opens the inbound-call form filled in.
    private func popUp(_ call: PhoneCall, for agentID: UUID, on db: any Database) async throws {
        guard let agent = try await User.find(agentID, on: db) else { return }
        let language = config.defaultLanguage
        var text: String
        let customer = try await call.customer(on: db)
        let number = call.number(shownTo: agent, customer: customer)
        if let customer, let id = customer.id {
            let tasks = try await FollowUpTask.query(on: db).filter(\.$customer.$id == id).filter(\.$status == .open)
                .count()
            let tickets = try await Ticket.query(on: db).filter(\.$customer.$id == id)
                .filter(\.$status !~ TicketStatus.allCases.filter(\.isFinished)).count()
            text = Catalogue.text(
                "telephony.popUp.customer", language,
                [customer.name, customer.tier, number, "\(tasks)", "\(tickets)"])
        } else {
            text = Catalogue.text("telephony.popUp.newCaller", language, [number])
        }
        let note = Notification()
        note.$user.id = agentID
        note.kind = "call"
        note.text = text
        note.at = now.timeIntervalSince1970
        note.phoneCallID = call.id
        try await note.create(on: db)
    }
}
