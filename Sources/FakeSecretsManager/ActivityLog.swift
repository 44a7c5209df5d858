import DequeModule
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
    @exclusivity(unchecked) public private(set) var recent = Deque<ActivityEvent>()
    @exclusivity(unchecked) public private(set) var total = 0
    /// Counts by operation, successes then failures.
    @exclusivity(unchecked) private var counts: [ServiceOperation: (success: Int, failure: Int)] = [:]

    public init(capacity: Int = 10_000) { self.capacity = max(1, capacity) }

    func record(_ event: ActivityEvent) {
        total += 1
        switch event.outcome {
        case .success: counts[event.operation, default: (0, 0)].success += 1
        case .failure: counts[event.operation, default: (0, 0)].failure += 1
        }
        if recent.count == capacity { recent.removeFirst() }
        recent.append(event)
    }

    /// How many events of `action` (`secrets-manager.secret.read`) ended with `outcome`.
    public func count(_ action: String, _ outcome: ActivityEvent.Outcome) -> Int {
        guard let operation = ServiceOperation.allCases.first(where: { $0.action == action }) else { return 0 }
        return count(operation, outcome)
    }

    /// How many events of `operation` ended with `outcome`.
    public func count(_ operation: ServiceOperation, _ outcome: ActivityEvent.Outcome) -> Int {
        let pair = counts[operation] ?? (0, 0)
        return outcome == .success ? pair.success : pair.failure
    }
}
