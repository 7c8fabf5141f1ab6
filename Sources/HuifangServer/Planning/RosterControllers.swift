import Fluent
import HuifangCore
import Vapor

/// A roster as the API reads and writes it: days by code (`mon` … `sun`), and the shift on the caller's today.
struct RosterDTO: Content {
    struct Day: Content, Equatable {
        /// `off`, `early`, `late` or `custom`.
        var shift: String
        /// `HH:MM`: the hours of the shift (read for `custom` only when written).
        var start: String?
        var end: String?
    }
    struct Today: Content {
        let day: String
        /// A `ShiftKind`, or `fullDay` for an agent without a roster.
        let shift: String
        let start: String?
        let end: String?
        /// As the call list shows it, in the caller's language.
        let label: String
    }
    let agent: String
    let name: String
    let hasRoster: Bool
    /// `null` for an agent without a roster, who works every day.
    let days: [String: Day]?
    let today: Today
}

/// What `PUT /api/v1/agents/:agent/roster` takes.
struct RosterInput: Content {
    var days: [String: RosterDTO.Day]?
}

extension DomainServices {
    /// The shift as people read it: `早班 09:00–15:00`, `休息`, or `全天（未排班）` without a roster.
    func shiftText(_ roster: WeeklyRoster?, on day: LocalDate) -> String {
        guard let roster else { return t("roster.fullDay") }
        return shiftText(roster.shift(on: day))
    }

    func shiftText(_ shift: Shift) -> String {
        let name = t("roster.shift." + shift.kind.rawValue)
        guard let hours = shift.hours else { return name }
        return name + " " + hours.startText + "–" + hours.endText
    }

    /// The agent's roster as the API shows it, with the shift on `today`.
    func rosterDTO(of agent: User) async throws -> RosterDTO {
        let roster = try await rosters.rosters(of: [try agent.requireID()])[agent.id!]
        let shift = roster?.shift(on: today)
        return RosterDTO(
            agent: agent.username, name: agent.displayName, hasRoster: roster != nil,
            days: roster?.inputs.mapValues {
                RosterDTO.Day(
                    shift: $0.shift, start: $0.start.isEmpty ? nil : $0.start, end: $0.end.isEmpty ? nil : $0.end)
            },
            today: RosterDTO.Today(
                day: today.iso, shift: shift?.kind.rawValue ?? "fullDay", start: shift?.hours?.startText,
                end: shift?.hours?.endText, label: shiftText(roster, on: today)))
    }

    /// The active agent a roster route names (username or id); anyone else is not found.
    func rosterAgent(_ key: String?) async throws -> User {
        do {
            return try await agent(named: key ?? "")
        } catch is NamedFieldError {
            throw AppError.notFound
        }
    }
}

/// `GET/PUT/DELETE /api/v1/agents/:agent/roster` (supervisors, admins) and `GET /api/v1/roster/mine` (an agent's own).
struct RosterAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let planning = routes.grouped("agents", ":agent", "roster").guarded(.planning, .api)
        planning.get(use: show)
        planning.put(use: replace)
        planning.delete(use: clear)
        routes.grouped("roster").guarded(.callList, .api).get("mine", use: mine)
    }

    @Sendable func show(req: Request) async throws -> RosterDTO {
        try await req.domain.rosterDTO(of: try await req.domain.rosterAgent(req.parameters.get("agent")))
    }

    @Sendable func replace(req: Request) async throws -> RosterDTO {
        let agent = try await req.domain.rosterAgent(req.parameters.get("agent"))
        let input = try req.content.decode(RosterInput.self)
        guard let days = input.days else { throw NamedFieldError(field: "days", key: "roster.problem.days") }
        let roster: WeeklyRoster
        do {
            roster = try WeeklyRoster.parse(
                days.mapValues { WeeklyRoster.DayInput(shift: $0.shift, start: $0.start ?? "", end: $0.end ?? "") })
        } catch {
            // Named as the body holds them: `days.tue.end`.
            throw NamedFieldErrors(
                errors: error.errors.map {
                    NamedFieldError(field: "days." + $0.field, key: $0.key, arguments: $0.arguments)
                })
        }
        try await req.domain.rosters.save(roster, for: agent, by: req.actor, at: req.now)
        return try await req.domain.rosterDTO(of: agent)
    }

    @Sendable func clear(req: Request) async throws -> RosterDTO {
        let agent = try await req.domain.rosterAgent(req.parameters.get("agent"))
        try await req.domain.rosters.save(nil, for: agent, by: req.actor, at: req.now)
        return try await req.domain.rosterDTO(of: agent)
    }

    /// The caller's own roster: an agent sees theirs and nobody else's.
    @Sendable func mine(req: Request) async throws -> RosterDTO {
        try await req.domain.rosterDTO(of: try req.auth.require(User.self))
    }
}

/// `/rosters`: every agent's week, and a form per agent with the seven days (supervisors, admins).
struct RosterPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let rosters = routes.grouped("rosters").guarded(.planning, .page)
        rosters.get(use: list)
        rosters.get(":agent", use: edit)
        rosters.post(":agent", use: save)
        rosters.post(":agent", "clear", use: clear)
    }

    struct Row: Encodable {
        let username: String
        let name: String
        let hasRoster: Bool
        let today: String
        let days: [Cell]
    }
    struct Cell: Encodable {
        let day: String
        let shift: String
        let isOff: Bool
    }
    struct Form: Encodable {
        let username: String
        let name: String
        let hasRoster: Bool
        let today: String
        let days: [FormDay]
        let hasErrors: Bool
    }
    struct FormDay: Encodable {
        let code: String
        let label: String
        let options: [SelectOption]
        let start: String
        let end: String
        let isCustom: Bool
        let shiftError: String?
        let startError: String?
        let endError: String?
    }

    @Sendable func list(req: Request) async throws -> Response {
        let agents = try await User.query(on: req.db).filter(\.$role == .agent).filter(\.$isActive == true)
            .sort(\.$displayName).all()
        let rosters = try await req.domain.rosters.rosters(of: agents.compactMap(\.id))
        let rows = agents.map { agent in
            let roster = rosters[agent.id!]
            return Row(
                username: agent.username, name: agent.displayName, hasRoster: roster != nil,
                today: req.domain.shiftText(roster, on: req.today),
                days: WeeklyRoster.dayCodes.enumerated().map { index, code in
                    Cell(
                        day: req.t("roster.day." + code),
                        shift: roster.map { req.domain.shiftText($0.days[index]) } ?? req.t("roster.fullDay"),
                        isOff: roster?.days[index].kind == .off)
                })
        }
        return try await req.renderPage("rosters/index", titleKey: "roster.title", ["rows": rows])
    }

    @Sendable func edit(req: Request) async throws -> Response {
        let agent = try await req.domain.rosterAgent(req.parameters.get("agent"))
        let roster = try await req.domain.rosters.rosters(of: [agent.id!])[agent.id!]
        // Without a roster the form starts from 早班 on weekdays and rest at the weekend.
        let shown = roster ?? WeeklyRoster(days: [.early, .early, .early, .early, .early, .off, .off])
        return try await form(req, agent, stored: roster, values: shown.inputs, errors: [:])
    }

    @Sendable func save(req: Request) async throws -> Response {
        let agent = try await req.domain.rosterAgent(req.parameters.get("agent"))
        let values = Self.days(from: try req.content.decode([String: String].self))
        do {
            try await req.domain.rosters.save(try WeeklyRoster.parse(values), for: agent, by: req.actor, at: req.now)
        } catch let error as NamedFieldErrors {
            let stored = try await req.domain.rosters.rosters(of: [agent.id!])[agent.id!]
            let response = try await form(
                req, agent, stored: stored, values: values, errors: error.errors.messages(in: req.language))
            response.status = .unprocessableEntity
            return response
        }
        req.flash("roster.saved", agent.displayName)
        return req.redirect(to: "/rosters")
    }

    @Sendable func clear(req: Request) async throws -> Response {
        let agent = try await req.domain.rosterAgent(req.parameters.get("agent"))
        try await req.domain.rosters.save(nil, for: agent, by: req.actor, at: req.now)
        req.flash("roster.cleared", agent.displayName)
        return req.redirect(to: "/rosters")
    }

    /// The form's fields (`mon_shift`, `mon_start`, `mon_end`, …) as the days of a week.
    static func days(from form: [String: String]) -> [String: WeeklyRoster.DayInput] {
        var days: [String: WeeklyRoster.DayInput] = [:]
        for code in WeeklyRoster.dayCodes {
            guard let shift = form[code + "_shift"] else { continue }
            days[code] = .init(shift: shift, start: form[code + "_start"] ?? "", end: form[code + "_end"] ?? "")
        }
        return days
    }

    private func form(
        _ req: Request, _ agent: User, stored: WeeklyRoster?, values: [String: WeeklyRoster.DayInput],
        errors: [String: String]
    ) async throws -> Response {
        let days = WeeklyRoster.dayCodes.map { code in
            let value = values[code] ?? .init(shift: "")
            return FormDay(
                code: code, label: req.t("roster.day." + code),
                options: ShiftKind.allCases.map { kind in
                    SelectOption(
                        value: kind.rawValue,
                        label: req.t("roster.shift." + kind.rawValue)
                            + (kind.standardHours.map { " " + $0.startText + "–" + $0.endText } ?? ""),
                        selected: kind.rawValue == value.shift)
                },
                start: value.start, end: value.end, isCustom: value.shift == ShiftKind.custom.rawValue,
                shiftError: errors[code + ".shift"], startError: errors[code + ".start"],
                endError: errors[code + ".end"])
        }
        let context = Form(
            username: agent.username, name: agent.displayName, hasRoster: stored != nil,
            today: req.domain.shiftText(stored, on: req.today), days: days,
            hasErrors: !errors.isEmpty)
        return try await req.renderPage(
            "rosters/form", titleKey: "roster.edit", titleArguments: [agent.displayName], context)
    }
}
