import Fluent
import Foundation
import HuifangCore
import Vapor

/// Everything a service is built from, as values: the database, the instant, the configuration, who acts and
/// in which language, the logger, the HTTP client the outbox sends through, the password hasher. A request
/// makes one (`req.domain`), a job run or a command makes one (`app.domain(as:)`); a service gets what it
/// needs from here and never reaches into `Request` or `Application`.
struct ServiceContext: Sendable {
    let db: any Database
    let config: HuifangConfig
    /// The instant of everything this unit of work does, read once from the application's clock.
    let now: Date
    /// The application's clock, for work that runs long and keeps time (a job's lease, a delivery's claims).
    let clock: HuifangClock
    let actor: Actor
    let language: Language
    let logger: Logger
    let client: any Client
    let passwords: AsyncPasswordHasher
    /// The caller's session: it stays signed in when its user changes their own account.
    var session: SessionID? = nil
    /// The application's kept copy of what tickets' clocks are computed with (on PostgreSQL).
    var keptTicketClock: NoticedCopies<Int, ClockReads>? = nil

    /// The date of `now` in the organisation's time zone.
    var today: LocalDate { config.today(now: now) }
}

/// The services of one unit of work, each built from the one `ServiceContext`.
struct DomainServices: Sendable {
    let context: ServiceContext

    var db: any Database { context.db }
    var config: HuifangConfig { context.config }
    var now: Date { context.now }
    var actor: Actor { context.actor }
    var language: Language { context.language }
    var today: LocalDate { context.today }

    var calendars: CalendarStore { CalendarStore(db: db) }
    var customers: CustomerStore { CustomerStore(db: db, now: now) }
    /// A customer's data as one archive (audited).
    var customerExport: CustomerExport { CustomerExport(context: context) }
    /// Erasing a customer's personal information everywhere (PIPL), figures kept.
    var customerErasure: CustomerErasure { CustomerErasure(context: context) }
    var departments: DepartmentService { DepartmentService(db: db, actor: actor, now: now) }
    var distribution: DistributionService { DistributionService(db: db) }
    var escalation: EscalationSweep {
        var sweep = EscalationSweep(db: db, config: config)
        sweep.clock = context.clock.now
        return sweep
    }
    var events: EventIngest {
        EventIngest(db: db, timeZone: config.timeZone, language: context.language, now: now)
    }
    var eventKinds: EventKindService { EventKindService(db: db, actor: actor, now: now) }
    var outbox: Outbox { Outbox(db: db, config: config, client: context.client, logger: context.logger) }
    /// The planner's engine: which rules a customer meets, for the rule preview.
    var planner: PlanningService { PlanningService(db: db, contactCapDays: config.contactCapDays) }
    var planning: DailyPlanning {
        DailyPlanning(db: db, config: config, logger: context.logger, clock: context.clock.now)
    }
    var reports: ReportService { ReportService(db: db, language: context.language) }
    /// The retention rules and their purge; `retentionJob` runs it once a day under its lease.
    var retention: RetentionService { RetentionService(context: context) }
    var retentionJob: DailyRetention { DailyRetention(domain: self, clock: context.clock.now) }
    var rosters: RosterStore { RosterStore(db: db) }
    var rules: RuleStore { RuleStore(db: db) }
    var spotChecks: SpotCheckService { SpotCheckService(db: db, config: config, now: now) }
    var surveyLinks: SurveyLinks { SurveyLinks(db: db, config: config, now: now) }
    var surveys: SurveyStore { SurveyStore(db: db) }
    var taskDeadlines: TaskDeadlines { TaskDeadlines(db: db, now: now) }
    var taskQueries: TaskQueries { TaskQueries(db: db, config: config, language: context.language, now: now) }
    var ticketQueries: TicketQueries { TicketQueries(db: db, config: config, language: context.language, now: now) }
    var tickets: TicketService {
        TicketService(db: db, config: config, actor: actor, now: now, keptClock: context.keptTicketClock)
    }
    var tiers: TierService { TierService(db: db, actor: actor, now: now) }
    var records: RecordService { RecordService(db: db, config: config, actor: actor, now: now) }
    var users: UserService {
        UserService(db: db, passwords: context.passwords, actor: actor, now: now, currentSession: context.session)
    }
    /// The calls of `agent`, the user taking or making them.
    func calls(by agent: User) -> CallService {
        CallService(db: db, config: config, actor: actor, agent: agent, now: now)
    }
    /// The organisation's rules for customer values, as of today.
    func customerRules() async throws -> CustomerRules {
        CustomerRules(tiers: try await Tier.names(on: db), today: context.today)
    }

    /// `key` of the catalogue in the context's language.
    func t(_ key: String, _ arguments: String...) -> String {
        Catalogue.text(key, language, arguments)
    }

    /// Appends to the audit log, as the context's actor at its instant.
    func audit(_ action: String, subjectType: String? = nil, subjectID: String? = nil, detail: String? = nil)
        async throws
    {
        try await AuditLog.record(
            action, by: actor, subjectType: subjectType, subjectID: subjectID, detail: detail, at: now, on: db)
    }
}

extension Request {
    private struct DatabaseKey: StorageKey { typealias Value = any Database }

    /// The request's database, made on first use and kept: Fluent makes a new one on every `db`, and a kept call
    /// list asked for it four times, 6 % of its CPU on PostgreSQL.
    var database: any Database {
        if let database = storage[DatabaseKey.self] { return database }
        let database = db
        storage[DatabaseKey.self] = database
        return database
    }

    /// The services of this request: its database, its instant (`now`), the configuration, the signed-in
    /// caller as the actor and the caller's language. A value made on each use, so it names the caller as
    /// authenticated at that moment (signing in changes the actor).
    var domain: DomainServices {
        DomainServices(
            context: ServiceContext(
                db: database, config: application.huifang, now: now, clock: application.clock, actor: actor,
                language: language, logger: logger,
                client: application.client, passwords: password.async, session: storedSessionID,
                keptTicketClock: application.keptTicketClock))
    }
}

extension Application {
    /// The services of a job run or a command, acting as `actor` at `now` (the application's clock by default).
    func domain(as actor: Actor, at now: Date? = nil, language: Language? = nil) -> DomainServices {
        DomainServices(
            context: ServiceContext(
                db: db, config: huifang, now: now ?? clock.now(), clock: clock, actor: actor,
                language: language ?? huifang.defaultLanguage,
                logger: logger, client: client, passwords: password.async, keptTicketClock: keptTicketClock))
    }
}
