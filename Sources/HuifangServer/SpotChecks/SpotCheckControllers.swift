import Fluent
import Foundation
import HuifangCore
import Vapor

extension Request {

    /// The check in the path; an agent may open only their own.
    func findSpotCheck() async throws -> SpotCheck {
        guard let id = parameters.get("id", as: Int.self), let check = try await SpotCheck.find(id, on: db) else {
            throw AppError.notFound
        }
        if let user = auth.get(User.self), user.role == .agent, check.agentID != user.id { throw AppError.notFound }
        return check
    }

    /// `key=met|missed` fields of a review form or `results` of the API.
    func reviewInput(_ fields: [String: String], plan: SpotCheckPlan) -> [String: Bool] {
        var met: [String: Bool] = [:]
        for point in plan.checkpoints {
            switch fields["results." + point.key] {
            case "met": met[point.key] = true
            case "missed": met[point.key] = false
            default: break
            }
        }
        return met
    }
}

extension SpotCheckPlan: Content {}

/// One spot check as the API gives it.
struct SpotCheckOut: Content {
    let id: Int
    let month: String
    let recordID: Int
    let agent: String
    let seed: String
    let status: String
    let score: Int?
    let maxScore: Int
    let failed: Bool
    let results: [String: Bool]
    let comment: String
    let reviewer: String
    let reviewedAt: Date?
    let acknowledgedAt: Date?
    let agentReply: String

    init(_ check: SpotCheck) {
        id = check.id!
        month = check.month
        recordID = check.recordID
        agent = check.agentName
        seed = check.seed
        status = check.status.rawValue
        score = check.score
        maxScore = check.maxScore
        failed = check.failed
        results = check.met
        comment = check.comment
        reviewer = check.reviewerName
        reviewedAt = check.reviewedAt
        acknowledgedAt = check.acknowledgedAt
        agentReply = check.agentReply
    }
}

struct SpotCheckAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let management = routes.grouped("spot-checks").guarded(.reportManagement, .api)
        management.get(use: list)
        management.post("draw", use: draw)
        management.post(":id", "review", use: review)
        management.get("plan", use: plan)
        management.put("plan", use: savePlan)
        let own = routes.grouped("spot-checks").guarded(.callList, .api)
        own.get("mine", use: mine)
        own.post(":id", "acknowledge", use: acknowledge)
    }

    struct DrawInput: Content {
        let month: String
        let seed: String?
    }

    struct ReviewInput: Content {
        let results: [String: Bool]
        let comment: String?
    }

    struct AcknowledgeInput: Content {
        let reply: String?
    }

    @Sendable func list(req: Request) async throws -> [SpotCheckOut] {
        let month = req.query[String.self, at: "month"] ?? ""
        guard ReportPeriod(month: month) != nil else {
            throw NamedFieldErrors(errors: [.init(field: "month", key: "report.problem.month")])
        }
        return try await SpotCheck.query(on: req.db).filter(\.$month == month).sort(\.$agentName).sort(\.$id).all().map(
            SpotCheckOut.init)
    }

    @Sendable func draw(req: Request) async throws -> Response {
        let input = try req.content.decode(DrawInput.self)
        let drawn = try await req.domain.spotChecks.draw(
            month: input.month, seed: input.seed ?? String(UInt32.random(in: 100_000...999_999)))
        try await req.domain.audit(
            "spot.draw", subjectType: "spotCheck", subjectID: drawn.month,
            detail: "seed=\(drawn.seed) count=\(drawn.total)")
        return try await drawn.encodeResponse(status: .created, for: req)
    }

    @Sendable func review(req: Request) async throws -> SpotCheckOut {
        let check = try await req.findSpotCheck()
        let input = try req.content.decode(ReviewInput.self)
        guard let user = req.auth.get(User.self) else { throw Abort(.unauthorized) }
        let reviewed = try await req.domain.spotChecks.review(
            check, met: input.results, comment: input.comment ?? "", by: user)
        try await req.domain.audit(
            "spot.review", subjectType: "spotCheck", subjectID: String(check.id!),
            detail: "score=\(reviewed.score ?? 0)")
        return SpotCheckOut(reviewed)
    }

    @Sendable func mine(req: Request) async throws -> [SpotCheckOut] {
        guard let user = req.auth.get(User.self) else { throw Abort(.unauthorized) }
        return try await SpotCheck.query(on: req.db).filter(\.$agentID == user.id).filter(\.$status != .pending).sort(
            \.$id, .descending
        ).all().map(SpotCheckOut.init)
    }

    @Sendable func acknowledge(req: Request) async throws -> SpotCheckOut {
        let check = try await req.findSpotCheck()
        guard let user = req.auth.get(User.self) else { throw Abort(.unauthorized) }
        let input = try req.content.decode(AcknowledgeInput.self)
        return SpotCheckOut(try await req.domain.spotChecks.acknowledge(check, by: user, reply: input.reply ?? ""))
    }

    @Sendable func plan(req: Request) async throws -> SpotCheckPlan {
        try await SpotCheckSettingsRecord.load(on: req.db)
    }

    @Sendable func savePlan(req: Request) async throws -> SpotCheckPlan {
        let plan = try req.content.decode(SpotCheckPlan.self)
        let problems = plan.problems()
        guard problems.isEmpty else { throw NamedFieldErrors(errors: problems) }
        try await req.domain.savePlan(plan)
        return plan
    }
}

extension DomainServices {
    func savePlan(_ plan: SpotCheckPlan) async throws {
        let record =
            try await SpotCheckSettingsRecord.find(1, on: db)
            ?? {
                let r = SpotCheckSettingsRecord()
                r.id = 1
                return r
            }()
        try record.apply(plan)
        try await record.save(on: db)
        try await audit(
            "spot.plan", subjectType: "spotCheck",
            detail: "share=\(plan.sharePerMille) minimum=\(plan.minimum) checkpoints=\(plan.checkpoints.count)")
    }
}

/// The spot-check pages: the month's sample and drawing it, reviewing a record, the plan, and the agent's own reviews.
struct SpotCheckPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let management = routes.grouped("spot-checks").guarded(.reportManagement, .page)
        management.get(use: month)
        management.post("draw", use: draw)
        management.get("plan", use: plan)
        management.post("plan", use: savePlan)
        management.post(":id", "review", use: review)
        let own = routes.grouped("spot-checks").guarded(.callList, .page)
        own.get("mine", use: mine)
        own.get(":id", use: show)
        own.post(":id", "acknowledge", use: acknowledge)
    }

    struct Line: Encodable {
        let id: Int
        let agent: String
        let status: String
        let statusText: String
        let score: String
        let failed: Bool
        let at: String
    }
    struct AgentLine: Encodable {
        let agent: String
        let drawn: Int
        let reviewed: Int
        let score: String
    }
    struct MonthPage: Encodable {
        let month: String
        let seed: String
        let drawnSeed: String?
        let plan: String
        let agents: [AgentLine]
        let lines: [Line]
    }

    private func lines(_ req: Request, _ checks: [SpotCheck]) async throws -> [Line] {
        let ended = Dictionary(
            try await FollowUpRecord.query(on: req.db).filter(\.$id ~~ checks.map(\.recordID)).all().map {
                ($0.id!, $0.endedAt)
            },
            uniquingKeysWith: { a, _ in a })
        let config = req.application.huifang
        return checks.map { check in
            Line(
                id: check.id!, agent: check.agentName, status: check.status.rawValue,
                statusText: req.t("spot.status.\(check.status.rawValue)"),
                score: check.score.map { "\($0) / \(check.maxScore)" } ?? "—", failed: check.failed,
                at: ended[check.recordID].map { config.formatDateTime($0) } ?? "")
        }
    }

    @Sendable func month(req: Request) async throws -> Response {
        let today = req.today
        let month = req.query[String.self, at: "month"] ?? String(today.adding(months: -1).iso.prefix(7))
        guard ReportPeriod(month: month) != nil else { throw AppError(.badRequest, "report.problem.month") }
        let checks = try await SpotCheck.query(on: req.db).filter(\.$month == month).sort(\.$agentName).sort(\.$id)
            .all()
        let agents = Dictionary(grouping: checks, by: \.agentName).map { name, checks in
            let reviewed = checks.filter { $0.status != .pending }
            return AgentLine(
                agent: name, drawn: checks.count, reviewed: reviewed.count,
                score: Rate(reviewed.reduce(0) { $0 + ($1.score ?? 0) }, of: reviewed.reduce(0) { $0 + $1.maxScore })
                    .text)
        }.sorted { $0.agent < $1.agent }
        let plan = try await SpotCheckSettingsRecord.load(on: req.db)
        let page = MonthPage(
            month: month, seed: String(UInt32.random(in: 100_000...999_999)), drawnSeed: checks.first?.seed,
            plan: req.t(
                "spot.planSummary", ReportPagesController.percent(plan.sharePerMille), String(plan.minimum),
                String(plan.checkpoints.count)),
            agents: agents, lines: try await lines(req, checks))
        return try await req.renderPage("spot/month", titleKey: "spot.title", titleArguments: [month], page)
    }

    @Sendable func draw(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        let month = form["month"] ?? ""
        return try await req.change(
            back:
                "/spot-checks?month=\(month.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["-"])) ?? "")",
            savedKey: "spot.drawn"
        ) {
            let drawn = try await req.domain.spotChecks.draw(month: month, seed: form["seed"] ?? "")
            try await req.domain.audit(
                "spot.draw", subjectType: "spotCheck", subjectID: drawn.month,
                detail: "seed=\(drawn.seed) count=\(drawn.total)")
        }
    }

    struct ShowPage: Encodable {
        struct Point: Encodable {
            let key: String
            let text: String
            let points: Int
            let instantFail: Bool
            let met: Bool?
        }
        struct Answer: Encodable {
            let indicator: String
            let value: String
        }
        let id: Int
        let month: String
        let seed: String
        let agent: String
        let status: String
        let statusText: String
        let customer: String
        let customerID: Int
        let taskID: Int
        let channel: String
        let outcome: String
        let when: String
        let duration: Int
        let notes: String
        let recording: String
        let corrections: String
        let answers: [Answer]
        let points: [Point]
        let score: String
        let failed: Bool
        let comment: String
        let reviewer: String
        let reviewedAt: String
        let reply: String
        let acknowledgedAt: String
        let canReview: Bool
        let canAcknowledge: Bool
    }

    @Sendable func show(req: Request) async throws -> Response {
        let check = try await req.findSpotCheck()
        guard let record = try await FollowUpRecord.find(check.recordID, on: req.db) else { throw AppError.notFound }
        let customer = try await Customer.find(record.customerID, on: req.db)
        let answers = try await SurveyAnswer.query(on: req.db).filter(\.$recordID == record.id!).sort(\.$id).all()
        let reader = try await AnswerReader.load(for: answers, language: req.language, on: req.db)
        try await req.domain.audit(
            "spot.view", subjectType: "spotCheck", subjectID: String(check.id!),
            detail: "record=\(record.id!) customer=\(record.customerID)")
        let user = req.auth.get(User.self)
        let config = req.application.huifang
        let met = check.met
        let page = ShowPage(
            id: check.id!, month: check.month, seed: check.seed, agent: check.agentName, status: check.status.rawValue,
            statusText: req.t("spot.status.\(check.status.rawValue)"), customer: customer?.name ?? "—",
            customerID: record.customerID, taskID: record.taskID,
            channel: req.t("channel.\(record.channel)"), outcome: req.t("outcome.\(record.outcome)"),
            when: config.formatDateTime(record.endedAt),
            duration: record.durationSeconds, notes: record.notes,
            recording: record.recordingConsent
                ? (record.recordingRef.isEmpty ? req.t("spot.recordingConsented") : record.recordingRef)
                : req.t("spot.noRecording"),
            corrections: record.corrections,
            answers: answers.map { .init(indicator: reader.heading($0), value: reader.value($0)) },
            points: check.plan.checkpoints.map {
                .init(key: $0.key, text: $0.text, points: $0.points, instantFail: $0.instantFail, met: met[$0.key])
            },
            score: check.score.map { "\($0) / \(check.maxScore)" } ?? "—", failed: check.failed, comment: check.comment,
            reviewer: check.reviewerName,
            reviewedAt: check.reviewedAt.map { config.formatDateTime($0) } ?? "", reply: check.agentReply,
            acknowledgedAt: check.acknowledgedAt.map { config.formatDateTime($0) } ?? "",
            canReview: check.status != .acknowledged
                && user.map { RouteAccess.reportManagement.roles.contains($0.role) } == true,
            canAcknowledge: check.status == .reviewed && check.agentID == user?.id)
        return try await req.renderPage(
            "spot/show", titleKey: "spot.checkTitle", titleArguments: [String(check.id!)], page)
    }

    @Sendable func review(req: Request) async throws -> Response {
        let check = try await req.findSpotCheck()
        let form = try req.content.decode([String: String].self)
        return try await req.change(back: "/spot-checks/\(check.id!)", savedKey: "spot.reviewed") {
            guard let user = req.auth.get(User.self) else { throw Abort(.unauthorized) }
            let reviewed = try await req.domain.spotChecks.review(
                check, met: req.reviewInput(form, plan: check.plan), comment: form["comment"] ?? "", by: user)
            try await req.domain.audit(
                "spot.review", subjectType: "spotCheck", subjectID: String(check.id!),
                detail: "score=\(reviewed.score ?? 0)")
        }
    }

    @Sendable func acknowledge(req: Request) async throws -> Response {
        let check = try await req.findSpotCheck()
        let form = try req.content.decode([String: String].self)
        return try await req.change(back: "/spot-checks/\(check.id!)", savedKey: "spot.acknowledged") {
            guard let user = req.auth.get(User.self) else { throw Abort(.unauthorized) }
            _ = try await req.domain.spotChecks.acknowledge(check, by: user, reply: form["reply"] ?? "")
        }
    }

    struct MinePage: Encodable {
        let lines: [Line]
    }

    @Sendable func mine(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else { throw Abort(.unauthorized) }
        let checks = try await SpotCheck.query(on: req.db).filter(\.$agentID == user.id).filter(\.$status != .pending)
            .sort(\.$id, .descending).limit(200).all()
        return try await req.renderPage(
            "spot/mine", titleKey: "nav.mySpotChecks", MinePage(lines: try await lines(req, checks)))
    }

    struct PlanPage: Encodable {
        let share: String
        let minimum: Int
        let checkpoints: String
    }

    @Sendable func plan(req: Request) async throws -> Response {
        let plan = try await SpotCheckSettingsRecord.load(on: req.db)
        let lines = plan.checkpoints.map { "\($0.text)|\($0.points)" + ($0.instantFail ? "|否决" : "") }.joined(
            separator: "\n")
        return try await req.renderPage(
            "spot/plan", titleKey: "spot.planTitle",
            PlanPage(
                share: ReportPagesController.percent(plan.sharePerMille), minimum: plan.minimum, checkpoints: lines))
    }

    @Sendable func savePlan(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        return try await req.change(back: "/spot-checks/plan") {
            try await req.domain.savePlan(
                try SpotCheckService.plan(
                    share: form["share"] ?? "", minimum: form["minimum"] ?? "", checkpoints: form["checkpoints"] ?? ""))
        }
    }
}
