import Fluent
import Foundation
import HuifangCore
import SQLKit

/// Each role's home page. Figures come from the report's own queries (`ReportService`) and the lists from the
/// lists' own queries (`TicketQueries`), so a number on a home page is the number its list or report shows.
extension DomainServices {
    func dashboard(for user: User) async throws -> Dashboard {
        let day = DashboardDay(now: now, config: config)
        var board = Dashboard(greeting: t("home.welcome", user.displayName), role: user.role.rawValue)
        switch user.role {
        case .agent: try await agentBoard(&board, user, day)
        case .supervisor: try await supervisorBoard(&board, user, day)
        case .handler: try await handlerBoard(&board, user)
        case .analyst: try await analystBoard(&board, day)
        case .admin: try await adminBoard(&board, day)
        }
        return board
    }

    // MARK: Agent

    private func agentBoard(_ board: inout Dashboard, _ user: User, _ day: DashboardDay) async throws {
        let counts = DashboardCounts(db: db, day: day)
        let due = try await counts.dueNow(agent: user.id)
        let done = try await counts.completedToday(agent: user.id)
        board.tiles = [
            .init(
                id: "today-progress", value: "\(done) / \(done + due)", label: t("home.todayProgress"),
                href: "/tasks/mine", note: t("home.todayProgressNote")),
            .init(
                id: "today-due", value: "\(due)", label: t("home.dueNow"), href: "/tasks/next",
                note: due > 0 ? t("home.nextClick") : t("home.nothingDue"), tone: due > 0 ? "act" : "",
                hint: due > 0 ? t("home.nextKey") : nil),
            .init(
                id: "callbacks", value: "\(try await counts.callbacksDue(agent: user.id))",
                label: t("home.callbacksDue"), href: "/tasks/mine"),
        ]
        let tickets = try await ticketQueries.page(TicketFilter(handlerID: user.id, limit: 5))
        if !tickets.rows.isEmpty || user.role != .agent {
            board.panels.append(ticketPanel("my-tickets", t("home.myTickets"), tickets.rows, more: "/tickets/queue"))
        }
        board.panels.append(try await monthPanel(for: user, day))
    }

    /// The agent's month so far against the targets: the scorecard's own lines.
    private func monthPanel(for user: User, _ day: DashboardDay) async throws -> Dashboard.Panel {
        let period = ReportPeriod(month: day.month)!
        let cards = try await reports.currentScorecards(period, month: day.month).cards
        let lines = cards.first { $0.agent == user.username }?.lines ?? []
        return Dashboard.Panel(
            id: "my-month", title: t("home.myMonth", day.month),
            headings: [t("home.figure"), t("home.value"), t("home.target")],
            rows: lines.map { line in
                [
                    .init(t("figure.\(line.figure.rawValue)")),
                    .init(line.rate.text, tone: line.met.map { $0 ? "good" : "bad" } ?? ""),
                    .init(line.minimumPerMille.map { "≥ " + Rate($0, of: 1000).text } ?? "—"),
                ]
            }, empty: t("home.noFigures"))
    }

    func ticketPanel(
        _ id: String, _ title: String, _ rows: [TicketRow], more: String, empty: String = "home.noTickets"
    ) -> Dashboard.Panel {
        Dashboard.Panel(
            id: id, title: title,
            headings: [t("tickets.number"), t("tickets.customer"), t("tickets.status"), t("tickets.timeLeft")],
            rows: rows.map { row in
                [
                    .init("#\(row.id)", href: "/tickets/\(row.id)"), .init(row.customerName),
                    .init(row.statusName), .init(row.timeLeft, tone: row.overdue ? "bad" : ""),
                ]
            }, empty: t(empty), more: .init(t("home.wholeList"), href: more))
    }

    // MARK: Handler

    private func handlerBoard(_ board: inout Dashboard, _ user: User) async throws {
        var queue = TicketFilter(limit: 10)
        queue.queueOf = (user.$department.id, user.id!)
        queue.scope = user.viewer
        let rows = try await ticketQueries.page(queue).rows
        let counts = DashboardCounts(db: db, day: DashboardDay(now: now, config: config))
        var fresh = TicketFilter(status: .new, limit: 10)
        fresh.departmentID = user.$department.id
        let untaken = user.$department.id == nil ? [] : try await ticketQueries.page(fresh).rows
        let overdue = try await counts.overdueTickets(handler: user.id)
        let waiting = user.$department.id == nil ? 0 : try await counts.newTickets(department: user.$department.id)
        board.tiles = [
            .init(
                id: "my-open", value: "\(try await counts.openTickets(handler: user.id))",
                label: t("home.myOpenTickets"),
                href: "/tickets/queue"),
            .init(
                id: "my-overdue", value: "\(overdue)", label: t("home.myOverdueTickets"), href: "/tickets/queue",
                tone: overdue > 0 ? "bad" : ""),
            .init(
                id: "untaken", value: "\(waiting)", label: t("home.untaken"), href: "/tickets/queue",
                tone: waiting > 0 ? "act" : ""),
        ]
        board.panels = [
            ticketPanel("queue", t("home.queueByTimeLeft"), rows, more: "/tickets/queue"),
            ticketPanel("new-tickets", t("home.untaken"), untaken, more: "/tickets/queue", empty: "home.noneUntaken"),
        ]
    }
}
