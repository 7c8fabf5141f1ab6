import Foundation
import HuifangCore
import Vapor

/// Signing a month off from the page takes two steps: the report's 签发… leads to a confirmation that shows the
/// figures being frozen and says what signing does; only its 确认签发 signs.
extension ReportPagesController {
    struct ConfirmSignOffPage: Encodable {
        let month: String
        let figures: [FigureLine]
        let back: String
    }

    @Sendable func confirmSignOff(req: Request) async throws -> Response {
        let month = (req.query[String.self, at: "month"] ?? "").trimmingWhitespace()
        let service = req.domain.reports
        let period: ReportPeriod
        do {
            period = try await service.signable(month, today: req.today)
        } catch {
            guard let message = req.userMessage(for: error) else { throw error }
            req.session.data["flash"] = message
            return req.redirect(to: ReportPeriod(month: month).map { Self.path($0, .agent) } ?? "/reports")
        }
        let report = try await service.current(period, groupedBy: .none).report
        let targets = try await FigureTargetRecord.all(on: req.db)
        let page = ConfirmSignOffPage(
            month: month,
            figures: Self.figureLines(
                req, report, before: report, targets: targets, drill: Drill(period: period, grouping: .none)),
            back: Self.path(period, .agent))
        return try await req.renderPage(
            "reports/signoff", titleKey: "report.confirmTitle", titleArguments: [month], page)
    }

    @Sendable func signOff(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        let month = (form["month"] ?? "").trimmingWhitespace()
        let encoded = month.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["-"])) ?? ""
        guard form["confirm"] == "1" else { return req.redirect(to: "/reports/signoff?month=\(encoded)") }
        return try await req.change(back: "/reports?month=\(encoded)", savedKey: "report.signed") {
            _ = try await req.domain.signOff(
                month: month, note: form["note"] ?? "", by: try req.auth.require(User.self))
        }
    }
}
