import HuifangCore
import Testing

@Suite struct NamedCodeTests {
    @Test func aListNamesEveryWrongEntryByItsPlace() {
        let entries = [
            NamedCode(code: "inquiry", name: "业务咨询"), NamedCode(code: "Bad Code", name: "坏"),
            NamedCode(code: "", name: String(repeating: "长", count: 21)), NamedCode(code: "inquiry", name: "业务咨询"),
            NamedCode(code: "会员积分查询", name: "会员积分查询"),
        ]
        let problems = NamedCodes.problems(entries, field: "matters", keptCodes: ["会员积分查询"])
        #expect(
            problems.map { "\($0.field) \($0.key)" } == [
                "matters[1].code names.problem.code", "matters[2].code problem.required",
                "matters[2].name problem.tooLong", "matters[3].code names.problem.repeatedCode",
                "matters[3].name names.problem.repeatedName",
            ])
        #expect(NamedCodes.problems([NamedCode(code: "科室", name: "科室")], field: "attributes", freeCodes: true).isEmpty)
        #expect(
            CallMatters.problems([NamedCode(code: "other", name: "其他", isActive: false)], keptCodes: []).map(\.field)
                == ["matters"])
    }

    @Test func aSeededNameReadsInTheReadersLanguageUntilSomeoneRenamesIt() {
        #expect(NamedCodes.label(stored: "医疗回访", catalogueKey: "skill.medical", language: .en) == "Medical follow-ups")
        #expect(NamedCodes.label(stored: "医疗回访", catalogueKey: "skill.medical", language: .zh) == "医疗回访")
        #expect(NamedCodes.label(stored: "住院回访", catalogueKey: "skill.medical", language: .en) == "住院回访")
        #expect(NamedCodes.label(stored: "退款", catalogueKey: "callMatter.refund", language: .en) == "退款")
    }

    @Test func everySeededNameIsInTheCatalogueAsSeeded() {
        for entry in CallMatters.defaults {
            #expect(Catalogue.text("callMatter." + entry.code, .zh) == entry.name, "\(entry.code)")
        }
        for entry in Skills.defaults { #expect(Catalogue.text("skill." + entry.code, .zh) == entry.name) }
        for kind in EventKinds.defaults { #expect(Catalogue.text("eventKind." + kind.code, .zh) == kind.name) }
        for (_, attributes) in EventAttributes.defaults {
            for entry in attributes { #expect(Catalogue.text("eventAttribute." + entry.code, .zh) == entry.name) }
        }
    }

    @Test func aFormsRowsBecomeEntriesBlankAndRemovedRowsLeftOut() {
        let form = [
            "row.0.code": "inquiry", "row.0.name": " 业务咨询 ", "row.0.active": "1", "row.1.code": "points",
            "row.1.name": "会员积分", "row.1.remove": "1", "row.2.code": "", "row.2.name": "",
            "row.10.code": "refund", "row.10.name": "退款", "row.10.active": "0", "_csrf": "x",
        ]
        #expect(
            NamedCodes.entries(fromForm: form, prefix: "row") == [
                NamedCode(code: "inquiry", name: "业务咨询"), NamedCode(code: "refund", name: "退款", isActive: false),
            ])
    }

    @Test func eventAttributesReadByTheirKindsNamesInTheKindsOrder() {
        let names = EventAttributeNames([
            "warranty_start": [
                NamedCode(code: "warranty_until", name: "质保截止日"), NamedCode(code: "product", name: "产品"),
            ],
            "purchase": [NamedCode(code: "amount", name: "金额")],
        ])
        let attributes = ["product": "热水器", "warranty_until": "2027-11-30", "amount": "3200", "门店": "徐汇店"]
        #expect(
            names.line(attributes, kind: "warranty_start", language: .zh) == "质保截止日：2027-11-30，产品：热水器，金额：3200，门店：徐汇店")
        #expect(
            names.line(["warranty_until": "2027-11-30"], kind: "warranty_start", language: .en) == "质保截止日: 2027-11-30")
        #expect(names.name(of: "amount", kind: "repair") == "金额", "another kind's name for the same key")
    }

    @Test func anAnswerReadsUnderItsIndicatorOrItsQuestionNeverItsKey() {
        #expect(AnswerHeading.text(indicator: "服务态度", question: "态度打几分？", key: "q2") == "服务态度")
        #expect(AnswerHeading.text(indicator: "", question: "您还有什么意见或建议？", key: "q5") == "您还有什么意见或建议？")
        #expect(AnswerHeading.text(indicator: "", question: nil, key: "q5") == "q5")
    }
}
