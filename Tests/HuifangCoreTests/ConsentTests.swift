import Foundation
import HuifangCore
import Testing

/// The consent history's rules and the SMS reply that opts out, without a database.
@Suite struct ConsentTests {
    @Test(arguments: ["T", "t", "TD", "td", "Td", "退订", "N", "n", " T ", "\tTD\n", "\u{3000}退订\u{3000}", "Ｔ", "ｔｄ"])
    func aReplyOfAnOptOutKeywordOptsOut(text: String) {
        #expect(SMSReply.action(for: text) == .optOut)
    }

    @Test(arguments: [
        "", " ", "TT", "T D", "退订了", "请退订", "No", "NO", "Y", "是", "1", "T.", "stop", "谢谢，服务很好", "N/A",
    ])
    func anyOtherReplyIsIgnored(text: String) {
        #expect(SMSReply.action(for: text) == .ignored)
    }

    @Test func everySourceHasAStoredNameAndTheCustomersOwnNameNoStaff() {
        #expect(Set(ConsentSource.allCases.map(\.rawValue)).count == ConsentSource.allCases.count)
        #expect(ConsentSource.importFile.rawValue == "import" && ConsentSource.surveyLink.rawValue == "survey_link")
        #expect(ConsentSource.smsReply.rawValue == "sms_reply" && ConsentSource.migration.rawValue == "migration")
        #expect(ConsentSource.allCases.filter(\.isCustomersOwn) == [.surveyLink, .smsReply])
        for source in ConsentSource.allCases {
            #expect(Catalogue.contains(source.catalogueKey), "\(source) has a label")
        }
    }

    @Test(arguments: [
        ("ui", ConsentSource.page), ("api", .api), ("import", .importFile), ("demo", .demo), ("cli", .commandLine),
        ("job", .commandLine), ("link", .surveyLink), ("sms", .smsReply),
    ])
    func anActorsSourceNamesHowAChangeWasRecorded(actor: String, expected: ConsentSource) {
        #expect(ConsentSource(actorSource: actor) == expected)
    }

    @Test func aRowIsKeptForANewCustomerAndEachChangeOfEitherFlag() {
        let yes = ConsentState(consent: true, doNotDisturb: false)
        #expect(ConsentHistory.needsEntry(from: nil, to: yes, how: .page))
        #expect(!ConsentHistory.needsEntry(from: yes, to: yes, how: .api))
        #expect(ConsentHistory.needsEntry(from: yes, to: ConsentState(consent: false, doNotDisturb: false), how: .api))
        #expect(ConsentHistory.needsEntry(from: yes, to: yes.optedOut, how: .importFile))
        // The customer's own opt-out is kept even when the flag was already set.
        #expect(ConsentHistory.needsEntry(from: yes.optedOut, to: yes.optedOut, how: .smsReply))
        #expect(!ConsentHistory.needsEntry(from: yes.optedOut, to: yes.optedOut, how: .call))
    }

    @Test func contactNeedsConsentAndNoDoNotDisturb() {
        let yes = ConsentState(consent: true, doNotDisturb: false)
        #expect(yes.allowsContact)
        #expect(!ConsentState(consent: false, doNotDisturb: false).allowsContact)
        #expect(!yes.optedOut.allowsContact && yes.optedOut.consent)
    }

    @Test func aNoteIsTrimmedAndShort() {
        #expect(ConsentHistory.note(nil) == nil && ConsentHistory.note("  ") == nil)
        #expect(ConsentHistory.note(" link 4 ") == "link 4")
        #expect(ConsentHistory.note(String(repeating: "长", count: 500))?.count == ConsentHistory.noteLimit)
    }

    @Test func aReplyIsReadWithItsNumberNormalisedAndEveryWrongFieldNamed() throws {
        let zone = TimeZone(identifier: "Asia/Shanghai")!
        let reply = try SMSReply.read(
            from: "+86 138 0013 8000", text: " 退订 ", receivedAt: "2026-03-02T10:34:00+08:00", in: zone)
        #expect(reply.from.e164 == "+8613800138000" && reply.action == .optOut)
        #expect(reply.receivedAt == Date(timeIntervalSince1970: 1_772_418_840))
        let chat = try SMSReply.read(from: "13800138000", text: "", receivedAt: nil, in: zone)
        #expect(chat.action == .ignored && chat.receivedAt == nil)
        #expect(throws: NamedFieldErrors.self) { try SMSReply.read(from: nil, text: "T", receivedAt: nil, in: zone) }
        do {
            _ = try SMSReply.read(
                from: "10086", text: String(repeating: "T", count: 1001), receivedAt: "yesterday", in: zone)
            Issue.record("read")
        } catch {
            #expect(error.errors.map(\.field) == ["from", "text", "received_at"])
        }
    }
}
