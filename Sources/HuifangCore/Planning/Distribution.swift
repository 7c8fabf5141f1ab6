import Foundation

/// An agent as distribution sees them on one day.
public struct AgentCapacity: Sendable {
    public var id: UUID
    public var name: String
    public var skills: Set<String>
    /// Open tasks already on the agent's list.
    public var openLoad: Int
    /// On leave on the day being distributed.
    public var isAbsent: Bool
    /// Seconds on shift on the day (`WeeklyRoster.seconds`): 0 when off; the share of the day's work follows it.
    public var shiftSeconds: Int

    public init(
        id: UUID, name: String, skills: Set<String> = [], openLoad: Int = 0, isAbsent: Bool = false,
        shiftSeconds: Int = WeeklyRoster.standardDay
    ) {
        self.id = id
        self.name = name
        self.skills = skills
        self.openLoad = openLoad
        self.isAbsent = isAbsent
        self.shiftSeconds = shiftSeconds
    }

    /// Working that day: not on leave and on shift.
    public var isPresent: Bool { !isAbsent && shiftSeconds > 0 }
}

/// A due task waiting for an agent.
public struct UnassignedTask: Sendable {
    public var id: Int
    /// The customer's assigned agent, preferred when present and able.
    public var preferredAgent: UUID?
    public var requiredSkill: String

    public init(id: Int, preferredAgent: UUID? = nil, requiredSkill: String = "") {
        self.id = id
        self.preferredAgent = preferredAgent
        self.requiredSkill = requiredSkill
    }
}

/// Why a task went to an agent; shown next to the task ("assigned to 王芳: assigned agent, 12 open tasks").
public enum AssignmentBasis: String, Codable, CaseIterable, Sendable {
    /// The customer's own agent.
    case assignedAgent
    /// The able agent with the fewest open tasks for their hours on shift.
    case leastLoaded
    /// A supervisor moved it.
    case manual
}

public struct Assignment: Equatable, Sendable {
    public var taskID: Int
    public var agentID: UUID
    public var basis: AssignmentBasis
    /// The agent's open tasks when this one was added.
    public var loadBefore: Int

    public init(taskID: Int, agentID: UUID, basis: AssignmentBasis, loadBefore: Int) {
        self.taskID = taskID
        self.agentID = agentID
        self.basis = basis
        self.loadBefore = loadBefore
    }
}

/// Gives due tasks to agents on shift: the customer's own agent when present and skilled, otherwise the skilled
/// agent whose open load after taking the task is the smallest for their hours on shift (ties by name). So the
/// day's work is shared in proportion to the hours on shift: an agent on a 6-hour shift ends with about three
/// quarters of the load of one on an 8-hour shift; with equal hours it is the least loaded agent. Tasks no
/// present agent can take stay unassigned.
public struct Distributor: Sendable {
    public init() {}

    /// - Parameter tasks: in the order they should be served (most urgent first).
    public func distribute(_ tasks: [UnassignedTask], among agents: [AgentCapacity]) -> (
        assignments: [Assignment], unassigned: [Int]
    ) {
        var pool = agents.filter(\.isPresent).sorted { ($0.name, $0.id.uuidString) < ($1.name, $1.id.uuidString) }
        let index = Dictionary(pool.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        var assignments: [Assignment] = []
        var unassigned: [Int] = []
        assignments.reserveCapacity(tasks.count)
        for task in tasks {
            func able(_ agent: AgentCapacity) -> Bool {
                task.requiredSkill.isEmpty || agent.skills.contains(task.requiredSkill)
            }
            var chosen: (Int, AssignmentBasis)?
            if let preferred = task.preferredAgent, let at = index[preferred], able(pool[at]) {
                chosen = (at, .assignedAgent)
            } else {
                var best: Int?
                for at in pool.indices where able(pool[at]) {
                    if best.map({ Self.isLighter(pool[at], than: pool[$0]) }) ?? true { best = at }
                }
                if let best { chosen = (best, .leastLoaded) }
            }
            guard let (at, basis) = chosen else {
                unassigned.append(task.id)
                continue
            }
            assignments.append(
                Assignment(taskID: task.id, agentID: pool[at].id, basis: basis, loadBefore: pool[at].openLoad))
            pool[at].openLoad += 1
        }
        return (assignments, unassigned)
    }

    /// Whether `a`'s load after one more task is smaller for its hours than `b`'s: (load + 1) ÷ hours, compared
    /// in whole numbers.
    static func isLighter(_ a: AgentCapacity, than b: AgentCapacity) -> Bool {
        (a.openLoad + 1) * b.shiftSeconds < (b.openLoad + 1) * a.shiftSeconds
    }
}
