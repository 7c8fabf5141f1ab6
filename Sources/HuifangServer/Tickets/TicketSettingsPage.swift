import HuifangCore
import Vapor

/// The ticket settings as labelled form rows (`TicketSettingsForm` reads them back): each policy with its
/// matches and four deadlines, the escalation ladder, the categories, a blank row of each for adding, and
/// every problem beside its field.
struct TicketSettingsPage: Encodable {
    struct Choice: Encodable {
        let value: String
        let label: String
        let selected: Bool
    }
    struct Duration: Encodable {
        let key: String
        let label: String
        let amount: String
        let units: [Choice]
        let error: String?
    }
    struct Policy: Encodable {
        let prefix: String
        let isFallback: Bool
        let isNew: Bool
        let name: String
        let nameError: String?
        let kinds: [Choice]
        let severities: [Choice]
        let urgent: [Choice]
        let tiers: String
        let durations: [Duration]
        let pauses: Bool
    }
    struct Level: Encodable {
        let prefix: String
        let number: Int
        let isNew: Bool
        let amount: String
        let units: [Choice]
        let targets: [Choice]
        let error: String?
    }
    struct Category: Encodable {
        let prefix: String
        let isNew: Bool
        let code: String
        let name: String
        let codeError: String?
        let nameError: String?
    }
    let policies: [Policy]
    /// The fallback policy, alone (a list, so the template draws it with the policies' fields).
    let fallbacks: [Policy]
    let levels: [Level]
    let categories: [Category]
    let ladderError: String?
    let categoriesError: String?

    init(_ settings: TicketSettings, errors: [String: String], req: Request) {
        let blank = DeadlinePolicy(
            name: "", firstResponse: PolicyDuration(4, .workingHours), resolution: PolicyDuration(1, .workingDays),
            inform: PolicyDuration(1, .workingDays), verification: PolicyDuration(2, .workingDays))
        policies = (settings.policies + [blank]).enumerated().map { index, policy in
            Self.policy(
                policy, prefix: "p\(index)", field: "policies[\(index)]", isNew: index == settings.policies.count,
                errors: errors, req: req)
        }
        fallbacks = [
            Self.policy(settings.fallback, prefix: "fb", field: "fallback", isNew: false, errors: errors, req: req)
        ]
        let levelRows = settings.ladder.levels.map(Optional.some) + [nil]
        levels = levelRows.enumerated().map { index, level in
            Level(
                prefix: "l\(index)", number: index + 1, isNew: level == nil,
                amount: level.map { "\($0.after.amount)" } ?? "",
                units: Self.units(level?.after.unit ?? .workingHours, req),
                targets: EscalationTarget.allCases.map {
                    Choice(
                        value: $0.rawValue, label: req.t("escalation.target.\($0.rawValue)"),
                        selected: $0 == (level?.notify ?? .supervisors))
                }, error: errors["ladder[\(index)].after"])
        }
        let categoryRows = settings.categories + [TicketCategory("", ""), TicketCategory("", "")]
        categories = categoryRows.enumerated().map { index, category in
            Category(
                prefix: "c\(index)", isNew: index >= settings.categories.count, code: category.code,
                name: category.name, codeError: errors["categories[\(index)].code"],
                nameError: errors["categories[\(index)].name"])
        }
        ladderError = errors["ladder"]
        categoriesError = errors["categories"]
    }

    private static func units(_ selected: PolicyDuration.Unit, _ req: Request) -> [Choice] {
        PolicyDuration.Unit.allCases.map {
            Choice(value: $0.rawValue, label: req.t("policy.unitName.\($0.rawValue)"), selected: $0 == selected)
        }
    }

    private static func policy(
        _ policy: DeadlinePolicy, prefix: String, field: String, isNew: Bool, errors: [String: String], req: Request
    ) -> Policy {
        Policy(
            prefix: prefix, isFallback: prefix == "fb", isNew: isNew, name: policy.name,
            nameError: errors[field + ".name"],
            kinds: TicketKind.allCases.map {
                Choice(
                    value: $0.rawValue, label: req.t("ticket.kind.\($0.rawValue)"), selected: policy.kinds.contains($0))
            },
            severities: Severity.allCases.map {
                Choice(
                    value: $0.rawValue, label: req.t("ticket.severity.\($0.rawValue)"),
                    selected: policy.severities.contains($0))
            },
            urgent: [("", "policy.urgentAny", nil), ("yes", "ticket.urgent", true), ("no", "ticket.notUrgent", false)]
                .map { Choice(value: $0.0, label: req.t($0.1), selected: policy.urgent == $0.2) },
            tiers: policy.tiers.joined(separator: ", "),
            durations: TicketSettingsForm.durations.map { key in
                let duration = Self.duration(policy, key)
                return Duration(
                    key: key, label: req.t("ticket.deadline.\(key)"), amount: "\(duration.amount)",
                    units: units(duration.unit, req), error: errors[field + "." + key])
            }, pauses: policy.pausesWhileWaiting)
    }

    private static func duration(_ policy: DeadlinePolicy, _ key: String) -> PolicyDuration {
        switch key {
        case "firstResponse": policy.firstResponse
        case "resolution": policy.resolution
        case "inform": policy.inform
        default: policy.verification
        }
    }
}
