import Foundation

/// One item a reviewer checks in a follow-up record (抽查评分项): points when met; an instant-fail
/// item (否决项) not met fails the whole check, whatever the other points.
public struct Checkpoint: Hashable, Codable, Sendable {
    public var key: String
    public var text: String
    public var points: Int
    public var instantFail: Bool

    public init(key: String, text: String, points: Int, instantFail: Bool = false) {
        self.key = key
        self.text = text
        self.points = points
        self.instantFail = instantFail
    }
}

/// How supervisors spot-check records (抽查): a share of each agent's records of a month, at least a
/// minimum, scored against the checkpoints.
public struct SpotCheckPlan: Hashable, Codable, Sendable {
    /// Tenths of a percent of each agent's records (50 is 5 %).
    public var sharePerMille: Int
    /// At least this many per agent (or all of them, when fewer).
    public var minimum: Int
    public var checkpoints: [Checkpoint]

    public init(sharePerMille: Int, minimum: Int, checkpoints: [Checkpoint]) {
        self.sharePerMille = sharePerMille
        self.minimum = minimum
        self.checkpoints = checkpoints
    }

    /// The seeds' 回访录音抽查: manners, the standard script, accuracy, and the customer's data kept private.
    public static let standard = SpotCheckPlan(
        sharePerMille: 50, minimum: 3,
        checkpoints: [
            Checkpoint(key: "greeting", text: "开场问候、自报工号与公司", points: 20),
            Checkpoint(key: "script", text: "按话术完成回访、标准用语到位", points: 30),
            Checkpoint(key: "record", text: "记录完整准确（结果、问卷、资料更正）", points: 30),
            Checkpoint(key: "closing", text: "礼貌结束、确认下次联系", points: 20),
            Checkpoint(key: "privacy", text: "未泄露客户信息、无不当言语", points: 0, instantFail: true),
        ])

    public var maxScore: Int { checkpoints.reduce(0) { $0 + $1.points } }

    /// How many of `count` records are checked: the share rounded up, at least the minimum, at most all.
    public func sampleSize(of count: Int) -> Int {
        guard count > 0 else { return 0 }
        let share = (count * sharePerMille + 999) / 1000
        return min(count, max(minimum, share))
    }

    /// The records to check out of one agent's: random, but the same seed and records always give the same choice.
    public func sample(_ recordIDs: [Int], seed: String) -> [Int] {
        var generator = SplitMix64(text: seed)
        var ids = recordIDs.sorted()
        let size = sampleSize(of: ids.count)
        // The first `size` places of a Fisher–Yates shuffle.
        for i in 0..<size {
            let j = i + Int(generator.next() % UInt64(ids.count - i))
            ids.swapAt(i, j)
        }
        return Array(ids.prefix(size)).sorted()
    }

    /// Every problem of the plan, each naming its field (`checkpoints[2].points`); none when it can be saved.
    public func problems() -> [NamedFieldError] {
        var found: [NamedFieldError] = []
        func add(_ field: String, _ key: String) { found.append(NamedFieldError(field: field, key: key)) }
        if !(1...1000).contains(sharePerMille) { add("sharePerMille", "spot.problem.share") }
        if !(0...1000).contains(minimum) { add("minimum", "spot.problem.minimum") }
        if checkpoints.isEmpty { add("checkpoints", "problem.required") }
        var keys: Set<String> = []
        for (index, point) in checkpoints.enumerated() {
            let field = "checkpoints[\(index)]"
            if point.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                add(field + ".text", "problem.required")
            }
            if !(0...100).contains(point.points) { add(field + ".points", "spot.problem.points") }
            if point.key.isEmpty || !keys.insert(point.key).inserted { add(field + ".key", "spot.problem.key") }
        }
        // Summed only when each is in range: huge points (refused above) would overflow the sum.
        if !checkpoints.isEmpty, checkpoints.allSatisfy({ (0...100).contains($0.points) }), maxScore == 0 {
            add("checkpoints", "spot.problem.noPoints")
        }
        return found
    }

    /// The score of a review: the points of the checkpoints met, or 0 and failed when an instant-fail item is not met.
    /// Every checkpoint must be judged.
    public func score(_ met: [String: Bool]) throws(NamedFieldErrors) -> (score: Int, failed: Bool) {
        let missing = checkpoints.filter { met[$0.key] == nil }.map {
            NamedFieldError(field: "results." + $0.key, key: "spot.problem.unjudged")
        }
        guard missing.isEmpty else { throw NamedFieldErrors(errors: missing) }
        if checkpoints.contains(where: { $0.instantFail && met[$0.key] == false }) { return (0, true) }
        return (checkpoints.filter { met[$0.key] == true }.reduce(0) { $0 + $1.points }, false)
    }
}
