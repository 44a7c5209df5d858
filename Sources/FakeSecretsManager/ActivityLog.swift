import DequeModule
import Foundation
import Simulation

/// One Activity Tracker event: who did what to which resource, and how it ended. Never a payload.
public struct ActivityEvent: Hashable, Sendable, Codable {
    public enum Outcome: String, Hashable, Sendable, Codable { case success, failure }

    public var time: SimulationInstant
    /// `secrets-manager.secret.read`, ...
    public var action: String
    public var principal: String
    public var outcome: Outcome
    /// The HTTP status answered.
    public var status: Int
    /// The secret, group or configuration acted on, when there is one.
    public var target: String?
}

/// The activity log of an instance: the most recent events (a bounded window, so a long drill's memory stays
/// flat) and counts of every event by action and outcome.
public final class ActivityLog: @unchecked Sendable {
    public let capacity: Int
    public private(set) var recent = Deque<ActivityEvent>()
    private var counts: [Key: Int] = [:]

    struct Key: Hashable {
        var action: String
        var outcome: ActivityEvent.Outcome
    }
    public private(set) var total = 0

    public init(capacity: Int = 10_000) { self.capacity = max(1, capacity) }

    func record(_ event: ActivityEvent) {
        total += 1
        counts[Key(action: event.action, outcome: event.outcome), default: 0] += 1
        if recent.count == capacity { recent.removeFirst() }
        recent.append(event)
    }

    /// How many events of `action` ended with `outcome`.
    public func count(_ action: String, _ outcome: ActivityEvent.Outcome) -> Int {
        counts[Key(action: action, outcome: outcome)] ?? 0
    }
}
