import HuifangCore
import Vapor

/// The event upload page for supervisors and admins, with the same report as the API and the command line.
struct EventImportPageController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let page = routes.grouped("events", "import").guarded(.eventsWrite, .page)
        page.get(use: form)
        page.upload(use: upload)
    }

    struct Upload: Content {
        var file: File?
        var dryRun: String?
    }
    struct Context: Encodable {
        let report: EventReport?
        let fileName: String?
        let error: String?
        let dryRun: Bool
    }

    @Sendable func form(req: Request) async throws -> Response {
        try await req.renderPage(
            "events/import", titleKey: "events.importTitle",
            Context(report: nil, fileName: nil, error: nil, dryRun: false))
    }

    @Sendable func upload(req: Request) async throws -> Response {
        let upload = try await offTheEventLoop { try req.content.decode(Upload.self) }  // up to the upload limit
        guard let file = upload.file, file.data.readableBytes > 0 else {
            let response = try await req.renderPage(
                "events/import", titleKey: "events.importTitle",
                Context(report: nil, fileName: nil, error: req.t("import.file.missing"), dryRun: false))
            response.status = .unprocessableEntity
            return response
        }
        do {
            let report = try await req.domain.events.importCSV(
                Array(file.data.readableBytesView), dryRun: upload.dryRun != nil)
            try await req.domain.audit(
                "event.import", subjectType: "event",
                detail: "\(file.filename): created=\(report.created) failed=\(report.failed)")
            return try await req.renderPage(
                "events/import", titleKey: "events.importTitle",
                Context(report: report, fileName: file.filename, error: nil, dryRun: upload.dryRun != nil))
        } catch let error as AppError {
            let response = try await req.renderPage(
                "events/import", titleKey: "events.importTitle",
                Context(report: nil, fileName: file.filename, error: error.message(in: req.language), dryRun: false))
            response.status = error.status
            return response
        }
    }
}

extension Operations {
    /// Imports an event file and returns the report as text or JSON, and whether any row was refused.
    public static func importEvents(on app: Application, bytes: [UInt8], fileName: String, dryRun: Bool, json: Bool)
        async throws -> (output: String, hasProblems: Bool)
    {
        let language = app.huifang.defaultLanguage
        let ingest = EventIngest(db: app.db, timeZone: app.huifang.timeZone, language: language, now: app.clock.now())
        let report: EventReport
        do {
            report = try await ingest.importCSV(bytes, dryRun: dryRun)
        } catch let error as AppError {
            throw OperationError("\(fileName): \(error.message(in: language))")
        }
        try await AuditLog.record(
            "event.import", by: .commandLine("import"), subjectType: "event",
            detail: "\(fileName): created=\(report.created) failed=\(report.failed)", at: app.clock.now(), on: app.db)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return (String(decoding: try encoder.encode(report), as: UTF8.self), report.failed > 0)
        }
        func t(_ key: String) -> String { Catalogue.text(key, language) }
        var lines = [
            "\(t("import.report")): \(fileName)", "\(t("import.encoding")): \(report.encoding ?? "")",
            "\(t("import.total")): \(report.total)  \(t("import.created")): \(report.created)  \(t("import.updated")): \(report.updated)  \(t("import.unchanged")): \(report.unchanged)  \(t("import.failed")): \(report.failed)",
        ]
        for problem in report.problems {
            lines.append(
                "  \(t("import.line")) \(problem.line)  \(problem.field)  \"\(problem.value)\"  \(problem.reason)")
        }
        lines.append(t(dryRun ? "import.dryRunNote" : report.failed > 0 ? "import.applied" : "import.appliedAll"))
        return (lines.joined(separator: "\n"), report.failed > 0)
    }
}
