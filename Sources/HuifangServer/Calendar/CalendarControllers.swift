import Fluent
import Foundation
import HuifangCore
import Vapor

/// `/api/v1/calendar/…`: the same questions as `huifang calendar`, and admins' edits.
struct CalendarAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let calendar = routes.grouped("calendar")
        let read = calendar.guarded(.signedIn, .api)
        read.get("workdays", use: workdays)
        read.get("add-workdays", use: addWorkdays)
        read.get("add-hours", use: addHours)
        read.get("show", use: show)
        let admin = calendar.guarded(.administration, .api)
        admin.patch(use: updateSettings)
        admin.put("days", ":date", use: setDay)
        admin.delete("days", ":date", use: clearDay)
        admin.on(.POST, "import", body: .collect(maxSize: "5mb"), use: importSchedule)
    }

    struct Workdays: Content {
        let from: String
        let to: String
        let workdays: Int
    }
    struct AddedDays: Content {
        let from: String
        let days: Int
        let date: String
    }
    struct AddedHours: Content {
        let from: String
        let hours: Double
        let working: Bool
        let result: String
    }
    struct Year: Content {
        let year: Int
        let timeZone: String
        let weeklyHours: [String]
        let contactWindows: String
        let contactOnAllDays: Bool
        let days: [CalendarQueries.Day]
    }
    struct DayInput: Content {
        let kind: String
        let name: String?
        let hours: String?
    }
    struct SettingsInput: Content {
        let timeZone: String?
        let weeklyHours: [String]?
        /// `10:00-12:00,15:00-17:00`: when customers may be called.
        let contactWindows: String?
        let contactOnAllDays: Bool?
    }
    struct Imported: Content { let dates: Int }

    private func required(_ req: Request, _ name: String) throws -> String {
        guard let value = req.query[String.self, at: name], !value.isEmpty else {
            throw CalendarQueries.InputError(
                parameter: name, value: "",
                expected: name == "from" || name == "to" ? "calendar.expect.date" : "calendar.expect.days")
        }
        return value
    }

    @Sendable func workdays(req: Request) async throws -> Workdays {
        let from = try required(req, "from")
        let to = try required(req, "to")
        return Workdays(
            from: from, to: to, workdays: try await req.domain.calendarQueries().workdays(from: from, to: to))
    }

    @Sendable func addWorkdays(req: Request) async throws -> AddedDays {
        let from = try required(req, "from")
        guard let days = req.query[Int.self, at: "days"] else {
            throw CalendarQueries.InputError(
                parameter: "days", value: req.query[String.self, at: "days"] ?? "", expected: "calendar.expect.days")
        }
        return AddedDays(
            from: from, days: days, date: try await req.domain.calendarQueries().addWorkdays(from: from, days: days))
    }

    @Sendable func addHours(req: Request) async throws -> AddedHours {
        let from = try required(req, "from")
        guard let hours = req.query[Double.self, at: "hours"] else {
            throw CalendarQueries.InputError(
                parameter: "hours", value: req.query[String.self, at: "hours"] ?? "", expected: "calendar.expect.hours")
        }
        let working = try req.flagQuery("working") ?? false
        return AddedHours(
            from: from, hours: hours, working: working,
            result: try await req.domain.calendarQueries().addHours(from: from, hours: hours, working: working))
    }

    @Sendable func show(req: Request) async throws -> Year {
        let raw = req.query[String.self, at: "year"]
        guard let year = raw.map({ Int($0) }) ?? req.today.year, BusinessCalendar.years.contains(year) else {
            throw CalendarQueries.InputError(parameter: "year", value: raw ?? "", expected: "calendar.expect.year")
        }
        let calendar = try await req.domain.calendars.defaultCalendar()
        let days = try await CalendarDay.query(on: req.db).filter(\.$calendar.$id == calendar.id!).all()
        return Year(
            year: year, timeZone: calendar.timeZone, weeklyHours: calendar.weeklyHours.components(separatedBy: "\n"),
            contactWindows: calendar.contactWindows, contactOnAllDays: calendar.contactAllDays,
            days: CalendarQueries.show(year: year, days: days))
    }

    @Sendable func updateSettings(req: Request) async throws -> Year {
        let input = try req.content.decode(SettingsInput.self)
        try await req.domain.calendars.updateSettings(
            timeZone: input.timeZone, weeklyHours: input.weeklyHours, contactWindows: input.contactWindows,
            contactOnAllDays: input.contactOnAllDays, by: req.actor, at: req.now)
        return try await show(req: req)
    }

    @Sendable func setDay(req: Request) async throws -> HTTPStatus {
        let date = try CalendarQueries.date(req.parameters.get("date") ?? "", "date")
        let input = try req.content.decode(DayInput.self)
        guard let kind = CalendarDay.Kind(rawValue: input.kind) else {
            throw CalendarQueries.InputError(parameter: "kind", value: input.kind, expected: "calendar.expect.kind")
        }
        let hours = input.hours ?? ""
        if kind == .hours, TimeRange.list(hours) == nil, !hours.isEmpty {
            throw CalendarQueries.InputError(parameter: "hours", value: hours, expected: "calendar.expect.hoursList")
        }
        try await req.domain.calendars.set(
            date, kind: kind, name: input.name ?? "", hours: hours, in: req.domain.calendars.defaultCalendar())
        try await req.domain.audit(
            "calendar.update", subjectType: "calendar", subjectID: date.iso, detail: kind.rawValue)
        return .noContent
    }

    @Sendable func clearDay(req: Request) async throws -> HTTPStatus {
        let date = try CalendarQueries.date(req.parameters.get("date") ?? "", "date")
        try await req.domain.calendars.set(date, kind: nil, name: "", in: req.domain.calendars.defaultCalendar())
        try await req.domain.audit("calendar.update", subjectType: "calendar", subjectID: date.iso, detail: "cleared")
        return .noContent
    }

    @Sendable func importSchedule(req: Request) async throws -> Imported {
        guard let body = req.body.data, body.readableBytes > 0 else {
            throw AppError(.unprocessableEntity, "calendar.nothingToImport")
        }
        return Imported(
            dates: try await req.domain.importSchedule(
                Array(body.readableBytesView), fileName: req.query[String.self, at: "fileName"] ?? "api"))
    }
}

extension DomainServices {
    func calendarQueries() async throws -> CalendarQueries {
        CalendarQueries(calendar: try await calendars.defaultBusiness())
    }

    func importSchedule(_ bytes: [UInt8], fileName: String) async throws -> Int {
        let calendar = try await calendars.defaultCalendar()
        // A workbook may unpack to hundreds of megabytes: read on the thread pool, not on the event loop.
        let schedule = try await offTheEventLoop { try CalendarQueries.schedule(from: bytes) }
        let count = try await calendars.apply(schedule, to: calendar.id!)
        try await audit(
            "calendar.import", subjectType: "calendar", subjectID: calendar.name, detail: "\(fileName): \(count) dates")
        return count
    }
}

extension CalendarStore {
    /// Changes the time zone, the weekly hours (seven strings, Monday first) or the contact windows.
    func updateSettings(
        timeZone: String?, weeklyHours: [String]?, contactWindows: String? = nil, contactOnAllDays: Bool? = nil,
        by actor: Actor, at now: Date
    ) async throws {
        let calendar = try await defaultCalendar()
        if let timeZone {
            guard TimeZone(identifier: timeZone) != nil else {
                throw CalendarQueries.InputError(
                    parameter: "timeZone", value: timeZone, expected: "calendar.expect.timeZone")
            }
            calendar.timeZone = timeZone
        }
        if let weeklyHours {
            guard weeklyHours.count == 7 else {
                throw CalendarQueries.InputError(
                    parameter: "weeklyHours", value: "\(weeklyHours.count)", expected: "calendar.expect.hoursList")
            }
            var ranges: [[TimeRange]] = []
            for (index, text) in weeklyHours.enumerated() {
                let trimmed = text.trimmingWhitespace()
                guard let list = trimmed.isEmpty ? [] : TimeRange.list(trimmed) else {
                    throw CalendarQueries.InputError(
                        parameter: "weeklyHours[\(index)]", value: text, expected: "calendar.expect.hoursList")
                }
                ranges.append(list)
            }
            calendar.weeklyHours = WorkCalendar.encode(weekly: ranges)
        }
        if let contactWindows {
            guard let ranges = TimeRange.list(contactWindows.trimmingWhitespace()), !ranges.isEmpty else {
                throw CalendarQueries.InputError(
                    parameter: "contactWindows", value: contactWindows, expected: "calendar.expect.hoursList")
            }
            calendar.contactWindows = ranges.map(\.description).joined(separator: ",")
        }
        if let contactOnAllDays { calendar.contactAllDays = contactOnAllDays }
        try await db.transaction { db in
            try await calendar.save(on: db)
            try await AuditLog.record(
                "calendar.update", by: actor, subjectType: "calendar", subjectID: calendar.name,
                detail: "settings", at: now, on: db)
        }
    }
}

/// The admin's year view: every date coloured by kind; a click applies the chosen change.
struct CalendarPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let calendar = routes.grouped("calendar").guarded(.administration, .page)
        calendar.get(use: year)
        calendar.post("days", use: clickDay)
        calendar.post("import", use: importSchedule)
        calendar.post("settings", use: settings)
    }

    struct Cell: Encodable {
        let date: String
        let day: Int
        let kind: String
        let title: String

        /// Pads a week before the first and after the last day of a month (Leaf drops nils from arrays).
        static let blank = Cell(date: "", day: 0, kind: "", title: "")
    }
    struct Month: Encodable {
        let title: String
        /// Rows of seven, Monday first.
        let weeks: [[Cell]]
    }
    struct Context: Encodable {
        let year: Int
        let summary: String
        let months: [Month]
        let weekdays: [String]
        let mode: String
        let name: String
        let message: String?
        let error: String?
        let timeZone: String
        let weekly: [Weekly]
        let contactWindows: String
        let contactAllDays: Bool

        struct Weekly: Encodable {
            let index: Int
            let label: String
            let hours: String
        }
    }

    @Sendable func year(req: Request) async throws -> Response {
        let year = req.query[Int.self, at: "year"] ?? req.today.year
        return try await page(req, year: year, mode: req.query[String.self, at: "mode"] ?? "holiday", name: "")
    }

    struct Click: Content {
        let date: String
        let mode: String
        let name: String?
    }

    @Sendable func clickDay(req: Request) async throws -> Response {
        let click = try req.content.decode(Click.self)
        let date = try CalendarQueries.date(click.date, "date")
        let kind: CalendarDay.Kind? =
            switch click.mode {
            case "holiday": .holiday
            case "workday": .workday
            default: nil
            }
        let name = click.name?.trimmingWhitespace() ?? ""
        try await req.domain.calendars.set(date, kind: kind, name: name, in: req.domain.calendars.defaultCalendar())
        try await req.domain.audit(
            "calendar.update", subjectType: "calendar", subjectID: date.iso, detail: kind?.rawValue ?? "cleared")
        let query =
            "year=\(date.year)&mode=\(click.mode)"
            + (name.isEmpty ? "" : "&name=" + (name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
        return req.redirect(to: "/calendar?\(query)#d\(date.iso)")
    }

    struct Upload: Content {
        let text: String?
        let file: File?
        let year: Int?
    }

    @Sendable func importSchedule(req: Request) async throws -> Response {
        let upload = try req.content.decode(Upload.self)
        let year = upload.year ?? req.today.year
        var bytes = Array((upload.text?.trimmingWhitespace() ?? "").utf8)
        var fileName = "pasted"
        if let file = upload.file, file.data.readableBytes > 0 {
            bytes = Array(file.data.readableBytesView)
            fileName = file.filename
        }
        guard !bytes.isEmpty else { return try await page(req, year: year, error: req.t("calendar.nothingToImport")) }
        do {
            let count = try await req.domain.importSchedule(bytes, fileName: fileName)
            return try await page(req, year: year, message: req.t("calendar.imported", String(count)))
        } catch let error as HolidaySchedule.ParseError {
            return try await page(
                req, year: year, error: req.t("calendar.scheduleError", String(error.line), error.reason))
        }
    }

    @Sendable func settings(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        let year = form["year"].flatMap(Int.init) ?? req.today.year
        do {
            try await req.domain.calendars.updateSettings(
                timeZone: form["timeZone"], weeklyHours: (0..<7).map { form["weekly\($0)"] ?? "" },
                contactWindows: form["contactWindows"], contactOnAllDays: form["contactAllDays"] != nil, by: req.actor,
                at: req.now)
        } catch let error as CalendarQueries.InputError {
            return try await page(req, year: year, error: error.message(in: req.language))
        }
        req.flash("common.saved")
        return req.redirect(to: "/calendar?year=\(year)")
    }

    private func page(
        _ req: Request, year: Int, mode: String = "holiday", name: String? = nil, message: String? = nil,
        error: String? = nil
    ) async throws -> Response {
        guard BusinessCalendar.years.contains(year) else {
            throw CalendarQueries.InputError(parameter: "year", value: String(year), expected: "calendar.expect.year")
        }
        let stored = try await req.domain.calendars.defaultCalendar()
        let calendar = try await req.domain.calendars.business(stored)
        let names = Dictionary(
            try await CalendarDay.query(on: req.db).filter(\.$calendar.$id == stored.id!)
                .filter(\.$date >= "\(year)-01-01").filter(\.$date <= "\(year)-12-31").all().map { ($0.date, $0.name) }
        ) { a, _ in a }
        var months: [Month] = []
        for month in 1...12 {
            let first = LocalDate(year: year, month: month, day: 1)!
            var cells: [Cell] = Array(repeating: .blank, count: first.isoWeekday - 1)
            var day = first
            while day.month == month {
                let kind = calendar.kind(of: day)
                let label = req.t("calendar.legend.\(kind.rawValue)")
                cells.append(
                    Cell(
                        date: day.iso, day: day.day, kind: kind.rawValue,
                        title: names[day.iso].map { "\(day.iso) \(label) \($0)" } ?? "\(day.iso) \(label)"))
                day = day.adding(days: 1)
            }
            while cells.count % 7 != 0 { cells.append(.blank) }
            months.append(
                Month(
                    title: req.t("calendar.month", String(month)),
                    weeks: stride(from: 0, to: cells.count, by: 7).map { Array(cells[$0..<$0 + 7]) }))
        }
        let weekdays = req.t("calendar.weekdays").components(separatedBy: ",")
        let weekly = stored.weeklyRanges
        let context = Context(
            year: year,
            summary: req.t(
                "calendar.workdaysInYear", String(year),
                String(
                    try calendar.workingDays(
                        from: LocalDate(year: year, month: 1, day: 1)!,
                        through: LocalDate(year: year, month: 12, day: 31)!))),
            months: months, weekdays: weekdays, mode: mode, name: name ?? req.query[String.self, at: "name"] ?? "",
            message: message, error: error, timeZone: stored.timeZone,
            weekly: (0..<7).map {
                Context.Weekly(
                    index: $0, label: weekdays[$0], hours: weekly[$0].map(\.description).joined(separator: ","))
            },
            contactWindows: stored.contactWindows, contactAllDays: stored.contactAllDays
        )
        let response = try await req.renderPage("calendar", titleKey: "calendar.title", context)
        if error != nil { response.status = .unprocessableEntity }
        return response
    }
}
