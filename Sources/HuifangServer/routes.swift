import Vapor

/// The table of contents: every feature's routes, pages and API side by side.
/// Pages sign in from the session and check CSRF tokens; the API signs in from bearer tokens.
// Long: the table of contents, one line per feature's routes, reads best whole.
func routes(_ app: Application) throws {
    try app.register(collection: HealthController())
    // Prometheus' scrape: its own token or allowed addresses (HUIFANG_METRICS_TOKEN / _ALLOW), off without them.
    try app.register(collection: MetricsController(access: app.huifang.metrics))
    // The customer's survey link: no session, no sign-in; the signed single-use token is the key.
    app.storage[PublicRateLimit.Key.self] = PublicRateLimit.Box()
    try app.register(collection: PublicSurveyController())
    // Customers' SMS replies, from the gateway: its own token (HUIFANG_SMS_INBOUND_TOKEN), no user.
    try app.register(collection: SMSInboundController())
    // The API's contract (OpenAPI 3.1), public like any published API description.
    let contract = try APIContract.load()
    try app.register(collection: APIContractController(contract: contract, surface: .api))

    let pages = app.grouped(SessionUserAuthenticator(), CSRFProtection())
    try pages.register(collection: LanguageController())
    try pages.register(collection: LoginController())
    try pages.register(collection: HomeController())
    try pages.register(collection: CustomerPagesController())
    try pages.register(collection: ImportPageController())
    try pages.register(collection: DepartmentPagesController())
    try pages.register(collection: WebhookPagesController())
    try pages.register(collection: UserPagesController())
    try pages.register(collection: AuditPagesController())
    try pages.register(collection: SettingsPagesController())
    try pages.register(collection: NameListPagesController())
    try pages.register(collection: RetentionPagesController())
    try pages.register(collection: CalendarPagesController())
    try pages.register(collection: RulePagesController())
    try pages.register(collection: TaskPagesController())
    try pages.register(collection: RosterPagesController())
    try pages.register(collection: WorkspacePagesController())
    try pages.register(collection: SurveyPagesController())
    try pages.register(collection: MessagePagesController())
    try pages.register(collection: EventImportPageController())
    try pages.register(collection: TicketPagesController())
    try pages.register(collection: ReportPagesController())
    try pages.register(collection: SpotCheckPagesController())
    try pages.register(collection: CallPagesController())
    try pages.register(collection: NotificationControllers(surface: .page))
    try pages.register(collection: APIContractController(contract: contract, surface: .page))
    // The live notifications of an open page: signed in by its session, read and never written back.
    try app.grouped(ReadOnlySessionAuthenticator()).register(collection: NotificationStreamController())

    try app.grouped("api", "v1").register(collection: TelephonyEventController())
    let api = app.grouped("api", "v1").grouped(BearerUserAuthenticator())
    try api.register(collection: CustomerAPIController())
    try api.register(collection: ImportAPIController())
    try api.register(collection: DepartmentAPIController())
    try api.register(collection: WebhookAPIController())
    try api.register(collection: TelephonyAPIController())
    try api.register(collection: UserAPIController())
    try api.register(collection: AuditAPIController())
    try api.register(collection: SettingsAPIController())
    try api.register(collection: NameListAPIController())
    try api.register(collection: RetentionAPIController())
    try api.register(collection: CalendarAPIController())
    try api.register(collection: EventAPIController())
    try api.register(collection: RuleAPIController())
    try api.register(collection: ReportAPIController())
    try api.register(collection: SpotCheckAPIController())
    try api.register(collection: TaskAPIController())
    try api.register(collection: RosterAPIController())
    try api.register(collection: WorkspaceAPIController())
    try api.register(collection: SurveyAPIController())
    try api.register(collection: MessageAPIController())
    try api.register(collection: TicketAPIController())
    try api.register(collection: CallAPIController())
    try api.register(collection: NotificationControllers(surface: .api))
}
