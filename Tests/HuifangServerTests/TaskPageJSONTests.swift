import Foundation
import HuifangCore
import Testing

@testable import HuifangServer

/// The call list's answer is written by hand (`JSONText`) rather than by `JSONEncoder`: it must be the same JSON.
@Suite struct TaskPageJSONTests {
    static let full = TaskView(
        id: 4325, customerID: 177, customerName: "梁\"磊\"伟\\", mobile: "156 1373 9422", dial: "+8615613739422",
        dialURL: "tel:+8615613739422?x=1&y=\"2\"", status: "open", priority: 1, channel: "phone",
        reasons: ["出院七日回访", "保险\n到期"], script: "您好，\t请问\u{1}您出院后恢复得怎么样？", dueAt: "2026-11-25 10:00",
        deadlineAt: "2026-12-02 17:00", callbackAt: "2026-12-01 09:30", agent: "王芳",
        assignment: "分配给 王芳：专属客服，当时 0 个未完成任务")
    static let sparse = TaskView(
        id: 1, customerID: 2, customerName: "", mobile: nil, status: "open", priority: 3, channel: "sms",
        reasons: [], script: "", dueAt: "2026-11-25 10:00", deadlineAt: "2026-12-02 17:00", callbackAt: nil,
        agent: nil, assignment: nil)

    func parsed(_ data: Data) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: data) as? NSDictionary)
    }

    @Test(arguments: [
        TaskPageDTO(items: [full, sparse], nextCursor: "MXx8MXwxNzk2MTc2ODAwLjB8NTU3NA"),
        TaskPageDTO(items: [sparse], nextCursor: nil), TaskPageDTO(items: [], nextCursor: nil),
    ])
    func aPageIsTheJSONTheEncoderWouldWrite(page: TaskPageDTO) throws {
        let byHand = try parsed(Data(page.json.bytes))
        #expect(byHand == (try parsed(try JSONEncoder().encode(page))))
        #expect((byHand["items"] as? [Any])?.count == page.items.count)
        #expect((byHand["nextCursor"] == nil) == (page.nextCursor == nil), "a last page has no cursor")
    }
}
