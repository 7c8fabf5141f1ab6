import Fluent
import Foundation
import HuifangCore
import SQLKit

/// The supervisor's, the analyst's and the admin's home pages.
extension DomainServices {
    // MARK: Supervisor

    func supervisorBoard(_ board: inout Dashboard, _ user: User, _ day: DashboardDay) async throws {
        let counts = DashboardCounts(db: db, day: day)
        let due = try await counts.dueNow(agent: nil)
        let done = try await counts.completedToday(agent: nil)
        let overdue = try await counts.overdueTickets(handler: nil)
        let escalated = try await counts.escalatedTickets()
        let waiting = try await waitingForSupervisor(day)
        board.tiles =
            [
                .init(
                    id: "today-progress", value: "\(done) / \(done + due)", label: t("home.teamProgress"),
                    href: "/tasks",
                    note: try await planNote(day)),
                .init(
                    id: "overdue-tickets", value: "\(overdue)", label: t("home.overdueTickets"),
                    href: "/tickets?overdue=1",
                    tone: overdue > 0 ? "bad" : ""),
                .init(
                    id: "escalated-tickets", value: "\(escalated)", label: t("home.escalatedTickets"), href: "/tickets",
                    tone: escalated > 0 ? "bad" : ""),
            ] + waiting
        var late = TicketFilter(overdueOnly: true, limit: 8)
        late.scope = user.viewer
        board.panels = [
            ticketPanel(
                "overdue", t("home.overdueOldestFirst"), try await ticketQueries.page(late).rows,
                more: "/tickets?overdue=1", empty: "home.noneOverdue"),
            try await atRiskPanel(day),
            try await loadPanel(day),
            try await weekPanel(day),
        ]
    }

    /// What the day's planning did, or that it has not run.
    private func planNote(_ day: DashboardDay) async throws -> String {
        guard
            let run = try await PlannerRun.query(on: db).filter(\.$day == day.today.iso).sort(\.$startedAt, .descending)
                .first()
        else { return t("home.notPlanned") }
        return t("home.planned", config.formatDateTime(run.startedAt), t("home.run.\(run.status.rawValue)"))
    }

    /// Items waiting for a supervisor: new tickets nobody took, spot checks to review, last month to sign off.
    private func waitingForSupervisor(_ day: DashboardDay) async throws -> [Dashboard.Tile] {
        let counts = DashboardCounts(db: db, day: day)
        let fresh = try await counts.newTickets(department: nil)
        let checks = try await SpotCheck.query(on: db).filter(\.$status == .pending).count()
        let lastMonth = String(day.today.adding(months: -1).iso.prefix(7))
        let signed = try await ReportSignOff.query(on: db).filter(\.$month == lastMonth).first() != nil
        var tiles: [Dashboard.Tile] = [
            .init(
                id: "new-tickets", value: "\(fresh)", label: t("home.newTickets"), href: "/tickets?status=new",
                tone: fresh > 0 ? "act" : ""),
            .init(
                id: "spot-pending", value: "\(checks)", label: t("home.spotChecksToReview"), href: "/spot-checks",
                tone: checks > 0 ? "act" : ""),
        ]
        if !signed {
            tiles.append(
                .init(
                    id: "sign-off", value: lastMonth, label: t("home.toSignOff"),
                    href: "/reports?month=\(lastMonth)", tone: "act"))
        }
        return tiles
    }

    /// Open tasks whose deadline is today or tomorrow (or already past), earliest first.
    private func atRiskPanel(_ day: DashboardDay) async throws -> Dashboard.Panel {
        let tasks = try await FollowUpTask.query(on: db).filter(\.$status == .open)
            .filter(\.$deadlineOn <= day.today.adding(days: 1).iso).sort(\.$deadlineAt).sort(\.$id).limit(8)
            .with(\.$customer).with(\.$assignedAgent).all()
        return Dashboard.Panel(
            id: "at-risk", title: t("home.atRisk"),
            headings: [t("home.task"), t("tickets.customer"), t("home.agent"), t("home.deadline")],
            rows: tasks.map { task in
                [
                    .init("#\(task.id!)"), .init(task.customer.name), .init(task.assignedAgent?.displayName ?? "—"),
                    .init(task.deadlineOn, tone: task.deadlineOn < day.today.iso ? "bad" : ""),
                ]
            }, empty: t("home.noneAtRisk"), more: .init(t("home.wholeList"), href: "/tasks"))
    }

    /// Each agent's load today: what is due, what was tried and completed since midnight.
    private func loadPanel(_ day: DashboardDay) async throws -> Dashboard.Panel {
        let loads = try await agentLoads(on: day.today)
        let today = try await DashboardCounts(db: db, day: day).todayByAgent()
        return Dashboard.Panel(
            id: "agents", title: t("home.agentLoad"),
            headings: [t("home.agent"), t("home.dueToday"), t("home.attemptsToday"), t("home.completedToday")],
            rows: loads.map { load in
                let done = today[load.id] ?? (0, 0)
                return [
                    .init(load.name + (load.absent ? "（\(t("home.away"))）" : "")), .init("\(load.dueToday)"),
                    .init("\(done.attempts)"), .init("\(done.completed)"),
                ]
            }, empty: t("home.noAgents"), more: .init(t("home.distribution"), href: "/tasks"))
    }

    /// Satisfaction and complaints this week so far against the same days last week, from the report's queries.
    private func weekPanel(_ day: DashboardDay) async throws -> Dashboard.Panel {
        let (this, last) = day.weeks
        let now = try await reports.report(this, groupedBy: .none)
        let before = try await reports.report(last, groupedBy: .none)
        func complaints(_ report: FigureReport) -> Int {
            report.problems.byKind.first { $0.key == TicketKind.complaint.rawValue }?.count ?? 0
        }
        let link = "/reports?from=\(this.from.iso)&to=\(this.to.iso)"
        return Dashboard.Panel(
            id: "week", title: t("home.week"), headings: [t("home.figure"), t("home.thisWeek"), t("home.lastWeek")],
            rows: [
                [
                    .init(t("figure.satisfaction"), href: link), .init(now.overall.rate(.satisfaction).text),
                    .init(before.overall.rate(.satisfaction).text),
                ],
                [
                    .init(t("home.complaints"), href: link),
                    .init("\(complaints(now))", tone: complaints(now) > complaints(before) ? "bad" : ""),
                    .init("\(complaints(before))"),
                ],
            ], empty: "")
    }

    // MARK: Analyst

    func analystBoard(_ board: inout Dashboard, _ day: DashboardDay) async throws {
        let period = ReportPeriod(month: day.month)!
        let report = try await reports.report(period, groupedBy: .none)
        let targets = try await FigureTargetRecord.all(on: db)
        let figures = Figure.allCases.filter { targets[$0] != nil || Scorecard.agentFigures.contains($0) }
        board.tiles = figures.map { figure in
            let rate = report.overall.rate(figure)
            let met = targets[figure]?.isMet(by: rate)
            return .init(
                id: "figure-\(figure.rawValue)", value: rate.text, label: t("figure.\(figure.rawValue)"),
                href: "/reports?month=\(day.month)",
                note: targets[figure].map { "≥ " + Rate($0.minimumPerMille, of: 1000).text },
                tone: met.map { $0 ? "good" : "bad" } ?? "")
        }
        let months = ReportPeriod.months(endingWith: day.today, count: 6)
        let trend = try await reports.trend(months, figures: figures)
        board.panels = [
            Dashboard.Panel(
                id: "trend", title: t("home.trend"),
                headings: [t("home.figure")] + months.map { $0.month ?? $0.from.iso },
                rows: figures.filter { figure in (trend[figure] ?? []).contains { $0.rate.denominator > 0 } }.map {
                    figure in
                    [.init(t("figure.\(figure.rawValue)"))]
                        + (trend[figure] ?? []).map {
                            .init($0.rate.text, href: "/reports?month=\($0.month)")
                        }
                }, empty: t("home.noFigures"),
                more: .init(t("home.openReport"), href: "/reports?month=\(day.month)"))
        ]
    }
}

extension DomainServices {
    // MARK: Admin

    func adminBoard(_ board: inout Dashboard, _ day: DashboardDay) async throws {
        let failed = try await MailMessage.query(on: db).filter(\.$status == .failed).count()
        let pending = try await MailMessage.query(on: db).filter(\.$status == .pending).count()
        let locked = try await lockedOutAccounts()
        board.tiles = [
            .init(
                id: "outbox-failed", value: "\(failed)", label: t("home.outboxFailed"), href: "/messages?status=failed",
                tone: failed > 0 ? "bad" : ""),
            .init(id: "outbox-pending", value: "\(pending)", label: t("home.outboxPending"), href: "/messages"),
            .init(
                id: "locked-out", value: "\(locked.count)", label: t("home.lockedOut"), href: "/users",
                note: locked.isEmpty ? nil : locked.joined(separator: "、"), tone: locked.isEmpty ? "" : "bad"),
            .init(id: "database-size", value: try await databaseSize(), label: t("home.databaseSize")),
        ]
        board.panels = [try await jobsPanel(), try await plannerPanel(), try await activityPanel()]
    }

    /// Accounts whose failed sign-ins in the throttle's window lock them out now.
    private func lockedOutAccounts() async throws -> [String] {
        struct Row: Decodable { let username: String }
        let throttle = config.loginThrottle
        return try await db.sql.raw(
            """
            SELECT username FROM login_attempts
            WHERE succeeded = \(bind: false) AND at > \(bind: now.addingTimeInterval(-throttle.window))
            GROUP BY username HAVING COUNT(*) >= \(bind: throttle.maxFailuresPerAccount) ORDER BY username
            """
        ).all(decoding: Row.self).map(\.username)
    }

    /// The database's size on disk, in MiB.
    private func databaseSize() async throws -> String {
        struct Size: Decodable { let bytes: Int64 }
        let sql = db.sql
        let query: SQLQueryString =
            sql.dialect.name == "postgresql"
            ? "SELECT pg_database_size(current_database()) AS bytes"
            : "SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()"
        let bytes = try await sql.raw(query).first(decoding: Size.self)?.bytes ?? 0
        return String(format: "%.1f MiB", Double(bytes) / 1_048_576)
    }

    /// Each periodic job's last run on each instance.
    private func jobsPanel() async throws -> Dashboard.Panel {
        let beats = try await JobHeartbeat.all(on: db)
        func time(_ seconds: Double) -> String { config.formatDateTime(Date(timeIntervalSince1970: seconds)) }
        return Dashboard.Panel(
            id: "jobs", title: t("home.jobs"),
            headings: [t("home.job"), t("home.instance"), t("home.lastRun"), t("home.outcome"), t("home.lastFailure")],
            rows: beats.map { beat in
                [
                    .init(t("job.name.\(beat.job)")), .init(beat.instance), .init(time(beat.finished_at)),
                    .init(t("home.outcome.\(beat.outcome)"), tone: beat.outcome == "failed" ? "bad" : ""),
                    .init(beat.last_failure_at.map { time($0) + " " + beat.error } ?? "—"),
                ]
            }, empty: t("home.noJobs"))
    }

    /// The planner's last runs, with the instance that ran each.
    private func plannerPanel() async throws -> Dashboard.Panel {
        let runs = try await PlannerRun.query(on: db).sort(\.$startedAt, .descending).limit(5).all()
        return Dashboard.Panel(
            id: "planner-runs", title: t("home.plannerRuns"),
            headings: [t("home.day"), t("home.instance"), t("home.lastRun"), t("home.outcome")],
            rows: runs.map { run in
                [
                    .init(run.day), .init(run.instance), .init(config.formatDateTime(run.startedAt)),
                    .init(t("home.run.\(run.status.rawValue)"), tone: run.status == .finished ? "" : "bad"),
                ]
            }, empty: t("home.noRuns"), more: .init(t("home.distribution"), href: "/tasks"))
    }

    private func activityPanel() async throws -> Dashboard.Panel {
        let entries = try await AuditEntry.query(on: db).sort(\.$id, .descending).limit(8).all()
        return Dashboard.Panel(
            id: "activity", title: t("home.recentAudit"),
            headings: [t("home.when"), t("home.who"), t("home.what")],
            rows: entries.map {
                [.init(config.formatDateTime($0.at)), .init($0.actorName), .init(t("action." + $0.action))]
            },
            empty: "", more: .init(t("nav.audit"), href: "/audit"))
    }
}
