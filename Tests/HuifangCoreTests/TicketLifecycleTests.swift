import Foundation
import HuifangCore
import Testing

/// A ticket's lifecycle rules without a database: the instant, the policy and the calendar decide.
@Suite struct TicketLifecycleTests {
    let general = DeadlinePolicies.defaults.fallback  // 1 working day to respond, 3 to resolve; waiting stops it
    let urgent = DeadlinePolicies.defaults.policies[0]  // 紧急投诉: calendar hours, waiting does not stop it

    func opened() throws -> TicketLifecycle {
        try TicketLifecycle.open(at: at("2024-09-30T16:00"), assigned: true, policy: general, calendar: china)
    }

    @Test func openingOnTheEveOfNationalDayCountsOnlyWorkingDays() throws {
        let ticket = try opened()
        #expect(ticket.status == .assigned)
        #expect(
            local(ticket.firstResponseDue) == "2024-10-08T18:00" && local(ticket.resolutionDue) == "2024-10-10T18:00")
        let unassigned = try TicketLifecycle.open(
            at: at("2024-09-30T16:00"), assigned: false, policy: general,
            calendar: china)
        #expect(unassigned.status == .new)
    }

    @Test func actionsStampTheirMomentsAndStartTheNextDeadlines() throws {
        let start = try opened().applying(
            .start, kind: .complaint, at: at("2024-10-08T09:30"), policy: general,
            calendar: china)
        #expect(start.status == .inProgress && start.firstResponseAt == at("2024-10-08T09:30"))
        let resolved = try start.applying(
            .resolve, kind: .complaint, at: at("2024-10-09T10:00"), policy: general,
            calendar: china)
        #expect(resolved.status == .resolved && resolved.firstResponseAt == at("2024-10-08T09:30"))
        #expect(resolved.informDue.map { local($0) } == "2024-10-10T18:00", "by the close of the next working day")
        #expect(
            resolved.verificationDue.map { local($0) } == "2024-10-12T18:00", "Saturday 12 Oct is a make-up workday")
        let reopened = try resolved.applying(
            .reopen, kind: .complaint, at: at("2024-10-11T09:00"), policy: general,
            calendar: china)
        #expect(reopened.status == .inProgress && reopened.reopenCount == 1)
        #expect(reopened.resolvedAt == nil && reopened.informDue == nil && reopened.verificationDue == nil)
        #expect(local(reopened.resolutionDue) == "2024-10-15T18:00", "the resolution deadline starts again")
        #expect(throws: TicketRefusal("ticket.refuse.notInformed")) {
            try start.applying(.close, kind: .complaint, at: at("2024-10-08T10:00"), policy: general, calendar: china)
        }
    }

    @Test func waitingOnTheCustomerKeepsTheWorkingTimeLeft() throws {
        let paused = try opened().pausing(at: at("2024-09-30T16:00"), policy: general)
        #expect(paused.clock.running == nil, "no deadline runs while the ticket waits")
        #expect(throws: TicketRefusal("ticket.refuse.alreadyPaused")) {
            try paused.pausing(at: at("2024-09-30T17:00"), policy: general)
        }
        let (resumed, since) = try paused.resuming(at: at("2024-10-09T10:00"), policy: general, calendar: china)
        #expect(since == at("2024-09-30T16:00") && resumed.pausedAt == nil)
        // 9.5 working hours were left (16:00–18:00 on 30 Sept, all of 8 Oct): from 10:00 on 9 Oct they end at
        // 12:00 on 10 Oct.
        #expect(local(resumed.firstResponseDue) == "2024-10-10T12:00")
        #expect(throws: TicketRefusal("ticket.refuse.noPause")) {
            try opened().pausing(at: at("2024-09-30T16:00"), policy: urgent)
        }
        #expect(throws: TicketRefusal("ticket.refuse.notPaused")) {
            try opened().resuming(at: at("2024-10-09T10:00"), policy: general, calendar: china)
        }
    }

    @Test func anExtensionMovesOnlyAnOpenDeadlineAndOnlyLater() throws {
        let ticket = try opened()
        let (extended, previous) = try ticket.extending(
            .firstResponse, until: at("2024-10-09T18:00"),
            at: at("2024-10-01T10:00"))
        #expect(local(previous) == "2024-10-08T18:00" && local(extended.firstResponseDue) == "2024-10-09T18:00")
        #expect(extended.extensions == 1)
        #expect(throws: TicketRefusal("ticket.problem.notLater", field: "until")) {
            try ticket.extending(.firstResponse, until: at("2024-10-08T12:00"), at: at("2024-10-01T10:00"))
        }
        let started = try ticket.applying(
            .start, kind: .quality, at: at("2024-10-08T09:00"), policy: general,
            calendar: china)
        #expect(throws: TicketRefusal("ticket.problem.deadlineMet", field: "deadline")) {
            try started.extending(.firstResponse, until: at("2024-10-20T18:00"), at: at("2024-10-08T10:00"))
        }
    }
}
