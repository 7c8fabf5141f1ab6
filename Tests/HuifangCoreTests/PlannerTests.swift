import Foundation
import HuifangCore
import Testing

@Suite struct PlannerTests {
    func plan(_ rule: FollowUpRule, _ customer: PlanningCustomer, events: [PlanningEvent] = [], asOf: String)
        -> [Occurrence]
    {
        var rule = rule
        rule.id = 1
        return Planner(rules: [rule], calendar: china).occurrences(for: customer, events: events, asOf: date(asOf))
    }

    let gold = PlanningCustomer(
        id: 7, tier: "金卡", tags: ["车主"], birthday: date("1990-10-05"), registeredOn: date("2024-09-27"))

    @Test func aNewCustomerIsDueFromRegistrationUntilTheNthWorkingDayAfterIt() {
        let rule = FollowUpRule(name: "新会员", kind: .newCustomer, windowDays: 3)
        // Registered Friday 27 Sept 2024: 29 Sept is a make-up workday, then the National Day holiday.
        let first = plan(rule, gold, asOf: "2024-09-27")
        #expect(
            first == [
                Occurrence(
                    ruleID: 1, key: "n", triggeredOn: date("2024-09-27"), dueOn: date("2024-09-27"),
                    deadlineOn: date("2024-10-08"))
            ])
        #expect(plan(rule, gold, asOf: "2024-10-08").count == 1)
        #expect(plan(rule, gold, asOf: "2024-10-09").isEmpty, "the window has passed")
        #expect(plan(rule, gold, asOf: "2024-09-26").isEmpty, "not yet registered")
    }

    @Test func periodicFollowUpsCountMonthsPerTierFromTheLastCompletedOneAndStayOwed() {
        let rule = FollowUpRule(name: "定期", kind: .periodic, windowDays: 5, monthsByTier: ["金卡": 3, "白金卡": 1])
        #expect(plan(rule, gold, asOf: "2024-12-26").isEmpty)
        let due = plan(rule, gold, asOf: "2024-12-27")
        #expect(due.map(\.key) == ["p2024-09-27"] && due[0].dueOn == date("2024-12-27"))
        var contacted = gold
        contacted.lastCompletedOn = date("2025-01-31")
        #expect(plan(rule, contacted, asOf: "2025-04-29").isEmpty)
        #expect(
            plan(rule, contacted, asOf: "2025-04-30").map(\.dueOn) == [date("2025-04-30")],
            "31 Jan + 3 months is 30 April")
        // Long overdue: owed again from today, under the same key.
        let late = plan(rule, gold, asOf: "2025-06-03")
        #expect(late.map(\.key) == ["p2024-09-27"] && late[0].dueOn == date("2025-06-03"))
        let silver = PlanningCustomer(id: 8, tier: "普通", registeredOn: date("2020-01-01"))
        #expect(plan(rule, silver, asOf: "2025-06-03").isEmpty, "a tier without a cycle is not followed up")
    }

    @Test func anEventRuleWaitsItsDelayInCalendarOrWorkingDaysAndReadsTheSegment() {
        let discharge = PlanningEvent(
            id: 42, kind: "discharge", occurredOn: date("2025-09-26"), attributes: ["科室": "心内科"])
        let other = PlanningEvent(id: 43, kind: "purchase", occurredOn: date("2025-09-26"))
        let calendarDays = FollowUpRule(name: "出院", kind: .afterEvent, windowDays: 2, days: 7, eventKind: "discharge")
        #expect(plan(calendarDays, gold, events: [discharge, other], asOf: "2025-10-02").isEmpty)
        let due = plan(calendarDays, gold, events: [discharge, other], asOf: "2025-10-03")
        // 3 Oct 2025 is a holiday: two working days after it are 9 and 10 Oct (11 Oct is a make-up workday but later).
        #expect(
            due == [
                Occurrence(
                    ruleID: 1, key: "e42", triggeredOn: date("2025-09-26"), dueOn: date("2025-10-03"),
                    deadlineOn: date("2025-10-10"))
            ])
        let workingDays = FollowUpRule(
            name: "出院", kind: .afterEvent, windowDays: 0, days: 1, countsWorkingDays: true, eventKind: "discharge")
        #expect(
            plan(workingDays, gold, events: [discharge], asOf: "2025-09-28").map(\.dueOn) == [date("2025-09-28")],
            "28 Sept 2025 is a make-up workday")
        var cardiology = calendarDays
        cardiology.segment = Segment(eventAttributes: ["科室": "骨科"])
        #expect(plan(cardiology, gold, events: [discharge], asOf: "2025-10-03").isEmpty)
        cardiology.segment = Segment(tiers: ["金卡"], tags: ["车主", "新客"], eventAttributes: ["科室": "心内科"])
        #expect(plan(cardiology, gold, events: [discharge], asOf: "2025-10-03").count == 1)
    }

    @Test func birthdaysComeEachYearAndA29FebruaryBirthdayIsKeptOn28February() {
        let rule = FollowUpRule(name: "生日", kind: .birthday, windowDays: 1, days: 1)
        let june = PlanningCustomer(id: 8, tier: "普通", birthday: date("1990-06-10"))
        #expect(plan(rule, june, asOf: "2026-06-09").map(\.key) == ["b2026"])
        #expect(plan(rule, june, asOf: "2026-06-10").map(\.key) == ["b2026"])
        #expect(plan(rule, june, asOf: "2026-06-11").isEmpty, "never after the birthday")
        // 28 Feb 2026 is a Saturday made a workday (春节), so the birthday stays on it.
        let leap = PlanningCustomer(id: 9, tier: "普通", birthday: date("2000-02-29"))
        #expect(plan(rule, leap, asOf: "2026-02-28").map(\.key) == ["b2026"])
        let newYear = PlanningCustomer(id: 10, tier: "普通", birthday: date("1980-01-01"))
        #expect(plan(rule, newYear, asOf: "2026-12-31").map(\.key) == ["b2027"], "a lead crosses the year")
    }

    @Test func aBirthdayOnAHolidayIsPlannedOnTheWorkingDayBeforeItAndNeverAtTheCloseOfTheLastWindow() {
        // The shipped birthday rule: on the day itself, done the same day.
        let rule = FollowUpRule(name: "生日关怀", kind: .birthday, windowDays: 0)
        let customer = PlanningCustomer(id: 11, tier: "普通", birthday: date("1988-10-03"))
        // 3 Oct 2025 lies inside the National Day holiday (1–8 Oct); 30 Sept is the working day before it.
        let due = plan(rule, customer, asOf: "2025-09-30")
        #expect(
            due == [
                Occurrence(
                    ruleID: 1, key: "b2025", triggeredOn: date("2025-10-03"), dueOn: date("2025-09-30"),
                    deadlineOn: date("2025-09-30"))
            ])
        #expect(plan(rule, customer, asOf: "2025-10-03").isEmpty, "nothing is planned on the holiday itself")
        let windows = ContactWindows(calendar: china, ranges: TimeRange.list("10:00-12:00,15:00-17:00")!)
        let times = DueTimes.make(dueOn: date("2025-09-30"), deadlineOn: date("2025-09-30"), windows: windows)
        #expect(local(times.dueAt) == "2025-09-30T10:00" && local(times.deadlineAt) == "2025-09-30T17:00")
        // A Saturday birthday is planned on the Friday.
        let saturday = PlanningCustomer(id: 12, tier: "普通", birthday: date("1990-11-15"))
        #expect(plan(rule, saturday, asOf: "2025-11-14").map(\.deadlineOn) == [date("2025-11-14")])
        #expect(plan(rule, saturday, asOf: "2025-11-15").isEmpty)
    }

    @Test func aDatedFollowUpMovesAfterTheHolidayWhenItsRuleSaysSoAndStaysWhenCustomersAreCalledEveryDay() {
        var rule = FollowUpRule(name: "生日关怀", kind: .birthday, windowDays: 0, holidayShift: .after)
        rule.id = 1
        let customer = PlanningCustomer(id: 11, tier: "普通", birthday: date("1988-10-03"))
        let planner = Planner(rules: [rule], calendar: china)
        #expect(planner.occurrences(for: customer, events: [], asOf: date("2025-10-08")).isEmpty)
        // 9 Oct 2025 is the first working day after the National Day holiday.
        #expect(
            planner.occurrences(for: customer, events: [], asOf: date("2025-10-09")).map(\.deadlineOn) == [
                date("2025-10-09")
            ])
        let everyDay = Planner(rules: [rule], calendar: china, contactsOnAllDays: true)
        #expect(
            everyDay.occurrences(for: customer, events: [], asOf: date("2025-10-03")).map(\.deadlineOn) == [
                date("2025-10-03")
            ], "an organisation that calls on holidays keeps the birthday itself")
        // A 31 December birthday on a weekend moves into the new year and is still found there.
        let newYearsEve = PlanningCustomer(id: 13, tier: "普通", birthday: date("1985-12-31"))
        let sunday = Planner(rules: [rule], calendar: BusinessCalendar(timeZone: shanghai))
        #expect(
            sunday.occurrences(for: newYearsEve, events: [], asOf: date("2034-01-02")).map(\.key) == ["b2033"],
            "31 Dec 2033 is a Saturday; 2 Jan 2034 is the Monday after")
    }

    @Test func anExpiryOnAWeekendIsRemindedOnTheFridayBeforeAndItsEventIsInTheDaysScope() {
        let rule = FollowUpRule(
            id: 1, name: "续保", kind: .expiryReminder, windowDays: 0, days: 0, eventKind: "insurance_expiry",
            dateAttribute: "expires_on")
        let policy = PlanningEvent(
            id: 5, kind: "insurance_expiry", occurredOn: date("2025-01-01"), attributes: ["expires_on": "2025-11-16"])
        let planner = Planner(rules: [rule], calendar: china)
        // Sunday 16 Nov 2025: the reminder is due on Friday 14 Nov, and that day's scope reads the event.
        let due = planner.occurrences(for: gold, events: [policy], asOf: date("2025-11-14"))
        #expect(due.map(\.key) == ["x5:2025-11-16"] && due[0].deadlineOn == date("2025-11-14"))
        #expect(
            planner.eventScopes(asOf: date("2025-11-14"))["insurance_expiry"]?.attributeDays == [
                "expires_on": [date("2025-11-14")...date("2025-11-16")]
            ])
    }

    @Test func aTaskWhoseDaysHoldNoContactSlotIsDueAtTheLastWindowsStartNotItsClose() {
        let windows = ContactWindows(calendar: china, ranges: TimeRange.list("10:00-12:00,15:00-17:00")!)
        // Due and deadline on a holiday (as tasks planned before the fix are): no slot lies between them.
        let times = DueTimes.make(dueOn: date("2025-10-03"), deadlineOn: date("2025-10-03"), windows: windows)
        #expect(times.dueAt < times.deadlineAt, "a first contact at the moment the last window closes is no contact")
        #expect(local(times.dueAt) == "2025-09-30T15:00", "the start of the last window open before the deadline")
    }

    @Test func churnFollowsTheLastEventAndAnyNewEventResetsIt() {
        let rule = FollowUpRule(name: "流失", kind: .churn, windowDays: 5, days: 180)
        var customer = gold
        customer.lastEventOn = date("2025-01-10")
        #expect(plan(rule, customer, asOf: "2025-07-08").isEmpty)
        #expect(plan(rule, customer, asOf: "2025-07-09").map(\.key) == ["c2025-01-10"])
        customer.lastEventOn = date("2025-07-01")
        #expect(plan(rule, customer, asOf: "2025-07-09").isEmpty)
    }

    @Test func expiryRemindersLeadTheDateInTheAttributeAndNeverPassIt() {
        let rule = FollowUpRule(
            name: "续保", kind: .expiryReminder, windowDays: 10, days: 30, eventKind: "insurance_expiry",
            dateAttribute: "expires_on")
        let policy = PlanningEvent(
            id: 5, kind: "insurance_expiry", occurredOn: date("2025-01-01"), attributes: ["expires_on": "2025-12-31"])
        #expect(plan(rule, gold, events: [policy], asOf: "2025-11-30").isEmpty)
        let due = plan(rule, gold, events: [policy], asOf: "2025-12-01")
        #expect(due.map(\.key) == ["x5:2025-12-31"] && due[0].deadlineOn == date("2025-12-15"))
        let short = FollowUpRule(
            name: "续保", kind: .expiryReminder, windowDays: 20, days: 3, eventKind: "insurance_expiry",
            dateAttribute: "expires_on")
        #expect(plan(short, gold, events: [policy], asOf: "2025-12-29").first?.deadlineOn == date("2025-12-31"))
        let unreadable = PlanningEvent(
            id: 6, kind: "insurance_expiry", occurredOn: date("2025-01-01"), attributes: ["expires_on": "明年"])
        #expect(plan(rule, gold, events: [unreadable], asOf: "2025-12-01").isEmpty)
    }

    @Test func afterSalesComesAfterTheFirstMonthThenEverySixMonthsWhileInWarranty() {
        let rule = FollowUpRule(
            name: "售后", kind: .afterSales, windowDays: 5, eventKind: "warranty_start", dateAttribute: "warranty_until",
            firstMonths: 1, everyMonths: 6)
        let warranty = PlanningEvent(
            id: 11, kind: "warranty_start", occurredOn: date("2025-01-15"), attributes: ["warranty_until": "2026-01-14"]
        )
        #expect(plan(rule, gold, events: [warranty], asOf: "2025-02-14").isEmpty)
        #expect(plan(rule, gold, events: [warranty], asOf: "2025-02-17").map(\.key) == ["a11:0"])
        #expect(plan(rule, gold, events: [warranty], asOf: "2025-08-15").map(\.key) == ["a11:1"])
        #expect(plan(rule, gold, events: [warranty], asOf: "2026-02-16").isEmpty, "15 Feb 2026 is after the warranty")
    }

    @Test func aCampaignIsOnceForItsSegmentAndTriggeredRulesNeverComeFromTheDailyScan() {
        let campaign = FollowUpRule(
            name: "双十一", kind: .campaign, segment: Segment(tiers: ["金卡"]), windowDays: 2,
            campaignDate: date("2025-11-11"))
        #expect(plan(campaign, gold, asOf: "2025-11-12").map(\.key) == ["campaign"])
        #expect(plan(campaign, PlanningCustomer(id: 2, tier: "普通"), asOf: "2025-11-12").isEmpty)
        #expect(plan(FollowUpRule(name: "投诉后", kind: .triggered), gold, asOf: "2025-11-12").isEmpty)
        var disabled = campaign
        disabled.isEnabled = false
        #expect(plan(disabled, gold, asOf: "2025-11-12").isEmpty)
    }

    @Test func theEventsADayCanUseAreNamedByDayRangesAndDateAttributes() {
        let rules = [
            FollowUpRule(id: 1, name: "出院", kind: .afterEvent, windowDays: 2, days: 7, eventKind: "discharge"),
            FollowUpRule(
                id: 2, name: "续保", kind: .expiryReminder, days: 30, eventKind: "insurance_expiry",
                dateAttribute: "expires_on"),
        ]
        let scopes = Planner(rules: rules, calendar: china).eventScopes(asOf: date("2025-10-03"))
        #expect(scopes["discharge"]?.days == [date("2025-08-23")...date("2025-09-26")])
        #expect(scopes["insurance_expiry"]?.attributeDays == ["expires_on": [date("2025-10-03")...date("2025-11-02")]])
        // Every event the day's occurrences come from lies inside the scope.
        let discharge = PlanningEvent(id: 1, kind: "discharge", occurredOn: date("2025-09-26"))
        #expect(
            !Planner(rules: rules, calendar: china).occurrences(
                for: gold, events: [discharge], asOf: date("2025-10-03")
            ).isEmpty)
    }

    @Test func storedDatesAreReadExactly() {
        #expect(LocalDate(iso: "2024-02-29") == LocalDate(year: 2024, month: 2, day: 29))
        for bad in ["2023-02-29", "2024-2-29", "2024/02/29", "2024-02-290", "", "２０２４-02-29"] {
            #expect(LocalDate(iso: bad) == nil, "\(bad)")
        }
    }

    // MARK: decisions

    let rules = [
        FollowUpRule(id: 1, name: "A", kind: .birthday, priority: 3),
        FollowUpRule(id: 2, name: "B", kind: .churn, priority: 1),
        FollowUpRule(id: 3, name: "C", kind: .triggered, priority: 2, bypassesContactCap: true),
    ]
    func occurrence(_ rule: Int, due: String = "2025-03-03", deadline: String = "2025-03-07") -> Occurrence {
        Occurrence(ruleID: rule, key: "k\(rule)", triggeredOn: date(due), dueOn: date(due), deadlineOn: date(deadline))
    }

    @Test func reasonsAlreadyPlannedAddNothingSoReplanningADayIsIdempotent() {
        let decider = TaskDecider(rules: rules, contactCapDays: 30)
        let known: Set<String> = [TaskDecider.reasonKey(ruleID: 1, key: "k1")]
        #expect(
            decider.decide(
                customer: gold, occurrences: [occurrence(1)], known: known, open: [], lastDueOn: nil,
                asOf: date("2025-03-03")) == .nothing)
    }

    @Test func severalReasonsBecomeOneTaskMostUrgentFirstAndJoinAnOpenTaskInTheirWindow() {
        let decider = TaskDecider(rules: rules, contactCapDays: 0)
        let created = decider.decide(
            customer: gold, occurrences: [occurrence(1), occurrence(2)], known: [], open: [], lastDueOn: nil,
            asOf: date("2025-03-03"))
        #expect(created == .create(reasons: [occurrence(2), occurrence(1)], capped: 0))
        let open = OpenTask(id: 99, dueOn: date("2025-03-01"), deadlineOn: date("2025-03-04"))
        #expect(
            decider.decide(
                customer: gold, occurrences: [occurrence(1)], known: [], open: [open], lastDueOn: nil,
                asOf: date("2025-03-03"))
                == .merge(taskID: 99, reasons: [occurrence(1)], capped: 0))
        let later = occurrence(1, due: "2025-03-05", deadline: "2025-03-10")
        #expect(
            decider.decide(
                customer: gold, occurrences: [later], known: [], open: [open], lastDueOn: nil, asOf: date("2025-03-05"))
                == .create(reasons: [later], capped: 0),
            "an open task whose window ended before this reason is due is not joined")
    }

    @Test func aMoreUrgentReasonJoiningATaskLeadsItWithItsScriptAndSurvey() {
        let decider = TaskDecider(
            rules: [
                FollowUpRule(id: 1, name: "生日", kind: .birthday, priority: 5, script: "生日话术", surveyID: 10),
                FollowUpRule(id: 2, name: "投诉后", kind: .triggered, priority: 1, script: "投诉话术", surveyID: 20),
                FollowUpRule(id: 3, name: "活动", kind: .campaign, priority: 5, script: "活动话术"),
                FollowUpRule(id: 4, name: "核实", kind: .triggered, priority: 1),
            ], contactCapDays: 0)
        #expect(decider.lead([1, 2]) == (1, "投诉话术", 20), "the complaint joined later and is more urgent")
        #expect(decider.lead([1, 3]) == (5, "生日话术", 10), "an equally urgent reason joining later does not lead")
        #expect(
            decider.lead([1, 4]) == (1, "生日话术", 10), "a leading rule without a script or survey keeps the task's")
        #expect(decider.leading([3, 2, 1]).map(\.id) == [2, 3, 1])
    }

    @Test func aRuleAsEditedNamesEveryProblemInTheOrderOfTheForm() {
        func problems(_ rule: FollowUpRule) -> [String] { rule.problems().map { "\($0.field) \($0.key)" } }
        #expect(problems(FollowUpRule(name: "新会员", kind: .newCustomer)).isEmpty)
        let afterSales = FollowUpRule(
            name: " ", kind: .afterSales, priority: 0, windowDays: 61, maxAttempts: 11, days: -1, firstMonths: 0)
        #expect(
            problems(afterSales) == [
                "name rule.problem.name", "priority rule.problem.priority", "windowDays rule.problem.windowDays",
                "maxAttempts rule.problem.maxAttempts", "days rule.problem.days", "eventKind rule.problem.eventKind",
                "dateAttribute rule.problem.dateAttribute", "everyMonths rule.problem.months",
            ])
        #expect(problems(FollowUpRule(name: "流失", kind: .churn)) == ["days rule.problem.days"])
        #expect(problems(FollowUpRule(name: "活动", kind: .campaign)) == ["campaignDate rule.problem.campaignDate"])
        #expect(
            problems(FollowUpRule(name: "定期", kind: .periodic, monthsByTier: ["金卡": 0]))
                == ["monthsByTier rule.problem.monthsByTier"])
    }

    @Test func doNotDisturbAndMissingConsentSkipAndTheContactCapDefersAllButComplaintFollowUps() {
        let decider = TaskDecider(rules: rules, contactCapDays: 30)
        var quiet = gold
        quiet.doNotDisturb = true
        #expect(
            decider.decide(
                customer: quiet, occurrences: [occurrence(1)], known: [], open: [], lastDueOn: nil,
                asOf: date("2025-03-03")) == .skippedDoNotDisturb)
        var refusing = gold
        refusing.consent = false
        #expect(
            decider.decide(
                customer: refusing, occurrences: [occurrence(1)], known: [], open: [], lastDueOn: nil,
                asOf: date("2025-03-03")) == .skippedNoConsent)
        let recent = date("2025-02-10")
        #expect(
            decider.decide(
                customer: gold, occurrences: [occurrence(1), occurrence(2)], known: [], open: [], lastDueOn: recent,
                asOf: date("2025-03-03")) == .capped(2))
        #expect(
            decider.decide(
                customer: gold, occurrences: [occurrence(1), occurrence(3)], known: [], open: [], lastDueOn: recent,
                asOf: date("2025-03-03"))
                == .create(reasons: [occurrence(3)], capped: 1))
        #expect(
            decider.decide(
                customer: gold, occurrences: [occurrence(1)], known: [], open: [], lastDueOn: recent,
                asOf: date("2025-03-12")) == .create(reasons: [occurrence(1)], capped: 0),
            "30 days after the last follow-up the cap is over")
    }

    @Test func dueTimesAreTheFirstContactSlotAndTheEndOfTheDeadlineDaysLastWindow() {
        let windows = ContactWindows(calendar: china, ranges: TimeRange.list("10:00-12:00,15:00-17:00")!)
        // Due on a holiday: the first slot is 10:00 on the next working day.
        let times = DueTimes.make(dueOn: date("2024-10-01"), deadlineOn: date("2024-10-09"), windows: windows)
        #expect(local(times.dueAt) == "2024-10-08T10:00")
        #expect(local(times.deadlineAt) == "2024-10-09T17:00")
    }

    // MARK: distribution

    @Test func distributionPrefersTheCustomersAgentThenBalancesLoadAmongSkilledAgentsPresent() {
        let wang = AgentCapacity(id: UUID(), name: "王芳", skills: ["medical"], openLoad: 12)
        let li = AgentCapacity(id: UUID(), name: "李娜", openLoad: 2)
        let zhao = AgentCapacity(id: UUID(), name: "赵敏", skills: ["medical"], openLoad: 0, isAbsent: true)
        let tasks = [
            UnassignedTask(id: 1, preferredAgent: wang.id), UnassignedTask(id: 2), UnassignedTask(id: 3),
            UnassignedTask(id: 4),
            UnassignedTask(id: 5, requiredSkill: "medical"), UnassignedTask(id: 6, preferredAgent: zhao.id),
            UnassignedTask(id: 7, requiredSkill: "legal"),
        ]
        let (assignments, unassigned) = Distributor().distribute(tasks, among: [wang, li, zhao])
        #expect(assignments[0] == Assignment(taskID: 1, agentID: wang.id, basis: .assignedAgent, loadBefore: 12))
        #expect(assignments[1...3].allSatisfy { $0.agentID == li.id && $0.basis == .leastLoaded })
        #expect(
            assignments[4] == Assignment(taskID: 5, agentID: wang.id, basis: .leastLoaded, loadBefore: 13),
            "only 王芳 is medical and present")
        #expect(assignments[5].agentID == li.id, "the customer's agent is on leave")
        #expect(unassigned == [7])
    }
}
