import Foundation
import Testing

@testable import HuifangCore

@Suite struct JSONLogLineTests {
    @Test func aRecordIsOneLineOfJSONWithItsMetadataAndWhereItWasWritten() throws {
        let time = Date(timeIntervalSince1970: 1_764_497_703.042)
        let line = JSONLogLine.line(
            time: time, level: "error", logger: "codes.vapor.request", message: "第一行\n\"第二行\"",
            metadata: ["request-id": "B7E1", "path": "/api/v1/tickets"], source: "Vapor", file: "AppError.swift",
            line: 42)
        #expect(!line.contains("\n"), "a message's line break stays inside the string")
        let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(record["time"] as? String == "2025-11-30T10:15:03.042Z")
        #expect(record["level"] as? String == "error" && record["logger"] as? String == "codes.vapor.request")
        #expect(record["message"] as? String == "第一行\n\"第二行\"")
        #expect(record["request-id"] as? String == "B7E1" && record["path"] as? String == "/api/v1/tickets")
        #expect(record["file"] as? String == "AppError.swift" && record["line"] as? Int == 42)
        #expect(line.hasPrefix("{\"file\""), "keys sorted: equal records are equal lines")
    }
}
