import Foundation
import Testing

@testable import HuifangCore

@Suite struct JSONTextTests {
    @Test func membersAndElementsAreSeparatedAndNilMembersLeftOut() {
        var json = JSONText()
        json.object { object in
            object.member("a", 1)
            object.member("absent", nil as String?)
            object.member("b", ["x", "y"])
            object.key("c")
            object.object { _ in }
            object.key("d")
            object.array { list in
                list.object { $0.member("e", "f") }
                list.int(-3)
            }
            object.member("g", [])
        }
        #expect(json.text == #"{"a":1,"b":["x","y"],"c":{},"d":[{"e":"f"},-3],"g":[]}"#)
    }

    @Test func stringsComeBackAsWrittenWhateverTheyHoldInside() throws {
        let awkward = "引号\"反斜杠\\换行\n回车\r制表\t响铃\u{7}斜杠/表情🙂\u{1F}结束"
        var json = JSONText()
        json.object { $0.member(awkward, awkward) }
        #expect(!json.text.contains("\n"), "a line break is escaped, not written")
        let read = try #require(try JSONSerialization.jsonObject(with: Data(json.bytes)) as? [String: String])
        #expect(read == [awkward: awkward])
    }
}
