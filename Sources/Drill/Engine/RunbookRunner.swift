import FakeSecretsManager
import Foundation
import Recovery
import SecretsManager
import Simulation

/// Runs a scenario's runbook as one simulation process, step after step, recording when each started and
/// ended and whether it did what it says.
final class RunbookRunner: @unchecked Sendable {
    let world: DrillWorld
    let workload: Workload
    let faults: FaultInjector
    let log: DrillLog
    private(set) var results: [DrillResult.StepResult] = []
    /// When the disaster was declared.
    private(set) var declaredAt: SimulationInstant?
    /// Whether steps remain to run (or one is running).
    private(set) var isRunning = false
    /// Called once when the runbook has ended (all steps done, or one failed).
    var onFinish: (() -> Void)?

    init(world: DrillWorld, workload: Workload, faults: FaultInjector, log: DrillLog) {
        self.world = world
        self.workload = workload
        self.faults = faults
        self.log = log
        results = world.scenario.runbook.enumerated().map { index, step in
            DrillResult.StepResult(
                index: index + 1, name: step.action.name, startedSeconds: nil, endedSeconds: nil, passed: false,
                message: "not reached before the end of the drill")
        }
    }

    func start() {
        guard !world.scenario.runbook.isEmpty else { return }
        isRunning = true
        world.cloud.scheduler.spawn("runbook") { [self] in
            defer {
                isRunning = false
                onFinish?()
            }
            for (index, step) in world.scenario.runbook.enumerated() {
                let scheduler = world.cloud.scheduler
                results[index].startedSeconds = scheduler.now.seconds.roundedToMilliseconds
                log.add(.step, "step \(index + 1) \(step.action.name) starts")
                let outcome: (Bool, String)
                do {
                    outcome = try await run(step.action)
                } catch is CancellationError {
                    results[index].message = "still running when the drill ended"
                    throw CancellationError()
                } catch {
                    outcome = (false, "failed: \(error)")
                }
                results[index].endedSeconds = scheduler.now.seconds.roundedToMilliseconds
                results[index].passed = outcome.0
                results[index].message = outcome.1
                log.add(.step, "step \(index + 1) \(step.action.name) \(outcome.0 ? "done" : "failed"): \(outcome.1)")
                if !outcome.0 { break }
            }
        }
    }

    private func run(_ action: RunbookAction) async throws -> (Bool, String) {
        let clock = world.cloud.scheduler.clock
        switch action {
        case .wait(let duration):
            try await clock.sleep(for: duration)
            return (true, "waited \(duration.compactDescription)")
        case .declareDisaster(let onDetection, let after):
            await (onDetection ? faults.firstDetection : faults.firstFault).wait()
            try await clock.sleep(for: after)
            declaredAt = clock.now
            return (true, "disaster declared at \(clock.now)")
        case .failover(let propagation):
            guard world.endpoints.count > 1 else {
                return (false, "there is no recovery instance to fail over to")
            }
            try await clock.sleep(for: propagation)
            workload.pointAll(at: 1)
            return (true, "every client now uses the recovery instance \(world.endpoints[1].crn)")
        case .provisionInstance:
            return try await provision()
        case .restoreBackup(let asOf, let onConflict):
            return try await restoreBackup(asOf: asOf, onConflict: onConflict)
        case .applySourceOfTruth(let asOf, let toPrimary):
            return try await applySourceOfTruth(asOf: asOf, toPrimary: toPrimary)
        case .restoreVersions(let damage):
            return try await restoreVersions(damage)
        case .byokRecover(let supportResponse, let omit):
            return try await byokRecover(supportResponse: supportResponse, omit: omit)
        }
    }

    private func provision() async throws -> (Bool, String) {
        guard let recovery = world.scenario.topology.recovery, let kms = world.recoveryKMS else {
            return (false, "the scenario has no recovery region")
        }
        let instance = try await world.cloud.provisionInstance(
            name: "recovery", region: recovery.region, rootKey: kms.createRootKey(),
            policies: DrillWorld.policies(application: world.application, operations: world.operations, auditor: world.auditor))
        world.addRecoveryEndpoint(instance)
        return (true, "provisioned \(instance.crn) after \(world.cloud.costModel.provisioning.compactDescription)")
    }

    private func reconcilerOptions(conflicts: ConflictPolicy) -> Reconciler.Options {
        var options = Reconciler.Options()
        options.conflicts = conflicts
        options.regionalOverrides = world.regionalOverrides
        // The primary's Event Notifications registration points at an instance in the primary region.
        options.notificationsRegistration = false
        return options
    }

    private func restoreBackup(asOf: Duration?, onConflict: ConflictChoice) async throws -> (Bool, String) {
        guard world.endpoints.count > 1 else { return (false, "there is no recovery instance to restore into") }
        guard let bucket = world.bucket else { return (false, "no backups are taken") }
        let job = BackupJob(bucket: bucket, key: world.backupKey)
        let clock = world.cloud.scheduler.clock
        let name: String
        let archive: Data
        do {
            guard let latest = try job.latest(atOrBefore: asOf.map { world.cloud.date(SimulationInstant($0)) }) else {
                return (false, "the bucket holds no backup to restore")
            }
            name = latest
            archive = try bucket.read(latest)
        } catch {
            return (false, "\(error)")
        }
        let snapshot: InstanceSnapshot
        do {
            snapshot = try BackupArchive.decode(archive, key: world.backupKey).1
        } catch {
            return (false, "\(error)")
        }
        let policy = ConflictPolicy(rawValue: onConflict.rawValue) ?? .skip
        let changes = try await Reconciler(options: reconcilerOptions(conflicts: policy)).apply(
            snapshot, target: world.client(endpoint: 1), clock: clock)
        world.catalog.resolve(endpoint: 1, in: world.endpoints[1], as: world.operations)
        return summary("restored \(name)", changes)
    }

    private func applySourceOfTruth(asOf: Duration?, toPrimary: Bool) async throws -> (Bool, String) {
        guard let repository = world.sourceOfTruth else { return (false, "there is no source of truth") }
        let endpoint = toPrimary ? 0 : 1
        guard world.endpoints.count > endpoint else { return (false, "there is no recovery instance to apply to") }
        let state: InstanceSnapshot
        do {
            state = try repository.state(at: asOf.map { world.cloud.date(SimulationInstant($0)) })
        } catch {
            return (false, "\(error)")
        }
        var options = reconcilerOptions(conflicts: .overwrite)
        if toPrimary { options.regionalOverrides = [:] }
        let changes = try await Reconciler(options: options).apply(
            state, target: world.client(endpoint: endpoint), clock: world.cloud.scheduler.clock)
        world.catalog.resolve(endpoint: endpoint, in: world.endpoints[endpoint], as: world.operations)
        return summary("applied revision \(repository.revisions.count) of the source of truth", changes)
    }

    private func summary(_ what: String, _ changes: Reconciler.Changes) -> (Bool, String) {
        var parts = [
            "\(changes.created.count) created", "\(changes.updated.count) updated", "\(changes.unchanged.count) unchanged",
        ]
        if !changes.regenerated.isEmpty { parts.append("\(changes.regenerated.count) regenerated") }
        if !changes.conflictsSkipped.isEmpty { parts.append("\(changes.conflictsSkipped.count) conflicts skipped") }
        if changes.retries > 0 { parts.append("\(changes.retries) calls retried") }
        guard changes.failed.isEmpty else {
            let first = changes.failed.sorted { $0.key < $1.key }.first!
            return (false, "\(what): \(changes.failed.count) secrets failed (first: \(first.key): \(first.value))")
        }
        return (true, "\(what): " + parts.joined(separator: ", "))
    }

    private func restoreVersions(_ damage: VersionDamage) async throws -> (Bool, String) {
        let selection: VersionRestore.Damage =
            switch damage {
            case .writtenBy(let principal): .writtenBy(principal)
            case .writtenAfter(let time): .writtenAfter(world.cloud.date(SimulationInstant(time)))
            case .failingCheck: .failing(Self.looksSound)
            }
        let outcome = try await VersionRestore(damage: selection).run(
            world.client(endpoint: 0), clock: world.cloud.scheduler.clock)
        let message =
            "\(outcome.restored.count) secrets restored from their previous version, \(outcome.unrestorable.count) could not be"
        if !outcome.unrestorable.isEmpty {
            log.add(.note, "version restore could not restore \(outcome.unrestorable.count) secrets: their good data is older than their previous version")
        }
        return (true, message)
    }

    /// The check of `restore_versions: { check: garbage }`: data a broken writer left starts with `garbage`.
    static let looksSound: @Sendable (SecretData) -> Bool = { data in
        !data.jsonObject.values.contains { value in
            switch value {
            case .string(let text): text.hasPrefix("garbage")
            case .object(let object): object.values.contains { $0.stringValue?.hasPrefix("garbage") ?? false }
            default: false
            }
        }
    }

    private func byokRecover(supportResponse: Duration, omit: [KeyLossItem]) async throws -> (Bool, String) {
        let newKey = world.backupKMS?.createRootKey()
        var supportCase = KeyLossCase(
            instanceCRN: world.primary.crn.description, backupKMSCRN: world.backupKMS?.crnText,
            newRootKeyID: newKey?.keyID, originalKMSCRN: world.primaryKMS.crnText,
            originalKeyID: world.primary.rootKey.keyID)
        for item in omit {
            switch item {
            case .instanceCRN: supportCase.instanceCRN = nil
            case .backupKMSCRN: supportCase.backupKMSCRN = nil
            case .newRootKeyID: supportCase.newRootKeyID = nil
            case .originalKey:
                supportCase.originalKMSCRN = nil
                supportCase.originalKeyID = nil
            }
        }
        guard supportCase.isComplete,
            let instanceCRN = supportCase.instanceCRN, let backupCRN = supportCase.backupKMSCRN,
            let newKeyID = supportCase.newRootKeyID, let originalCRN = supportCase.originalKMSCRN,
            let originalKeyID = supportCase.originalKeyID
        else {
            let missing = supportCase.missing.joined(separator: "; ")
            log.add(.note, "the BYOK support case cannot be acted on; it lacks: \(missing)")
            return (false, "the support case lacks \(missing)")
        }
        try await world.cloud.scheduler.clock.sleep(for: supportResponse)
        do {
            let count = try world.cloud.resolveKeyLossCase(
                instanceCRN: instanceCRN, backupKMSCRN: backupCRN, newRootKeyID: newKeyID, originalKMSCRN: originalCRN,
                originalKeyID: originalKeyID)
            return (true, "support re-wrapped \(count) data keys under root key \(newKeyID) after \(supportResponse.compactDescription)")
        } catch {
            return (false, "\(error)")
        }
    }
}
