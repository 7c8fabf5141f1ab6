import Fluent
import Foundation
import HuifangCore
import Vapor

/// What the command line does with a configured application, outside HTTP.
public enum Operations {
    /// A workbook of a CSV's rows, whole numbers stored as numbers (as typing into Excel leaves a mobile number).
    public static func workbook(fromCSV text: String, sheet: String) throws -> [UInt8] {
        let records = CSVReader().records(Array(text.utf8))
        return try XLSXWriter.workbook([XLSXWriter.Sheet(name: sheet, rows: records.map { XLSXWriter.row($0.fields) })])
    }

    /// Boots an application on `config`, migrates, runs `body`, and shuts down.
    public static func withApplication<T>(_ config: HuifangConfig, _ body: (Application) async throws -> T) async throws
        -> T
    {
        let app = try await Application.make(Environment(name: "production", arguments: ["vapor"]))
        app.logger.logLevel = .warning
        do {
            try await configure(app, config)
            try await migrate(app)
            let result = try await body(app)
            try await app.asyncShutdown()
            return result
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    /// Makes a user; errors name the field and say why, in the configured language.
    public static func createUser(
        on app: Application, username: String, displayName: String?, role: Role,
        department: String?, password: String, email: String? = nil
    ) async throws {
        var departmentID: UUID?
        if let department {
            guard let found = try await Department.query(on: app.db).filter(\.$name == department).first() else {
                throw OperationError(
                    "\(Catalogue.text("users.department", app.huifang.defaultLanguage)) \(department): \(Catalogue.text("problem.unknownDepartment", app.huifang.defaultLanguage))"
                )
            }
            departmentID = found.id
        }
        let service = app.domain(as: .commandLine()).users
        do {
            _ = try await service.create(
                .init(
                    username: username, displayName: displayName ?? username, role: role,
                    departmentID: departmentID, password: password, email: email))
        } catch let error as NamedFieldError {
            throw OperationError(describe(error, app.huifang.defaultLanguage))
        }
    }

    /// Makes an API token for a user and returns it (it is not stored).
    public static func createToken(on app: Application, username: String, name: String) async throws -> String {
        guard let user = try await User.query(on: app.db).filter(\.$username == username.lowercased()).first() else {
            throw OperationError("\(username): \(Catalogue.text("problem.unknownAgent", app.huifang.defaultLanguage))")
        }
        let service = app.domain(as: .commandLine()).users
        return try await service.createToken(for: user, name: name).token
    }

    /// Revokes every live API token of a user and returns how many there were.
    public static func revokeTokens(on app: Application, username: String) async throws -> Int {
        guard let user = try await User.query(on: app.db).filter(\.$username == username.lowercased()).first() else {
            throw OperationError("\(username): \(Catalogue.text("problem.unknownAgent", app.huifang.defaultLanguage))")
        }
        let service = app.domain(as: .commandLine()).users
        return try await service.revokeAllTokens(of: user)
    }

    /// Imports a customer file and returns the report as text or JSON, and whether any row was refused.
    public static func importCustomers(
        on app: Application, bytes: [UInt8], fileName: String, dryRun: Bool,
        strict: Bool, json: Bool
    ) async throws -> (output: String, hasProblems: Bool) {
        let language = app.huifang.defaultLanguage
        let importer = CustomerImporter(
            db: app.db, rules: CustomerRules(tiers: try await Tier.names(on: app.db), today: app.today),
            actor: .commandLine("import"), language: language, now: app.clock.now())
        let report: ImportReport
        do {
            report = try await importer.run(bytes, .init(fileName: fileName, dryRun: dryRun, strict: strict))
        } catch let error as AppError {
            throw OperationError("\(fileName): \(error.message(in: language))")
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return (String(decoding: try encoder.encode(report), as: UTF8.self), report.failed > 0)
        }
        func t(_ key: String, _ args: String...) -> String { Catalogue.text(key, language, args) }
        var lines = [
            "\(t("import.report")): \(report.fileName)",
            "\(t("import.encoding")): \(report.encoding)",
            "\(t("import.total")): \(report.totalRows)  \(t("import.created")): \(report.created)  \(t("import.updated")): \(report.updated)  \(t("import.unchanged")): \(report.unchanged)  \(t("import.failed")): \(report.failed)",
        ]
        if !report.ignoredColumns.isEmpty {
            lines.append(t("import.ignoredColumns", report.ignoredColumns.joined(separator: ", ")))
        }
        for problem in report.problems {
            lines.append(
                "  \(t("import.line")) \(problem.line)  \(problem.column ?? "")  \"\(problem.value ?? "")\"  \(problem.reason)"
            )
        }
        lines.append(t(report.outcomeKey))
        return (lines.joined(separator: "\n"), report.failed > 0)
    }

    static func describe(_ error: NamedFieldError, _ language: Language) -> String {
        "\(error.field): \(Catalogue.text(error.key, language, error.arguments))"
    }
}

/// A command that could not be carried out, with a message for the operator.
public struct OperationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
