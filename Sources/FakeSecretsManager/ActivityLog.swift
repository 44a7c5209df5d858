import Foundation
import Simulation

/// One Activity Tracker event: who did what to which resource, and how it ended. Never a payload.
public struct ActivityEvent: Hashable, Sendable, Codable {
    public enum Outcome: String, Hashable, Sendable, Codable { case success, failure }

    public var time: SimulationInstant
    public var operation: ServiceOperation
    public var principal: String
    public var outcome: Outcome
    /// The HTTP status answered.
    public var status: Int
    /// The secret, group or configuration acted on, when there is one.
    public var target: String?

    /// `secrets-manager.secret.read`, ...
    public var action: String { operation.action }

    enum CodingKeys: String, CodingKey {
        case time, action, principal, outcome, status, target
    }

    public init(
        time: SimulationInstant, operation: ServiceOperation, principal: String, outcome: Outcome, status: Int,
        target: String?
    ) {
        self.time = time
        self.operation = operation
        self.principal = principal
        self.outcome = outcome
        self.status = status
        self.target = target
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        time = try container.decode(SimulationInstant.self, forKey: .time)
        let action = try container.decode(String.self, forKey: .action)
        guard let operation = ServiceOperation.allCases.first(where: { $0.action == action }) else {
            throw DecodingError.dataCorruptedError(forKey: .action, in: container, debugDescription: "unknown action \(action)")
        }
        self.operation = operation
        principal = try container.decode(String.self, forKey: .principal)
        outcome = try container.decode(Outcome.self, forKey: .outcome)
        status = try container.decode(Int.self, forKey: .status)
        target = try container.decodeIfPresent(String.self, forKey: .target)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(time, forKey: .time)
        try container.encode(action, forKey: .action)
        try container.encode(principal, forKey: .principal)
        try container.encode(outcome, forKey: .outcome)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(target, forKey: .target)
    }
}

/// The activity log of an instance: the most recent events (a bounded window, so a long drill's memory stays
/// flat) and counts of every event by operation and outcome.
public final class ActivityLog: @unchecked Sendable {
    public let capacity: Int
    /// A ring: once full, the next event overwrites the oldest, at `oldest`.
    @exclusivity(unchecked) private var ring: [ActivityEvent] = []
    @exclusivity(unchecked) private var oldest = 0
    @exclusivity(unchecked) public private(set) var total = 0
    /// Counts by operation (its raw value) and outcome: successes at even positions, failures at odd ones.
    @exclusivity(unchecked) private var counts = [Int](repeating: 0, count: ServiceOperation.allCases.count * 2)

    public init(capacity: Int = 10_000) { self.capacity = max(1, capacity) }

    /// The most recent events (at most ``capacity``), oldest first: a new array on every access, for reports
    /// and tests rather than a loop.
    public var recent: [ActivityEvent] { Array(ring[oldest...] + ring[..<oldest]) }

    /// Records an event. Once the ring is full, the oldest slot is overwritten field by field, in place: the
    /// hot path builds no event to copy in.
    func record(
        time: SimulationInstant, operation: ServiceOperation, principal: String, outcome: ActivityEvent.Outcome,
        status: Int, target: String?
    ) {
        total += 1
        counts[Self.slot(operation, outcome)] += 1
        guard ring.count == capacity else {
            ring.append(
                ActivityEvent(
                    time: time, operation: operation, principal: principal, outcome: outcome, status: status,
                    target: target))
            return
        }
        let slot = oldest
        ring.withUnsafeMutableBufferPointer { ring in
            ring[slot].time = time
            ring[slot].operation = operation
            ring[slot].principal = principal
            ring[slot].outcome = outcome
            ring[slot].status = status
            ring[slot].target = target
        }
        oldest = slot + 1 == capacity ? 0 : slot + 1
    }

    /// How many events of `action` (`secrets-manager.secret.read`) ended with `outcome`.
    public func count(_ action: String, _ outcome: ActivityEvent.Outcome) -> Int {
        guard let operation = ServiceOperation.allCases.first(where: { $0.action == action }) else { return 0 }
        return count(operation, outcome)
    }

    /// How many events of `operation` ended with `outcome`.
    public func count(_ operation: ServiceOperation, _ outcome: ActivityEvent.Outcome) -> Int {
        counts[Self.slot(operation, outcome)]
    }

    @inline(__always)
    private static func slot(_ operation: ServiceOperation, _ outcome: ActivityEvent.Outcome) -> Int {
        operation.rawValue * 2 + (outcome == .success ? 0 : 1)
    }
}
