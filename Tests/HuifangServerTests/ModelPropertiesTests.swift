import FluentKit
import Foundation
import Testing

@testable import HuifangServer

/// Each model lists its Fluent properties by hand (`ModelProperties.swift`, so Fluent does not walk it by reflection
/// on every save and row). A list that misses, adds or reorders a property would save or read the wrong columns.
@Suite struct ModelPropertiesTests {
    @Test(arguments: modelsWithListedProperties.map { ListedModel(type: $0) })
    func theListedPropertiesAreTheDeclaredOnes(_ model: ListedModel) {
        let instance = model.type.init()
        let declared = Mirror(reflecting: instance).children.compactMap { $0.value as? any AnyProperty }
        let listed = instance.properties
        #expect(listed.count == declared.count, "\(model): \(listed.count) listed, \(declared.count) declared")
        for (list, declaration) in zip(listed, declared) {
            #expect(list as AnyObject === declaration as AnyObject, "\(model): \(type(of: list)) out of place")
        }
    }

    /// A new model is listed too (by `scripts/model-properties.py`): the sources' model declarations are the list.
    @Test func everyModelIsListed() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/HuifangServer").standardized
        var declared: Set<String> = []
        let files = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
        for case let file as URL in files where file.pathExtension == "swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in text.matches(of: /final class (\w+): Model\b/) { declared.insert(String(match.1)) }
        }
        #expect(declared.count > 30)
        #expect(declared == Set(modelsWithListedProperties.map { String(describing: $0) }))
    }
}

struct ListedModel: CustomStringConvertible, Sendable {
    let type: any Fields.Type
    var description: String { String(describing: type) }
}
