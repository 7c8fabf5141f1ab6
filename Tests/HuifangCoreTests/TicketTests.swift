import Foundation
import HuifangCore
import Testing

@Suite struct TicketTests {
    /// Every allowed change; anything else must be refused.
    static let allowed: [TicketKind: [TicketStatus: [TicketAction: TicketStatus]]] = [
        .complaint: [
            .new: [.assign: .assigned],
            .assigned: [.assign: .assigned, .start: .inProgress],
            .inProgress: [.assign: .assigned, .resolve: .resolved],
            .resolved: [.inform: .informed, .reopen: .inProgress],
            .informed: [.close: .closed, .reopen: .inProgress],
            .closed: [.reopen: .inProgress],
        ],
        .suggestion: [
            .new: [.assign: .assigned],
            .assigned: [.assign: .assigned, .start: .inProgress, .adopt: .adopted, .decline: .declined],
            .inProgress: [.assign: .assigned, .adopt: .adopted, .decline: .declined],
        ],
    ]

    @Test func onlyAFinishedTicketIsRefusedAsFinished() throws {
        func key(_ status: TicketStatus, _ action: TicketAction, _ kind: TicketKind = .suggestion) -> String? {
            do {
                _ = try TicketStateMachine.next(from: status, kind: kind, action)
                return nil
            } catch { return error.key }
        }
        #expect(key(.new, .adopt) == "ticket.refuse.assignFirst", "a new suggestion is not finished")
        #expect(key(.new, .decline) == "ticket.refuse.assignFirst")
        #expect(key(.resolved, .assign, .complaint) == "ticket.refuse.reopenToAssign")
        #expect(key(.adopted, .adopt) == "ticket.refuse.finished")
        #expect(key(.closed, .assign, .complaint) == "ticket.refuse.finished")
    }

    @Test func everyTransitionIsAllowedOrRefusedWithAReasonInBothLanguages() {
        for kind in [TicketKind.complaint, .suggestion] {
            for status in TicketStatus.allCases {
                for action in TicketAction.allCases {
                    let expected = Self.allowed[kind]?[status]?[action]
                    do {
                        let next = try TicketStateMachine.next(from: status, kind: kind, action)
                        #expect(next == expected, "\(kind) \(status) \(action) → \(next)")
                    } catch {
                        #expect(expected == nil, "\(kind) \(status) \(action) was refused: \(error.key)")
                        #expect(Catalogue.contains(error.key), "\(error.key)")
                        #expect(Catalogue.text(error.key, .zh) != Catalogue.text(error.key, .en))
                    }
                }
            }
        }
    }

    @Test func theReopenLoopRunsUntilTheCustomerIsSatisfied() throws {
        var status = TicketStatus.new
        var reopened = 0
        for action in [
            TicketAction.assign, .start, .resolve, .inform, .reopen, .resolve, .inform, .close, .reopen, .resolve,
            .inform, .close,
        ] {
            status = try TicketStateMachine.next(from: status, kind: .quality, action)
            if action == .reopen { reopened += 1 }
        }
        #expect(status == .closed && reopened == 2)
    }

    @Test func theFirstMatchingPolicyWinsAndTheFallbackAlwaysMatches() {
        let policies = DeadlinePolicies.defaults
        #expect(policies.policy(kind: .complaint, severity: .minor, urgent: true, tier: "普通").name == "紧急投诉")
        #expect(
            policies.policy(kind: .complaint, severity: .serious, urgent: true, tier: "普通").name == "紧急投诉",
            "order decides")
        #expect(policies.policy(kind: .quality, severity: .serious, urgent: false, tier: "金卡").name == "重大问题")
        #expect(policies.policy(kind: .suggestion, severity: .minor, urgent: false, tier: "金卡").name == "一般问题")
        let gold = DeadlinePolicies(
            [
                DeadlinePolicy(
                    name: "金卡", tiers: ["金卡", "白金卡"], firstResponse: .init(1, .calendarHours),
                    resolution: .init(1, .workingDays), inform: .init(1, .workingDays),
                    verification: .init(1, .workingDays))
            ],
            fallback: DeadlinePolicies.defaults.fallback)
        #expect(gold.policy(kind: .service, severity: .general, urgent: false, tier: "白金卡").name == "金卡")
        #expect(gold.policy(kind: .service, severity: .general, urgent: false, tier: "普通").name == "一般问题")
    }

    @Test func eachDeadlineUnitCountsAcrossTheNationalDayHolidayAndItsMakeUpDays() throws {
        let received = at("2024-09-30T16:00")
        #expect(local(try PolicyDuration(24, .calendarHours).end(from: received, in: china)) == "2024-10-01T16:00")
        // 2 working hours are left on 30 Sept (to 18:00), then 09:00–12:00 and 13:30–16:30 on 8 Oct.
        #expect(local(try PolicyDuration(8, .workingHours).end(from: received, in: china)) == "2024-10-08T16:30")
        // 30 Sept never counts; 8, 9 and 10 Oct are the three working days; the deadline is their close.
        #expect(local(try PolicyDuration(3, .workingDays).end(from: received, in: china)) == "2024-10-10T18:00")
        // 12 Oct 2024 is a Saturday worked in exchange for the holiday.
        #expect(
            local(try PolicyDuration(2, .workingDays).end(from: at("2024-10-10T09:00"), in: china))
                == "2024-10-12T18:00")
    }
}

@Suite struct TicketSettingsFormTests {
    @Test func anUnchangedFormGivesTheSameSettingsBack() {
        let (settings, problems) = TicketSettingsForm.parse(TicketSettingsForm.fields(.defaults))
        #expect(problems.isEmpty && settings == .defaults)
    }

    @Test func rowsAreAddedByFillingTheBlankOneAndDroppedByTheirBox() {
        var form = TicketSettingsForm.fields(.defaults)
        form["p2.name"] = "钻石卡"
        form["p2.tiers"] = "钻石卡，金卡"
        for key in TicketSettingsForm.durations {
            form["p2.\(key).amount"] = "2"
            form["p2.\(key).unit"] = "calendarHours"
        }
        form["p0.delete"] = "1"
        form["l1.delete"] = "1"
        let added = TicketSettings.defaults.categories.count
        form["c\(added).code"] = "installation"
        form["c\(added).name"] = "安装"
        let (settings, problems) = TicketSettingsForm.parse(form)
        #expect(problems.isEmpty)
        #expect(settings.policies.map(\.name) == ["重大问题", "钻石卡"])
        #expect(
            settings.policies[1].tiers == ["钻石卡", "金卡"]
                && settings.policies[1].resolution == PolicyDuration(2, .calendarHours))
        #expect(settings.ladder.levels.count == 1 && settings.categories.last == TicketCategory("installation", "安装"))
    }

    @Test func whatCannotBeReadIsNamedByTheFieldTheSettingsUse() {
        var form = TicketSettingsForm.fields(.defaults)
        form["p1.resolution.amount"] = "三天"
        form["l0.amount"] = "x"
        let (_, problems) = TicketSettingsForm.parse(form)
        #expect(Set(problems.map(\.field)) == ["policies[1].resolution", "ladder[0].after"])
        #expect(problems.allSatisfy { $0.key == "problem.notANumber" })
    }
}
