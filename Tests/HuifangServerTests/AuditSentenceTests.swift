import Fluent
import Foundation
import HuifangCore
import Testing
import VaporTesting

@testable import HuifangServer

/// The audit log reads as sentences, and every action the product writes can be filtered on.
@Suite struct AuditSentenceTests {
    @Test func everyActionTheSourcesWriteHasANameAndASentence() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/HuifangServer")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)!.compactMap {
            $0 as? URL
        }.filter { $0.pathExtension == "swift" }
        let pattern = try Regex(#"(?:\.audit|AuditLog\.record)\(\s*"([a-z][a-zA-Z.]+)""#)
        var written: Set<String> = []
        for file in files {
            for match in try String(contentsOf: file, encoding: .utf8).matches(of: pattern) {
                written.insert(String(match.output[1].substring!))
            }
        }
        #expect(written.count >= 45 && written.contains("customer.reveal") && written.contains("ticket.view"))
        for action in written {
            #expect(AuditSentence.actions.contains(action), "\(action) has no sentence, so cannot be filtered")
            #expect(Catalogue.contains("action." + action), "\(action) has no name")
        }
    }

    @Test func theLogSaysWhoDidWhatToWhomInTheReadersLanguage() async throws {
        try await withHuifang { app in
            let (admin, password) = try await makeUser(app, .admin, username: "root")
            let agent = try await makeUser(app, .agent, username: "wangfang").user
            agent.displayName = "王芳"
            try await agent.update(on: app.db)
            let supervisor = try await makeToken(app, makeUser(app, .supervisor).user)
            struct Created: Decodable { let id: Int }
            let created = try await send(
                app, .POST, "/api/v1/customers", token: supervisor, body: ["name": "张伟", "mobile": "13812345678"])
            let customerID = try created.content.decode(Created.self).id
            let token = try await makeToken(app, agent)
            try await app.testing().test(.POST, "/api/v1/customers/\(customerID)/reveal", headers: bearer(token)) {
                #expect($0.status == .ok)
            }
            var client = try await PageClient.signedIn(app, admin.username, password)
            let zh = try await client.get("/audit?action=customer.reveal").body.string
            #expect(zh.contains("王芳 查看了客户 张伟（#\(customerID)） 的完整联系方式"), "\(zh)")
            #expect(zh.contains("value=\"ticket.view\""), "every action the product writes is a filter")
            client.language = "en"
            let en = try await client.get("/audit?action=customer.reveal").body.string
            #expect(en.contains("王芳 revealed the contact details of 张伟（#\(customerID)）"))
        }
    }
}
