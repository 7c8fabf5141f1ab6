import Fluent
import Foundation
import HuifangCore
import Testing
import VaporTesting

@testable import HuifangServer

/// The real routes at chosen moments: the application's clock is set (`app.clock`), every request reads it
/// once, and the services and the sweep use that instant. No service reads the wall clock.
@Suite struct FixedInstantTests {
    struct Detail: Decodable {
        let status: String
        let firstResponseDue: String
        let resolutionDue: String
        let escalationLevel: Int
    }
    struct Row: Decodable {
        let id: Int
        let overdue: Bool
    }
    struct Sweep: Decodable { let escalations: Int }

    @Test func aComplaintOpenedOnTheEveOfNationalDayIsDueAfterTheHolidayAndEscalatesWhenItPasses() async throws {
        try await withHuifang { app in
            // 17:30 on Wednesday 30 September 2026, the last working day before 1–7 October.
            let (clock, time) = HuifangClock.manual(shanghai("2026-09-30 17:30"))
            app.clock = clock
            let token = try await makeToken(app, makeUser(app, .supervisor).user)
            let opened = try await send(
                app, .POST, "/api/v1/tickets", token: token,
                body: TicketInput(kind: "complaint", description: "节前报修无人上门"))
            #expect(opened.status == .created)
            struct Created: Decodable { let id: Int }
            let id = try opened.content.decode(Created.self).id
            func detail() async throws -> Detail {
                try await send(app, .GET, "/api/v1/tickets/\(id)", token: token).content.decode(Detail.self)
            }
            let due = try await detail()
            #expect(due.firstResponseDue == "2026-10-08 18:00", "one working day: the holiday does not count")
            #expect(
                due.resolutionDue == "2026-10-10 18:00", "three working days: Saturday 10 October is a make-up workday")

            // During the holiday nothing is overdue and the sweep has nothing to do.
            time.set(shanghai("2026-10-05 10:00"))
            #expect(
                try await send(app, .POST, "/api/v1/escalation/run", token: token)
                    .content.decode(Sweep.self).escalations == 0)
            var rows = try await send(app, .GET, "/api/v1/tickets", token: token)
                .content.decode(ListPage<Row>.self).items
            #expect(rows.first { $0.id == id }?.overdue == false)

            // A minute after the first response was due, the list says so and the sweep escalates it.
            time.set(shanghai("2026-10-08 18:01"))
            rows = try await send(app, .GET, "/api/v1/tickets", token: token).content.decode(ListPage<Row>.self).items
            #expect(rows.first { $0.id == id }?.overdue == true)
            #expect(
                try await send(app, .POST, "/api/v1/escalation/run", token: token)
                    .content.decode(Sweep.self).escalations == 1)
            #expect(try await detail().escalationLevel == 1)
        }
    }

    @Test func aRequestSeesOneInstantFromTheApplicationsClock() async throws {
        try await withHuifang { app in
            app.clock = .fixed(shanghai("2026-02-14 09:00"))  // a Saturday that is a make-up workday
            let (user, _) = try await makeUser(app, .supervisor)
            let token = try await makeToken(app, user)
            #expect(try await send(app, .GET, "/api/v1/customers", token: token).status == .ok)
            let used = try #require(try await APIToken.query(on: app.db).first()?.lastUsedAt)
            #expect(used == shanghai("2026-02-14 09:00"), "the token's last use is stamped with the request's instant")
            let audited = try await AuditEntry.query(on: app.db).filter(\.$action == "customer.list").all().map(\.at)
            #expect(audited == [shanghai("2026-02-14 09:00")], "so is the audit entry of the list it read")
        }
    }
}
