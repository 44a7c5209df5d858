import FakeSecretsManager
import Foundation
import SecretsManager
import Simulation

/// A drill, as a scenario file writes it down: the failure case, the world it happens in, the traffic, the
/// recovery steps and the objectives. Field by field in docs/scenario-format.md.
public struct Scenario: Sendable {
    public var name: String
    public var description: String
    public var seed: UInt64
    public var duration: Duration
    public var service: ServiceSpec
    public var topology: TopologySpec
    public var data: DataSpec
    public var workload: WorkloadSpec
    public var faults: [FaultSpec]
    public var runbook: [RunbookStep]
    public var protection: ProtectionSpec
    public var objectives: Objectives
    public var measurement: MeasurementSpec
    /// The file it came from, as given, and the SHA-256 of its bytes.
    public var file: String
    public var fileSHA256: String

    public init(
        name: String, description: String = "", seed: UInt64 = 1, duration: Duration, service: ServiceSpec = ServiceSpec(),
        topology: TopologySpec = TopologySpec(), data: DataSpec = DataSpec(), workload: WorkloadSpec = WorkloadSpec(),
        faults: [FaultSpec] = [], runbook: [RunbookStep] = [], protection: ProtectionSpec = ProtectionSpec(),
        objectives: Objectives = Objectives(),
        measurement: MeasurementSpec = MeasurementSpec(), file: String = "", fileSHA256: String = ""
    ) {
        self.name = name
        self.description = description
        self.seed = seed
        self.duration = duration
        self.service = service
        self.topology = topology
        self.data = data
        self.workload = workload
        self.faults = faults
        self.runbook = runbook
        self.protection = protection
        self.objectives = objectives
        self.measurement = measurement
        self.file = file
        self.fileSHA256 = fileSHA256
    }
}

/// How the service behaves: latency, rate limit, health checks, provisioning, IBM's internal backups.
public struct ServiceSpec: Sendable {
    /// The latency of a read; writes and lists take `writeFactor` and `listFactor` times as long.
    public var latency = LatencyDistribution(median: .milliseconds(20), p99: .milliseconds(120))
    public var writeFactor = 2.0
    public var listFactor = 3.0
    public var rateLimit: RateLimit?
    public var healthCheck = HealthCheckPolicy()
    public var provisioning: Duration = .seconds(600)
    /// From publication to delivery of an Event Notifications notification.
    public var notificationDelay: Duration = .seconds(5)
    /// IBM's daily internal backup: its period, and when the first one is taken.
    public var internalBackupEvery: Duration = .seconds(86_400)
    public var internalBackupFirst: Duration = .zero

    public init() {}

    /// The cost model the fake runs with.
    public var costModel: ServiceCostModel {
        func scaled(_ factor: Double) -> LatencyDistribution {
            LatencyDistribution(
                median: .seconds(latency.median.seconds * factor), p99: .seconds(latency.p99.seconds * factor))
        }
        return ServiceCostModel(
            latency: [.read: latency, .write: scaled(writeFactor), .list: scaled(listFactor), .admin: scaled(writeFactor)],
            rateLimit: rateLimit, provisioning: provisioning)
    }
}

/// The recovery approaches of IBM Cloud's DR guidance.
public enum RecoveryApproach: String, Sendable, Codable, CaseIterable {
    case none
    case zeroFootprint = "zero-footprint"
    case minimalOperation = "minimal-operation"
    case fullyOperational = "fully-operational"
}

/// Where things run.
public struct TopologySpec: Sendable {
    public struct Primary: Sendable {
        public var region = "us-south"
        public var zones = 3
        public var nodesPerZone = 1
        public var kms: KeyManagementKind = .keyProtect
        public init() {}
    }

    public struct Recovery: Sendable {
        public var region = "us-east"
        public var approach: RecoveryApproach = .none
        /// The key-management service of the recovery instance; another instance than the primary's.
        public var kms: KeyManagementKind = .keyProtect
        public init() {}
    }

    public var primary = Primary()
    public var recovery: Recovery?

    public init() {}
}

/// The secrets the instance holds when the drill starts.
public struct DataSpec: Sendable {
    public var secrets = 1000
    public var groups = 4
    /// The share of each type, summing to 1.
    public var types: [(SecretType, Double)] = [(.arbitrary, 1)]
    /// The share of secrets whose value differs per region (connection strings, API keys).
    public var regional = 0.0

    public init() {}
}

/// The clients and what they do.
public struct WorkloadSpec: Sendable {
    public var clients = 10
    /// The region the clients run in (for the record; requests reach whichever instance they point at).
    public var region = "us-south"
    /// Requests per second, per client (Poisson arrivals).
    public var ratePerClient = 5.0
    /// The share of reads; the rest are rotations.
    public var readShare = 0.95
    public var retry = RetryPolicy()
    public var failover: FailoverSpec?

    public init() {}
}

/// IBM's client retry guidance: retries with exponential backoff and jitter, a timeout per attempt.
public struct RetryPolicy: Sendable, Hashable {
    public enum Backoff: String, Sendable, Hashable, CaseIterable { case exponential, constant }
    public enum Jitter: String, Sendable, Hashable, CaseIterable { case none, full, equal }

    /// Tries in all, the first included: 1 means no retry.
    public var attempts = 6
    public var backoff: Backoff = .exponential
    public var base: Duration = .milliseconds(200)
    public var cap: Duration = .seconds(10)
    public var jitter: Jitter = .full
    /// How long one attempt waits for an answer.
    public var timeout: Duration = .seconds(2)

    public init() {}

    /// The pause before try number `attempt + 1` (attempt counts from 1).
    public func delay(after attempt: Int, random: inout SeededRandom) -> Duration {
        let exponent = Swift.min(attempt - 1, 30)
        let raw: Duration =
            switch backoff {
            case .exponential: base * (1 << exponent)
            case .constant: base
            }
        let capped = Swift.min(raw, cap)
        switch jitter {
        case .none: return capped
        case .full: return random.duration(upTo: capped)
        case .equal: return capped / 2 + random.duration(upTo: capped / 2)
        }
    }
}

/// Moving clients to the recovery instance after consecutive failures.
public struct FailoverSpec: Sendable, Hashable {
    /// Consecutive failed attempts that make a client switch.
    public var after = 5
    public init() {}
}

/// One failure and when it strikes.
public struct FaultSpec: Sendable {
    public var at: Duration
    public var kind: FaultKind
    public var location: SourceLocation

    public init(at: Duration, kind: FaultKind, location: SourceLocation) {
        self.at = at
        self.kind = kind
        self.location = location
    }
}

/// The failures of the seed.
public enum FaultKind: Sendable {
    case nodeFailure(region: String, zone: Int, node: Int, lasting: Duration?)
    case zoneLoss(region: String, zone: Int, lasting: Duration?)
    /// A whole region down for `lasting`; then IBM brings the instance back after `restore`, from its state
    /// if `intact`, from the last internal backup if `corrupted`, or not at all if `lost`.
    case regionLoss(region: String, lasting: Duration, state: FakeCloud.RegionalStateOutcome, restore: Duration)
    case corruption(CorruptionKind, secrets: Int, writer: String)
    case kmsRootKeyDeleted
    /// A rolling upgrade: each zone in turn interrupted for `interruption`, `gap` apart.
    case maintenance(region: String, interruption: Duration, gap: Duration)

    /// The name used in scenario files and reports.
    public var name: String {
        switch self {
        case .nodeFailure: "node_failure"
        case .zoneLoss: "zone_loss"
        case .regionLoss: "region_loss"
        case .corruption: "corruption"
        case .kmsRootKeyDeleted: "kms_root_key_deleted"
        case .maintenance: "maintenance"
        }
    }

    /// A line for timelines.
    public var summary: String {
        switch self {
        case .nodeFailure(let region, let zone, let node, let lasting):
            "node \(node) of \(region)-\(zone) fails" + (lasting.map { " for \($0.compactDescription)" } ?? " for good")
        case .zoneLoss(let region, let zone, let lasting):
            "zone \(region)-\(zone) is lost" + (lasting.map { " for \($0.compactDescription)" } ?? " for good")
        case .regionLoss(let region, let lasting, let state, let restore):
            "region \(region) is lost for \(lasting.compactDescription); regional state \(state.rawValue), IBM restore takes \(restore.compactDescription)"
        case .corruption(let kind, let secrets, let writer):
            kind == .logical
                ? "\(writer) overwrites \(secrets) secrets with garbage"
                : "\(secrets) secrets' stored data is physically damaged"
        case .kmsRootKeyDeleted: "the primary instance's root key is deleted"
        case .maintenance(let region, let interruption, let gap):
            "rolling maintenance of \(region): each zone interrupted \(interruption.compactDescription), \(gap.compactDescription) apart"
        }
    }

    /// How long after injection the fault's own effects can last (nil: until something repairs them).
    public var span: Duration? {
        switch self {
        case .nodeFailure(_, _, _, let lasting), .zoneLoss(_, _, let lasting): lasting
        case .regionLoss(_, let lasting, _, let restore): lasting + restore
        case .maintenance(_, let interruption, let gap): gap * 2 + interruption
        case .corruption, .kmsRootKeyDeleted: nil
        }
    }
}

public enum CorruptionKind: String, Sendable, CaseIterable {
    case logical, physical
}

/// What runs before the disaster to make recovery possible: backups, live synchronization, a source of
/// truth, the per-region values of regional secrets, a backup key-management instance.
public struct ProtectionSpec: Sendable {
    public struct Backups: Sendable {
        public var every: Duration = .seconds(86_400)
        public var first: Duration = .seconds(3600)
        public var retention = 7
        public var location: BucketPlacement = .crossRegion
        public init() {}
    }

    public struct LiveSync: Sendable {
        public enum Mode: String, Sendable, CaseIterable { case events, periodic }
        public var mode: Mode = .events
        /// For periodic sync, the time between full comparisons.
        public var period: Duration = .seconds(86_400)
        /// For event-driven sync, the action's start-up before it copies.
        public var actionStartup: Duration = .seconds(2)
        public init() {}
    }

    public struct SourceOfTruth: Sendable {
        public var location: BucketPlacement = .crossRegion
        /// Whether every change is also applied to the recovery instance (fully operational).
        public var applyToRecovery = false
        public init() {}
    }

    public var backups: Backups?
    public var liveSync: LiveSync?
    public var sourceOfTruth: SourceOfTruth?
    /// Whether the team keeps the recovery region's values of regional secrets where a restore can use them.
    public var regionalValues = true
    /// The region of a backup key-management instance for BYOK recovery (none when nil).
    public var backupKMSRegion: String?

    public init() {}
}

/// Where a bucket or repository lives: a region, or replicated across regions.
public enum BucketPlacement: Sendable, Hashable {
    case region(String)
    case crossRegion
}

/// What the drill must achieve.
public struct Objectives: Sendable {
    public var rto: Duration?
    public var rpo: Duration?
    public var availability: Double?
    public var lostWrites: Int?

    public init(rto: Duration? = nil, rpo: Duration? = nil, availability: Double? = nil, lostWrites: Int? = nil) {
        self.rto = rto
        self.rpo = rpo
        self.availability = availability
        self.lostWrites = lostWrites
    }
}

/// How recovery is recognised: the clients' success ratio over a sliding window.
public struct MeasurementSpec: Sendable {
    /// Recovered once a window this long has a success ratio of at least `threshold` and no corrupt read.
    public var window: Duration = .seconds(30)
    public var threshold = 0.99
    /// The step the window slides by, and the size of the timeline's buckets.
    public var resolution: Duration = .seconds(1)

    public init() {}
}
