import HuifangCore
import Testing

@Suite struct CustomerRulesTests {
    let rules = CustomerRules(tiers: ["普通", "银卡", "金卡", "白金卡"], today: LocalDate(year: 2026, month: 11, day: 25)!)

    @Test(arguments: [
        ("2024-03-05", "2024-03-05"), ("2024/3/5", "2024-03-05"), ("2024.3.5", "2024-03-05"),
        ("20240305", "2024-03-05"), ("2024年3月5日", "2024-03-05"), ("2024-03-05 00:00:00", "2024-03-05"),
        ("2024-02-29", "2024-02-29"),
    ])
    func readsDatesAsOfficesWriteThem(raw: String, iso: String) throws {
        #expect(try rules.pastDate(raw)?.iso == iso)
    }

    @Test func refusesImpossibleFutureAndAncientDates() throws {
        #expect(throws: FieldProblem.invalidDate) { try rules.pastDate("2023-02-29") }
        #expect(throws: FieldProblem.invalidDate) { try rules.pastDate("05/03/2024") }
        #expect(throws: FieldProblem.dateInFuture) { try rules.pastDate("2026-11-26") }
        #expect(throws: FieldProblem.dateTooEarly) { try rules.pastDate("1899-12-31") }
        #expect(try rules.pastDate("2026-11-25")?.iso == "2026-11-25")
    }

    @Test func acceptsOnlyConfiguredTiers() throws {
        #expect(try rules.tier("金卡") == "金卡")
        #expect(throws: FieldProblem.unknownTier(allowed: ["普通", "银卡", "金卡", "白金卡"])) { try rules.tier("钻石卡") }
    }

    @Test func splitsTagsOnAnySeparatorAndDropsRepeats() throws {
        #expect(try rules.tags("新客，高价值; 车主、新客|投诉过") == ["新客", "高价值", "车主", "投诉过"])
        #expect(throws: FieldProblem.tooLong(max: 20)) { try rules.tags(String(repeating: "长", count: 21)) }
    }

    @Test func readsYesAndNoInBothLanguages() throws {
        #expect(try rules.boolean("是") == true)
        #expect(try rules.boolean("No") == false)
        #expect(try rules.boolean("") == nil)
        #expect(throws: FieldProblem.invalidBoolean) { try rules.boolean("也许") }
    }

    @Test func checksEmailAddresses() throws {
        #expect(try rules.email(" Zhang@Example.COM ") == "zhang@example.com")
        for bad in ["zhang", "zhang@", "@example.com", "zhang@example", "a b@example.com", "zhang@example..com"] {
            #expect(throws: FieldProblem.invalidEmail) { try rules.email(bad) }
        }
    }

    @Test func reportsEveryBadFieldAtOnce() {
        let result = rules.patch(from: [.name: "", .mobile: "123", .birthday: "2030-01-01"], emptyClears: true)
        guard case .failure(let failure) = result else {
            Issue.record("expected a failure")
            return
        }
        #expect(
            Set(failure.errors) == [
                FieldError(.name, .required), FieldError(.mobile, .invalidMobile), FieldError(.birthday, .dateInFuture),
            ])
    }

    @Test func anEmptyFormFieldClearsButAnEmptyCellLeavesAlone() throws {
        let existing = CustomerRecord(name: "王芳", email: "w@example.com", tier: "金卡", notes: "偏好下午联系")
        let form = try rules.patch(from: [.email: "", .notes: ""], emptyClears: true).get().patch
        #expect(form.applied(to: existing).email == nil)
        #expect(form.applied(to: existing).notes == nil)
        let cells = try rules.patch(from: [.email: "", .notes: ""], emptyClears: false).get().patch
        #expect(cells.applied(to: existing) == existing)
    }

    @Test func listsChangedFieldsOldToNew() throws {
        let before = CustomerRecord(
            name: "王芳", mobile: try PhoneNumber(parsing: "13812345678"), tier: "普通", tags: ["新客"])
        var after = before
        after.tier = "金卡"
        after.mobile = try PhoneNumber(parsing: "13912345678")
        after.tags = []
        #expect(
            after.changes(from: before) == [
                FieldChange(field: .mobile, oldValue: "13812345678", newValue: "13912345678"),
                FieldChange(field: .tier, oldValue: "普通", newValue: "金卡"),
                FieldChange(field: .tags, oldValue: "新客", newValue: nil),
            ])
        #expect(before.changes(from: before).isEmpty)
    }

    @Test func locksOutOnTheFailureThatReachesTheLimit() {
        let policy = LoginThrottlePolicy(maxFailuresPerAccount: 5, maxFailuresPerAddress: 20)
        #expect(!policy.isLocked(accountFailures: 4, addressFailures: 4))
        #expect(policy.failureLocks(accountFailures: 5, addressFailures: 5))
        #expect(!policy.failureLocks(accountFailures: 6, addressFailures: 6))
        #expect(policy.isLocked(accountFailures: 5, addressFailures: 0))
        #expect(policy.isLocked(accountFailures: 0, addressFailures: 20))
    }
}
