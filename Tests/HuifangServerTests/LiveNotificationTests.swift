import Fluent
import Foundation
import HuifangCore
import Testing
import VaporTesting

@testable import HuifangServer

/// Live notifications: an open page's stream (`GET /notifications/stream`) read over a real loopback server.
@Suite struct LiveNotificationTests {
    struct Note: Decodable {
        let id: Int
        let kind: String
        let title: String
        let text: String
        let link: String
        let urgent: Bool
        let unread: Int
    }
    struct Unread: Decodable { let unread: Int }

    /// Polls every 100 ms, so that a test waits for little.
    let fast = ["HUIFANG_LIVE_POLL_MS": "100"]

    func session(_ client: PageClient) -> HTTPHeaders {
        ["Cookie": "huifang_session=\(client.cookie ?? "")"]
    }

    func write(_ app: Application, to user: User, _ text: String, kind: String = "escalation", ticket: Int? = nil)
        async throws
    {
        let recipient = Recipient(id: user.id!, name: user.displayName, email: nil)
        try await Notifier.send(
            [.init(recipient: recipient, ticketID: ticket, kind: kind, text: text, subject: text)],
            config: app.huifang, now: Date(), on: app.db)
    }

    func ids(_ app: Application, of user: User) async throws -> [Int] {
        try await Notification.query(on: app.db).filter(\.$user.$id == user.id!).sort(\.$id).all().map { $0.id! }
    }

    @Test func anOpenPageReceivesItsUsersNewNotificationAndNobodyElses() async throws {
        try await withHuifang(fast) { app in
            let (li, password) = try await makeUser(app, .supervisor, username: "li")
            let (wang, _) = try await makeUser(app, .supervisor, username: "wang")
            let client = try await PageClient.signedIn(app, li.username, password)
            try await serving(app) { port in
                try await withEventStream(port: port, "/notifications/stream", headers: session(client)) { stream in
                    #expect(stream.status == .ok)
                    #expect(stream.headers.first(name: .contentType)?.hasPrefix("text/event-stream") == true)
                    let opened = try #require(try await stream.next("unread"))
                    #expect(try opened.decoded(Unread.self).unread == 0)
                    // Another supervisor's notification first, then li's own: li's page gets only li's.
                    try await write(app, to: wang, "工单 #8 已升级：王的")
                    try await write(app, to: li, "工单 #7 已超过首次响应期限\n第二行")
                    let event = try #require(try await stream.next("notification"))
                    let note = try event.decoded(Note.self)
                    #expect(note.text == "工单 #7 已超过首次响应期限" && note.kind == "escalation")
                    #expect(note.title == "工单升级" && note.link == "/notifications" && note.urgent && note.unread == 1)
                    #expect(event.id == String(note.id))
                }
            }
        }
    }

    @Test func anUrgentComplaintOpenedThroughTheAPIReachesTheSupervisorsOpenPage() async throws {
        try await withHuifang(fast) { app in
            let (li, password) = try await makeUser(app, .supervisor, username: "li")
            let admin = try await makeToken(app, makeUser(app, .admin).user)
            let client = try await PageClient.signedIn(app, li.username, password)
            try await serving(app) { port in
                try await withEventStream(port: port, "/notifications/stream", headers: session(client)) { stream in
                    _ = try await stream.next("unread")
                    let (headers, body) = try json(
                        TicketInput(kind: "complaint", urgent: true, description: "店员态度恶劣"), headers: bearer(admin))
                    let opened = try await app.testing().sendRequest(
                        .POST, "/api/v1/tickets", headers: headers, body: body)
                    #expect(opened.status == .created)
                    let note = try #require(try await stream.next("notification")).decoded(Note.self)
                    #expect(note.kind == "urgent" && note.title == "紧急投诉" && note.urgent)
                    #expect(note.link == "/tickets/1" && note.text.contains("店员态度恶劣") && note.unread == 1)
                }
            }
        }
    }

    @Test func aComplaintOpenedOnAnotherInstanceReachesThePageOpenOnThisOne() async throws {
        // Two instances on one database: PostgreSQL when the suite runs there, else one SQLite file.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("live-\(UUID().uuidString).sqlite")
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file.path + suffix) }
        }
        try await withHuifang(fast.merging(["HUIFANG_DATABASE_URL": "sqlite:\(file.path)"]) { $1 }) { app in
            let (li, password) = try await makeUser(app, .supervisor, username: "li")
            let admin = try await makeToken(app, makeUser(app, .admin).user)
            let client = try await PageClient.signedIn(app, li.username, password)
            let other = try await Application.make(.testing)
            try await configure(other, app.huifang)
            do {
                try await serving(app) { port in
                    try await withEventStream(port: port, "/notifications/stream", headers: session(client)) {
                        stream in
                        _ = try await stream.next("unread")
                        let (headers, body) = try json(
                            TicketInput(kind: "complaint", urgent: true, description: "另一台服务器受理的投诉"),
                            headers: bearer(admin))
                        let opened = try await other.testing().sendRequest(
                            .POST, "/api/v1/tickets", headers: headers, body: body)
                        #expect(opened.status == .created)
                        let note = try #require(try await stream.next("notification")).decoded(Note.self)
                        #expect(note.kind == "urgent" && note.text.contains("另一台服务器受理的投诉"))
                        #expect(note.text.contains("客户 未关联，"), "a complaint without a customer says so")
                    }
                }
            } catch {
                try? await other.asyncShutdown()
                throw error
            }
            try await other.asyncShutdown()
        }
    }

    @Test func aReconnectingPageGetsWhatCameAfterItsLastEventAndThenWhatIsNew() async throws {
        try await withHuifang(fast) { app in
            let (li, password) = try await makeUser(app, .supervisor, username: "li")
            let client = try await PageClient.signedIn(app, li.username, password)
            for text in ["第一条", "第二条", "第三条"] { try await write(app, to: li, text) }
            let sent = try await ids(app, of: li)
            try await serving(app) { port in
                var headers = session(client)
                headers.add(name: "Last-Event-ID", value: String(sent[0]))
                try await withEventStream(port: port, "/notifications/stream", headers: headers) { stream in
                    #expect(try #require(try await stream.next("unread")).decoded(Unread.self).unread == 3)
                    let second = try #require(try await stream.next("notification"))
                    let third = try #require(try await stream.next("notification"))
                    #expect(try second.decoded(Note.self).text == "第二条" && second.id == String(sent[1]))
                    #expect(try third.decoded(Note.self).text == "第三条" && third.id == String(sent[2]))
                    try await write(app, to: li, "第四条")
                    let fourth = try #require(try await stream.next("notification")).decoded(Note.self)
                    #expect(fourth.text == "第四条" && fourth.unread == 4)
                }
                // A page opened after the second one (`after`, before any event) starts with the third.
                try await withEventStream(
                    port: port, "/notifications/stream?after=\(sent[1])", headers: session(client)
                ) { stream in
                    let third = try #require(try await stream.next("notification")).decoded(Note.self)
                    #expect(third.text == "第三条")
                }
            }
        }
    }

    @Test(arguments: Role.allCases)
    func everyRoleMayOpenItsStream(role: Role) async throws {
        try await withHuifang(fast) { app in
            let (user, password) = try await makeUser(app, role)
            let client = try await PageClient.signedIn(app, user.username, password)
            try await serving(app) { port in
                let status = try await withEventStream(port: port, "/notifications/stream", headers: session(client)) {
                    $0.status
                }
                #expect(status == .ok)
            }
        }
    }

    @Test func aUserMayHoldThreeStreamsAndAnonymousVisitorsNone() async throws {
        try await withHuifang(fast) { app in
            let (li, password) = try await makeUser(app, .agent, username: "li")
            let client = try await PageClient.signedIn(app, li.username, password)
            let headers = session(client)
            try await serving(app) { port in
                let anonymous = try await withEventStream(port: port, "/notifications/stream") { $0.status }
                #expect(anonymous == .unauthorized)
                let fourth = try await withEventStream(port: port, "/notifications/stream", headers: headers) { one in
                    _ = try await one.next("unread")
                    return try await withEventStream(port: port, "/notifications/stream", headers: headers) { two in
                        _ = try await two.next("unread")
                        return try await withEventStream(port: port, "/notifications/stream", headers: headers) {
                            three in
                            _ = try await three.next("unread")
                            return try await withEventStream(port: port, "/notifications/stream", headers: headers) {
                                $0.status
                            }
                        }
                    }
                }
                #expect(fourth == .tooManyRequests)
            }
        }
    }

    @Test func shuttingDownEndsTheOpenStreamsAndRefusesNewOnes() async throws {
        try await withHuifang(fast) { app in
            let (li, password) = try await makeUser(app, .handler, username: "li")
            let client = try await PageClient.signedIn(app, li.username, password)
            try await serving(app) { port in
                try await withEventStream(port: port, "/notifications/stream", headers: session(client)) { stream in
                    _ = try await stream.next("unread")
                    await NotificationHub.Lifecycle(hub: app.notificationHub).shutdownAsync(app)
                    #expect(try await stream.next() == nil, "the server ended the stream")
                }
                let refused = try await withEventStream(port: port, "/notifications/stream", headers: session(client)) {
                    $0.status
                }
                #expect(refused == .serviceUnavailable)
            }
        }
    }

    @Test func anOpenStreamNeitherKeepsAnIdleSessionAliveNorWritesIt() async throws {
        try await withHuifang(fast) { app in
            let (li, password) = try await makeUser(app, .agent, username: "li")
            var client = try await PageClient.signedIn(app, li.username, password)
            try await SessionSecurityTests().age(app, "seen", by: 119 * 60)
            try await serving(app) { port in
                try await withEventStream(port: port, "/notifications/stream", headers: session(client)) { stream in
                    let opened = try await stream.next("unread")
                    #expect(opened != nil, "the session is still alive")
                    #expect(stream.headers[.setCookie].isEmpty, "the stream does not write the session back")
                }
            }
            try await SessionSecurityTests().age(app, "seen", by: 2 * 60)
            #expect(try await client.get("/tasks/mine").status == .seeOther, "a tab left open is not use")
        }
    }
}
