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
        #expect(Language(tag: "zh-CN") == .zh)
        #expect(Language(tag: "en-US,en;q=0.9") == .en)
        #expect(Language(tag: "fr") == nil)
    }
}
