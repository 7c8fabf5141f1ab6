/// The ticket settings as the settings page's form sends them: flat fields per row, so a supervisor edits
/// policies, the escalation ladder and the categories in labelled fields instead of JSON.
///
/// Policies are `p0.name`, `p0.kind.complaint`, `p0.severity.serious`, `p0.urgent` (`""`, `yes`, `no`),
/// `p0.tiers` (comma separated), `p0.firstResponse.amount` / `.unit` (and `resolution`, `inform`,
/// `verification`), `p0.pauses`, `p0.delete`; the fallback policy is `fb.…`; levels `l0.amount`, `l0.unit`,
/// `l0.notify`, `l0.delete`; categories `c0.code`, `c0.name`, `c0.delete`. `policies`, `levels` and
/// `categories` give the rows' counts. A row whose name (or code) is left empty is a blank row for adding
/// and is skipped; a row marked `delete` is dropped.
public enum TicketSettingsForm {
    public static let durations = ["firstResponse", "resolution", "inform", "verification"]

    /// The settings the form describes, and the problems of what could not be read (an amount that is not a
    /// number), named as `TicketSettings.problems()` names fields, so the page shows both beside their fields.
    public static func parse(_ form: [String: String]) -> (settings: TicketSettings, problems: [NamedFieldError]) {
        var problems: [NamedFieldError] = []
        func count(_ key: String) -> Int { min(max(Int(form[key] ?? "") ?? 0, 0), 100) }
        func value(_ key: String) -> String { (form[key] ?? "").trimmingWhitespace() }
        func duration(_ prefix: String, field: String) -> PolicyDuration {
            let unit = PolicyDuration.Unit(rawValue: value(prefix + ".unit")) ?? .workingHours
            guard let amount = Int(value(prefix + ".amount")) else {
                problems.append(NamedFieldError(field: field, key: "problem.notANumber"))
                return PolicyDuration(0, unit)
            }
            return PolicyDuration(amount, unit)
        }
        func policy(_ prefix: String, field: (String) -> String) -> DeadlinePolicy {
            let urgent: Bool? = ["yes": true, "no": false][value(prefix + ".urgent")]
            return DeadlinePolicy(
                name: value(prefix + ".name"),
                kinds: TicketKind.allCases.filter { form["\(prefix).kind.\($0.rawValue)"] != nil },
                severities: Severity.allCases.filter { form["\(prefix).severity.\($0.rawValue)"] != nil },
                urgent: urgent,
                tiers: value(prefix + ".tiers").split { $0 == "," || $0 == "，" }.map { String($0).trimmingWhitespace() }
                    .filter { !$0.isEmpty },
                firstResponse: duration(prefix + ".firstResponse", field: field("firstResponse")),
                resolution: duration(prefix + ".resolution", field: field("resolution")),
                inform: duration(prefix + ".inform", field: field("inform")),
                verification: duration(prefix + ".verification", field: field("verification")),
                pausesWhileWaiting: form[prefix + ".pauses"] != nil)
        }
        var policies: [DeadlinePolicy] = []
        for row in 0..<count("policies") where !isDropped("p\(row)", key: "name", form) {
            let index = policies.count
            policies.append(policy("p\(row)") { "policies[\(index)].\($0)" })
        }
        let fallback = policy("fb") { "fallback.\($0)" }
        var levels: [EscalationLevel] = []
        for row in 0..<count("levels") where form["l\(row).delete"] == nil && !value("l\(row).amount").isEmpty {
            let notify = EscalationTarget(rawValue: value("l\(row).notify")) ?? .departmentHead
            levels.append(
                EscalationLevel(after: duration("l\(row)", field: "ladder[\(levels.count)].after"), notify: notify))
        }
        var categories: [TicketCategory] = []
        for row in 0..<count("categories") where !isDropped("c\(row)", key: "code", form) {
            categories.append(TicketCategory(value("c\(row).code"), value("c\(row).name")))
        }
        let settings = TicketSettings(
            policies: policies, fallback: fallback, ladder: EscalationLadder(levels), categories: categories)
        return (settings, problems)
    }

    /// The form's fields for `settings`, as the settings page sends them back unchanged (with one blank
    /// policy, one blank level and two blank categories).
    public static func fields(_ settings: TicketSettings) -> [String: String] {
        var form: [String: String] = [
            "policies": "\(settings.policies.count + 1)", "levels": "\(settings.ladder.levels.count + 1)",
            "categories": "\(settings.categories.count + 2)",
        ]
        func put(_ policy: DeadlinePolicy, _ prefix: String) {
            form[prefix + ".name"] = policy.name
            for kind in policy.kinds { form["\(prefix).kind.\(kind.rawValue)"] = "1" }
            for severity in policy.severities { form["\(prefix).severity.\(severity.rawValue)"] = "1" }
            form[prefix + ".urgent"] = policy.urgent.map { $0 ? "yes" : "no" } ?? ""
            form[prefix + ".tiers"] = policy.tiers.joined(separator: ", ")
            for (key, duration) in [
                ("firstResponse", policy.firstResponse), ("resolution", policy.resolution), ("inform", policy.inform),
                ("verification", policy.verification),
            ] {
                form["\(prefix).\(key).amount"] = "\(duration.amount)"
                form["\(prefix).\(key).unit"] = duration.unit.rawValue
            }
            if policy.pausesWhileWaiting { form[prefix + ".pauses"] = "1" }
        }
        for (index, policy) in settings.policies.enumerated() { put(policy, "p\(index)") }
        put(settings.fallback, "fb")
        for (index, level) in settings.ladder.levels.enumerated() {
            form["l\(index).amount"] = "\(level.after.amount)"
            form["l\(index).unit"] = level.after.unit.rawValue
            form["l\(index).notify"] = level.notify.rawValue
        }
        for (index, category) in settings.categories.enumerated() {
            form["c\(index).code"] = category.code
            form["c\(index).name"] = category.name
        }
        return form
    }

    /// A row marked for deletion, or a blank row left blank.
    private static func isDropped(_ prefix: String, key: String, _ form: [String: String]) -> Bool {
        form[prefix + ".delete"] != nil || (form[prefix + "." + key] ?? "").trimmingWhitespace().isEmpty
    }
}
