import HuifangCore
import Testing

@Suite struct CatalogueTests {
    @Test func everyEntryHasBothLanguages() {
        for key in Catalogue.keys {
            #expect(Catalogue.text(key, .zh) != key && !Catalogue.text(key, .zh).isEmpty, "\(key) zh")
            #expect(Catalogue.text(key, .en) != key && !Catalogue.text(key, .en).isEmpty, "\(key) en")
        }
    }

    @Test func everyProblemRoleAndFieldHasText() {
        let problems: [FieldProblem] = [
            .required, .tooLong(max: 5), .invalidMobile, .invalidEmail, .invalidDate, .dateInFuture,
            .dateTooEarly, .invalidGender, .invalidBoolean, .unknownTier(allowed: ["普通"]), .unknownAgent,
            .notAnAgent, .duplicateInFile(firstLine: 2), .mobileMatchesSeveral, .externalIDTaken,
            .mobileOrExternalIDRequired,
        ]
        for problem in problems { #expect(Catalogue.contains(problem.catalogueEntry.key), "\(problem)") }
        for role in Role.allCases { #expect(Catalogue.contains(role.catalogueKey)) }
        for field in CustomerField.allCases { #expect(Catalogue.contains(field.catalogueKey)) }
        let files: [ImportFileProblem] = [
            .empty, .unreadableEncoding, .missingNameColumn, .missingKeyColumn, .duplicateColumn("x"),
        ]
        for problem in files { #expect(Catalogue.contains(problem.catalogueEntry.key)) }
    }

    @Test func fillsArguments() {
        #expect(Catalogue.text("problem.duplicateInFile", .zh, ["7"]) == "与第 7 行重复")
        #expect(Catalogue.text("problem.duplicateInFile", .en, ["7"]) == "repeats line 7")
        #expect(Catalogue.text("problem.duplicateInFile", .zh) == "与第 {0} 行重复")
        #expect(Language(tag: "zh-CN") == .zh)
        #expect(Language(tag: "en-US,en;q=0.9") == .en)
        #expect(Language(tag: "fr") == nil)
    }

    @Test func fillsEachPlaceholderOnceAndLeavesOtherBracesAlone() {
        #expect(Catalogue.fill("分配给 {0}：{1}，当时 {2} 个", ["王芳", "专属客服", "0"]) == "分配给 王芳：专属客服，当时 0 个")
        #expect(Catalogue.fill("{1}{0}{1}", ["甲", "乙"]) == "乙甲乙")
        #expect(Catalogue.fill("{10} 与 {2}", Array(repeating: "x", count: 10) + ["十"]) == "十 与 x")
        // Not an argument: no digits, not closed, out of range, too long a number, another character inside.
        #expect(Catalogue.fill("{} {x} {0 {5} {0001} { 0} {+0}", ["甲"]) == "{} {x} {0 {5} {0001} { 0} {+0}")
        #expect(Catalogue.fill("尾 {", ["甲"]) == "尾 {")
        #expect(Catalogue.fill("{99999999999999999999999} {0}", ["甲"]) == "{99999999999999999999999} 甲")
        #expect(Catalogue.fill("{{0}}", ["甲"]) == "{甲}")
        // An argument's own braces are not filled again.
        #expect(Catalogue.fill("{0} {1}", ["{1}", "乙"]) == "{1} 乙")
        #expect(Catalogue.fill("", ["甲"]) == "")
    }
}
