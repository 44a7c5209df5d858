import Drill
import Foundation
import SecretsManager

/// The five failure scenarios of the seed's planning table, each with its own objective and drills.
public enum FailureScenario: String, CaseIterable, Sendable, Codable, Comparable {
    case hardware, zone, corruption, region
    case keyLoss = "key_loss"

    /// The scenario fault kinds that rehearse this failure.
    public var faultKinds: Set<String> {
        switch self {
        case .hardware: ["node_failure"]
        case .zone: ["zone_loss"]
        case .corruption: ["corruption"]
        case .region: ["region_loss"]
        case .keyLoss: ["kms_root_key_deleted"]
        }
    }

    public var title: String {
        switch self {
        case .hardware: "hardware failure"
        case .zone: "zone failure"
        case .corruption: "data corruption"
        case .region: "regional failure"
        case .keyLoss: "BYOK root-key loss"
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Where a part of the plan lives: one region, a cross-region location (a Cloud Object Storage cross-region
/// bucket, say), or a global service (a Git host).
public enum PlanLocation: Hashable, Sendable, Codable, CustomStringConvertible {
    case region(String)
    case crossRegion
    case global

    public var description: String {
        switch self {
        case .region(let name): name
        case .crossRegion: "cross-region"
        case .global: "global"
        }
    }

    /// Whether a loss of `region` takes this location down with it.
    public func dependsOn(region: String) -> Bool { self == .region(region) }

    /// Whether this location can be reached from `region` when another region is lost.
    public func isAvailable(in region: String) -> Bool {
        switch self {
        case .region(let name): name == region
        case .crossRegion, .global: true
        }
    }
}

/// The customer's recovery approach, as the seed names them.
public enum RecoveryApproach: String, Sendable, Codable, CaseIterable {
    case zeroFootprint = "zero-footprint"
    case minimalOperation = "minimal-operation"
    case fullyOperational = "fully-operational"
}

/// A team's disaster-recovery plan for its Secrets Manager instance: what exists, where it lives, what the
/// objectives are, how often each failure is practised and by which drills.
public struct DRPlan: Sendable {
    public var name: String
    /// The plan file and the SHA-256 of its bytes.
    public var file: String
    public var sha256: String

    public struct Instance: Sendable {
        public var crn: CRN
        public var region: String
    }

    public struct Recovery: Sendable {
        /// Nil when nothing exists before the disaster (zero footprint).
        public var crn: CRN?
        public var region: String
        public var approach: RecoveryApproach
    }

    public var primary: Instance
    public var recovery: Recovery?

    public struct VersionRestore: Sendable {
        /// The test instance the team practises on.
        public var testInstance: CRN?
    }

    public struct SourceOfTruth: Sendable {
        public var repository: String
        public var location: PlanLocation
        public var pointInTimeRecovery: Bool
        /// `primary`, `recovery`: the instances the source of truth is applied to.
        public var appliesTo: [String]
    }

    public struct Backup: Sendable {
        public var bucket: String
        public var location: PlanLocation
        public var every: Duration
        public var retention: Duration?
        public var restoreScript: String
        public var restoreScriptLocation: PlanLocation
    }

    public enum SyncMode: String, Sendable, Codable, CaseIterable { case events, periodic }

    public struct LiveSync: Sendable {
        public var mode: SyncMode
        public var period: Duration?
        /// Where the synchronisation tooling (a Code Engine action, say) runs.
        public var runsIn: PlanLocation
    }

    public struct Features: Sendable {
        public var versionRestore: VersionRestore?
        public var sourceOfTruth: SourceOfTruth?
        public var backup: Backup?
        public var liveSync: LiveSync?
    }

    public var features: Features

    /// Where the per-region values of regional secrets come from.
    public enum ValueSource: String, Sendable, Codable, CaseIterable {
        case sourceOfTruth = "source_of_truth"
        case backup
        case liveSync = "live_sync"
    }

    public struct RegionalSecret: Sendable {
        public var name: String
        public var type: SecretType
        public var regions: [String]
        public var valuesFrom: ValueSource
    }

    /// Nil when the plan does not say (which is not the same as saying there are none).
    public var regionalSecrets: [RegionalSecret]?

    public struct KeyReference: Sendable {
        public var crn: CRN
        public var rootKeyID: String?
    }

    public struct Dependencies: Sendable {
        public var eventNotificationsPrimary: CRN?
        public var eventNotificationsRecovery: CRN?
        public var kmsPrimary: KeyReference?
        public var kmsRecovery: KeyReference?
        public var backupKMS: CRN?
        /// Other services the recovery depends on (Code Engine, Cloud Object Storage), by name, with CRNs.
        public var others: [String: CRN]
    }

    public var dependencies: Dependencies

    /// What a support case for a deleted root key needs (the seed's list).
    public struct KeyLossInformation: Sendable {
        public var instanceCRN: CRN?
        public var backupKMSCRN: CRN?
        public var newRootKeyID: String?
        public var originalKMSCRN: CRN?
        public var originalKeyID: String?
    }

    public var keyLoss: KeyLossInformation?

    public struct Retry: Sendable {
        public var attempts: Int
        public var backoff: String
    }

    public struct Workloads: Sendable {
        /// The instance the recovery-region workloads are configured to use.
        public var recoveryEndpoint: CRN?
        /// Where that configuration lives (a Terraform workspace, a config map).
        public var configuredIn: String?
        public var retry: Retry?
    }

    public var workloads: Workloads

    /// Who may delete production resources (IAM principals or access groups).
    public var deleters: [String]?

    public struct Objective: Sendable, Codable {
        public var rto: Duration
        public var rpo: Duration
    }

    public var objectives: [FailureScenario: Objective]
    /// How often each failure must be practised.
    public var cadence: Duration

    public struct DrillReference: Sendable {
        /// As written in the plan.
        public var path: String
        /// Resolved against the plan's folder.
        public var resolved: String
    }

    public var drills: [FailureScenario: [DrillReference]]

    /// Where each part of the plan is written, by dotted key path (`features.backup.location`), so results can
    /// point at the line to change.
    public var locations: [String: SourceLocation]

    public func location(_ path: String) -> SourceLocation {
        locations[path] ?? SourceLocation(file: file, line: 1, column: 1)
    }

    /// Every drill file, each once, in failure order.
    public var drillFiles: [DrillReference] {
        var seen = Set<String>()
        var files: [DrillReference] = []
        for failure in FailureScenario.allCases {
            for drill in drills[failure] ?? [] where seen.insert(drill.resolved).inserted { files.append(drill) }
        }
        return files
    }
}
