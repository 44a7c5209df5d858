import Drill
import Foundation
import SecretsManager

/// The controls: one per item of the seed's responsibility checklist, and the plan-level duties the seed
/// states in prose. Ids are stable; new controls get new ids, retired ones are never reused.
public enum ControlCatalog {
    public static let all: [Control] = [
        versionRestorePractised,
        sourceOfTruthAvailable, sourceOfTruthIndependent, sourceOfTruthPointInTime,
        backupAvailable, restoreScriptAvailable, backupIndependent, backupWithinRPO,
        recoveryInstanceAvailable, syncToolingIndependent, backupsBesideLiveSync,
        workloadsIntegrated, regionalSecretsAvailable,
        recoveryInstanceAhead, dependenciesInRecoveryRegion, keyLossInformation, leastPrivilegeDeletion,
        clientRetry, objectiveForEveryFailure, drillsCoverEveryFailure, practisedWithinCadence,
        latestDrillWithinObjectives, evidenceIntact,
    ]

    public static func control(_ id: String) -> Control? { all.first { $0.id == id } }
    public static var ids: Set<String> { Set(all.map(\.id)) }

    static let checklist = "Your responsibilities for HA and DR"

    // MARK: Rotation

    static let versionRestorePractised = Control(
        id: "SM-ROT-01", title: "Version restore practised", severity: .medium, source: "\(checklist) › Rotation",
        basis: .evidence,
        checks: "A drill recorded within the cadence ran a restore_versions runbook step (restoring secrets from their previous version), the step passed and the drill met its objectives.",
        remedy: "Rehearse corruption with a `restore_versions` step (scenarios/corruption-version-restore.yaml) on a test instance and record it: `smdrill run` or `smdrill check --run`."
    ) { context in
        context.withDrills { drills in
            let window = context.cadenceStart
            let practised = drills.filter { drill in
                drill.recordedAt >= window && drill.passed
                    && drill.steps.contains { $0.name == "restore_versions" && $0.passed }
            }
            if let latest = practised.max(by: { $0.recordedAt < $1.recordedAt }) {
                return .pass(
                    "\(latest.scenario) restored versions on \(context.day(latest.recordedAt)) (row \(latest.sequence))",
                    evidence: practised.map(\.sequence))
            }
            return .fail(
                "no drill since \(context.day(window)) restored versions (a passing restore_versions step in a drill that met its objectives; cadence \(context.plan.cadence.compactDescription))")
        }
    }

    // MARK: External source of truth

    static let sourceOfTruthAvailable = Control(
        id: "SM-SOT-01", title: "Source of truth available at the restore location", severity: .high,
        source: "\(checklist) › External source of truth", basis: .plan,
        checks: "The source-of-truth repository is in the recovery region, cross-region or global, so it can be read where the restore runs.",
        remedy: "Keep the desired-state repository where the recovery region reaches it: a global Git host or a cross-region bucket; set features.source_of_truth.location."
    ) { context in
        guard let truth = context.plan.features.sourceOfTruth else { return .notApplicable("no source of truth in use") }
        let at = context.plan.location("features.source_of_truth.location")
        guard let recovery = context.plan.recovery else {
            return .fail("the plan names no recovery region to restore into", at: at)
        }
        return truth.location.isAvailable(in: recovery.region)
            ? .pass("\(truth.repository) is \(truth.location), reachable from \(recovery.region)", at: at)
            : .fail("\(truth.repository) lives in \(truth.location) only; the restore runs in \(recovery.region)", at: at)
    }

    static let sourceOfTruthIndependent = Control(
        id: "SM-SOT-02", title: "Source of truth independent of the primary region", severity: .high,
        source: "\(checklist) › External source of truth", basis: .plan,
        checks: "The source-of-truth repository does not live in the primary region, so losing that region does not lose it.",
        remedy: "Move the repository out of the primary region (a global Git host, a cross-region bucket, or the recovery region)."
    ) { context in
        guard let truth = context.plan.features.sourceOfTruth else { return .notApplicable("no source of truth in use") }
        let at = context.plan.location("features.source_of_truth.location")
        return truth.location.dependsOn(region: context.plan.primary.region)
            ? .fail("\(truth.repository) lives in \(context.plan.primary.region), the region whose loss it must survive", at: at)
            : .pass("\(truth.repository) (\(truth.location)) does not depend on \(context.plan.primary.region)", at: at)
    }

    static let sourceOfTruthPointInTime = Control(
        id: "SM-SOT-03", title: "Source of truth keeps points in time", severity: .medium,
        source: "Disaster recovery features › External source of truth customer provided feature", basis: .plan,
        checks: "The source-of-truth repository has point-in-time recovery (a versioned bucket, a Git history), so a corrupted desired state can be rolled back.",
        remedy: "Use a versioned bucket or a Git repository and set features.source_of_truth.point_in_time_recovery: true."
    ) { context in
        guard let truth = context.plan.features.sourceOfTruth else { return .notApplicable("no source of truth in use") }
        let at = context.plan.location("features.source_of_truth.point_in_time_recovery")
        return truth.pointInTimeRecovery
            ? .pass("\(truth.repository) keeps earlier revisions", at: at)
            : .fail("\(truth.repository) has no point-in-time recovery: a corrupted desired state would be applied everywhere", at: at)
    }

    // MARK: Backup and restore

    static let backupAvailable = Control(
        id: "SM-BAK-01", title: "Backups available at the restore location", severity: .high,
        source: "\(checklist) › Backup and restore", basis: .plan,
        checks: "The backup bucket is in the recovery region or cross-region, so the restore can read it.",
        remedy: "Write backups to a cross-region Cloud Object Storage bucket (or one in the recovery region); set features.backup.location."
    ) { context in
        guard let backup = context.plan.features.backup else { return .notApplicable("no backups in use") }
        let at = context.plan.location("features.backup.location")
        guard let recovery = context.plan.recovery else { return .fail("the plan names no recovery region to restore into", at: at) }
        return backup.location.isAvailable(in: recovery.region)
            ? .pass("\(backup.bucket) is \(backup.location), readable from \(recovery.region)", at: at)
            : .fail("\(backup.bucket) is in \(backup.location) only; the restore runs in \(recovery.region)", at: at)
    }

    static let restoreScriptAvailable = Control(
        id: "SM-BAK-02", title: "Restore script available in the restore region", severity: .high,
        source: "\(checklist) › Backup and restore", basis: .plan,
        checks: "The customer-written restore script is kept where the recovery region can run it.",
        remedy: "Keep the restore script (smdrill's Recovery module, or your own) in a repository or bucket reachable from the recovery region; set features.backup.restore_script.location."
    ) { context in
        guard let backup = context.plan.features.backup else { return .notApplicable("no backups in use") }
        let at = context.plan.location("features.backup.restore_script.location")
        guard let recovery = context.plan.recovery else { return .fail("the plan names no recovery region to restore into", at: at) }
        return backup.restoreScriptLocation.isAvailable(in: recovery.region)
            ? .pass("\(backup.restoreScript) is \(backup.restoreScriptLocation), runnable in \(recovery.region)", at: at)
            : .fail("\(backup.restoreScript) is in \(backup.restoreScriptLocation) only; it must run in \(recovery.region)", at: at)
    }

    static let backupIndependent = Control(
        id: "SM-BAK-03", title: "Backups and restore script independent of the primary region", severity: .high,
        source: "\(checklist) › Backup and restore", basis: .plan,
        checks: "Neither the backup bucket nor the restore script lives only in the primary region (the seed suggests a cross-regional bucket).",
        remedy: "Move the bucket and the script out of the primary region; a Cloud Object Storage cross-region bucket serves both."
    ) { context in
        guard let backup = context.plan.features.backup else { return .notApplicable("no backups in use") }
        let primary = context.plan.primary.region
        var problems: [String] = []
        if backup.location.dependsOn(region: primary) { problems.append("the bucket \(backup.bucket) is in \(primary)") }
        if backup.restoreScriptLocation.dependsOn(region: primary) { problems.append("the restore script is in \(primary)") }
        let at = context.plan.location("features.backup.location")
        return problems.isEmpty
            ? .pass("bucket \(backup.location), script \(backup.restoreScriptLocation): neither depends on \(primary)", at: at)
            : .fail(problems.joined(separator: " and ") + ", the region whose loss they must survive", at: at)
    }

    static let backupWithinRPO = Control(
        id: "SM-BAK-04", title: "Backup interval within the regional RPO", severity: .medium,
        source: "Recovery Time Objective (RTO) and Recovery Point Objective (RPO) › Backup and restore", basis: .plan,
        checks: "Backups run at least as often as the RPO objective for a regional failure (a restore loses what was written since the last backup).",
        remedy: "Shorten features.backup.every to the regional RPO or less, or relax objectives.region.rpo."
    ) { context in
        guard let backup = context.plan.features.backup else { return .notApplicable("no backups in use") }
        let at = context.plan.location("features.backup.every")
        guard let objective = context.plan.objectives[.region] else {
            return .fail("the plan sets no RPO for a regional failure to compare the interval with", at: at)
        }
        return backup.every <= objective.rpo
            ? .pass("backups every \(backup.every.compactDescription), RPO \(objective.rpo.compactDescription)", at: at)
            : .fail(
                "backups every \(backup.every.compactDescription) can lose up to that much, more than the regional RPO of \(objective.rpo.compactDescription)",
                at: at)
    }

    // MARK: Live synchronisation

    static let recoveryInstanceAvailable = Control(
        id: "SM-SYNC-01", title: "Recovery instance available in the restore region", severity: .high,
        source: "\(checklist) › Live synchronization", basis: .plan,
        checks: "With live synchronisation, a recovery instance exists now in the recovery region (its CRN is on record and in that region).",
        remedy: "Create the recovery instance in the recovery region and record its CRN under recovery.crn."
    ) { context in
        guard context.plan.features.liveSync != nil else { return .notApplicable("no live synchronisation in use") }
        let at = context.plan.location("recovery.crn")
        guard let recovery = context.plan.recovery else { return .fail("the plan has no recovery instance for live sync to fill") }
        guard let crn = recovery.crn else {
            return .fail("live sync needs a recovery instance that exists now; the plan records no recovery.crn", at: at)
        }
        guard recovery.approach != .zeroFootprint else {
            return .fail("the approach is zero-footprint, so no instance exists for live sync to keep current", at: at)
        }
        return .pass("\(crn.serviceInstance) runs in \(recovery.region)", at: at)
    }

    static let syncToolingIndependent = Control(
        id: "SM-SYNC-02", title: "Live-sync tooling runs outside the primary region", severity: .medium,
        source: "Disaster recovery features › Live synchronization customer provided feature", basis: .plan,
        checks: "The synchronisation tooling (a Code Engine action, a periodic job) does not run in the primary region.",
        remedy: "Run the sync action or job in the recovery region (or a global service); set features.live_sync.runs_in."
    ) { context in
        guard let sync = context.plan.features.liveSync else { return .notApplicable("no live synchronisation in use") }
        let at = context.plan.location("features.live_sync.runs_in")
        return sync.runsIn.dependsOn(region: context.plan.primary.region)
            ? .fail("the sync tooling runs in \(context.plan.primary.region) and stops with it, events in flight included", at: at)
            : .pass("the sync tooling runs in \(sync.runsIn)", at: at)
    }

    static let backupsBesideLiveSync = Control(
        id: "SM-SYNC-03", title: "Backups kept beside live sync", severity: .medium,
        source: "Disaster recovery features › Live synchronization customer provided feature", basis: .plan,
        checks: "Live sync copies corruption to the recovery instance, so backups or a source of truth with points in time are kept as well.",
        remedy: "Add scheduled backups (features.backup) or a source of truth with point-in-time recovery beside live sync."
    ) { context in
        guard context.plan.features.liveSync != nil else { return .notApplicable("no live synchronisation in use") }
        let features = context.plan.features
        if let backup = features.backup { return .pass("backups every \(backup.every.compactDescription) to \(backup.bucket)") }
        if let truth = features.sourceOfTruth, truth.pointInTimeRecovery {
            return .pass("the source of truth \(truth.repository) keeps points in time")
        }
        return .fail(
            "live sync is the only copy: corruption reaches the recovery instance within seconds and nothing older survives",
            at: context.plan.location("features.live_sync"))
    }

    // MARK: Source of truth and live sync

    static let workloadsIntegrated = Control(
        id: "SM-WKL-01", title: "Recovery workloads integrated with the recovery instance", severity: .high,
        source: "\(checklist) › For both external source of truth and live synchronization", basis: .plan,
        checks: "Workloads in the recovery region are configured with the recovery instance's endpoint, and the plan says where that configuration lives.",
        remedy: "Point the recovery-region workloads at the recovery instance; record it under workloads.recovery_endpoint and workloads.configured_in."
    ) { context in
        guard context.usesSourceOfTruthOrLiveSync else { return .notApplicable("neither a source of truth nor live sync is in use") }
        let at = context.plan.location("workloads")
        guard let endpoint = context.plan.workloads.recoveryEndpoint else {
            return .fail("the plan does not say which instance the recovery workloads use (workloads.recovery_endpoint)", at: at)
        }
        guard context.plan.workloads.configuredIn != nil else {
            return .fail("the plan does not say where the recovery workloads' configuration lives (workloads.configured_in)", at: at)
        }
        if let recovery = context.plan.recovery?.crn {
            guard endpoint == recovery else {
                return .fail("the recovery workloads use \(endpoint.serviceInstance), not the recovery instance \(recovery.serviceInstance)", at: at)
            }
            return .pass("configured with \(recovery.serviceInstance) in \(context.plan.workloads.configuredIn ?? "")", at: at)
        }
        guard endpoint.location == context.plan.recovery?.region else {
            return .fail("the recovery workloads use an instance in \(endpoint.location), not in the recovery region", at: at)
        }
        return .pass("configured with \(endpoint.serviceInstance) in \(context.plan.workloads.configuredIn ?? "")", at: at)
    }

    static let regionalSecretsAvailable = Control(
        id: "SM-REG-01", title: "Regional secrets available in the recovery instance", severity: .high,
        source: "\(checklist) › For both external source of truth and live synchronization", basis: .plan,
        checks: "Every secret whose value differs per region (connection strings, API keys) has a value for the recovery region, from a source that survives the primary region.",
        remedy: "List the regional secrets under regional_secrets with the recovery region among their regions and values_from a feature in use (source_of_truth or backup); write `regional_secrets: []` when there are none."
    ) { context in
        guard context.usesSourceOfTruthOrLiveSync else { return .notApplicable("neither a source of truth nor live sync is in use") }
        let at = context.plan.location("regional_secrets")
        guard let secrets = context.plan.regionalSecrets else {
            return .fail("the plan does not say which secrets are regional (write `regional_secrets: []` when none are)", at: at)
        }
        guard let region = context.plan.recovery?.region else { return .fail("the plan names no recovery region", at: at) }
        var problems: [String] = []
        for secret in secrets {
            if !secret.regions.contains(region) {
                problems.append("\(secret.name) has no value for \(region)")
                continue
            }
            switch secret.valuesFrom {
            case .sourceOfTruth where context.plan.features.sourceOfTruth == nil:
                problems.append("\(secret.name) takes its values from a source of truth the plan does not have")
            case .backup where context.plan.features.backup == nil:
                problems.append("\(secret.name) takes its values from backups the plan does not have")
            case .liveSync:
                problems.append("\(secret.name) takes its values from live sync, which copies the primary's value, not the recovery region's")
            default: break
            }
        }
        return problems.isEmpty
            ? .pass(secrets.isEmpty ? "the plan states there are no regional secrets" : "\(secrets.count) regional secrets have values for \(region)", at: at)
            : .fail(problems.joined(separator: "; "), at: at)
    }

    // MARK: Plan-level duties

    static let recoveryInstanceAhead = Control(
        id: "SM-PLAN-01", title: "Recovery instance created ahead and kept in sync", severity: .medium,
        source: "Disaster recovery features", basis: .plan,
        checks: "A recovery instance exists before the disaster (minimal operation or fully operational) and something keeps it current: live sync, or the source of truth applied to it.",
        remedy: "Create the recovery instance now and keep it applied (features.source_of_truth.applies_to: [primary, recovery]) or synchronised (features.live_sync). A zero-footprint plan that accepts the longer RTO can waive this control."
    ) { context in
        let at = context.plan.location("recovery")
        guard let recovery = context.plan.recovery else { return .fail("the plan has no recovery instance", at: at) }
        guard recovery.approach != .zeroFootprint, let crn = recovery.crn else {
            return .fail(
                "the approach is \(recovery.approach.rawValue): no instance exists until one is provisioned during the disaster",
                at: context.plan.location("recovery.approach"))
        }
        let features = context.plan.features
        if features.liveSync != nil { return .pass("\(crn.serviceInstance) is kept current by live sync", at: at) }
        if let truth = features.sourceOfTruth, truth.appliesTo.contains("recovery") {
            return .pass("\(crn.serviceInstance) is kept applied from \(truth.repository)", at: at)
        }
        return .fail("\(crn.serviceInstance) exists but nothing keeps it current (no live sync, source of truth not applied to it)", at: at)
    }

    static let dependenciesInRecoveryRegion = Control(
        id: "SM-PLAN-02", title: "Dependencies present in the recovery region", severity: .high,
        source: "Disaster recovery features", basis: .plan,
        checks: "Every dependency of the primary instance (Event Notifications, the key-management instance) has a counterpart in the recovery region.",
        remedy: "Create the recovery region's Event Notifications and Key Protect/HPCS instances and record them under dependencies.*.recovery."
    ) { context in
        let dependencies = context.plan.dependencies
        let at = context.plan.location("dependencies")
        guard let region = context.plan.recovery?.region else { return .fail("the plan names no recovery region", at: at) }
        var checked: [String] = []
        var problems: [String] = []
        if dependencies.eventNotificationsPrimary != nil {
            if let recovery = dependencies.eventNotificationsRecovery {
                if recovery.location == region { checked.append("Event Notifications") } else {
                    problems.append("the recovery Event Notifications instance is in \(recovery.location), not \(region)")
                }
            } else {
                problems.append("Event Notifications has no instance in \(region)")
            }
        }
        if dependencies.kmsPrimary != nil {
            if let recovery = dependencies.kmsRecovery {
                if recovery.crn.location == region { checked.append("key management") } else {
                    problems.append("the recovery key-management instance is in \(recovery.crn.location), not \(region)")
                }
            } else {
                problems.append("the key-management service has no instance in \(region)")
            }
        }
        if checked.isEmpty && problems.isEmpty { return .notApplicable("the plan lists no dependencies of the primary instance") }
        return problems.isEmpty
            ? .pass("\(checked.joined(separator: " and ")) present in \(region)", at: at)
            : .fail(problems.joined(separator: "; "), at: at)
    }

    static let keyLossInformation = Control(
        id: "SM-PLAN-03", title: "Key-loss support-case information on record", severity: .high,
        source: "\(checklist) › Customer recovery from BYOK loss", basis: .plan,
        checks: "With a customer root key, the plan holds what a support case needs: the instance CRN, the backup Key Protect/HPCS instance CRN, the new root key id, and the original KMS CRN (and key id, if available), consistent with the dependencies.",
        remedy: "Fill key_loss: instance_crn, backup_kms_crn, new_root_key_id, original_kms_crn and original_key_id; create the backup KMS instance and its root key beforehand."
    ) { context in
        guard let kms = context.plan.dependencies.kmsPrimary else { return .notApplicable("no customer root key (BYOK) in use") }
        let at = context.plan.location("key_loss")
        guard let info = context.plan.keyLoss else {
            return .fail("no key_loss section: a deleted root key would wait on information nobody wrote down", at: at)
        }
        var missing: [String] = []
        if info.instanceCRN == nil { missing.append("the instance CRN") }
        if info.backupKMSCRN == nil { missing.append("the backup KMS instance CRN") }
        if info.newRootKeyID == nil { missing.append("the new root key id") }
        if info.originalKMSCRN == nil { missing.append("the original KMS instance CRN") }
        guard missing.isEmpty else { return .fail("missing " + missing.joined(separator: ", "), at: at) }
        var problems: [String] = []
        if info.instanceCRN != context.plan.primary.crn { problems.append("instance_crn is not the primary instance's CRN") }
        if info.originalKMSCRN != kms.crn { problems.append("original_kms_crn is not the KMS instance under dependencies.kms.primary") }
        if info.backupKMSCRN == kms.crn { problems.append("the backup KMS instance is the original one, which the loss may take with it") }
        if let key = info.originalKeyID, let recorded = kms.rootKeyID, key != recorded {
            problems.append("original_key_id differs from dependencies.kms.primary.root_key_id")
        }
        return problems.isEmpty
            ? .pass("all four items on record; backup KMS \(info.backupKMSCRN!.serviceInstance) in \(info.backupKMSCRN!.location)", at: at)
            : .fail(problems.joined(separator: "; "), at: at)
    }

    /// Names that grant deletion to everyone or to no one in particular.
    static let broadPrincipals: Set<String> = ["*", "all", "everyone", "public", "public access", "accessgroup-public access", "all users"]

    static let leastPrivilegeDeletion = Control(
        id: "SM-PLAN-04", title: "Least privilege for deleting production resources", severity: .medium,
        source: "Change management", basis: .plan,
        checks: "The plan names who may delete production resources: a short list (at most five) of specific principals, none of them everyone.",
        remedy: "List under deleters the few IAM principals or access groups that hold the Manager role on production; remove broad grants."
    ) { context in
        let at = context.plan.location("deleters")
        guard let deleters = context.plan.deleters else {
            return .fail("the plan does not say who may delete production resources (deleters)", at: at)
        }
        guard !deleters.isEmpty else {
            return .fail("deleters is empty: either nobody can delete (then say who can in an emergency) or it was not written down", at: at)
        }
        let broad = deleters.filter { broadPrincipals.contains($0.lowercased()) }
        guard broad.isEmpty else { return .fail("deletion is granted broadly: \(broad.joined(separator: ", "))", at: at) }
        guard deleters.count <= 5 else {
            return .fail("\(deleters.count) principals may delete production resources; keep it to a few (at most five)", at: at)
        }
        return .pass("\(deleters.count) named principals: \(deleters.joined(separator: ", "))", at: at)
    }

    static let clientRetry = Control(
        id: "SM-PLAN-05", title: "Client retry logic in the workloads", severity: .medium,
        source: "How IBM maintains services", basis: .plan,
        checks: "Workloads retry failed calls (at least two attempts with exponential backoff), as the seed relies on for maintenance and zone failures.",
        remedy: "Give the Secrets Manager clients a retry policy with exponential backoff and record it under workloads.retry."
    ) { context in
        let at = context.plan.location("workloads.retry")
        guard let retry = context.plan.workloads.retry else {
            return .fail("the plan records no client retry policy (workloads.retry)", at: context.plan.location("workloads"))
        }
        guard retry.attempts >= 2 else { return .fail("\(retry.attempts) attempt: a failed call is never retried", at: at) }
        guard retry.backoff == "exponential" else {
            return .fail("retries use \(retry.backoff) backoff; the seed's retry guidance asks for exponential backoff", at: at)
        }
        return .pass("\(retry.attempts) attempts with exponential backoff", at: at)
    }

    static let objectiveForEveryFailure = Control(
        id: "SM-PLAN-06", title: "An objective for every failure scenario", severity: .high,
        source: "Planning for disaster recovery", basis: .plan,
        checks: "The plan sets an RTO and an RPO for each failure scenario: hardware, zone, data corruption, region, and root-key loss.",
        remedy: "Add the missing entries under objectives, each { rto, rpo }."
    ) { context in
        let missing = FailureScenario.allCases.filter { context.plan.objectives[$0] == nil }
        let at = context.plan.location("objectives")
        return missing.isEmpty
            ? .pass("objectives for all \(FailureScenario.allCases.count) failure scenarios", at: at)
            : .fail("no objective for " + missing.map(\.title).joined(separator: ", "), at: at)
    }

    static let drillsCoverEveryFailure = Control(
        id: "SM-PLAN-07", title: "A drill rehearses every failure scenario", severity: .high,
        source: "Planning for disaster recovery", basis: .plan,
        checks: "Each failure scenario names at least one scenario file, and each file named really injects that failure (a zone drill has a zone_loss fault).",
        remedy: "Add scenario files under drills for the missing failures (smdrill ships one for each in scenarios/), or fix the mapping."
    ) { context in
        var problems: [String] = []
        for failure in FailureScenario.allCases {
            let drills = context.plan.drills[failure] ?? []
            if drills.isEmpty {
                problems.append("no drill for \(failure.title)")
                continue
            }
            for drill in drills {
                guard let scenario = context.scenarios[drill.resolved] else {
                    problems.append("\(drill.path) could not be read")
                    continue
                }
                if scenario.faultKinds.isDisjoint(with: failure.faultKinds) {
                    problems.append(
                        "\(drill.path) injects \(scenario.faultKinds.sorted().joined(separator: ", ")), not a \(failure.title) (\(failure.faultKinds.sorted().joined(separator: ", ")))")
                }
            }
        }
        let at = context.plan.location("drills")
        return problems.isEmpty
            ? .pass("every failure scenario has a drill that injects it", at: at)
            : .fail(problems.joined(separator: "; "), at: at)
    }

    static let practisedWithinCadence = Control(
        id: "SM-PLAN-08", title: "Each failure scenario practised within the cadence", severity: .high,
        source: "Planning for disaster recovery", basis: .planAndEvidence,
        checks: "For each failure scenario, one of its drills was recorded in the evidence history within the cadence, run from the scenario file as it is now (same SHA-256).",
        remedy: "Run the plan's drills (`smdrill check --plan PLAN --run`, or `smdrill run` on the files) at least once per cadence; rerun after changing a scenario file."
    ) { context in
        context.withDrills { drills in
            let window = context.cadenceStart
            var problems: [String] = []
            var rows: [Int64] = []
            for failure in FailureScenario.allCases {
                let scenarios = context.scenarios(for: failure)
                guard !scenarios.isEmpty else {
                    problems.append("\(failure.title): no drill named")
                    continue
                }
                let recorded = drills.filter { drill in scenarios.contains { $0.name == drill.scenario } }
                let current = recorded.filter { drill in scenarios.contains { $0.name == drill.scenario && $0.sha256 == drill.inputSHA256 } }
                guard let latest = current.max(by: { $0.recordedAt < $1.recordedAt }) else {
                    problems.append(
                        recorded.isEmpty
                            ? "\(failure.title): never drilled (\(scenarios.map(\.name).joined(separator: ", ")))"
                            : "\(failure.title): drilled only from an earlier version of the scenario file")
                    continue
                }
                guard latest.recordedAt >= window else {
                    problems.append("\(failure.title): last drilled \(context.day(latest.recordedAt)), before \(context.day(window))")
                    continue
                }
                rows.append(latest.sequence)
            }
            return problems.isEmpty
                ? .pass("all \(FailureScenario.allCases.count) failure scenarios drilled since \(context.day(window))", evidence: rows)
                : .fail(problems.joined(separator: "; "), evidence: rows)
        }
    }

    static let latestDrillWithinObjectives = Control(
        id: "SM-PLAN-09", title: "Latest drill of each failure scenario within its objectives", severity: .high,
        source: "Recovery Time Objective (RTO) and Recovery Point Objective (RPO)", basis: .planAndEvidence,
        checks: "The latest recorded drill of each failure scenario passed its own objectives, and its measured RTO and RPO are within the plan's objective for that failure.",
        remedy: "Fix what the failing drill shows (its report lists the missed objective and the timeline), or change the objective with the business owner's approval."
    ) { context in
        context.withDrills { drills in
            var problems: [String] = []
            var rows: [Int64] = []
            for failure in FailureScenario.allCases {
                let scenarios = context.scenarios(for: failure)
                let recorded = drills.filter { drill in scenarios.contains { $0.name == drill.scenario } }
                guard let latest = recorded.max(by: { ($0.recordedAt, $0.sequence) < ($1.recordedAt, $1.sequence) }) else {
                    problems.append("\(failure.title): no drill recorded")
                    continue
                }
                rows.append(latest.sequence)
                if !latest.passed { problems.append("\(failure.title): \(latest.scenario) missed its objectives (row \(latest.sequence))") }
                guard let objective = context.plan.objectives[failure] else {
                    problems.append("\(failure.title): the plan sets no objective")
                    continue
                }
                guard let rto = latest.rtoSeconds else {
                    problems.append("\(failure.title): \(latest.scenario) never recovered (RTO unbounded)")
                    continue
                }
                if rto > objective.rto.seconds + 1e-9 {
                    problems.append(
                        "\(failure.title): RTO \(Duration.seconds(rto).compactDescription) exceeds \(objective.rto.compactDescription)")
                }
                if latest.rpoSeconds > objective.rpo.seconds + 1e-9 {
                    problems.append(
                        "\(failure.title): RPO \(Duration.seconds(latest.rpoSeconds).compactDescription) exceeds \(objective.rpo.compactDescription)")
                }
            }
            return problems.isEmpty
                ? .pass("every failure scenario's latest drill met the plan's RTO and RPO", evidence: rows)
                : .fail(problems.joined(separator: "; "), evidence: rows)
        }
    }

    static let evidenceIntact = Control(
        id: "SM-EVD-01", title: "Evidence history intact", severity: .high,
        source: "Planning for disaster recovery (\"must be practiced regularly\": proof that lasts)", basis: .evidence,
        checks: "The evidence database's hash chain verifies (and its signatures, when SMDRILL_EVIDENCE_KEY is set): no row edited, deleted or reordered.",
        remedy: "Investigate the row `smdrill verify-evidence` names; restore the database from a copy, or start a new one and keep the damaged one for the auditors."
    ) { context in
        switch context.evidence {
        case .missing(let path): .fail("no evidence database at \(path): nothing has been recorded")
        case .unreadable(let path, let reason): .error("\(path) cannot be read: \(reason)")
        case .available(let path, _, let problem, let rows):
            if let problem { .fail("\(path): \(problem)") } else { .pass("\(path): the chain of \(rows) rows is intact") }
        }
    }
}

extension ComplianceContext {
    /// The start of the cadence window.
    var cadenceStart: Date { now.addingTimeInterval(-plan.cadence.seconds) }

    var usesSourceOfTruthOrLiveSync: Bool { plan.features.sourceOfTruth != nil || plan.features.liveSync != nil }

    func day(_ date: Date) -> String { date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day()) }

    func scenarios(for failure: FailureScenario) -> [ScenarioSummary] {
        (plan.drills[failure] ?? []).compactMap { scenarios[$0.resolved] }
    }

    /// Evaluates against the recorded drills; missing or unreadable evidence fails (or errs) with the reason.
    func withDrills(_ body: ([DrillEvidence]) -> Finding) -> Finding {
        switch evidence {
        case .missing(let path): .fail("no evidence: \(path) does not exist (run the drills with `smdrill run` or `smdrill check --run`)")
        case .unreadable(let path, let reason): .error("the evidence in \(path) cannot be read: \(reason)")
        case .available(_, let drills, _, _): body(drills)
        }
    }
}
