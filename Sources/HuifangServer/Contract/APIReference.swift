import Foundation

/// The readable form of the OpenAPI document: each operation with its parameters, body and responses, and each
/// schema as indented JSON. Only what the page shows is read; the document itself stays the contract.
struct APIReference: Encodable, Sendable {
    struct Parameter: Encodable, Sendable {
        let name: String
        let location: String
        let type: String
        let isRequired: Bool
        let note: String
    }
    struct Answer: Encodable, Sendable {
        let status: String
        let meaning: String
        let body: String
    }
    struct Operation: Encodable, Sendable {
        let method: String
        let path: String
        /// The path as Vapor registers it: `{id}` as `:id`.
        let routePath: String
        let anchor: String
        let summary: String
        let note: String
        let isPublic: Bool
        let parameters: [Parameter]
        let body: String?
        let answers: [Answer]
    }
    struct Group: Encodable, Sendable {
        let tag: String
        let operations: [Operation]
    }
    struct Schema: Encodable, Sendable {
        let name: String
        let json: String
    }

    let title: String
    let version: String
    let intro: String
    let groups: [Group]
    let schemas: [Schema]

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    init(document: Data) throws {
        guard let root = try JSONSerialization.jsonObject(with: document) as? [String: Any],
            let paths = root["paths"] as? [String: [String: Any]]
        else { throw Malformed(description: "openapi.json: no paths") }
        let info = root["info"] as? [String: Any] ?? [:]
        let components = root["components"] as? [String: Any] ?? [:]
        let responses = components["responses"] as? [String: [String: Any]] ?? [:]
        title = info["title"] as? String ?? ""
        version = info["version"] as? String ?? ""
        intro = info["description"] as? String ?? ""
        var byTag: [String: [Operation]] = [:]
        var tags: [String] = []
        for path in paths.keys.sorted() {
            for (method, value) in paths[path]!.sorted(by: { $0.key < $1.key }) {
                guard let operation = value as? [String: Any] else { continue }
                let made = Self.operation(method.uppercased(), path, operation, responses)
                let tag = (operation["tags"] as? [String])?.first ?? ""
                if byTag[tag] == nil { tags.append(tag) }
                byTag[tag, default: []].append(made)
            }
        }
        groups = tags.sorted().map { Group(tag: $0, operations: byTag[$0]!) }
        let schemas = components["schemas"] as? [String: Any] ?? [:]
        self.schemas = schemas.keys.sorted().map { Schema(name: $0, json: Self.pretty(schemas[$0]!)) }
    }

    private static func operation(
        _ method: String, _ path: String, _ operation: [String: Any], _ shared: [String: [String: Any]]
    ) -> Operation {
        let parameters = (operation["parameters"] as? [[String: Any]] ?? []).map {
            Parameter(
                name: $0["name"] as? String ?? "", location: $0["in"] as? String ?? "",
                type: describe($0["schema"]), isRequired: $0["required"] as? Bool ?? false,
                note: $0["description"] as? String ?? "")
        }
        let body = (operation["requestBody"] as? [String: Any]).map { request in
            (request["content"] as? [String: Any] ?? [:]).sorted { $0.key < $1.key }.map { type, value in
                "\(type): " + describe((value as? [String: Any])?["schema"])
            }.joined(separator: "; ")
        }
        let answers = (operation["responses"] as? [String: [String: Any]] ?? [:]).sorted { $0.key < $1.key }.map {
            status, value in
            let answer = (value["$ref"] as? String).flatMap { shared[String($0.split(separator: "/").last!)] } ?? value
            let content = (answer["content"] as? [String: Any] ?? [:]).sorted { $0.key < $1.key }.map { type, value in
                "\(type): " + describe((value as? [String: Any])?["schema"])
            }
            return Answer(
                status: status, meaning: answer["description"] as? String ?? "",
                body: content.joined(separator: "; "))
        }
        let routePath = path.replacingOccurrences(of: "{", with: ":").replacingOccurrences(of: "}", with: "")
        return Operation(
            method: method, path: path, routePath: routePath,
            anchor: (method + routePath).lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }.reduce("") {
                $0 + String($1)
            },
            summary: operation["summary"] as? String ?? "", note: operation["description"] as? String ?? "",
            isPublic: (operation["security"] as? [Any])?.isEmpty == true, parameters: parameters, body: body,
            answers: answers)
    }

    /// A schema in a few words: a referenced schema by name, a list as `[Item]`, an inline object as JSON.
    static func describe(_ schema: Any?) -> String {
        guard let schema = schema as? [String: Any] else { return "" }
        if let reference = schema["$ref"] as? String { return String(reference.split(separator: "/").last ?? "") }
        if let type = schema["type"] as? String, type == "array" { return "[" + describe(schema["items"]) + "]" }
        if let choices = schema["oneOf"] as? [Any] { return choices.map(describe).joined(separator: " | ") }
        if schema["properties"] != nil || schema["additionalProperties"] != nil { return compact(schema) }
        let type = (schema["type"] as? String) ?? (schema["type"] as? [String])?.joined(separator: "|") ?? "any"
        if let choices = schema["enum"] as? [String] { return type + " (" + choices.joined(separator: ", ") + ")" }
        return (schema["format"] as? String).map { "\(type) (\($0))" } ?? type
    }

    private static func compact(_ value: Any) -> String {
        (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes]))
            .map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    private static func pretty(_ value: Any) -> String {
        (try? JSONSerialization.data(
            withJSONObject: value, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]))
            .map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}
