import Fluent
import HuifangCore
import Vapor

/// Filters over the audit log, shared by the page and the API.
struct AuditFilter {
    var action: String?
    var actor: String?
    var from: LocalDate?
    var to: LocalDate?
    var after: PageCursor?

    init(_ req: Request) throws {
        action = req.queryText("action")
        actor = req.queryText("actor")
        from = try req.queryDate("from")
        to = try req.queryDate("to")
        after = try req.pageCursor { NewestFirst.cursor($0, on: req.db) }
    }

    /// A page of the log, newest first (`NewestFirst`).
    func entries(on db: any Database, zone: TimeZone, limit: Int) async throws -> KeysetPage<AuditEntry> {
        try await NewestFirst.page(
            query(on: db, zone: zone).sort(\.$at, .descending).sort(\.$id, .descending),
            table: AuditEntry.schema, after: after, limit: limit, on: db)
    }

    /// How many entries the filter finds, up to `ListTotal.cap` (nil beyond).
    func count(on db: any Database, zone: TimeZone) async throws -> Int? {
        try await query(on: db, zone: zone).countUpToCap()
    }

    private func query(on db: any Database, zone: TimeZone) -> QueryBuilder<AuditEntry> {
        let query = AuditEntry.query(on: db)
        if let action { query.filter(\.$action == action) }
        if let actor { query.filter(\.$actorName == actor) }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        if let from, let start = calendar.date(from: DateComponents(year: from.year, month: from.month, day: from.day))
        {
            query.filter(\.$at >= start)
        }
        if let to, let day = calendar.date(from: DateComponents(year: to.year, month: to.month, day: to.day)),
            let end = calendar.date(byAdding: .day, value: 1, to: day)
        {
            query.filter(\.$at < end)
        }
        return query
    }

    /// Every action the product writes, for the filter.
    static var actions: [String] { AuditSentence.actions }
}

/// The audit log page for admins.
struct AuditPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.grouped("audit").guarded(.administration, .page).get(use: list)
    }

    struct Row: Encodable {
        let at: String
        let sentence: String
        let actor: String
        let action: String
        let detail: String
        let address: String
    }
    struct Context: Encodable {
        let rows: [Row]
        let actions: [SelectOption]
        let actor: String
        let from: String
        let to: String
        let nextURL: String?
        /// "共 12 条" or "超过 1000 条".
        let total: String
        let isFiltered: Bool
    }

    @Sendable func list(req: Request) async throws -> Response {
        let filter = try AuditFilter(req)
        let page = try await filter.entries(
            on: req.db, zone: req.application.huifang.timeZone,
            limit: try req.pageLimit(default: 100))
        let names = try await AuditNames.load(for: page.rows, on: req.db)
        let format = req.application.huifang.formatDateTime
        let rows = page.rows.map { entry in
            Row(
                at: format(entry.at),
                sentence: AuditSentence.text(
                    action: entry.action, actor: names.person(entry.actorName),
                    subject: names.subject(of: entry, req.language), req.language),
                actor: entry.actorName, action: req.t("action." + entry.action), detail: entry.detail ?? "",
                address: entry.address ?? "")
        }
        return try await req.renderPage(
            "audit/index", titleKey: "audit.title",
            Context(
                rows: rows,
                actions: AuditFilter.actions.map {
                    SelectOption(value: $0, label: req.t("action." + $0), selected: $0 == filter.action)
                }.sorted { $0.label < $1.label },
                actor: filter.actor ?? "", from: filter.from?.iso ?? "", to: filter.to?.iso ?? "",
                nextURL: req.nextPageURL(page.next),
                total: req.listTotal(try await filter.count(on: req.db, zone: req.application.huifang.timeZone)),
                isFiltered: filter.action != nil || filter.actor != nil || filter.from != nil || filter.to != nil
            ))
    }
}

/// `GET /api/v1/audit?action=&actor=&from=&to=&after=&limit=`, for admins: a page, newest first.
struct AuditAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.grouped("audit").guarded(.administration, .api).get(use: list)
    }

    struct EntryDTO: Content {
        let id: Int
        let at: Date
        let actor: String
        let action: String
        let subjectType: String?
        let subjectId: String?
        let detail: String?
        let address: String?
    }

    struct PageDTO: Content {
        let items: [EntryDTO]
        /// Pass as `after` for the next page; absent on the last page.
        let nextCursor: String?
    }

    @Sendable func list(req: Request) async throws -> PageDTO {
        let limit = try req.pageLimit(default: 100, maximum: 1000)
        let page = try await AuditFilter(req).entries(on: req.db, zone: req.application.huifang.timeZone, limit: limit)
        return PageDTO(
            items: page.rows.map {
                EntryDTO(
                    id: $0.id!, at: $0.at, actor: $0.actorName, action: $0.action, subjectType: $0.subjectType,
                    subjectId: $0.subjectID, detail: $0.detail, address: $0.address)
            }, nextCursor: page.next?.token)
    }
}
