import Fluent
import Foundation
import HuifangCore

/// The people and things a page of audit entries names, looked up once for the page: users by username or
/// id (their display names), customers by id (their names; an erased customer says so), departments by id.
struct AuditNames {
    var people: [String: String] = [:]
    var customers: [Int: String] = [:]
    var departments: [String: String] = [:]

    static func load(for entries: [AuditEntry], on db: any Database) async throws -> AuditNames {
        var names = AuditNames()
        let usernames = Set(
            entries.map(\.actorName) + entries.filter { $0.subjectType == "user" }.compactMap(\.subjectID))
        let users = try await User.query(on: db).group(.or) { group in
            group.filter(\.$username ~~ Array(usernames))
            let ids = usernames.compactMap(UUID.init(uuidString:))
            if !ids.isEmpty { group.filter(\.$id ~~ ids) }
        }.all()
        for user in users {
            names.people[user.username] = user.displayName
            names.people[user.id!.uuidString] = user.displayName
            names.people[user.id!.uuidString.lowercased()] = user.displayName
        }
        let customerIDs = Set(
            entries.filter { $0.subjectType == "customer" }.compactMap { $0.subjectID.flatMap(Int.init) })
        if !customerIDs.isEmpty {
            for customer in try await Customer.query(on: db).filter(\.$id ~~ Array(customerIDs)).all() {
                names.customers[customer.id!] = customer.erasedAt == nil ? customer.name : ""
            }
        }
        let departmentIDs = entries.filter { $0.subjectType == "department" }.compactMap {
            $0.subjectID.flatMap(UUID.init(uuidString:))
        }
        if !departmentIDs.isEmpty {
            for department in try await Department.query(on: db).filter(\.$id ~~ departmentIDs).all() {
                names.departments[department.id!.uuidString] = department.name
                names.departments[department.id!.uuidString.lowercased()] = department.name
            }
        }
        return names
    }

    /// A user's display name, or the name as recorded (the command line, a deleted user, an unknown sign-in name).
    func person(_ name: String) -> String { people[name] ?? name }

    /// What the entry was done to, named for a reader.
    func subject(of entry: AuditEntry, _ language: Language) -> String {
        guard let id = entry.subjectID, !id.isEmpty else { return "" }
        switch entry.subjectType {
        case "customer":
            guard let number = Int(id), let name = customers[number] else {
                return Catalogue.text("audit.subject.unknown", language, [id])
            }
            return name.isEmpty ? Catalogue.text("audit.subject.erased", language, [id]) : "\(name)（#\(id)）"
        case "user": return person(id)
        case "department": return departments[id] ?? id
        case "ticket": return Catalogue.text("audit.subject.ticket", language, [id])
        case "task": return Catalogue.text("audit.subject.task", language, [id])
        default: return id
        }
    }
}
