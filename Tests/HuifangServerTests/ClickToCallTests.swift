import Foundation
import HuifangCore
import Testing
import VaporTesting

@testable import HuifangServer

/// Numbers on the call list and in the workspace are click-to-call links built from `HUIFANG_DIAL_URL`.
@Suite struct ClickToCallTests {
    struct Page: Decodable {
        struct Item: Decodable {
            let dial: String?
            let dialURL: String?
        }
        let items: [Item]
    }

    @Test func theConfiguredDialLinkReachesTheCallListTheWorkspaceAndTheAPI() async throws {
        let template = "https://pbx.example.com/call?to={number}&local={digits}"
        try await withHuifang(["HUIFANG_DIAL_URL": template]) { app in
            let desk = try await FollowUpTests().desk(app)
            let expected = "https://pbx.example.com/call?to=%2B8613800138000&local=13800138000"
            let list = try await send(app, .GET, "/api/v1/tasks/mine", token: desk.token)
            let item = try #require(try list.content.decode(Page.self).items.first)
            #expect(item.dial == "+8613800138000")
            #expect(item.dialURL == expected)
            var client = try await PageClient.signedIn(app, desk.agent.username, desk.password)
            let escaped = expected.replacingOccurrences(of: "&", with: "&amp;")
            #expect(try await client.get("/tasks/mine").body.string.contains("href=\"\(escaped)\""))
            #expect(try await client.get("/tasks/\(desk.task.id!)").body.string.contains("href=\"\(escaped)\""))
        }
    }

    @Test func aSoftphoneLinkDialsTheNumberAsDialledAtHome() async throws {
        try await withHuifang(["HUIFANG_DIAL_URL": "sip:{digits}@pbx.example.com"]) { app in
            let desk = try await FollowUpTests().desk(app)
            let workspace = try await send(app, .GET, "/api/v1/tasks/\(desk.task.id!)", token: desk.token)
            #expect(workspace.status == .ok)
            #expect(workspace.body.string.contains("\"dialURL\":\"sip:13800138000@pbx.example.com\""))
        }
    }

    @Test func aDialLinkThatCouldRunScriptOrHasNoNumberStopsStartUp() {
        #expect(throws: ConfigurationError.self) {
            try HuifangConfig.load(environment: ["HUIFANG_DIAL_URL": "javascript:alert({number})"])
        }
        #expect(throws: ConfigurationError.self) {
            try HuifangConfig.load(environment: ["HUIFANG_DIAL_URL": "tel:10086"])
        }
        #expect(throws: DialTemplate.Problem.scheme) { try DialTemplate("data:text/html,{number}") }
        #expect(throws: DialTemplate.Problem.noNumber) { try DialTemplate("sip:operator@pbx") }
    }
}
