import Fluent
import HuifangCore
import Vapor

/// Creates and changes users and their API tokens, for the admin pages, the API and the command line.
struct UserService {
    let db: any Database
    let passwords: AsyncPasswordHasher
    let actor: Actor
    /// The instant of what it does (the request's, or the clock's for the command line).
    let now: Date
    /// The session making the change, which stays signed in when its user changes their own account.
    var currentSession: SessionID? = nil

    struct Draft {
        var username: String
        var displayName: String
        var role: Role
        var departmentID: UUID?
        var password: String
        var email: String? = nil
        /// Skill codes from the list of skills.
        var skills: [String] = []
    }

    struct Changes {
        var displayName: String?
        var role: Role?
        var departmentID: UUID??
        var isActive: Bool?
        var password: String?
        var email: String? = nil
        /// The agent's skills, all of them (codes from the list of skills); nil leaves them.
        var skills: [String]? = nil
        /// The desk phone's extension; empty clears it, nil leaves it.
        var phoneExtension: String? = nil
    }

    /// An email address as given, trimmed; nil when blank. Refused unless it looks like one.
    static func email(_ text: String?) throws -> String? {
        guard let text = text?.trimmingWhitespace(), !text.isEmpty else { return nil }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
            !parts[1].hasSuffix("."),
            text.count <= 254, !text.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "," })
        else {
            throw NamedFieldError(field: "email", key: "problem.invalidEmail")
        }
        return text
    }

    static func validUsername(_ username: String) -> Bool {
        (2...32).contains(username.count)
            && username.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }

    func create(_ draft: Draft) async throws -> User {
        let username = draft.username.trimmingWhitespace().lowercased()
        guard Self.validUsername(username) else {
            throw NamedFieldError(field: "username", key: "problem.invalidUsername")
        }
        guard draft.password.count >= 8 else { throw NamedFieldError(field: "password", key: "problem.weakPassword") }
        let displayName = draft.displayName.trimmingWhitespace()
        guard !displayName.isEmpty else { throw NamedFieldError(field: "displayName", key: "problem.required") }
        guard !TextLimit.exceeds(displayName, TextLimit.name) else {
            throw NamedFieldError.tooLong("displayName", TextLimit.name)
        }
        if try await User.query(on: db).filter(\.$username == username).count() > 0 {
            throw NamedFieldError(field: "username", key: "problem.usernameTaken")
        }
        try await checkDepartment(draft.departmentID)
        let email = try Self.email(draft.email)
        let skills = try await checkSkills(draft.skills)
        let user = User(
            username: username, displayName: displayName, passwordHash: try await passwords.hash(draft.password),
            role: draft.role, departmentID: draft.departmentID)
        user.email = email
        user.skills = skills
        try await db.transaction { db in
            try await user.create(on: db)
            try await AuditLog.record(
                "user.create", by: actor, subjectType: "user", subjectID: username, detail: draft.role.rawValue,
                at: now, on: db)
        }
        return user
    }

    func update(_ user: User, _ changes: Changes) async throws {
        var changed: [String] = []
        if let name = changes.displayName?.trimmingWhitespace(), name != user.displayName {
            guard !name.isEmpty else { throw NamedFieldError(field: "displayName", key: "problem.required") }
            guard !TextLimit.exceeds(name, TextLimit.name) else {
                throw NamedFieldError.tooLong("displayName", TextLimit.name)
            }
            user.displayName = name
            changed.append("displayName")
        }
        let demotes = (changes.role.map { $0 != .admin } ?? false) || changes.isActive == false
        if user.role == .admin, demotes {
            let admins = try await User.query(on: db).filter(\.$role == .admin).filter(\.$isActive == true).count()
            if admins <= 1 { throw NamedFieldError(field: "role", key: "problem.lastAdmin") }
        }
        if let role = changes.role, role != user.role {
            user.role = role
            changed.append("role=\(role.rawValue)")
        }
        if let department = changes.departmentID, department != user.$department.id {
            try await checkDepartment(department)
            user.$department.id = department
            changed.append("department")
        }
        changed += try await applyDetails(changes, to: user)
        if let active = changes.isActive, active != user.isActive {
            user.isActive = active
            changed.append("active=\(active)")
        }
        if let password = changes.password, !password.isEmpty {
            guard password.count >= 8 else { throw NamedFieldError(field: "password", key: "problem.weakPassword") }
            user.passwordHash = try await passwords.hash(password)
            changed.append("password")
        }
        guard !changed.isEmpty else { return }
        let detail = changed.joined(separator: ",")
        try await db.transaction { db in
            try await user.save(on: db)
            try await AuditLog.record(
                "user.update", by: actor, subjectType: "user", subjectID: user.username,
                detail: detail, at: now, on: db)
        }
        if changed.contains(where: Self.endsSessions) {
            try await SessionStore.end(userID: user.id!, except: currentSession, on: db)
        }
    }

    /// The email, skills and phone extension of `changes` applied to `user`; the names of those that changed.
    private func applyDetails(_ changes: Changes, to user: User) async throws -> [String] {
        var changed: [String] = []
        if let text = changes.email {
            let email = try Self.email(text)
            if email != user.email {
                user.email = email
                changed.append("email")
            }
        }
        if let codes = changes.skills {
            let skills = try await checkSkills(codes)
            if skills != user.skills {
                user.skills = skills
                changed.append("skills=\(skills)")
            }
        }
        if let text = changes.phoneExtension, try await setExtension(text, of: user) {
            changed.append("extension")
        }
        return changed
    }

    /// Sets the user's desk phone extension (empty clears it); whether it changed. One extension, one user.
    private func setExtension(_ text: String, of user: User) async throws -> Bool {
        let value = text.trimmingWhitespace().nilIfEmpty
        guard value != user.phoneExtension else { return false }
        if let value {
            guard TelephonyService.validExtension(value) else {
                throw NamedFieldError(field: "phoneExtension", key: "telephony.problem.extension")
            }
            let holder = try await User.query(on: db).filter(\.$phoneExtension == value).filter(\.$id != user.id!)
                .first()
            if holder != nil { throw NamedFieldError(field: "phoneExtension", key: "telephony.problem.extensionTaken") }
        }
        user.phoneExtension = value
        return true
    }

    /// A new password, a new role or a disabled account ends the user's other sessions: whoever
    /// held one signed in under the old terms.
    static func endsSessions(_ change: String) -> Bool {
        change == "password" || change.hasPrefix("role=") || change == "active=false"
    }

    /// Makes a token and returns it; only its digest is kept.
    func createToken(for user: User, name: String) async throws -> (token: String, record: APIToken) {
        let (token, hash) = APIToken.generate()
        let record = APIToken(
            userID: user.id!, name: name.trimmingWhitespace().isEmpty ? "api" : name.trimmingWhitespace(),
            tokenHash: hash)
        try await db.transaction { db in
            try await record.create(on: db)
            try await AuditLog.record(
                "token.create", by: actor, subjectType: "user", subjectID: user.username, detail: record.name, at: now,
                on: db)
        }
        return (token, record)
    }

    func revoke(_ token: APIToken) async throws {
        guard token.revokedAt == nil else { return }
        token.revokedAt = now
        try await db.transaction { db in
            try await token.save(on: db)
            try await AuditLog.record(
                "token.revoke", by: actor, subjectType: "token", subjectID: token.id?.uuidString, detail: token.name,
                at: now, on: db)
        }
    }

    /// Revokes every live token of `user` at once; returns how many. One by one, as models: an instance on
    /// PostgreSQL drops its kept copy of each as it is written (`ChangeNoticing`).
    @discardableResult
    func revokeAllTokens(of user: User) async throws -> Int {
        let (actor, now) = (actor, now)
        return try await db.transaction { db in
            let live = try await APIToken.query(on: db).filter(\.$user.$id == user.id!).filter(\.$revokedAt == nil)
                .all()
            guard !live.isEmpty else { return 0 }
            for token in live {
                token.revokedAt = now
                try await token.update(on: db)
            }
            try await AuditLog.record(
                "token.revokeAll", by: actor, subjectType: "user", subjectID: user.username,
                detail: String(live.count), at: now, on: db)
            return live.count
        }
    }

    /// The skills as stored (`medical,vip`, in the list's order), or a refusal naming one not on the list.
    private func checkSkills(_ codes: [String]) async throws -> String {
        let codes = codes.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        guard !codes.isEmpty else { return "" }
        let known = try await Skill.query(on: db).sort(\.$position).all().map(\.code)
        if let unknown = codes.first(where: { !known.contains($0) }) {
            throw NamedFieldError(field: "skills", key: "skills.problem.unknown", arguments: [unknown])
        }
        return known.filter(codes.contains).joined(separator: ",")
    }

    private func checkDepartment(_ id: UUID?) async throws {
        guard let id else { return }
        if try await Department.find(id, on: db) == nil {
            throw NamedFieldError(field: "department", key: "problem.unknownDepartment")
        }
    }
}
