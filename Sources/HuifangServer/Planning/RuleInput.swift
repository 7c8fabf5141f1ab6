import Foundation
import HuifangCore
import Vapor

/// A rule as the API and the form submit it and as the API returns it.
struct RuleInput: Content {
    struct SegmentInput: Content {
        var tiers: [String]?
        var tags: [String]?
        var eventAttributes: [String: String]?
    }
    var id: Int?
    var name: String
    var kind: String
    var isEnabled: Bool?
    var priority: Int?
    var channel: String?
    var script: String?
    var windowDays: Int?
    var maxAttempts: Int?
    /// `10:00-12:00,15:00-17:00`; empty for the calendar's.
    var contactWindows: String?
    var requiredSkill: String?
    var bypassesContactCap: Bool?
    var days: Int?
    var countsWorkingDays: Bool?
    var eventKind: String?
    var dateAttribute: String?
    var monthsByTier: [String: Int]?
    var firstMonths: Int?
    var everyMonths: Int?
    var campaignDate: String?
    /// The survey (its first version's id; the current version is asked).
    var surveyID: Int?
    /// birthday, expiryReminder: `before` (the default) or `after`, where a date on a day off goes.
    var holidayShift: String?
    var segment: SegmentInput?

    init(_ rule: FollowUpRule) {
        id = rule.id
        name = rule.name
        kind = rule.kind.rawValue
        isEnabled = rule.isEnabled
        priority = rule.priority
        channel = rule.channel.rawValue
        script = rule.script
        windowDays = rule.windowDays
        maxAttempts = rule.maxAttempts
        contactWindows = rule.contactWindows.map(\.description).joined(separator: ",")
        requiredSkill = rule.requiredSkill
        bypassesContactCap = rule.bypassesContactCap
        days = rule.days
        countsWorkingDays = rule.countsWorkingDays
        eventKind = rule.eventKind
        dateAttribute = rule.dateAttribute
        monthsByTier = rule.monthsByTier
        firstMonths = rule.firstMonths
        everyMonths = rule.everyMonths
        campaignDate = rule.campaignDate?.iso
        surveyID = rule.surveyID
        holidayShift = rule.holidayShift.rawValue
        segment = SegmentInput(
            tiers: rule.segment.tiers, tags: rule.segment.tags, eventAttributes: rule.segment.eventAttributes)
    }

    /// The rule, or every refused field. `eventKinds` are the configured event kind codes, `skills` the skill
    /// codes a rule may require (nil: not checked).
    func rule(id: Int, eventKinds: Set<String>, surveys: Set<Int> = [], skills: Set<String>? = nil)
        throws(NamedFieldErrors) -> FollowUpRule
    {
        var errors: [NamedFieldError] = []
        let kind = RuleKind(rawValue: self.kind)
        if kind == nil { errors.append(.init(field: "kind", key: "rule.problem.kind")) }
        let channel = ContactChannel(rawValue: self.channel ?? "phone")
        if channel == nil { errors.append(.init(field: "channel", key: "rule.problem.channel")) }
        let windowsText = (contactWindows ?? "").trimmingWhitespace()
        let windows = windowsText.isEmpty ? [] : TimeRange.list(windowsText)
        if windows == nil { errors.append(.init(field: "contactWindows", key: "rule.problem.contactWindows")) }
        var campaign: LocalDate?
        if let text = campaignDate?.trimmingWhitespace(), !text.isEmpty {
            campaign = LocalDate(parsing: text)
            if campaign == nil { errors.append(.init(field: "campaignDate", key: "rule.problem.campaignDate")) }
        }
        let eventKind = (self.eventKind ?? "").trimmingWhitespace()
        if !eventKind.isEmpty, !eventKinds.contains(eventKind) {
            errors.append(.init(field: "eventKind", key: "rule.problem.unknownEventKind"))
        }
        if let surveyID, !surveys.contains(surveyID) {
            errors.append(.init(field: "surveyID", key: "rule.problem.unknownSurvey"))
        }
        let holidayShift = HolidayShift(rawValue: self.holidayShift ?? HolidayShift.before.rawValue)
        if holidayShift == nil { errors.append(.init(field: "holidayShift", key: "rule.problem.holidayShift")) }
        let skill = (requiredSkill ?? "").trimmingWhitespace()
        if let skills, !skill.isEmpty, !skills.contains(skill) {
            errors.append(.init(field: "requiredSkill", key: "skills.problem.unknown", arguments: [skill]))
        }
        let rule = FollowUpRule(
            id: id, name: name.trimmingWhitespace(), kind: kind ?? .campaign, isEnabled: isEnabled ?? true,
            priority: priority ?? 3,
            segment: Segment(
                tiers: segment?.tiers ?? [], tags: segment?.tags ?? [], eventAttributes: segment?.eventAttributes ?? [:]
            ),
            channel: channel ?? .phone, script: script ?? "", windowDays: windowDays ?? 3,
            maxAttempts: maxAttempts ?? 3,
            contactWindows: windows ?? [], requiredSkill: (requiredSkill ?? "").trimmingWhitespace(),
            bypassesContactCap: bypassesContactCap ?? false, days: days ?? 0,
            countsWorkingDays: countsWorkingDays ?? false,
            eventKind: eventKind, dateAttribute: (dateAttribute ?? "").trimmingWhitespace(),
            monthsByTier: monthsByTier ?? [:],
            firstMonths: firstMonths ?? 1, everyMonths: everyMonths ?? 6, campaignDate: campaign, surveyID: surveyID,
            holidayShift: holidayShift ?? .before)
        if kind != nil {
            let known = Set(errors.map(\.field))
            errors += rule.problems().filter { !known.contains($0.field) }
        }
        guard errors.isEmpty else { throw NamedFieldErrors(errors: errors) }
        return rule
    }

    /// Reads the rule form's text fields (lists comma-separated, `tier=months` pairs).
    init(form: [String: String]) {
        func list(_ key: String) -> [String] {
            (form[key] ?? "").split(whereSeparator: { ",，、".contains($0) }).map { $0.trimmingWhitespace() }.filter {
                !$0.isEmpty
            }
        }
        func pairs(_ key: String) -> [String: String] {
            var result: [String: String] = [:]
            for item in list(key) {
                let parts = item.split(whereSeparator: { "=＝:：".contains($0) }).map { $0.trimmingWhitespace() }
                result[parts.first ?? item] = parts.count > 1 ? parts[1] : ""
            }
            return result
        }
        func number(_ key: String) -> Int? {
            Int((form[key] ?? "").trimmingWhitespace()) ?? ((form[key] ?? "").isEmpty ? nil : -1)
        }
        name = form["name"] ?? ""
        kind = form["kind"] ?? ""
        isEnabled = form["isEnabled"] != nil
        priority = number("priority")
        channel = form["channel"]
        script = form["script"]
        windowDays = number("windowDays")
        maxAttempts = number("maxAttempts")
        contactWindows = form["contactWindows"]
        requiredSkill = form["requiredSkill"]
        bypassesContactCap = form["bypassesContactCap"] != nil
        days = number("days")
        countsWorkingDays = form["countsWorkingDays"] != nil
        eventKind = form["eventKind"]
        dateAttribute = form["dateAttribute"]
        monthsByTier = pairs("monthsByTier").mapValues { Int($0) ?? -1 }
        firstMonths = number("firstMonths")
        everyMonths = number("everyMonths")
        campaignDate = form["campaignDate"]
        surveyID = (form["surveyID"] ?? "").isEmpty ? nil : Int(form["surveyID"]!) ?? -1
        holidayShift = form["holidayShift"]
        segment = SegmentInput(
            tiers: list("segmentTiers"), tags: list("segmentTags"), eventAttributes: pairs("segmentAttributes"))
    }
}
