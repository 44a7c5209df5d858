import Crypto
import Drill
import FakeSecretsManager
import Foundation
import SecretsManager

/// Reads DR plan files strictly: unknown keys (with a did-you-mean), CRNs that are not CRNs, regions that do
/// not exist, durations without units, drill files that are missing: each an error at `file:line:column`.
public enum PlanLoader {
    public static func load(_ path: String) throws(InputError) -> DRPlan {
        let (text, root) = try YAMLReader.load(path)
        return try read(root, text: text, file: path)
    }

    public static func parse(_ text: String, file: String) throws(InputError) -> DRPlan {
        try read(try YAMLReader.parse(text, file: file), text: text, file: file)
    }

    static let topKeys = [
        "plan", "primary", "recovery", "features", "regional_secrets", "dependencies", "key_loss", "workloads",
        "deleters", "objectives", "cadence", "drills",
    ]

    static func read(_ root: YAMLValue, text: String, file: String) throws(InputError) -> DRPlan {
        var reader = Reader(file: file)
        let top = try root.object(keys: topKeys, "a DR plan (a mapping with plan, primary, objectives, drills, ...)")
        reader.note("", top.location)
        for key in top.keys { reader.note(key, top.location(of: key)) }
        let name = try top.required("plan").string()

        let primaryObject = try top.required("primary").object(keys: ["crn", "region"], "the primary instance")
        let primaryCRN = try reader.crn(primaryObject.required("crn"), service: "secrets-manager", path: "primary.crn")
        let primaryRegion = try reader.region(primaryObject.required("region"), path: "primary.region")
        guard primaryCRN.location == primaryRegion else {
            throw InputError(
                primaryObject.location(of: "crn"),
                "the primary CRN is in '\(primaryCRN.location)' but the region says '\(primaryRegion)'")
        }

        var recovery: DRPlan.Recovery?
        if let value = top.optional("recovery") {
            let object = try value.object(keys: ["crn", "region", "approach"], "the recovery instance")
            let region = try reader.region(object.required("region"), path: "recovery.region")
            let approach = try object.required("approach").choice(
                RecoveryApproach.allCases.map { ($0.rawValue, $0) }, "the recovery approach")
            reader.note("recovery.approach", object.location(of: "approach"))
            var crn: CRN?
            if let crnValue = object.optional("crn") {
                let parsed = try reader.crn(crnValue, service: "secrets-manager", path: "recovery.crn")
                guard parsed.location == region else {
                    throw InputError(
                        object.location(of: "crn"), "the recovery CRN is in '\(parsed.location)' but the region says '\(region)'")
                }
                crn = parsed
            }
            guard region != primaryRegion else {
                throw try object.required("region").error(
                    "the recovery region must differ from the primary region '\(primaryRegion)'")
            }
            recovery = DRPlan.Recovery(crn: crn, region: region, approach: approach)
        }

        let features = try readFeatures(top.optional("features"), reader: &reader)
        let regionalSecrets = try readRegionalSecrets(top.optional("regional_secrets"), present: top["regional_secrets"] != nil, reader: &reader)
        let dependencies = try readDependencies(top.optional("dependencies"), reader: &reader)
        let keyLoss = try readKeyLoss(top.optional("key_loss"), reader: &reader)
        let workloads = try readWorkloads(top.optional("workloads"), reader: &reader)

        var deleters: [String]?
        if let value = top["deleters"] {
            deleters = try value.list("the principals who may delete production resources").map { item throws(InputError) in
                try item.string()
            }
        }

        var objectives: [FailureScenario: DRPlan.Objective] = [:]
        if let value = top.optional("objectives") {
            let object = try value.object(keys: FailureScenario.allCases.map(\.rawValue), "objectives by failure scenario")
            for failure in FailureScenario.allCases {
                guard let entry = object.optional(failure.rawValue) else { continue }
                let fields = try entry.object(keys: ["rto", "rpo"], "the \(failure.title) objective ({ rto, rpo })")
                reader.note("objectives.\(failure.rawValue)", object.location(of: failure.rawValue))
                objectives[failure] = DRPlan.Objective(
                    rto: try fields.required("rto").duration("an RTO"), rpo: try fields.required("rpo").duration("an RPO"))
            }
        }

        let cadenceValue = try top.required("cadence")
        let cadence = try cadenceValue.duration("the drill cadence")
        guard cadence >= .seconds(3600) else { throw cadenceValue.error("the drill cadence must be at least 1h, such as 90d") }

        var drills: [FailureScenario: [DRPlan.DrillReference]] = [:]
        if let value = top.optional("drills") {
            let object = try value.object(keys: FailureScenario.allCases.map(\.rawValue), "drill files by failure scenario")
            let folder = URL(fileURLWithPath: file).absoluteURL.deletingLastPathComponent()
            for failure in FailureScenario.allCases {
                guard let entry = object.optional(failure.rawValue) else { continue }
                reader.note("drills.\(failure.rawValue)", object.location(of: failure.rawValue))
                drills[failure] = try entry.list("scenario files").map { item throws(InputError) in
                    let path = try item.string()
                    let resolved =
                        path.hasPrefix("/") ? path : folder.appendingPathComponent(path).standardizedFileURL.path
                    guard FileManager.default.fileExists(atPath: resolved) else {
                        throw item.error("no such scenario file '\(path)' (paths are relative to the plan's folder)")
                    }
                    return DRPlan.DrillReference(path: path, resolved: resolved)
                }
            }
        }

        return DRPlan(
            name: name, file: file, sha256: Hex.encode(SHA256.hash(data: Data(text.utf8))),
            primary: DRPlan.Instance(crn: primaryCRN, region: primaryRegion), recovery: recovery, features: features,
            regionalSecrets: regionalSecrets, dependencies: dependencies, keyLoss: keyLoss, workloads: workloads,
            deleters: deleters, objectives: objectives, cadence: cadence, drills: drills, locations: reader.locations)
    }

    // MARK: Sections

    static func readFeatures(_ value: YAMLValue?, reader: inout Reader) throws(InputError) -> DRPlan.Features {
        var features = DRPlan.Features()
        guard let value else { return features }
        let object = try value.object(keys: ["version_restore", "source_of_truth", "backup", "live_sync"], "the features in use")
        if let entry = object.optional("version_restore") {
            let fields = try entry.object(keys: ["test_instance"], "version restore ({ test_instance })")
            reader.note("features.version_restore", object.location(of: "version_restore"))
            features.versionRestore = DRPlan.VersionRestore(
                testInstance: try fields.optional("test_instance").map { v throws(InputError) in
                    try reader.crn(v, service: "secrets-manager", path: "features.version_restore.test_instance")
                })
        }
        if let entry = object.optional("source_of_truth") {
            let fields = try entry.object(
                keys: ["repository", "location", "point_in_time_recovery", "applies_to"], "the source of truth")
            reader.note("features.source_of_truth", object.location(of: "source_of_truth"))
            features.sourceOfTruth = DRPlan.SourceOfTruth(
                repository: try fields.required("repository").string(),
                location: try reader.location(fields.required("location"), path: "features.source_of_truth.location"),
                pointInTimeRecovery: try fields.optional("point_in_time_recovery")?.bool() ?? false,
                appliesTo: try (fields.optional("applies_to")?.list() ?? []).map { item throws(InputError) in
                    try item.choice([("primary", "primary"), ("recovery", "recovery")], "an instance")
                })
            reader.note("features.source_of_truth.point_in_time_recovery", fields.location(of: "point_in_time_recovery"))
        }
        if let entry = object.optional("backup") {
            let fields = try entry.object(
                keys: ["bucket", "location", "every", "retention", "restore_script"], "the backups")
            reader.note("features.backup", object.location(of: "backup"))
            let script = try fields.required("restore_script").object(keys: ["path", "location"], "the restore script ({ path, location })")
            features.backup = DRPlan.Backup(
                bucket: try fields.required("bucket").string(),
                location: try reader.location(fields.required("location"), path: "features.backup.location"),
                every: try fields.required("every").duration("the backup interval"),
                retention: try fields.optional("retention")?.duration("the retention"),
                restoreScript: try script.required("path").string(),
                restoreScriptLocation: try reader.location(script.required("location"), path: "features.backup.restore_script.location"))
            reader.note("features.backup.every", fields.location(of: "every"))
        }
        if let entry = object.optional("live_sync") {
            let fields = try entry.object(keys: ["mode", "period", "runs_in"], "live sync ({ mode, period, runs_in })")
            reader.note("features.live_sync", object.location(of: "live_sync"))
            let mode = try fields.required("mode").choice(DRPlan.SyncMode.allCases.map { ($0.rawValue, $0) }, "the sync mode")
            let period = try fields.optional("period")?.duration("the sync period")
            if mode == .periodic, period == nil {
                throw InputError(fields.location, "periodic live sync needs a 'period', such as 1h")
            }
            features.liveSync = DRPlan.LiveSync(
                mode: mode, period: period,
                runsIn: try reader.location(fields.required("runs_in"), path: "features.live_sync.runs_in"))
        }
        return features
    }

    static func readRegionalSecrets(_ value: YAMLValue?, present: Bool, reader: inout Reader) throws(InputError) -> [DRPlan.RegionalSecret]? {
        guard present else { return nil }
        guard let value else { return [] }
        return try value.list("the regional secrets").map { item throws(InputError) in
            let fields = try item.object(keys: ["name", "type", "regions", "values_from"], "a regional secret ({ name, type, regions, values_from })")
            let type = try fields.required("type").choice(SecretType.allCases.map { ($0.rawValue, $0) }, "a secret type")
            return DRPlan.RegionalSecret(
                name: try fields.required("name").string(), type: type,
                regions: try fields.required("regions").list("regions").map { region throws(InputError) in
                    try reader.region(region, path: nil)
                },
                valuesFrom: try fields.required("values_from").choice(
                    DRPlan.ValueSource.allCases.map { ($0.rawValue, $0) }, "where the per-region values come from"))
        }
    }

    static func readDependencies(_ value: YAMLValue?, reader: inout Reader) throws(InputError) -> DRPlan.Dependencies {
        var dependencies = DRPlan.Dependencies(others: [:])
        guard let value else { return dependencies }
        let object = try value.object(keys: ["event_notifications", "kms", "backup_kms", "others"], "the dependencies")
        if let entry = object.optional("event_notifications") {
            let fields = try entry.object(keys: ["primary", "recovery"], "Event Notifications instances ({ primary, recovery })")
            reader.note("dependencies.event_notifications", object.location(of: "event_notifications"))
            dependencies.eventNotificationsPrimary = try fields.optional("primary").map { v throws(InputError) in
                try reader.crn(v, service: "event-notifications", path: nil)
            }
            dependencies.eventNotificationsRecovery = try fields.optional("recovery").map { v throws(InputError) in
                try reader.crn(v, service: "event-notifications", path: nil)
            }
        }
        if let entry = object.optional("kms") {
            let fields = try entry.object(keys: ["primary", "recovery"], "key-management instances ({ primary, recovery })")
            reader.note("dependencies.kms", object.location(of: "kms"))
            dependencies.kmsPrimary = try fields.optional("primary").map { v throws(InputError) in try reader.key(v) }
            dependencies.kmsRecovery = try fields.optional("recovery").map { v throws(InputError) in try reader.key(v) }
        }
        if let entry = object.optional("backup_kms") {
            reader.note("dependencies.backup_kms", object.location(of: "backup_kms"))
            dependencies.backupKMS = try reader.kmsCRN(entry)
        }
        if let entry = object.optional("others") {
            guard case .mapping(let mapping) = entry.node else { throw entry.error("expected a mapping of service names to CRNs") }
            let names = Array(mapping.keys.compactMap(\.string))
            let fields = try entry.object(keys: names, "other dependencies")
            for name in names {
                guard let crn = fields.optional(name) else { continue }
                dependencies.others[name] = try reader.crn(crn, service: nil, path: nil)
            }
        }
        return dependencies
    }

    static func readKeyLoss(_ value: YAMLValue?, reader: inout Reader) throws(InputError) -> DRPlan.KeyLossInformation? {
        guard let value else { return nil }
        let fields = try value.object(
            keys: ["instance_crn", "backup_kms_crn", "new_root_key_id", "original_kms_crn", "original_key_id"],
            "the key-loss support-case information")
        reader.note("key_loss", fields.location)
        return DRPlan.KeyLossInformation(
            instanceCRN: try fields.optional("instance_crn").map { v throws(InputError) in
                try reader.crn(v, service: "secrets-manager", path: nil)
            },
            backupKMSCRN: try fields.optional("backup_kms_crn").map { v throws(InputError) in try reader.kmsCRN(v) },
            newRootKeyID: try fields.optional("new_root_key_id")?.string(),
            originalKMSCRN: try fields.optional("original_kms_crn").map { v throws(InputError) in try reader.kmsCRN(v) },
            originalKeyID: try fields.optional("original_key_id")?.string())
    }

    static func readWorkloads(_ value: YAMLValue?, reader: inout Reader) throws(InputError) -> DRPlan.Workloads {
        var workloads = DRPlan.Workloads()
        guard let value else { return workloads }
        let fields = try value.object(keys: ["recovery_endpoint", "configured_in", "retry"], "the workloads")
        reader.note("workloads", fields.location)
        workloads.recoveryEndpoint = try fields.optional("recovery_endpoint").map { v throws(InputError) in
            try reader.crn(v, service: "secrets-manager", path: "workloads.recovery_endpoint")
        }
        workloads.configuredIn = try fields.optional("configured_in")?.string()
        if let retry = fields.optional("retry") {
            let retryFields = try retry.object(keys: ["attempts", "backoff"], "the client retry policy ({ attempts, backoff })")
            reader.note("workloads.retry", fields.location(of: "retry"))
            workloads.retry = DRPlan.Retry(
                attempts: try retryFields.required("attempts").integer(in: 1...100, "retry attempts"),
                backoff: try retryFields.optional("backoff")?.choice(
                    [("exponential", "exponential"), ("constant", "constant"), ("none", "none")], "the backoff") ?? "none")
        }
        return workloads
    }

    /// Reading helpers that also remember where each value is.
    struct Reader {
        let file: String
        var locations: [String: SourceLocation] = [:]

        mutating func note(_ path: String, _ location: SourceLocation) {
            if locations[path] == nil { locations[path] = location }
        }

        mutating func region(_ value: YAMLValue, path: String?) throws(InputError) -> String {
            let name = try value.string()
            guard CloudRegions.isKnown(name) else {
                let hint = didYouMean(name, among: CloudRegions.all).map { "; did you mean '\($0)'?" } ?? ""
                throw value.error("unknown region '\(name)'\(hint) (expected one of: \(CloudRegions.all.joined(separator: ", ")))")
            }
            if let path { note(path, value.location) }
            return name
        }

        /// A region name, `cross-region` or `global`.
        mutating func location(_ value: YAMLValue, path: String) throws(InputError) -> PlanLocation {
            let text = try value.string()
            note(path, value.location)
            switch text {
            case "cross-region": return .crossRegion
            case "global": return .global
            default:
                guard CloudRegions.isKnown(text) else {
                    let choices = CloudRegions.all + ["cross-region", "global"]
                    let hint = didYouMean(text, among: choices).map { "; did you mean '\($0)'?" } ?? ""
                    throw value.error("expected a region, 'cross-region' or 'global'; found '\(text)'\(hint)")
                }
                return .region(text)
            }
        }

        mutating func crn(_ value: YAMLValue, service: String?, path: String?) throws(InputError) -> CRN {
            let text = try value.string()
            let crn: CRN
            do {
                crn = try CRN(parsing: text)
            } catch {
                throw value.error("\(error)")
            }
            if let service, crn.serviceName != service {
                throw value.error("expected a \(service) CRN, found one of '\(crn.serviceName)'")
            }
            if crn.location != "global", !CloudRegions.isKnown(crn.location) {
                throw value.error("the CRN's location '\(crn.location)' is not a region (expected one of: \(CloudRegions.all.joined(separator: ", ")))")
            }
            if let path { note(path, value.location) }
            return crn
        }

        /// The CRN of a Key Protect (`kms`) or Hyper Protect Crypto Services (`hs-crypto`) instance.
        mutating func kmsCRN(_ value: YAMLValue) throws(InputError) -> CRN {
            let crn = try crn(value, service: nil, path: nil)
            guard ["kms", "hs-crypto"].contains(crn.serviceName) else {
                throw value.error("expected a Key Protect (kms) or Hyper Protect Crypto Services (hs-crypto) CRN, found one of '\(crn.serviceName)'")
            }
            return crn
        }

        mutating func key(_ value: YAMLValue) throws(InputError) -> DRPlan.KeyReference {
            let fields = try value.object(keys: ["crn", "root_key_id"], "a key-management instance ({ crn, root_key_id })")
            return DRPlan.KeyReference(
                crn: try kmsCRN(fields.required("crn")), rootKeyID: try fields.optional("root_key_id")?.string())
        }
    }
}
