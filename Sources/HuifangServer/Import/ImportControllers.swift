import HuifangCore
import Vapor

/// The upload page for supervisors and admins, showing the same report as the command line.
struct ImportPageController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let imports = routes.grouped("customers", "import").guarded(.customersImport, .page)
        imports.get(use: form)
        imports.upload(use: upload)
    }

    struct Upload: Content {
        var file: File?
        var dryRun: String?
        var strict: String?
    }
    struct Context: Encodable {
        let report: ImportReport?
        let outcome: String?
        let ignored: String?
        let error: String?
        let columns: [Column]

        struct Column: Encodable {
            let field: String
            let names: String
        }
    }

    static func columns(_ req: Request) -> [Context.Column] {
        CustomerField.allCases.map { field in
            .init(
                field: req.t(field.catalogueKey), names: (CustomerColumns.aliases[field] ?? []).joined(separator: " / ")
            )
        }
    }

    @Sendable func form(req: Request) async throws -> Response {
        try await req.renderPage(
            "customers/import", titleKey: "import.title",
            Context(report: nil, outcome: nil, ignored: nil, error: nil, columns: Self.columns(req)))
    }

    @Sendable func upload(req: Request) async throws -> Response {
        let upload = try await offTheEventLoop { try req.content.decode(Upload.self) }  // up to the upload limit
        guard let file = upload.file, file.data.readableBytes > 0 else {
            let response = try await req.renderPage(
                "customers/import", titleKey: "import.title",
                Context(
                    report: nil, outcome: nil, ignored: nil, error: req.t("import.file.missing"),
                    columns: Self.columns(req)))
            response.status = .unprocessableEntity
            return response
        }
        let options = CustomerImporter.Options(
            fileName: file.filename, dryRun: upload.dryRun != nil, strict: upload.strict != nil)
        do {
            let report = try await req.domain.importCustomers(Array(file.data.readableBytesView), options)
            return try await req.renderPage(
                "customers/import", titleKey: "import.report",
                Context(
                    report: report, outcome: req.t(report.outcomeKey),
                    ignored: report.ignoredColumns.isEmpty
                        ? nil : req.t("import.ignoredColumns", report.ignoredColumns.joined(separator: "、")),
                    error: nil, columns: Self.columns(req)))
        } catch let error as AppError {
            let response = try await req.renderPage(
                "customers/import", titleKey: "import.title",
                Context(
                    report: nil, outcome: nil, ignored: nil, error: error.message(in: req.language),
                    columns: Self.columns(req)))
            response.status = error.status
            return response
        }
    }
}

/// `POST /api/v1/customers/import?dryRun=true&strict=true&fileName=…` with the CSV file as the body.
struct ImportAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.grouped("customers").guarded(.customersImport, .api)
            .upload("import", use: upload)
    }

    @Sendable func upload(req: Request) async throws -> Response {
        guard let body = req.body.data, body.readableBytes > 0 else {
            throw AppError(.unprocessableEntity, "import.file.empty")
        }
        let options = CustomerImporter.Options(
            fileName: req.query[String.self, at: "fileName"] ?? "api-upload.csv",
            dryRun: try req.flagQuery("dryRun") ?? false,
            strict: try req.flagQuery("strict") ?? false
        )
        let report = try await req.domain.importCustomers(Array(body.readableBytesView), options)
        return try await report.encodeResponse(
            status: report.strict && report.failed > 0 ? .unprocessableEntity : .ok, for: req)
    }
}

extension DomainServices {
    func importCustomers(_ bytes: [UInt8], _ options: CustomerImporter.Options) async throws -> ImportReport {
        try await CustomerImporter(
            db: db, rules: customerRules(),
            actor: Actor(id: actor.id, name: actor.name, address: actor.address, source: "import"), language: language,
            now: now
        )
        .run(bytes, options)
    }
}
