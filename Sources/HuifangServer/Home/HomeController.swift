import Fluent
import HuifangCore
import SQLKit
import Vapor

/// The home page: the customer base at a glance, and recent activity for admins.
struct HomeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.guarded(.signedIn, .page).get(use: home)
    }

    struct TierCount: Encodable, Decodable {
        let tier: String
        let count: Int
    }
    struct Activity: Encodable {
        let at: String
        let actor: String
        let action: String
    }
    /// An agent's day: what is due now on the call list and what was done today.
    struct Today: Encodable {
        let due: Int
        let attempts: Int
        let completed: Int
    }
    struct Context: Encodable {
        let greeting: String
        let total: Int
        let tiers: [TierCount]
        let mine: Int?
        let today: Today?
        let activity: [Activity]
    }

    @Sendable func home(req: Request) async throws -> Response {
        let user = try req.auth.require(User.self)
        let sql = req.db.sql
        let counts = try await sql.select().column("tier").column(
            SQLFunction("COUNT", args: SQLLiteral.all), as: "count"
        )
        .from(Customer.schema).groupBy("tier").all(decoding: TierCount.self)
        let order = try await Tier.names(on: req.db)
        let tiers = order.map { name in TierCount(tier: name, count: counts.first { $0.tier == name }?.count ?? 0) }
        let mine =
            user.role == .agent
            ? try await Customer.query(on: req.db).filter(\.$assignedAgent.$id == user.id).count() : nil
        var today: Today?
        if user.role == .agent {
            let config = req.application.huifang
            let now = req.now
            let midnight = LocalTime.parse(config.today(now: now).iso, in: config.timeZone)?.instant ?? now
            let due = try await FollowUpTask.query(on: req.db).filter(\.$assignedAgent.$id == user.id).filter(
                \.$status == .open
            )
            .filter(\.$dueOn <= config.today(now: now).iso).group(.or) {
                $0.filter(\.$callbackAt == nil).filter(\.$callbackAt <= now)
            }.count()
            let records = FollowUpRecord.query(on: req.db).filter(\.$agentID == user.id).filter(\.$endedAt >= midnight)
            today = Today(
                due: due, attempts: try await records.count(),
                completed: try await records.filter(\.$completed == true).count())
        }
        var activity: [Activity] = []
        if user.role == .admin {
            activity = try await AuditEntry.query(on: req.db).sort(\.$id, .descending).limit(8).all().map {
                Activity(
                    at: req.application.huifang.formatDateTime($0.at), actor: $0.actorName,
                    action: req.t("action." + $0.action))
            }
        }
        return try await req.renderPage(
            "home", titleKey: "home.title",
            Context(
                greeting: req.t("home.welcome", user.displayName), total: counts.reduce(0) { $0 + $1.count },
                tiers: tiers, mine: mine, today: today, activity: activity
            ))
    }
}
