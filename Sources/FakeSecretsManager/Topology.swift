import Simulation

/// The IBM Cloud multi-zone regions where Secrets Manager runs, by their API names.
public enum CloudRegions {
    public static let all: [String] = [
        "us-south", "us-east", "ca-tor", "ca-mon", "br-sao", "eu-gb", "eu-de", "eu-es", "jp-tok", "jp-osa", "au-syd",
    ]

    /// Whether `name` is a known region.
    public static func isKnown(_ name: String) -> Bool { all.contains(name) }
}

/// One server of the service, in one zone. A dead node answers nothing: requests routed to it time out.
public final class Node: @unchecked Sendable, CustomStringConvertible {
    /// `us-south-2/node-1`.
    public let id: String
    public let zone: Int
    public let index: Int
    /// Whether the node runs. Failures set it; the load balancer finds out only through health checks.
    public internal(set) var isAlive = true

    init(region: String, zone: Int, index: Int) {
        self.zone = zone
        self.index = index
        id = "\(region)-\(zone)/node-\(index)"
    }

    public var description: String { id }
}

/// A region: its zones of nodes, whether it stands, and the global load balancer in front of its nodes.
public final class Region: @unchecked Sendable {
    public let name: String
    /// Nodes by zone; zones are numbered from 1 as in `us-south-1`.
    public let zones: [[Node]]
    public let loadBalancer: GlobalLoadBalancer
    /// False while the whole region is down: no endpoint in it answers.
    public internal(set) var isUp = true

    init(name: String, zones zoneCount: Int, nodesPerZone: Int, healthCheck: HealthCheckPolicy, scheduler: Scheduler,
        random: SeededRandom)
    {
        self.name = name
        zones = (1...max(1, zoneCount)).map { zone in
            (1...max(1, nodesPerZone)).map { Node(region: name, zone: zone, index: $0) }
        }
        loadBalancer = GlobalLoadBalancer(
            region: name, nodes: zones.flatMap { $0 }, policy: healthCheck, scheduler: scheduler, random: random)
    }

    public var nodes: [Node] { zones.flatMap { $0 } }

    /// The nodes of zone `number` (1-based), or nil when the region has no such zone.
    public func zone(_ number: Int) -> [Node]? {
        number >= 1 && number <= zones.count ? zones[number - 1] : nil
    }
}
