import SecretsManager
import Simulation

/// How expensive each kind of call is.
public enum OperationClass: String, CaseIterable, Sendable, Hashable, Codable {
    /// Reading one secret, version, group or configuration.
    case read
    /// Creating, rotating, updating or deleting.
    case write
    /// A page of a list.
    case list
    /// Configurations, notifications registration, locks.
    case admin

    public init(_ operation: ServiceOperation) {
        switch operation {
        case .getSecret, .getSecretMetadata, .getSecretVersion, .getSecretVersionMetadata, .getSecretGroup,
            .getConfiguration, .getNotificationsRegistration:
            self = .read
        case .listSecrets, .listSecretGroups, .listSecretVersions, .listSecretLocks, .listSecretsLocks,
            .listConfigurations:
            self = .list
        case .createSecret, .updateSecretMetadata, .deleteSecret, .createSecretVersion, .createSecretGroup,
            .updateSecretGroup, .deleteSecretGroup, .updateSecretTask:
            self = .write
        case .createSecretLocks, .deleteSecretLocks, .createConfiguration, .deleteConfiguration,
            .createNotificationsRegistration, .deleteNotificationsRegistration:
            self = .admin
        }
    }
}

/// A request rate limit: `rate` per second, with bursts up to `burst`.
public struct RateLimit: Hashable, Sendable, Codable {
    public var requestsPerSecond: Double
    public var burst: Double

    public init(requestsPerSecond: Double, burst: Double? = nil) {
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst ?? max(1, requestsPerSecond)
    }
}

/// The price of every call in virtual time: a latency distribution per class of operation and an optional
/// per-instance rate limit. Both are scenario assumptions (the reference notes that IBM publishes no current
/// rate limit), set per scenario.
public struct ServiceCostModel: Hashable, Sendable, Codable {
    public var latency: [OperationClass: LatencyDistribution]
    public var rateLimit: RateLimit?
    /// How long provisioning a new instance takes.
    public var provisioning: Duration

    public init(
        latency: [OperationClass: LatencyDistribution] = ServiceCostModel.defaultLatency, rateLimit: RateLimit? = nil,
        provisioning: Duration = .seconds(600)
    ) {
        self.latency = latency
        self.rateLimit = rateLimit
        self.provisioning = provisioning
    }

    /// One latency for every class.
    public init(latency: LatencyDistribution, rateLimit: RateLimit? = nil, provisioning: Duration = .seconds(600)) {
        var byClass: [OperationClass: LatencyDistribution] = [:]
        for operationClass in OperationClass.allCases { byClass[operationClass] = latency }
        self.init(latency: byClass, rateLimit: rateLimit, provisioning: provisioning)
    }

    /// Reads 20 ms median, 120 ms at p99; writes and lists slower.
    public static let defaultLatency: [OperationClass: LatencyDistribution] = [
        .read: LatencyDistribution(median: .milliseconds(20), p99: .milliseconds(120)),
        .write: LatencyDistribution(median: .milliseconds(40), p99: .milliseconds(200)),
        .list: LatencyDistribution(median: .milliseconds(60), p99: .milliseconds(300)),
        .admin: LatencyDistribution(median: .milliseconds(40), p99: .milliseconds(200)),
    ]

    /// Free calls: for tests and for benchmarks of the fake's own work.
    public static let free = ServiceCostModel(latency: .constant(.zero), rateLimit: nil, provisioning: .zero)

    public func latency(for operationClass: OperationClass) -> LatencyDistribution {
        latency[operationClass] ?? .constant(.zero)
    }
}

/// A token bucket in virtual time.
struct TokenBucket {
    let limit: RateLimit
    private var tokens: Double
    private var updatedAt: SimulationInstant

    init(limit: RateLimit, now: SimulationInstant) {
        self.limit = limit
        tokens = limit.burst
        updatedAt = now
    }

    /// Takes a token if one is there.
    mutating func admit(at now: SimulationInstant) -> Bool {
        let elapsed = Double(now.nanosecondsSinceStart - updatedAt.nanosecondsSinceStart) / 1e9
        if elapsed > 0 {
            tokens = min(limit.burst, tokens + elapsed * limit.requestsPerSecond)
            updatedAt = now
        }
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
