import Fluent
import Foundation
import HuifangCore
import NIOConcurrencyHelpers
import SQLKit
import Testing
import VaporTesting

@testable import HuifangServer

/// The agent's follow-up: records, retries, surveys and their versions, the ticket threshold,
/// the customer's signed link, and the messages that carry it.
@Suite struct FollowUpTests {
    struct Desk {
        let agent: User
        let password: String
        let token: String
        let customer: Customer
        let task: FollowUpTask
        let survey: SurveyRecord
        let rule: RuleRecord
    }

    static func question(
        _ text: String, _ type: String, _ indicator: String, required: Bool = true, options: [String] = []
    ) -> SurveyInput.Question {
        .init(key: nil, text: text, type: type, indicator: indicator, required: required, options: options)
    }

    /// An agent with one open task (due Monday 2 March 2026) for a customer who had a repair, asked
    /// with a three-question survey.
    func desk(
        _ app: Application, threshold: String = "lowest", action: String = "propose",
        email: String? = "lina@example.com"
    ) async throws -> Desk {
        let (agent, password) = try await makeUser(app, .agent, username: "wangfang")
        let token = try await makeToken(app, agent)
        let survey = try await SurveyStore(db: app.db).create(
            SurveyInput(
                name: "维修满意度", intro: "一分钟就好", threshold: threshold, ticketAction: action,
                questions: [
                    Self.question("您对本次维修总体是否满意？", "satisfaction3", "总体满意度"),
                    Self.question("服务人员的态度打几分？", "scale5", "服务态度"),
                    Self.question("还有什么意见？", "text", "", required: false),
                ]), by: .commandLine(), at: Date())
        let rule = RuleRecord()
        try rule.apply(
            FollowUpRule(
                name: "维修后回访", kind: .triggered, priority: 2, script: "{称呼}您好，您的{产品}维修后使用正常吗？",
                maxAttempts: 3, surveyID: survey.familyID))
        try await rule.create(on: app.db)
        let customer = try await CustomerStore(db: app.db, now: Date()).create(
            CustomerRecord(
                name: "李娜", mobile: try PhoneNumber(parsing: "13800138000"), email: email, gender: .female, tier: "普通"),
            by: .commandLine())
        let event = ServiceEvent()
        event.$customer.id = customer.id!
        event.kind = "repair"
        event.occurredAt = shanghai("2026-02-27 10:00")
        event.occurredOn = "2026-02-27"
        event.attributes = ServiceEvent.encode(["产品": "空调"])
        event.source = "api"
        try await event.create(on: app.db)
        let task = try await Self.task(app, customer: customer, agent: agent, rule: rule)
        return Desk(
            agent: agent, password: password, token: token, customer: customer, task: task, survey: survey, rule: rule)
    }

    static func task(_ app: Application, customer: Customer, agent: User, rule: RuleRecord, key: String = "R1")
        async throws -> FollowUpTask
    {
        let task = openTask(
            customer: customer.id!, agent: agent.id, due: "2026-03-02 10:00", deadline: "2026-03-06 17:00")
        try await task.create(on: app.db)
        let reason = TaskReason()
        reason.$task.id = task.id!
        reason.customerID = customer.id!
        reason.ruleID = rule.id!
        reason.occurrenceKey = key
        reason.triggeredOn = "2026-02-27"
        reason.dueOn = "2026-03-02"
        reason.deadlineOn = "2026-03-06"
        try await reason.create(on: app.db)
        return task
    }

    func record(_ app: Application, _ desk: Desk, at time: String, _ input: RecordInput) async throws -> RecordResult {
        let task = try await FollowUpTask.find(desk.task.id, on: app.db)!
        return try await RecordService(db: app.db, config: app.huifang, actor: .commandLine(), now: shanghai(time))
            .record(input, on: task, by: desk.agent)
    }

    static func input(_ outcome: String, answers: [String: String]? = nil) -> RecordInput {
        RecordInput(outcome: outcome, answers: answers)
    }

    /// Agents recording an attempt on one task at once, each from the task as they read it: one attempt counts, the
    /// others are refused as "changed meanwhile" and write nothing (on PostgreSQL the row lock makes the others
    /// wait and check again — without it they overlap and all count; on SQLite the one writer takes them in turn,
    /// and each checks the task as it now is).
    @Test func attemptsRecordedAtOnceOnOneTaskCountOnce() async throws {
        try await withHuifang { app in
            let desk = try await desk(app)
            var read: [FollowUpTask] = []
            for _ in 0..<8 { read.append(try await FollowUpTask.find(desk.task.id, on: app.db)!) }
            let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                for task in read {
                    group.addTask {
                        do {
                            let service = RecordService(
                                db: app.db, config: app.huifang, actor: .commandLine(),
                                now: shanghai("2026-03-02 10:30"))
                            return try await service.record(Self.input("noAnswer"), on: task, by: desk.agent).result
                        } catch let error as AppError {
                            return error.key
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.sorted() == Array(repeating: "record.refuse.changed", count: 7) + ["retry"], "\(outcomes)")
            let task = try await FollowUpTask.find(desk.task.id, on: app.db)!
            #expect(task.attempts == 1 && task.status == .open)
            #expect(try await FollowUpRecord.query(on: app.db).count() == 1)
        }
    }

    @Test func anUnreachedCustomerIsRetriedInTheNextContactWindowsUntilTheRulesMaximumThenTheTaskEndsUnreachable()
        async throws
    {
        try await withHuifang { app in
            let desk = try await desk(app)
            // Monday 10:30, no answer: the afternoon window. Busy at 15:10: Tuesday morning.
            let first = try await record(app, desk, at: "2026-03-02 10:30", Self.input("noAnswer"))
            #expect(first.result == "retry" && first.taskStatus == "open" && first.nextAttemptAt == "2026-03-02 15:00")
            let second = try await record(app, desk, at: "2026-03-02 15:10", Self.input("busy"))
            #expect(second.nextAttemptAt == "2026-03-03 10:00")
            // Friday afternoon's retry waits for Monday.
            let third = try await record(app, desk, at: "2026-03-03 10:05", Self.input("noAnswer"))
            #expect(third.result == "unreachable" && third.taskStatus == "unreachable" && third.nextAttemptAt == nil)
            let records = try await FollowUpRecord.query(on: app.db).sort(\.$id).all()
            #expect(records.map(\.outcome) == ["noAnswer", "busy", "noAnswer"])
            #expect(records.allSatisfy { !$0.contactMade && !$0.completed })
            #expect(records.map(\.needsRetry) == [true, true, true])
            let task = try await FollowUpTask.find(desk.task.id, on: app.db)!
            #expect(task.attempts == 3 && task.callbackAt == nil)
            // An ended task takes no more records.
            await #expect(throws: AppError.self) {
                try await record(app, desk, at: "2026-03-03 11:00", Self.input("reached"))
            }
        }
    }

    @Test func twoAttemptsRecordedAtOnceOnOneTaskDoNotBothCount() async throws {
        try await withHuifang { app in
            let desk = try await desk(app)
            // Both agents' pages were read before either saved.
            let first = try await FollowUpTask.find(desk.task.id, on: app.db)!
            let stale = try await FollowUpTask.find(desk.task.id, on: app.db)!
            let service = RecordService(
                db: app.db, config: app.huifang, actor: .commandLine(), now: shanghai("2026-03-02 10:30"))
            _ = try await service.record(Self.input("noAnswer"), on: first, by: desk.agent)
            await #expect(throws: AppError.self) {
                _ = try await service.record(Self.input("busy"), on: stale, by: desk.agent)
            }
            #expect(try await FollowUpRecord.query(on: app.db).count() == 1)
            #expect(try await FollowUpTask.find(desk.task.id, on: app.db)!.attempts == 1)
        }
    }

    @Test func aFridayRetryWaitsForMondayAndACallbackIsKeptAtTheTimeTheCustomerChose() async throws {
        try await withHuifang { app in
            let desk = try await desk(app)
            let friday = try await record(app, desk, at: "2026-03-06 16:00", Self.input("noAnswer"))
            #expect(friday.nextAttemptAt == "2026-03-09 10:00")
            var callback = Self.input("callbackRequested")
            callback.callbackAt = "2026-03-09 19:30"
            let agreed = try await record(app, desk, at: "2026-03-09 10:10", callback)
            #expect(agreed.result == "callback" && agreed.nextAttemptAt == "2026-03-09 19:30")
            let stored = try await FollowUpRecord.query(on: app.db).filter(\.$outcome == "callbackRequested").first()!
            #expect(stored.contactMade && stored.needsRetry && !stored.completed)
        }
    }

    @Test func theCallListPutsDueCallbacksFirstAndRetriesWaitingForALaterWindowLast() async throws {
        try await withHuifang { app in
            let desk = try await desk(app)
            let later = try await Self.task(app, customer: desk.customer, agent: desk.agent, rule: desk.rule, key: "R2")
            later.callbackAt = Date().addingTimeInterval(3600)
            try await later.update(on: app.db)
            let due = try await Self.task(app, customer: desk.customer, agent: desk.agent, rule: desk.rule, key: "R3")
            due.callbackAt = Date().addingTimeInterval(-600)
            try await due.update(on: app.db)
            let list = try await send(app, .GET, "/api/v1/tasks/mine", token: desk.token).content.decode(
                ListPage<TaskView>.self
            ).items
            #expect(list.map(\.id) == [due.id!, desk.task.id!, later.id!])
            let next = try await send(app, .GET, "/api/v1/tasks/next", token: desk.token).content.decode(
                WorkspaceAPIController.Next.self)
            #expect(next.taskID == due.id)
            let after = try await send(app, .GET, "/api/v1/tasks/next?after=\(due.id!)", token: desk.token).content
                .decode(WorkspaceAPIController.Next.self)
            #expect(after.taskID == desk.task.id, "a retry waiting for its window is not next")
        }
    }

    /// A task asks the survey of its most urgent rule that names one; among rules equally urgent, the reason added
    /// first leads, and a rule without a survey leaves the choice to the next.
    @Test func aTaskAsksTheSurveyOfItsMostUrgentRuleThatNamesOne() async throws {
        try await withHuifang { app in
            let desk = try await desk(app)
            func addRule(_ name: String, priority: Int, survey: Bool) async throws -> SurveyRecord? {
                let asked =
                    survey
                    ? try await SurveyStore(db: app.db).create(
                        SurveyInput(
                            name: name, intro: "", threshold: "lowest", ticketAction: "propose",
                            questions: [Self.question("满意吗？", "satisfaction3", "总体满意度")]),
                        by: .commandLine(), at: Date()) : nil
                let rule = RuleRecord()
                try rule.apply(
                    FollowUpRule(
                        name: name, kind: .triggered, priority: priority, script: "", surveyID: asked?.familyID))
                try await rule.create(on: app.db)
                let reason = TaskReason()
                (reason.$task.id, reason.customerID, reason.ruleID) = (desk.task.id!, desk.customer.id!, rule.id!)
                (reason.occurrenceKey, reason.triggeredOn) = (name, "2026-02-28")
                (reason.dueOn, reason.deadlineOn) = ("2026-03-02", "2026-03-06")
                try await reason.create(on: app.db)
                return asked
            }
            func asked() async throws -> Int? { try await RecordService.survey(for: desk.task, on: app.db)?.id }

            _ = try await addRule("投诉回访", priority: 1, survey: false)
            #expect(try await asked() == desk.survey.id)  // the most urgent names no survey
            let urgent = try await addRule("紧急回访", priority: 1, survey: true)
            #expect(try await asked() == urgent?.id)
            _ = try await addRule("另一紧急回访", priority: 1, survey: true)
            #expect(try await asked() == urgent?.id)  // as urgent, added later
        }
    }

    /// A task's reasons and its agent are read with the task itself (one statement): the reasons in the order they
    /// were given, each rule's name one reason even when it holds the control character that separates them as read
    /// (that character is left out), and a task without an agent or a reason shows none.
    @Test func aListShowsEachTasksReasonsInTheOrderGivenAndItsAgent() async throws {
        try await withHuifang { app in
            let desk = try await desk(app)
            let second = RuleRecord()
            try second.apply(FollowUpRule(name: "会员\u{1F}定期回访", kind: .periodic, priority: 3, script: "您好"))
            try await second.create(on: app.db)
            let reason = TaskReason()
            reason.$task.id = desk.task.id!
            reason.customerID = desk.customer.id!
            reason.ruleID = second.id!
            reason.occurrenceKey = "R9"
            reason.triggeredOn = "2026-02-28"
            reason.dueOn = "2026-03-02"
            reason.deadlineOn = "2026-03-06"
            try await reason.create(on: app.db)
            let nobodys = openTask(
                customer: desk.customer.id!, agent: nil, due: "2026-03-03 10:00", deadline: "2026-03-06 17:00")
            try await nobodys.create(on: app.db)

            let mine = try await send(app, .GET, "/api/v1/tasks/mine", token: desk.token).content.decode(
                ListPage<TaskView>.self
            ).items
            #expect(mine.map(\.id) == [desk.task.id!])
            #expect(mine.first?.reasons == ["维修后回访", "会员定期回访"] && mine.first?.agent == desk.agent.displayName)
            let (supervisor, _) = try await makeUser(app, .supervisor, username: "zhuguan")
            let board = try await send(app, .GET, "/api/v1/tasks", token: try await makeToken(app, supervisor)).content
                .decode(ListPage<TaskView>.self).items
            #expect(board.map(\.id) == [desk.task.id!, nobodys.id!])
            #expect(board.map(\.reasons) == [["维修后回访", "会员定期回访"], []])
            #expect(board.map(\.agent) == [desk.agent.displayName, nil])
        }
    }

    @Test func aReachedCustomerWithAnswersCompletesTheTaskAndCorrectionsGoIntoTheCustomersHistory() async throws {
        try await withHuifang { app in
            let desk = try await desk(app)
            var input = Self.input("reached", answers: ["q1": "satisfied", "q2": "5", "q3": "师傅很专业"])
            input.startedAt = "2026-03-02 10:30:00"
            input.endedAt = "2026-03-02 10:33:20"
            input.notes = "客户表示空调运转正常"
            input.recordingConsent = true
            input.recordingRef = "REC-20260302-001"
            input.corrections = ["mobile": "13900139000"]
            let result = try await record(app, desk, at: "2026-03-02 10:34", input)
            #expect(
                result.result == "completed" && result.taskStatus == "completed" && result.ticketID == nil
                    && !result.ticketProposed)
            let record = try await FollowUpRecord.find(result.recordID, on: app.db)!
            #expect(
                record.durationSeconds == 200 && record.contactMade && record.completed
                    && record.recordingRef == "REC-20260302-001")
            #expect(record.corrections == "mobile: 13800138000 → 13900139000")
            let answers = try await SurveyAnswer.query(on: app.db).sort(\.$id).all()
            #expect(answers.map(\.indicator) == ["总体满意度", "服务态度", ""])
            #expect(answers.map(\.score) == [3, 5, nil] && answers.map(\.isTopTwo) == [true, true, nil])
            #expect(answers.allSatisfy { $0.surveyID == desk.survey.id })
            let customer = try await Customer.find(desk.customer.id, on: app.db)!
            #expect(customer.mobile == "+8613900139000")
            let history = try await CustomerStore(db: app.db, now: Date()).history(of: desk.customer.id!)
            #expect(
                history.contains {
                    $0.field == "mobile" && $0.oldValue == "13800138000" && $0.newValue == "13900139000"
                })
            let task = try await FollowUpTask.find(desk.task.id, on: app.db)!
            #expect(task.status == .completed && task.completedOn == "2026-03-02")
            // The customer's profile shows the contact; erasing the customer empties their messages and the
            // record's words, and keeps the record and its scores for the figures.
            let (supervisor, password) = try await makeUser(app, .supervisor, username: "zhuguan")
            var client = try await PageClient.signedIn(app, supervisor.username, password)
            #expect(try await client.get("/customers/\(desk.customer.id!)").body.string.contains("回访记录（电话）：已接通"))
            _ = try await SurveyLinks(db: app.db, config: app.huifang, now: Date()).send(
                task: try await Self.task(app, customer: customer, agent: desk.agent, rule: desk.rule, key: "R2"),
                channel: "sms", by: .commandLine())
            _ = try await app.domain(as: .commandLine()).customerErasure.erase(
                customer, request: try ErasureRequest(requestedBy: "本人", reason: "注销"))
            #expect(try await MailMessage.query(on: app.db).all().map(\.body) == [""])
            #expect(try await FollowUpRecord.query(on: app.db).all().map(\.notes) == [""])
            #expect(try await SurveyAnswer.query(on: app.db).count() == 3)
        }
    }

    @Test func doNotCallSetsTheCustomersFlagAndEndsTheirOtherOpenFollowUps() async throws {
        try await withHuifang { app in
            let desk = try await desk(app)
            let other = try await Self.task(app, customer: desk.customer, agent: desk.agent, rule: desk.rule, key: "R2")
            let result = try await record(app, desk, at: "2026-03-02 10:30", Self.input("doNotCall"))
            #expect(result.result == "refused" && result.taskStatus == "refused")
            #expect(try await Customer.find(desk.customer.id, on: app.db)!.doNotDisturb)
            #expect(try await FollowUpTask.find(other.id, on: app.db)!.status == .cancelled)
            let history = try await CustomerStore(db: app.db, now: Date()).history(of: desk.customer.id!)
            #expect(history.contains { $0.field == "doNotDisturb" && $0.newValue == "true" })
        }
    }

    @Test func badInputNamesEveryFieldAndWritesNothing() async throws {
        try await withHuifang { app in
            let desk = try await desk(app)
            var input = Self.input("callbackRequested", answers: ["q2": "9"])
            input.corrections = ["mobile": "12345", "tier": "金卡"]
            input.recordingRef = "REC-1"
            input.channel = "fax"
            let response = try await send(
                app, .POST, "/api/v1/tasks/\(desk.task.id!)/records", token: desk.token, body: input)
            #expect(response.status == .unprocessableEntity)
            let fields = Set(try response.content.decode(EscalationTests.Problems.self).error.fields.map(\.field))
            #expect(
                fields == [
                    "channel", "callbackAt", "recordingRef", "answers", "answers.q1", "answers.q2",
                    "corrections.mobile", "corrections.tier",
                ])
            #expect(try await FollowUpRecord.query(on: app.db).count() == 0)
            #expect(try await FollowUpTask.find(desk.task.id, on: app.db)!.attempts == 0)
            // Another agent's task is not theirs to record.
            let (other, _) = try await makeUser(app, .agent, username: "zhangwei")
            let denied = try await send(
                app, .POST, "/api/v1/tasks/\(desk.task.id!)/records", token: try await makeToken(app, other),
                body: Self.input("reached"))
            #expect(denied.status == .notFound, "as if the task did not exist")
        }
    }

    @Test func editingASurveyThatHasAnswersMakesANewVersionAndOldAnswersKeepTheirQuestions() async throws {
        try await withHuifang { app in
            let desk = try await desk(app)
            let supervisor = try await makeUser(app, .supervisor, username: "zhuguan").user
            let token = try await makeToken(app, supervisor)
            var edited = SurveyInput(desk.survey, try desk.survey.definition)
            edited.questions[1].text = "服务人员的态度怎么样？"
            // Nobody has answered yet: the edit stays version 1.
            let inPlace = try await send(app, .PUT, "/api/v1/surveys/\(desk.survey.id!)", token: token, body: edited)
            #expect(inPlace.status == .ok)
            #expect(try inPlace.content.decode(SurveyInput.self).id == desk.survey.id)
            _ = try await record(
                app, desk, at: "2026-03-02 10:30", Self.input("reached", answers: ["q1": "fair", "q2": "4"]))
            edited.questions.append(Self.question("您愿意推荐我们吗？", "nps", "推荐意愿", required: false))
            edited.questions.remove(at: 2)
            let versioned = try await send(app, .PUT, "/api/v1/surveys/\(desk.survey.id!)", token: token, body: edited)
            let next = try versioned.content.decode(SurveyInput.self)
            #expect(next.id != desk.survey.id && next.version == 2 && next.familyID == desk.survey.familyID)
            // The new question takes a key never used in the family, not the removed q3's.
            #expect(next.questions.map { $0.key ?? "" } == ["q1", "q2", "q4"])
            let old = try await SurveyRecord.find(desk.survey.id, on: app.db)!
            let oldQuestions = try old.definition.questions.count
            #expect(!old.isCurrent && oldQuestions == 3)
            #expect(try await SurveyAnswer.query(on: app.db).all().allSatisfy { $0.surveyID == desk.survey.id })
            // The rule asks the current version now; an old version cannot be edited.
            let task = try await Self.task(app, customer: desk.customer, agent: desk.agent, rule: desk.rule, key: "R2")
            #expect(try await RecordService.survey(for: task, on: app.db)?.id == next.id)
            #expect(
                try await send(app, .PUT, "/api/v1/surveys/\(desk.survey.id!)", token: token, body: edited).status
                    == .conflict)
            // A broken survey is refused field by field.
            var broken = edited
            broken.name = ""
            broken.questions[0].type = "stars"
            broken.questions[1].indicator = ""
            let refused = try await send(app, .PUT, "/api/v1/surveys/\(next.id!)", token: token, body: broken)
            #expect(refused.status == .unprocessableEntity)
            #expect(
                Set(try refused.content.decode(EscalationTests.Problems.self).error.fields.map(\.field)) == [
                    "name", "questions[0].type", "questions[1].indicator",
                ])
            // Agents do not build surveys; supervisors preview them as the customer will see them.
            #expect(try await send(app, .GET, "/api/v1/surveys", token: desk.token).status == .forbidden)
            var pages = try await PageClient.signedIn(app, supervisor.username, "password-supervisor")
            let preview = try await pages.get("/surveys/\(next.id!)/preview").body.string
            #expect(preview.contains("您愿意推荐我们吗？") && preview.contains("preview-notice") && preview.contains("disabled"))
        }
    }

    @Test func aLowAnswerOpensATicketWhenTheSurveySaysSoAndOnlyProposesOneOtherwise() async throws {
        try await withHuifang { app in
            let desk = try await desk(app, action: "propose")
            // Proposed, and the agent declines: no ticket, the proposal is on the record.
            let declined = try await record(
                app, desk, at: "2026-03-02 10:30", Self.input("reached", answers: ["q1": "dissatisfied", "q2": "3"]))
            #expect(declined.ticketProposed && declined.ticketID == nil)
            #expect(try await Ticket.query(on: app.db).count() == 0)
            // Proposed and confirmed.
            let second = try await Self.task(
                app, customer: desk.customer, agent: desk.agent, rule: desk.rule, key: "R2")
            var confirm = Self.input("reached", answers: ["q1": "fair", "q2": "1"])
            confirm.openTicket = true
            let opened = try await RecordService(
                db: app.db, config: app.huifang, actor: .commandLine(), now: shanghai("2026-03-02 11:00")
            )
            .record(confirm, on: second, by: desk.agent)
            let ticket = try #require(try await Ticket.find(opened.ticketID, on: app.db))
            #expect(ticket.source == "survey" && ticket.taskID == second.id && ticket.$customer.id == desk.customer.id)
            #expect(ticket.description.contains("服务态度 1"))
        }
        try await withHuifang { app in
            let desk = try await desk(app, action: "open")
            let result = try await record(
                app, desk, at: "2026-03-02 10:30",
                Self.input("reached", answers: ["q1": "dissatisfied", "q2": "4", "q3": "等了三天"]))
            let ticket = try #require(try await Ticket.find(result.ticketID, on: app.db))
            #expect(ticket.description.contains("总体满意度 不满意") && ticket.source == "survey")
            #expect(try await FollowUpRecord.find(result.recordID, on: app.db)!.ticketID == ticket.id)
        }
    }

    /// The token of a survey link URL.
    func token(_ url: String) -> String { String(url.split(separator: "/").last!) }

    @Test func theCustomersLinkIsSignedExpiresAndCountsOnceAndItsAnswersLandOnTheTask() async throws {
        try await withHuifang(["HUIFANG_PUBLIC_URL": "https://huifang.example.com"]) { app in
            let desk = try await desk(app)
            let response = try await send(
                app, .POST, "/api/v1/tasks/\(desk.task.id!)/survey-links", token: desk.token, body: ["channel": "sms"])
            #expect(response.status == .created)
            let sent = try response.content.decode(WorkspaceAPIController.LinkSent.self)
            #expect(sent.to == "138****8000")
            // The link is in the customer's message only (the agent's answer has none).
            let message = try await MailMessage.find(sent.messageID, on: app.db)!
            let url = String(
                try #require(message.body.firstMatch(of: /https:\/\/huifang\.example\.com\/s\/[0-9A-Za-z_-]+/)).0)
            #expect(token(url).count <= 40, "short enough for an SMS")
            #expect(message.channel == "sms" && message.to == "+8613800138000" && message.body.contains("李女士"))
            let path = "/s/" + token(url)

            let page = try await app.testing().sendRequest(.GET, path)
            #expect(
                page.status == .ok && page.body.string.contains("您对本次维修总体是否满意？") && page.body.string.contains("李女士您好"))
            // A changed signature, id or expiry is not a link.
            var forged = Array(token(url))
            forged[forged.count - 2] = forged[forged.count - 2] == "A" ? "B" : "A"
            #expect(try await app.testing().sendRequest(.GET, "/s/" + String(forged)).status == .notFound)
            let parts = token(url).split(separator: "-", maxSplits: 2)
            #expect(
                try await app.testing().sendRequest(.GET, "/s/\(parts[0])-\(Int(parts[1])! + 86_400)-\(parts[2])")
                    .status == .notFound)

            // A missing required answer is named and nothing is used up.
            var headers = HTTPHeaders()
            headers.contentType = .urlEncodedForm
            let incomplete = try await app.testing().sendRequest(
                .POST, path, headers: headers, body: ByteBuffer(string: "answer.q2=4"))
            #expect(incomplete.status == .unprocessableEntity && incomplete.body.string.contains("第 1 题"))
            let done = try await app.testing().sendRequest(
                .POST, path, headers: headers,
                body: ByteBuffer(string: "answer.q1=satisfied&answer.q2=5&answer.q3=%E5%BE%88%E5%A5%BD"))
            #expect(done.status == .ok && done.body.string.contains("感谢您的评价"))
            let record = try #require(try await FollowUpRecord.query(on: app.db).first())
            #expect(
                record.source == "link" && record.channel == "sms" && record.outcome == "reached"
                    && record.taskID == desk.task.id)
            #expect(try await SurveyAnswer.query(on: app.db).count() == 3)
            #expect(try await FollowUpTask.find(desk.task.id, on: app.db)!.status == .completed)
            // Used: a clear page, and a second submission counts for nothing.
            let again = try await app.testing().sendRequest(.GET, path)
            #expect(again.status == .gone && again.body.string.contains("已经提交过"))
            let twice = try await app.testing().sendRequest(
                .POST, path, headers: headers, body: ByteBuffer(string: "answer.q1=dissatisfied&answer.q2=1"))
            #expect(twice.status == .gone)
            #expect(try await FollowUpRecord.query(on: app.db).count() == 1)
        }
    }

    @Test func anExpiredLinkSaysSoAndALowAnswerThroughALinkIsProposedToTheAgent() async throws {
        try await withHuifang(["HUIFANG_SURVEY_LINK_DAYS": "2"]) { app in
            let desk = try await desk(app)
            let links = SurveyLinks(db: app.db, config: app.huifang, now: Date().addingTimeInterval(-3 * 86_400))
            let old = try await links.send(task: desk.task, channel: "sms", by: .commandLine())
            let expired = try await app.testing().sendRequest(.GET, "/s/" + token(old.url))
            #expect(expired.status == .gone && expired.body.string.contains("链接已过期"))
            let fresh = try await SurveyLinks(db: app.db, config: app.huifang, now: Date()).send(
                task: desk.task, channel: "sms", by: .commandLine())
            var headers = HTTPHeaders()
            headers.contentType = .urlEncodedForm
            let answered = try await app.testing().sendRequest(
                .POST, "/s/" + token(fresh.url), headers: headers,
                body: ByteBuffer(string: "answer.q1=dissatisfied&answer.q2=2"))
            #expect(answered.status == .ok)
            #expect(try await Ticket.query(on: app.db).count() == 0)
            let note = try #require(
                try await Notification.query(on: app.db).filter(\.$user.$id == desk.agent.id!).first())
            #expect(note.kind == "survey" && note.text.contains("李娜") && note.text.contains("总体满意度 不满意"))
        }
    }

    @Test func templatesRefuseUnknownPlaceholdersAndALinklessBodyAndTheSavedTextIsSent() async throws {
        try await withHuifang { app in
            let desk = try await desk(app)
            let supervisor = try await makeUser(app, .supervisor, username: "zhuguan").user
            let token = try await makeToken(app, supervisor)
            let refused = try await send(
                app, .PUT, "/api/v1/message-templates/survey.sms", token: token, body: ["body": "{姓名}您好，请评价我们"])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("{姓名}") && refused.body.string.contains("{问卷链接}"))
            #expect(
                try await send(
                    app, .PUT, "/api/v1/message-templates/survey.sms", token: desk.token, body: ["body": "{问卷链接}"]
                ).status == .forbidden)
            let saved = try await send(
                app, .PUT, "/api/v1/message-templates/survey.sms", token: token, body: ["body": "{称呼}，请点 {问卷链接}"])
            #expect(saved.status == .ok)
            let sent = try await SurveyLinks(db: app.db, config: app.huifang, now: Date()).send(
                task: desk.task, channel: "sms", by: .commandLine())
            #expect(try await MailMessage.find(sent.messageID, on: app.db)!.body == "李女士，请点 \(sent.url)")
        }
    }

    @Test func aRuleNamesOnlyASurveyThatExistsAndAFollowUpTicketFallsBackToTheFirstCategory() async throws {
        try await withHuifang { app in
            let desk = try await desk(app)
            let supervisor = try await makeUser(app, .supervisor, username: "zhuguan").user
            let token = try await makeToken(app, supervisor)
            var rule = RuleInput(FollowUpRule(name: "问卷不存在", kind: .triggered))
            rule.surveyID = 999
            let response = try await send(app, .POST, "/api/v1/rules", token: token, body: rule)
            #expect(response.status == .unprocessableEntity)
            #expect(
                try response.content.decode(EscalationTests.Problems.self).error.fields.map(\.field) == ["surveyID"])
            // Categories without "other": a ticket opened from a follow-up takes the first one.
            let settings = try await TicketSettingsRecord.load(on: app.db)
            var changed = settings.settings
            changed.categories.removeAll { $0.code == "other" }
            try settings.apply(changed)
            try await settings.update(on: app.db)
            var input = Self.input("reached")
            input.surveyDeclined = true
            input.openTicket = true
            input.ticketDescription = "空调漏水"
            let result = try await record(app, desk, at: "2026-03-02 10:30", input)
            #expect(try await Ticket.find(result.ticketID, on: app.db)?.category == changed.categories.first?.code)
        }
    }

    @Test func inDevelopmentSMSAreOnlyLoggedAndCountAsSent() async throws {
        try await withHuifang { app in
            #expect(app.huifang.sms == .log)
            let desk = try await desk(app)
            let sent = try await SurveyLinks(db: app.db, config: app.huifang, now: Date()).send(
                task: desk.task, channel: "sms", by: .commandLine())
            let delivered = try await Operations.deliver(on: app, json: true)
            #expect(delivered == #"{"cancelled":0,"failed":0,"retrying":0,"sent":1}"#)
            let message = try await MailMessage.find(sent.messageID, on: app.db)!
            #expect(message.status == .sent && message.transport == "log")
            #expect(try await Operations.deliver(on: app, json: false) == "已发送 0 条，0 条稍后重试，0 条失败")
        }
    }

    @Test func aLinkClosesWhenTheTaskIsDoneByPhoneButStillCountsWhenTheCallsRanOut() async throws {
        try await withHuifang { app in
            let desk = try await desk(app)
            // Sent, then the customer is reached by phone: the link now says it has expired.
            let early = try await SurveyLinks(db: app.db, config: app.huifang, now: Date()).send(
                task: desk.task, channel: "sms", by: .commandLine())
            _ = try await record(
                app, desk, at: "2026-03-02 10:30", Self.input("reached", answers: ["q1": "satisfied", "q2": "5"]))
            let closed = try await app.testing().sendRequest(.GET, "/s/" + token(early.url))
            #expect(closed.status == .gone && closed.body.string.contains("链接已过期"))

            // Sent after a missed call; the calls run out; the customer answers anyway and the task is completed.
            let second = try await Self.task(
                app, customer: desk.customer, agent: desk.agent, rule: desk.rule, key: "R2")
            let link = try await SurveyLinks(db: app.db, config: app.huifang, now: Date()).send(
                task: second, channel: "sms", by: .commandLine())
            let service = RecordService(
                db: app.db, config: app.huifang, actor: .commandLine(), now: shanghai("2026-03-02 10:30"))
            for _ in 0..<3 {
                _ = try await service.record(
                    Self.input("noAnswer"), on: try await FollowUpTask.find(second.id, on: app.db)!, by: desk.agent)
            }
            #expect(try await FollowUpTask.find(second.id, on: app.db)!.status == .unreachable)
            var headers = HTTPHeaders()
            headers.contentType = .urlEncodedForm
            let answered = try await app.testing().sendRequest(
                .POST, "/s/" + token(link.url), headers: headers, body: ByteBuffer(string: "answer.q1=fair&answer.q2=4")
            )
            #expect(answered.status == .ok)
            let task = try await FollowUpTask.find(second.id, on: app.db)!
            #expect(task.status == .completed && task.attempts == 4)
        }
    }

    @Test func theSurveyPagesAreRateLimitedPerAddress() async throws {
        try await withHuifang { app in
            for _ in 0..<PublicRateLimit.limit {
                #expect(try await app.testing().sendRequest(.GET, "/s/1-2-x").status == .notFound)
            }
            let limited = try await app.testing().sendRequest(.GET, "/s/1-2-x")
            #expect(limited.status == .tooManyRequests && limited.body.string.contains("访问过于频繁"))
        }
        // Behind a trusted proxy (here on loopback), customers are told apart by the address it forwards.
        try await withHuifang(["HUIFANG_TRUST_PROXY": "true"]) { app in
            var statuses: [HTTPResponseStatus] = []
            for address in Array(repeating: "203.0.113.7", count: PublicRateLimit.limit + 1) + ["198.51.100.2"] {
                let headers: HTTPHeaders = ["X-Forwarded-For": "10.9.9.9, \(address)"]
                statuses.append(try await live(app).sendRequest(.GET, "/s/1-2-x", headers: headers).status)
            }
            #expect(statuses.dropLast(2).allSatisfy { $0 == .notFound })
            #expect(statuses.suffix(2) == [.tooManyRequests, .notFound])
        }
    }

    @Test func aLinkGoesNeitherToACustomerWhoDidNotConsentOrAskedNotToBeDisturbedNorByEmailWithoutAMailServer()
        async throws
    {
        try await withHuifang { app in
            let desk = try await desk(app)
            let email = try await send(
                app, .POST, "/api/v1/tasks/\(desk.task.id!)/survey-links", token: desk.token, body: ["channel": "email"]
            )
            #expect(email.status == .unprocessableEntity && email.body.string.contains("HUIFANG_SMTP_URL"))
            desk.customer.consent = false
            try await desk.customer.update(on: app.db)
            let unconsented = try await send(
                app, .POST, "/api/v1/tasks/\(desk.task.id!)/survey-links", token: desk.token, body: ["channel": "sms"])
            #expect(unconsented.status == .unprocessableEntity && unconsented.body.string.contains("未同意"))
            desk.customer.consent = true
            desk.customer.doNotDisturb = true
            try await desk.customer.update(on: app.db)
            let quiet = try await send(
                app, .POST, "/api/v1/tasks/\(desk.task.id!)/survey-links", token: desk.token, body: ["channel": "sms"])
            #expect(quiet.status == .unprocessableEntity && quiet.body.string.contains("免打扰"))
            #expect(try await SurveyLink.query(on: app.db).count() == 0)
            #expect(try await MailMessage.query(on: app.db).count() == 0)
        }
    }

    @Test func surveyLinksGoByEmailOverSMTP() async throws {
        let sink = try await SMTPSink.start()
        defer { Task { await sink.stop() } }
        try await withHuifang([
            "HUIFANG_SMTP_URL": "smtp://127.0.0.1:\(sink.port)", "HUIFANG_MAIL_FROM": "huifang@example.com",
            "HUIFANG_COMPANY": "龙阳汽车",
        ]) { app in
            let desk = try await desk(app)
            let sent = try await SurveyLinks(db: app.db, config: app.huifang, now: Date()).send(
                task: desk.task, channel: "email", by: .commandLine())
            let delivery = try await Outbox(db: app.db, config: app.huifang).deliver(now: Date())
            #expect(delivery.sent == 1)
            let mail = try #require(sink.messages.first)
            #expect(mail.to == ["lina@example.com"] && mail.subject == "龙阳汽车：请评价我们的服务" && mail.body.contains(sent.url))
            #expect(try await MailMessage.find(sent.messageID, on: app.db)!.transport == "smtp")
        }
    }

    /// A stand-in SMS provider: a real HTTP server that keeps what it is sent and fails when told to.
    final class Gateway: Sendable {
        let received = NIOLockedValueBox<[(authorization: String?, body: SMSClient.Payload)]>([])
        let failing = NIOLockedValueBox(false)
    }

    // Long: one message's story through a fake gateway: sent, retried, failed, shown, queued again by hand.
    @Test func smsGoThroughTheHTTPGatewayWithRetriesAndFailuresShownToAdmins() async throws {
        let gateway = Gateway()
        let server = try await Application.make(.testing)
        server.post("send") { req async throws -> HTTPStatus in
            if gateway.failing.withLockedValue({ $0 }) { return .serviceUnavailable }
            let payload = try req.content.decode(SMSClient.Payload.self)
            gateway.received.withLockedValue { $0.append((req.headers.first(name: .authorization), payload)) }
            return .accepted
        }
        try await server.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = server.http.server.shared.localAddress!.port!
        do {
            try await withHuifang([
                "HUIFANG_SMS_GATEWAY": "http://127.0.0.1:\(port)/send", "HUIFANG_SMS_TOKEN": "s3cret",
            ]) { app in
                let desk = try await desk(app)
                let outbox = Outbox(db: app.db, config: app.huifang, client: app.client, logger: app.logger)
                let sent = try await SurveyLinks(db: app.db, config: app.huifang, now: Date()).send(
                    task: desk.task, channel: "sms", by: .commandLine())
                #expect(try await outbox.deliver(now: Date()).sent == 1)
                let got = try #require(gateway.received.withLockedValue { $0 }.first)
                #expect(
                    got.authorization == "Bearer s3cret" && got.body.to == "+8613800138000"
                        && got.body.text.contains(sent.url))
                #expect(got.body.reference == String(sent.messageID))
                #expect(try await MailMessage.find(sent.messageID, on: app.db)!.transport == "http")

                // The gateway fails: retried with back-off, then failed, visible on the admin page, and queued again by hand.
                gateway.failing.withLockedValue { $0 = true }
                let second = try await SurveyLinks(db: app.db, config: app.huifang, now: Date()).send(
                    task: desk.task, channel: "sms", by: .commandLine())
                var now = Date()
                for _ in 1..<Outbox.maxAttempts {
                    #expect(try await outbox.deliver(now: now).retrying == 1)
                    now = Date(
                        timeIntervalSince1970: try await MailMessage.find(second.messageID, on: app.db)!.nextAttemptAt)
                }
                #expect(try await outbox.deliver(now: now).failed == 1)
                let failed = try await MailMessage.find(second.messageID, on: app.db)!
                #expect(
                    failed.status == .failed && failed.attempts == Outbox.maxAttempts
                        && failed.lastError?.contains("503") == true)
                let (admin, password) = try await makeUser(app, .admin, username: "admin1")
                var client = try await PageClient.signedIn(app, admin.username, password)
                let page = try await client.get("/messages?status=failed")
                #expect(
                    page.status == .ok && page.body.string.contains("503")
                        && page.body.string.contains("/messages/\(second.messageID)/retry"))
                let retried = try await client.post("/messages/\(second.messageID)/retry", form: [:])
                #expect(retried.status == .seeOther)
                gateway.failing.withLockedValue { $0 = false }
                #expect(try await outbox.deliver(now: Date()).sent == 1)
                #expect(gateway.received.withLockedValue { $0 }.count == 2)
                // Agents do not see the outbox.
                var agent = try await PageClient.signedIn(app, desk.agent.username, desk.password)
                #expect(try await agent.get("/messages").status == .forbidden)
            }
        } catch {
            await server.server.shutdown()
            try await server.asyncShutdown()
            throw error
        }
        await server.server.shutdown()
        try await server.asyncShutdown()
    }

    // Long: one agent's story end to end: page, windows, a refused save, a stale page, a save, the next task.
    @Test func theWorkspaceShowsTheTaskToItsAgentAndRecordsFromTheFormThenGoesToTheNextTask() async throws {
        try await withHuifang { app in
            let desk = try await desk(app)
            let second = try await Self.task(
                app, customer: desk.customer, agent: desk.agent, rule: desk.rule, key: "R2")
            var client = try await PageClient.signedIn(app, desk.agent.username, desk.password)
            let page = try await client.get("/tasks/\(desk.task.id!)")
            let html = page.body.string
            #expect(page.status == .ok)
            #expect(html.contains("李女士您好，您的空调维修后使用正常吗？"), "the script is filled in")
            #expect(
                html.contains("138 0013 8000") || html.contains("13800138000"),
                "the task's agent sees the number to dial")
            #expect(html.contains("维修满意度") && html.contains("name=\"answer.q1\"") && html.contains("data-low=\"1\""))
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "task.view").count() == 1)
            // Outside the contact windows the page says not to call, and when the next window starts.
            let windows = try await PlanningContext.load(on: app.db).windows([])
            if windows.isInsideWindow(Date()) {
                #expect(!html.contains("outside-window"))
            } else {
                #expect(
                    html.contains("现在不在回访时段")
                        && html.contains(app.huifang.formatDateTime(windows.nextContactSlot(after: Date()))))
            }

            // Refused: every entry is shown again, nothing is lost.
            let refused = try await client.post(
                "/tasks/\(desk.task.id!)/records",
                form: [
                    "outcome": "reached", "answer.q1": "satisfied", "notes": "客户在开会", "recordingConsent": "on",
                    "recordingRef": "REC-9",
                    "correct.email": "new@example.com", "openTicket": "on", "ticketDescription": "空调异响",
                ])
            let again = refused.body.string
            #expect(refused.status == .unprocessableEntity && again.contains("第 2 题"))
            for kept in [
                "value=\"satisfied\" checked", "客户在开会", "value=\"REC-9\"", "value=\"new@example.com\"",
                "id=\"openTicket\" checked",
                "空调异响", "name=\"recordingConsent\" checked",
            ] {
                #expect(again.contains(kept), "\(kept) is shown again")
            }
            #expect(!again.contains("问题描述："), "the description is asked for only when there is nothing else wrong")
            // A page left open for days: the save is refused once and the call starts again from now.
            let stale = "2026-01-01T08:00:00Z"
            let old = try await client.post(
                "/tasks/\(desk.task.id!)/records", form: ["outcome": "noAnswer", "startedAt": stale])
            #expect(old.status == .unprocessableEntity && old.body.string.contains("开始时间"))
            #expect(!old.body.string.contains(stale) && old.body.string.contains("name=\"startedAt\" value=\"20"))
            let saved = try await client.post(
                "/tasks/\(desk.task.id!)/records",
                form: [
                    "outcome": "reached", "answer.q1": "satisfied", "answer.q2": "5", "notes": "一切正常",
                    "startedAt": ISO8601DateFormatter().string(from: Date().addingTimeInterval(-95)),
                ])
            #expect(
                saved.status == .seeOther
                    && saved.headers.first(name: .location) == "/tasks/next?after=\(desk.task.id!)")
            #expect(try await FollowUpTask.find(desk.task.id, on: app.db)!.status == .completed)
            let stored = try #require(try await FollowUpRecord.query(on: app.db).first())
            #expect(
                stored.agentName == desk.agent.displayName && stored.notes == "一切正常"
                    && (90...200).contains(stored.durationSeconds))
            let next = try await client.get("/tasks/next?after=\(desk.task.id!)")
            #expect(next.headers.first(name: .location) == "/tasks/\(second.id!)")
            // The agent's home page counts the day: one still due now, one of the two on today's list done.
            let home = try await client.get("/").body.string
            #expect(
                home.contains("<span class=\"big\">1</span><span>现在要联系")
                    && home.contains("<span class=\"big\">1 / 2</span><span>今日进度"))

            // On the agent's own call list the number is a link that dials it (a phone's call button).
            #expect(try await client.get("/tasks/mine").body.string.contains("href=\"tel:+86"))

            // Another agent may not open it; an analyst has no call list.
            let (other, otherPassword) = try await makeUser(app, .agent, username: "zhangwei")
            var stranger = try await PageClient.signedIn(app, other.username, otherPassword)
            #expect(try await stranger.get("/tasks/\(second.id!)").status == .notFound)
            let (analyst, analystPassword) = try await makeUser(app, .analyst, username: "zhouxin")
            var reader = try await PageClient.signedIn(app, analyst.username, analystPassword)
            #expect(try await reader.get("/tasks/\(second.id!)").status == .forbidden)
        }
    }
}
