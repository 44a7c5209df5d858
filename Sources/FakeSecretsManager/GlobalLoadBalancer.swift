import Simulation

/// How the global load balancer probes nodes: every `interval`, and a node leaves the rotation after
/// `failures` probes in a row go unanswered. It comes back after one answered probe.
public struct HealthCheckPolicy: Hashable, Sendable, Codable {
    public var interval: Duration
    public var failures: Int

    public init(interval: Duration = .seconds(5), failures: Int = 3) {
        self.interval = interval
        self.failures = max(1, failures)
    }

    /// The longest a dead node can stay in the rotation.
    public var worstCaseDetection: Duration { interval * failures }
}

/// The global load balancer in front of a region's nodes. It spreads requests round-robin over the nodes it
/// believes healthy, and learns that a node died only when its health checks fail: for up to
/// `interval x failures` a dead node still gets requests, and they fail. That window is what the seed's
/// "short period of time (seconds) between the outage and the global load balancer recognizing the failure"
/// looks like to a client.
public final class GlobalLoadBalancer: EventHandler, @unchecked Sendable {
    public let region: String
    public let nodes: [Node]
    public let policy: HealthCheckPolicy
    /// Whether the balancer currently sends requests to each node.
    public private(set) var inRotation: [Bool]
    private var consecutiveFailures: [Int]
    private var cursor = 0
    /// When each node last left the rotation (for measuring detection).
    public private(set) var lastRemoval: [SimulationInstant?]
    private var observers: [(Node, Bool, SimulationInstant) -> Void] = []
    private var id: Scheduler.HandlerID!

    init(region: String, nodes: [Node], policy: HealthCheckPolicy, scheduler: Scheduler, random: SeededRandom) {
        self.region = region
        self.nodes = nodes
        self.policy = policy
        inRotation = Array(repeating: true, count: nodes.count)
        consecutiveFailures = Array(repeating: 0, count: nodes.count)
        lastRemoval = Array(repeating: nil, count: nodes.count)
        var random = random
        id = scheduler.register(self)
        // Each node's probes start at their own phase, as independent checkers would.
        for index in nodes.indices {
            scheduler.schedule(id, tag: index, after: random.duration(upTo: policy.interval))
        }
    }

    /// Calls `observer(node, inRotation, time)` whenever a node leaves or rejoins the rotation.
    public func onRotationChange(_ observer: @escaping (Node, Bool, SimulationInstant) -> Void) {
        observers.append(observer)
    }

    /// The node the next request goes to, or nil when the balancer believes every node is down.
    public func route() -> Node? {
        let count = nodes.count
        for _ in 0..<count {
            let index = cursor
            cursor = cursor + 1 == count ? 0 : cursor + 1
            if inRotation[index] { return nodes[index] }
        }
        return nil
    }

    /// One health check of node `tag`.
    public func handle(tag index: Int, scheduler: Scheduler) {
        if nodes[index].isAlive {
            consecutiveFailures[index] = 0
            if !inRotation[index] {
                inRotation[index] = true
                for observer in observers { observer(nodes[index], true, scheduler.now) }
            }
        } else {
            consecutiveFailures[index] += 1
            if inRotation[index] && consecutiveFailures[index] >= policy.failures {
                inRotation[index] = false
                lastRemoval[index] = scheduler.now
                for observer in observers { observer(nodes[index], false, scheduler.now) }
            }
        }
        scheduler.schedule(id, tag: index, after: policy.interval)
    }
}
