import Crypto
import FakeSecretsManager
import Foundation
import SecretsManager
import Simulation

/// Reads scenario files strictly: unknown keys, wrong units, out-of-range values, shares that do not sum to
/// 100%, faults after the end, zones that do not exist and scenarios too big to finish are each an error at
/// `file:line:column` saying what was expected.
public enum ScenarioLoader {
    /// Loads and checks one file.
    public static func load(_ path: String) throws(InputError) -> Scenario {
        let (text, root) = try YAMLReader.load(path)
        var scenario = try read(root)
        scenario.file = path
        scenario.fileSHA256 = Hex.encode(SHA256.hash(data: Data(text.utf8)))
        return scenario
    }

    /// Reads and checks scenario text.
    public static func parse(_ text: String, file: String) throws(InputError) -> Scenario {
        var scenario = try read(try YAMLReader.parse(text, file: file))
        scenario.file = file
        scenario.fileSHA256 = Hex.encode(SHA256.hash(data: Data(text.utf8)))
        return scenario
    }

    /// The scenario files of a list of files and folders (folders: their `.yaml` and `.yml` files, sorted).
    public static func files(in paths: [String]) throws(InputError) -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw InputError(SourceLocation(file: path, line: 1, column: 1), "no such file or folder")
            }
            if isDirectory.boolValue {
                let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                let yaml = entries.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
                files += yaml.map { path.hasSuffix("/") ? path + $0 : path + "/" + $0 }
            } else {
                files.append(path)
            }
        }
        return files
    }

    static let topKeys = [
        "name", "description", "seed", "duration", "service", "topology", "data", "workload", "faults", "runbook",
        "protection", "objectives", "measurement",
    ]

    static func read(_ root: YAMLValue) throws(InputError) -> Scenario {
        let top = try root.object(keys: topKeys, "a scenario (a mapping with name, duration, ...)")
        let name = try top.required("name").string()
        guard name.count <= 200 else { throw InputError(top.location(of: "name"), "name must be at most 200 characters") }
        let duration = try top.required("duration").duration("the drill's duration")
        guard duration > .zero else { throw InputError(top.location(of: "duration"), "duration must be more than 0s") }
        var scenario = Scenario(name: name, duration: duration)
        scenario.description = try top.optional("description")?.scalar("a description") ?? ""
        scenario.seed = try top.optional("seed")?.unsigned("the seed") ?? 1
        if let value = top.optional("service") { scenario.service = try readService(value) }
        if let value = top.optional("topology") { scenario.topology = try readTopology(value) }
        if let value = top.optional("data") { scenario.data = try readData(value) }
        if let value = top.optional("workload") { scenario.workload = try readWorkload(value, topology: scenario.topology) }
        if let value = top.optional("measurement") { scenario.measurement = try readMeasurement(value) }
        if let value = top.optional("objectives") { scenario.objectives = try readObjectives(value) }
        if let value = top.optional("protection") { scenario.protection = try readProtection(value, topology: scenario.topology) }
        for item in try top.optional("faults")?.list("a list of faults") ?? [] {
            scenario.faults.append(try readFault(item, scenario: scenario))
        }
        for item in try top.optional("runbook")?.list("a list of runbook steps") ?? [] {
            scenario.runbook.append(try readStep(item, scenario: scenario))
        }
        try ScenarioLimits.check(scenario, top: top)
        return scenario
    }

    // MARK: Sections

    static func readService(_ value: YAMLValue) throws(InputError) -> ServiceSpec {
        let object = try value.object(keys: [
            "latency", "write_factor", "list_factor", "rate_limit", "health_check", "provisioning", "notification_delay",
            "internal_backup",
        ])
        var service = ServiceSpec()
        if let latency = object.optional("latency") {
            let fields = try latency.object(keys: ["median", "p99"])
            let median = try fields.required("median").duration("the median latency")
            let p99 = try fields.required("p99").duration("the 99th-percentile latency")
            guard p99 >= median else {
                throw InputError(fields.location(of: "p99"), "p99 (\(p99.compactDescription)) must not be below the median (\(median.compactDescription))")
            }
            guard median <= .seconds(60) else {
                throw InputError(fields.location(of: "median"), "a median latency above 1m is not a working service")
            }
            service.latency = LatencyDistribution(median: median, p99: p99)
        }
        if let factor = object.optional("write_factor") { service.writeFactor = try number(factor, in: 0.1...100, "write_factor") }
        if let factor = object.optional("list_factor") { service.listFactor = try number(factor, in: 0.1...100, "list_factor") }
        if let limit = object.optional("rate_limit") {
            let rate = try limit.rate("the rate limit")
            guard rate > 0 else { throw limit.error("rate_limit must be more than 0/s (leave it out for no limit)") }
            service.rateLimit = RateLimit(requestsPerSecond: rate)
        }
        if let health = object.optional("health_check") {
            let fields = try health.object(keys: ["interval", "failures"])
            let interval = try fields.optional("interval")?.duration("the health-check interval") ?? .seconds(5)
            guard interval >= .milliseconds(100), interval <= .seconds(600) else {
                throw InputError(fields.location(of: "interval"), "interval must be 100ms to 10m")
            }
            let failures = try fields.optional("failures")?.integer(in: 1...100, "failures") ?? 3
            service.healthCheck = HealthCheckPolicy(interval: interval, failures: failures)
        }
        if let provisioning = object.optional("provisioning") {
            service.provisioning = try provisioning.duration("the provisioning time")
        }
        if let delay = object.optional("notification_delay") {
            service.notificationDelay = try delay.duration("the notification delay")
        }
        if let backup = object.optional("internal_backup") {
            let fields = try backup.object(keys: ["every", "first"])
            if let every = fields.optional("every") {
                service.internalBackupEvery = try every.duration("the backup period")
                guard service.internalBackupEvery >= .seconds(60) else {
                    throw every.error("internal_backup.every must be at least 1m")
                }
            }
            if let first = fields.optional("first") { service.internalBackupFirst = try first.duration("the first backup time") }
        }
        return service
    }

    static func number(_ value: YAMLValue, in range: ClosedRange<Double>, _ what: String) throws(InputError) -> Double {
        let text = try value.scalar("\(what) (a number)")
        guard let number = Double(text), range.contains(number) else {
            throw value.error("\(what) must be a number from \(range.lowerBound) to \(range.upperBound), found '\(YAMLValue.clip(text))'")
        }
        return number
    }

    static func region(_ value: YAMLValue) throws(InputError) -> String {
        let name = try value.string()
        guard CloudRegions.isKnown(name) else {
            let hint = didYouMean(name, among: CloudRegions.all).map { "; did you mean '\($0)'?" } ?? ""
            throw value.error("unknown region '\(YAMLValue.clip(name))'\(hint) (expected one of: \(CloudRegions.all.joined(separator: ", ")))")
        }
        return name
    }

    static let kmsChoices: [(String, KeyManagementKind)] = [("key-protect", .keyProtect), ("hpcs", .hyperProtectCrypto)]

    static func readTopology(_ value: YAMLValue) throws(InputError) -> TopologySpec {
        let object = try value.object(keys: ["primary", "recovery"])
        var topology = TopologySpec()
        if let primary = object.optional("primary") {
            let fields = try primary.object(keys: ["region", "zones", "nodes_per_zone", "kms"])
            if let region = fields.optional("region") { topology.primary.region = try Self.region(region) }
            if let zones = fields.optional("zones") { topology.primary.zones = try zones.integer(in: 1...6, "zones") }
            if let nodes = fields.optional("nodes_per_zone") {
                topology.primary.nodesPerZone = try nodes.integer(in: 1...20, "nodes_per_zone")
            }
            if let kms = fields.optional("kms") { topology.primary.kms = try kms.choice(kmsChoices, "a key-management service") }
        }
        if let recovery = object.optional("recovery") {
            let fields = try recovery.object(keys: ["region", "approach", "kms"])
            var spec = TopologySpec.Recovery()
            if let region = fields.optional("region") { spec.region = try Self.region(region) }
            if let approach = fields.optional("approach") {
                spec.approach = try approach.choice(
                    RecoveryApproach.allCases.map { ($0.rawValue, $0) }, "a recovery approach")
            }
            if let kms = fields.optional("kms") { spec.kms = try kms.choice(kmsChoices, "a key-management service") }
            guard spec.region != topology.primary.region || spec.approach == .none else {
                throw InputError(fields.location(of: "region"), "the recovery region must differ from the primary region (\(spec.region))")
            }
            topology.recovery = spec
        }
        return topology
    }

    static let dataTypes: [(String, SecretType)] = SecretType.allCases.map { ($0.rawValue, $0) }

    static func readData(_ value: YAMLValue) throws(InputError) -> DataSpec {
        let object = try value.object(keys: ["secrets", "groups", "types", "regional"])
        var data = DataSpec()
        if let secrets = object.optional("secrets") { data.secrets = try secrets.integer(in: 1...Int.max, "secrets") }
        if let groups = object.optional("groups") { data.groups = try groups.integer(in: 0...200, "groups") }
        if let types = object.optional("types") {
            let fields = try types.object(keys: SecretType.allCases.map(\.rawValue))
            var shares: [(SecretType, Double)] = []
            for key in fields.keys {
                let type = SecretType(rawValue: key)!
                shares.append((type, try fields.required(key).percentage("the share of \(key)")))
            }
            let total = shares.reduce(0) { $0 + $1.1 }
            guard abs(total - 1) < 1e-9 else {
                throw InputError(
                    object.location(of: "types"),
                    "the type shares must sum to 100%, they sum to \(Units.format(percentage: total))")
            }
            data.types = shares.filter { $0.1 > 0 }
        }
        if let regional = object.optional("regional") { data.regional = try regional.percentage("the share of regional secrets") }
        return data
    }

    static func readWorkload(_ value: YAMLValue, topology: TopologySpec) throws(InputError) -> WorkloadSpec {
        let object = try value.object(keys: ["clients", "region", "rate", "mix", "retry", "failover"])
        var workload = WorkloadSpec()
        if let clients = object.optional("clients") { workload.clients = try clients.integer(in: 0...100_000, "clients") }
        if let region = object.optional("region") { workload.region = try Self.region(region) }
        if let rate = object.optional("rate") {
            workload.ratePerClient = try rate.rate("the request rate per client")
            guard workload.ratePerClient > 0 else {
                throw rate.error("a zero rate never finishes a request: rate must be more than 0/s")
            }
        }
        if let mix = object.optional("mix") {
            let fields = try mix.object(keys: ["read", "rotate"])
            let read = try fields.optional("read")?.percentage("the share of reads")
            let rotate = try fields.optional("rotate")?.percentage("the share of rotations")
            let total = (read ?? (1 - (rotate ?? 0))) + (rotate ?? (1 - (read ?? 1)))
            guard abs(total - 1) < 1e-9 else {
                throw InputError(
                    object.location(of: "mix"), "read and rotate must sum to 100%, they sum to \(Units.format(percentage: total))")
            }
            workload.readShare = read ?? (1 - (rotate ?? 0))
        }
        if let retry = object.optional("retry") { workload.retry = try readRetry(retry) }
        if let failover = object.optional("failover") {
            let fields = try failover.object(keys: ["to", "after"])
            if let target = fields.optional("to") {
                _ = try target.choice([("recovery", ())], "the failover target")
            }
            guard let recovery = topology.recovery, recovery.approach != .none else {
                throw InputError(
                    object.location(of: "failover"),
                    "failover needs a recovery instance: set topology.recovery with an approach other than none")
            }
            var spec = FailoverSpec()
            if let after = fields.optional("after") { spec.after = try after.integer(in: 1...1000, "after (consecutive failures)") }
            workload.failover = spec
        }
        return workload
    }

    static func readRetry(_ value: YAMLValue) throws(InputError) -> RetryPolicy {
        let fields = try value.object(keys: ["attempts", "backoff", "base", "cap", "jitter", "timeout"])
        var retry = RetryPolicy()
        if let attempts = fields.optional("attempts") { retry.attempts = try attempts.integer(in: 1...100, "attempts") }
        if let backoff = fields.optional("backoff") {
            retry.backoff = try backoff.choice(RetryPolicy.Backoff.allCases.map { ($0.rawValue, $0) }, "a backoff")
        }
        if let base = fields.optional("base") { retry.base = try base.duration("the base backoff") }
        if let cap = fields.optional("cap") { retry.cap = try cap.duration("the backoff cap") }
        if let jitter = fields.optional("jitter") {
            retry.jitter = try jitter.choice(RetryPolicy.Jitter.allCases.map { ($0.rawValue, $0) }, "a jitter")
        }
        if let timeout = fields.optional("timeout") {
            retry.timeout = try timeout.duration("the timeout of one attempt")
            guard retry.timeout >= .milliseconds(1) else { throw timeout.error("timeout must be at least 1ms") }
        }
        guard retry.cap >= retry.base else {
            throw InputError(fields.location(of: "cap"), "cap (\(retry.cap.compactDescription)) must not be below base (\(retry.base.compactDescription))")
        }
        return retry
    }

    static func readMeasurement(_ value: YAMLValue) throws(InputError) -> MeasurementSpec {
        let fields = try value.object(keys: ["window", "threshold", "resolution"])
        var measurement = MeasurementSpec()
        if let window = fields.optional("window") { measurement.window = try window.duration("the recovery window") }
        if let threshold = fields.optional("threshold") { measurement.threshold = try threshold.percentage("the success threshold") }
        if let resolution = fields.optional("resolution") {
            measurement.resolution = try resolution.duration("the resolution")
        }
        guard measurement.resolution >= .milliseconds(100) else {
            throw InputError(fields.location(of: "resolution"), "resolution must be at least 100ms")
        }
        guard measurement.window >= measurement.resolution,
            measurement.window.nanoseconds % measurement.resolution.nanoseconds == 0
        else {
            throw InputError(
                fields.location(of: "window"), "window must be a whole number of resolutions (\(measurement.resolution.compactDescription))")
        }
        return measurement
    }

    static func readObjectives(_ value: YAMLValue) throws(InputError) -> Objectives {
        let fields = try value.object(keys: ["rto", "rpo", "availability", "lost_writes"])
        var objectives = Objectives()
        if let rto = fields.optional("rto") { objectives.rto = try rto.duration("the recovery time objective") }
        if let rpo = fields.optional("rpo") { objectives.rpo = try rpo.duration("the recovery point objective") }
        if let availability = fields.optional("availability") {
            objectives.availability = try availability.percentage("the availability objective")
        }
        if let lost = fields.optional("lost_writes") {
            objectives.lostWrites = try lost.integer(in: 0...Int.max, "lost_writes")
        }
        return objectives
    }

    // MARK: Faults

    static let faultKinds = ["node_failure", "zone_loss", "region_loss", "corruption", "kms_root_key_deleted", "maintenance"]

    static func readFault(_ value: YAMLValue, scenario: Scenario) throws(InputError) -> FaultSpec {
        let object = try value.object(keys: ["at"] + faultKinds, "a fault such as { at: 30m, zone_loss: { ... } }")
        let at = try object.required("at").duration("the fault time")
        guard at < scenario.duration else {
            throw InputError(
                object.location(of: "at"),
                "the fault at \(at.compactDescription) is not before the end of the drill (\(scenario.duration.compactDescription))")
        }
        let kinds = object.keys.filter { $0 != "at" }
        guard kinds.count == 1, let kindName = kinds.first else {
            throw InputError(
                value.location,
                kinds.isEmpty
                    ? "a fault needs one kind: \(faultKinds.joined(separator: ", "))"
                    : "a fault has one kind, found \(kinds.joined(separator: " and "))")
        }
        let body = object[kindName]!
        let primary = scenario.topology.primary
        func regionAndZone(_ fields: YAMLObject) throws(InputError) -> (String, Int) {
            let region = try fields.optional("region").map { v throws(InputError) in try Self.region(v) } ?? primary.region
            guard region == primary.region else {
                throw InputError(fields.location(of: "region"), "the drill's instances run in \(primary.region), not \(region)")
            }
            let zone = try fields.required("zone").integer(in: 1...Int.max, "the zone")
            guard zone <= primary.zones else {
                throw InputError(
                    fields.location(of: "zone"),
                    "zone \(zone) does not exist: \(region) has zones 1 to \(primary.zones) in this scenario")
            }
            return (region, zone)
        }
        let kind: FaultKind
        switch kindName {
        case "node_failure":
            let fields = try body.object(keys: ["region", "zone", "node", "for"])
            let (region, zone) = try regionAndZone(fields)
            let node = try fields.optional("node")?.integer(in: 1...Int.max, "the node") ?? 1
            guard node <= primary.nodesPerZone else {
                throw InputError(fields.location(of: "node"), "node \(node) does not exist: each zone has \(primary.nodesPerZone) node(s)")
            }
            kind = .nodeFailure(region: region, zone: zone, node: node, lasting: try fields.optional("for")?.duration("the outage length"))
        case "zone_loss":
            let fields = try body.object(keys: ["region", "zone", "for"])
            let (region, zone) = try regionAndZone(fields)
            kind = .zoneLoss(region: region, zone: zone, lasting: try fields.optional("for")?.duration("the outage length"))
        case "region_loss":
            let fields = try body.object(keys: ["region", "for", "state", "restore"])
            let region = try fields.optional("region").map { v throws(InputError) in try Self.region(v) } ?? primary.region
            guard region == primary.region else {
                throw InputError(fields.location(of: "region"), "the drill's primary instance runs in \(primary.region), not \(region)")
            }
            let lasting = try fields.required("for").duration("the outage length")
            let state = try fields.optional("state")?.choice(
                FakeCloud.RegionalStateOutcome.allCases.map { ($0.rawValue, $0) }, "the regional state after the outage")
                ?? .intact
            let restore = try fields.optional("restore")?.duration("IBM's restore time")
                ?? (state == .corrupted ? .seconds(7200) : .seconds(300))
            kind = .regionLoss(region: region, lasting: lasting, state: state, restore: restore)
        case "corruption":
            let fields = try body.object(keys: ["kind", "secrets", "writer"])
            let corruption = try fields.required("kind").choice(
                CorruptionKind.allCases.map { ($0.rawValue, $0) }, "the kind of corruption")
            let secrets = try fields.required("secrets").integer(in: 1...scenario.data.secrets, "the number of secrets corrupted")
            let writer = try fields.optional("writer")?.string() ?? "iam-ServiceId-broken-pipeline"
            kind = .corruption(corruption, secrets: secrets, writer: writer)
        case "kms_root_key_deleted":
            if !body.isNull { _ = try body.object(keys: []) }
            kind = .kmsRootKeyDeleted
        default:  // maintenance
            let fields = try body.object(keys: ["region", "interruption", "gap"])
            let region = try fields.optional("region").map { v throws(InputError) in try Self.region(v) } ?? primary.region
            guard region == primary.region else {
                throw InputError(fields.location(of: "region"), "the drill's instances run in \(primary.region), not \(region)")
            }
            let interruption = try fields.optional("interruption")?.duration("the interruption") ?? .seconds(20)
            let gap = try fields.optional("gap")?.duration("the gap between zones") ?? .seconds(300)
            guard gap >= interruption else {
                throw InputError(fields.location(of: "gap"), "gap must be at least the interruption, so one zone is down at a time")
            }
            kind = .maintenance(region: region, interruption: interruption, gap: gap)
        }
        return FaultSpec(at: at, kind: kind, location: value.location)
    }

    // MARK: Protection

    static func placement(_ value: YAMLValue) throws(InputError) -> BucketPlacement {
        let text = try value.string()
        if text == "cross-region" { return .crossRegion }
        guard CloudRegions.isKnown(text) else {
            let hint = didYouMean(text, among: CloudRegions.all + ["cross-region"]).map { "; did you mean '\($0)'?" } ?? ""
            throw value.error("expected a region or cross-region, found '\(YAMLValue.clip(text))'\(hint)")
        }
        return .region(text)
    }

    static func readProtection(_ value: YAMLValue, topology: TopologySpec) throws(InputError) -> ProtectionSpec {
        let object = try value.object(keys: ["backups", "live_sync", "source_of_truth", "regional_values", "backup_kms"])
        var protection = ProtectionSpec()
        if let backups = object.optional("backups") {
            let fields = try backups.object(keys: ["every", "first", "retention", "bucket"])
            var spec = ProtectionSpec.Backups()
            if let every = fields.optional("every") {
                spec.every = try every.duration("the backup interval")
                guard spec.every >= .seconds(60) else { throw every.error("backups.every must be at least 1m") }
            }
            if let first = fields.optional("first") { spec.first = try first.duration("the first backup's time") }
            if let retention = fields.optional("retention") { spec.retention = try retention.integer(in: 1...10_000, "retention") }
            if let bucket = fields.optional("bucket") { spec.location = try placement(bucket) }
            protection.backups = spec
        }
        if let sync = object.optional("live_sync") {
            let fields = try sync.object(keys: ["mode", "period", "action_startup"])
            var spec = ProtectionSpec.LiveSync()
            if let mode = fields.optional("mode") {
                spec.mode = try mode.choice(ProtectionSpec.LiveSync.Mode.allCases.map { ($0.rawValue, $0) }, "a sync mode")
            }
            if let period = fields.optional("period") {
                spec.period = try period.duration("the sync period")
                guard spec.period >= .seconds(1) else { throw period.error("period must be at least 1s") }
            }
            if let startup = fields.optional("action_startup") { spec.actionStartup = try startup.duration("the action start-up") }
            guard let recovery = topology.recovery,
                recovery.approach == .minimalOperation || recovery.approach == .fullyOperational
            else {
                throw InputError(
                    object.location(of: "live_sync"),
                    "live sync copies to a recovery instance: set topology.recovery.approach to minimal-operation or fully-operational")
            }
            protection.liveSync = spec
        }
        if let sot = object.optional("source_of_truth") {
            let fields = try sot.object(keys: ["location", "apply_to_recovery"])
            var spec = ProtectionSpec.SourceOfTruth()
            if let location = fields.optional("location") { spec.location = try placement(location) }
            if let apply = fields.optional("apply_to_recovery") {
                spec.applyToRecovery = try apply.bool()
                if spec.applyToRecovery {
                    guard let recovery = topology.recovery,
                        recovery.approach == .minimalOperation || recovery.approach == .fullyOperational
                    else {
                        throw InputError(
                            fields.location(of: "apply_to_recovery"),
                            "applying to the recovery instance needs one: set topology.recovery.approach to minimal-operation or fully-operational")
                    }
                }
            }
            protection.sourceOfTruth = spec
        }
        if let regional = object.optional("regional_values") { protection.regionalValues = try regional.bool() }
        if let kms = object.optional("backup_kms") {
            let fields = try kms.object(keys: ["region"])
            protection.backupKMSRegion = try Self.region(try fields.required("region"))
        }
        return protection
    }

    // MARK: Runbook

    static let stepKinds = [
        "wait", "declare_disaster", "provision_instance", "restore_backup", "apply_source_of_truth",
        "restore_versions", "failover", "byok_recover",
    ]

    static func readStep(_ value: YAMLValue, scenario: Scenario) throws(InputError) -> RunbookStep {
        let object = try value.object(keys: stepKinds, "a runbook step such as { wait: 5m }")
        guard object.keys.count == 1, let kind = object.keys.first else {
            throw InputError(value.location, "a runbook step has exactly one kind: \(stepKinds.joined(separator: ", "))")
        }
        let body = object[kind]!
        let recovery = scenario.topology.recovery
        func fields(_ keys: [String]) throws(InputError) -> YAMLObject? {
            body.isNull ? nil : try body.object(keys: keys)
        }
        func needsRecoveryRegion() throws(InputError) {
            guard recovery != nil else {
                throw InputError(value.location, "\(kind) needs a recovery region: set topology.recovery")
            }
        }
        let action: RunbookAction
        switch kind {
        case "wait":
            action = .wait(try body.duration("the wait"))
        case "declare_disaster":
            let fields = try fields(["on", "after"])
            let onDetection: Bool =
                try fields?.optional("on")?.choice([("detection", true), ("fault", false)], "when to declare") ?? true
            let after = try fields?.optional("after")?.duration("the delay before declaring") ?? .zero
            action = .declareDisaster(onDetection: onDetection, after: after)
        case "provision_instance":
            try needsRecoveryRegion()
            guard recovery?.approach == .zeroFootprint else {
                throw InputError(
                    value.location,
                    "provision_instance is the zero-footprint approach: set topology.recovery.approach to zero-footprint")
            }
            _ = try fields([])
            action = .provisionInstance
        case "restore_backup":
            try needsRecoveryRegion()
            guard scenario.protection.backups != nil else {
                throw InputError(value.location, "restore_backup needs backups: set protection.backups")
            }
            let fields = try fields(["as_of", "on_conflict"])
            action = .restoreBackup(
                asOf: try fields?.optional("as_of")?.duration("the time of the backup to restore"),
                onConflict: try fields?.optional("on_conflict")?.choice(
                    ConflictChoice.allCases.map { ($0.rawValue, $0) }, "a conflict policy") ?? .skip)
        case "apply_source_of_truth":
            guard scenario.protection.sourceOfTruth != nil else {
                throw InputError(value.location, "apply_source_of_truth needs one: set protection.source_of_truth")
            }
            let fields = try fields(["as_of", "to"])
            let toPrimary: Bool = try fields?.optional("to")?.choice([("recovery", false), ("primary", true)], "the target") ?? false
            if !toPrimary { try needsRecoveryRegion() }
            action = .applySourceOfTruth(
                asOf: try fields?.optional("as_of")?.duration("the point in time to recover"), toPrimary: toPrimary)
        case "restore_versions":
            let fields = try body.object(keys: ["written_by", "written_after", "check"])
            guard fields.keys.count == 1 else {
                throw InputError(value.location, "restore_versions takes one of written_by, written_after, check")
            }
            if let writer = fields.optional("written_by") {
                action = .restoreVersions(.writtenBy(try writer.string()))
            } else if let after = fields.optional("written_after") {
                action = .restoreVersions(.writtenAfter(try after.duration("the time the damage began")))
            } else {
                _ = try fields.required("check").choice([("garbage", ())], "a check")
                action = .restoreVersions(.failingCheck)
            }
        case "byok_recover":
            let fields = try fields(["support_response", "omit"])
            var omit: [KeyLossItem] = []
            for item in try fields?.optional("omit")?.list("a list of case items") ?? [] {
                omit.append(try item.choice(KeyLossItem.allCases.map { ($0.rawValue, $0) }, "a support-case item"))
            }
            action = .byokRecover(
                supportResponse: try fields?.optional("support_response")?.duration("the support response time")
                    ?? .seconds(4 * 3600),
                omit: omit)
        default:
            guard let recovery, recovery.approach != .none else {
                throw InputError(value.location, "failover needs a recovery instance: set topology.recovery with an approach other than none")
            }
            let fields = try fields(["propagation"])
            action = .failover(propagation: try fields?.optional("propagation")?.duration("the propagation delay") ?? .zero)
        }
        return RunbookStep(action: action, location: value.location)
    }
}
