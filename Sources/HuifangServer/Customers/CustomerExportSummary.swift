import Foundation
import HuifangCore

/// The readable summary of a customer export: one self-contained HTML page (no scripts, nothing loaded), a heading
/// and a table per section, every text escaped, times local to the organisation. Written in the organisation's
/// language (`HUIFANG_DEFAULT_LANGUAGE`, Chinese unless set), since it is handed to the member.
struct CustomerExportSummary {
    typealias Document = CustomerExportDocument
    let document: Document
    let config: HuifangConfig

    private var language: Language { config.defaultLanguage }

    func html() -> String {
        let c = document.customer
        let title = t("export.title", c.name)
        var page = """
            <!DOCTYPE html>
            <html lang="\(language == .zh ? "zh-CN" : "en")"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title))</title>
            <style>\(Self.style)</style></head><body>
            <h1>\(escape(title))</h1>
            <p>\(escape(t("export.intro", time(document.exportedAt), document.timeZone, document.exportedBy)))</p>

            """
        page += section("export.profile", profile())
        page += section("export.consent", consent())
        page += section("export.changes", changes(document.changes))
        page += section("export.events", events())
        page += section("export.tasks", tasks())
        page += section("export.contacts", contacts())
        page += section("export.tickets", tickets())
        page += section("export.calls", calls())
        page += section("export.messages", messages())
        page += section("export.access", access())
        return page + "</body></html>\n"
    }

    private static let style = """
        body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}\
        th,td{border:1px solid #bbb;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#f2f2f2}\
        h2{margin-top:2em;border-bottom:2px solid #333}h3{margin-bottom:.2em}td{white-space:pre-wrap}
        """

    // MARK: Sections

    private func profile() -> String {
        let c = document.customer
        let rows: [(String, String?)] = [
            ("field.name", c.name), ("field.externalID", c.externalID),
            ("field.mobile", c.mobile.map { PhoneNumber(normalised: $0).display }), ("field.email", c.email),
            ("field.gender", c.gender.map { label("gender.", $0) }), ("field.birthday", c.birthday),
            ("field.registeredOn", c.registeredOn), ("field.tier", c.tier),
            ("field.tags", c.tags.isEmpty ? nil : c.tags.joined(separator: "、")),
            ("field.assignedAgent", c.assignedAgent), ("field.consent", yesNo(c.consent)),
            ("field.doNotDisturb", yesNo(c.doNotDisturb)), ("field.notes", c.notes),
            ("export.createdAt", time(c.createdAt)), ("export.updatedAt", time(c.updatedAt)),
        ]
        return table(nil, rows.map { [t($0.0), $0.1 ?? ""] })
    }

    private func consent() -> String {
        table(
            nil,
            [
                [t("field.consent"), yesNo(document.consent.consent)],
                [t("field.doNotDisturb"), yesNo(document.consent.doNotDisturb)],
            ])
            + table(
                ["consent.at", "consent.state", "consent.dnd", "consent.how", "consent.by", "consent.note"],
                document.consent.history.map {
                    [
                        time($0.at), yesNo($0.consent), yesNo($0.doNotDisturb), label("consent.how.", $0.how),
                        $0.actor
                            ?? (ConsentSource(rawValue: $0.how)?.isCustomersOwn == true
                                ? t("consent.customerSelf") : ""),
                        $0.note ?? "",
                    ]
                })
    }

    private func changes(_ changes: [Document.Change]) -> String {
        table(
            ["history.at", "history.by", "history.source", "history.field", "history.old", "history.new"],
            changes.map {
                [
                    time($0.at), $0.actor, label("source.", $0.source),
                    $0.field == CustomerChange.createdField ? t("history.created") : label("field.", $0.field),
                    $0.oldValue ?? "", $0.newValue ?? "",
                ]
            })
    }

    private func events() -> String {
        table(
            ["export.at", "export.kind", "export.detail"],
            document.events.map { e in
                [
                    time(e.occurredAt), e.kindName,
                    e.attributes.sorted { $0.key < $1.key }.map {
                        (e.attributeNames[$0.key] ?? $0.key) + (language == .zh ? "：" : ": ") + $0.value
                    }.joined(separator: language == .zh ? "，" : ", "),
                ]
            })
    }

    private func tasks() -> String {
        table(
            ["export.id", "export.reasons", "export.due", "export.deadline", "export.status", "export.agent"],
            document.tasks.map { task in
                [
                    String(task.id), task.reasons.map(\.rule).joined(separator: "、"), time(task.dueAt),
                    time(task.deadlineAt), label("status.", task.status), task.assignedAgent ?? "",
                ]
            })
    }

    private func contacts() -> String {
        guard !document.contacts.isEmpty else { return empty() }
        return document.contacts.map { r in
            "<h3>\(escape(t("export.contactTitle", time(r.endedAt), label("channel.", r.channel))))</h3>\n"
                + table(
                    nil,
                    [
                        [t("export.task"), String(r.taskID)], [t("export.agent"), r.agent],
                        [t("export.outcome"), label("outcome.", r.outcome)],
                        [t("export.result"), label("result.", r.result)],
                        [t("export.duration"), t("export.seconds", String(r.durationSeconds))],
                        [t("export.notes"), r.notes], [t("export.corrections"), r.corrections],
                        [t("export.recordingConsent"), yesNo(r.recordingConsent)],
                    ])
                + (r.answers.isEmpty
                    ? ""
                    : table(
                        ["export.question", "export.indicator", "export.answer"],
                        r.answers.map { [$0.question ?? $0.questionKey, $0.indicator, $0.value] }))
        }.joined()
    }

    private func tickets() -> String {
        guard !document.tickets.isEmpty else { return empty() }
        return document.tickets.map { ticket in
            "<h3>\(escape(t("export.ticketTitle", String(ticket.id), label("ticket.kind.", ticket.kind))))</h3>\n"
                + table(
                    nil,
                    [
                        [t("export.openedAt"), time(ticket.openedAt)],
                        [t("export.status"), label("ticket.status.", ticket.status)],
                        [t("export.severity"), label("ticket.severity.", ticket.severity)],
                        [t("export.description"), ticket.description],
                        [t("export.department"), ticket.department ?? ""],
                        [t("export.measures"), ticket.measures], [t("export.compensation"), ticket.compensation],
                    ])
                + table(
                    ["export.at", "export.actor", "export.action", "export.status", "export.note"],
                    ticket.timeline.map {
                        [
                            time($0.at), $0.actor, label("ticket.action.", $0.action),
                            $0.newStatus.map { label("ticket.status.", $0) } ?? "", $0.note,
                        ]
                    })
        }.joined()
    }

    private func calls() -> String {
        table(
            ["export.at", "export.phone", "export.agent", "export.matter", "export.summary", "export.handling"],
            document.calls.map {
                [
                    time($0.at), PhoneNumber(normalised: $0.phone).display, $0.agent, $0.matterName, $0.summary,
                    label("calls.handling.", $0.handling),
                ]
            })
    }

    private func messages() -> String {
        table(
            ["export.at", "export.channel", "export.to", "export.body", "export.status"],
            document.messages.map {
                [
                    time($0.createdAt), label("channel.", $0.channel), $0.to, $0.body,
                    label("export.message.", $0.status),
                ]
            })
    }

    private func access() -> String {
        table(
            ["export.at", "export.actor", "export.action", "export.detail"],
            document.access.map { [time($0.at), $0.actor, label("export.audit.", $0.action), $0.detail ?? ""] })
    }

    // MARK: Building blocks

    private func section(_ key: String, _ body: String) -> String {
        "<h2>\(escape(t(key)))</h2>\n" + body
    }

    /// A table with a header row of catalogue keys (none for a two-column field list); "none" when empty.
    private func table(_ headers: [String]?, _ rows: [[String]]) -> String {
        guard !rows.isEmpty else { return empty() }
        var out = "<table>\n"
        if let headers {
            out += "<tr>" + headers.map { "<th>\(escape(t($0)))</th>" }.joined() + "</tr>\n"
        }
        for row in rows {
            let cells = row.enumerated().map { index, cell in
                headers == nil && index == 0 ? "<th>\(escape(cell))</th>" : "<td>\(escape(cell))</td>"
            }
            out += "<tr>" + cells.joined() + "</tr>\n"
        }
        return out + "</table>\n"
    }

    private func empty() -> String { "<p>\(escape(t("export.none")))</p>\n" }

    private func t(_ key: String, _ arguments: String...) -> String { Catalogue.text(key, language, arguments) }

    /// A stored code shown by its catalogue label, or as itself when the catalogue has none.
    private func label(_ prefix: String, _ code: String) -> String {
        Catalogue.contains(prefix + code) ? t(prefix + code) : code
    }

    private func yesNo(_ value: Bool) -> String { t(value ? "common.yes" : "common.no") }

    private func time(_ date: Date?) -> String { config.formatDateTime(date) }

    /// HTML text: markup characters escaped, so nothing a customer or an agent typed can become markup. Read by
    /// Unicode scalar, not by character: a prepended or combining scalar (`\u{0600}<`, `<\u{0301}`) makes one
    /// character with the `<` that a character-by-character escape would let through.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    func escape(_ text: String) -> String { Self.escape(text) }
}
