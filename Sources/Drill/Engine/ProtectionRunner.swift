import FakeSecretsManager
import Foundation
import Recovery
import SecretsManager
import Simulation

/// Runs what protects the data before any disaster: scheduled backups, live synchronization (event-driven
/// or periodic), and the source-of-truth pipeline that keeps a fully operational recovery instance applied.
/// Each runs the real recovery code (the `Recovery` module) against the fake through the v2 API.
final class ProtectionRunner: @unchecked Sendable {
    let world: DrillWorld
    let log: DrillLog
    private(set) var backupsTaken = 0
    private(set) var backupsFailed = 0
    private(set) var syncCopies = 0
    private(set) var syncFailures = 0
    private var random: SeededRandom
    /// Changes committed to the source of truth and waiting to be applied to the recovery instance.
    private var pipeline: [SecretSnapshot] = []
    private let pipelineWake = Box(SimulationSignal())

    final class Box<Value>: @unchecked Sendable {
        var value: Value
        init(_ value: Value) { self.value = value }
    }

    init(world: DrillWorld, log: DrillLog, seed: UInt64) {
        self.world = world
        self.log = log
        random = SeededRandom(seed: seed).fork("protection")
    }

    var scheduler: Scheduler { world.cloud.scheduler }
    var clock: VirtualClock { scheduler.clock }

    func start() {
        let protection = world.scenario.protection
        if let backups = protection.backups, let bucket = world.bucket { startBackups(backups, bucket: bucket) }
        if let sync = protection.liveSync, world.endpoints.count > 1 {
            switch sync.mode {
            case .events: startEventSync(sync)
            case .periodic: startPeriodicSync(sync)
            }
        }
        if protection.sourceOfTruth?.applyToRecovery == true, world.endpoints.count > 1 { startPipeline() }
    }

    // MARK: Backups

    private func startBackups(_ backups: ProtectionSpec.Backups, bucket: BackupBucket) {
        let job = BackupJob(bucket: bucket, key: world.backupKey, retention: backups.retention)
        let end = world.scenario.duration
        scheduler.spawn("scheduled-backups") { [self] in
            var next = backups.first
            while next < end {
                try await clock.sleep(until: SimulationInstant(next))
                do {
                    let outcome = try await job.run(
                        world.client(endpoint: 0), clock: clock, now: world.cloud.date(clock.now),
                        nonce: random.bytes(12), sourceCRN: world.primary.crn.description,
                        sourceRegion: world.primary.region)
                    backupsTaken += 1
                    if backupsTaken == 1 || !outcome.unreadable.isEmpty {
                        log.add(
                            .note,
                            "backup \(outcome.name): \(outcome.secrets) secrets, \(outcome.bytes) bytes"
                                + (outcome.unreadable.isEmpty ? "" : ", \(outcome.unreadable.count) unreadable"))
                    }
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    backupsFailed += 1
                    log.add(.note, "a scheduled backup failed: \(error)")
                }
                next += backups.every
            }
        }
    }

    // MARK: Live sync

    private func startEventSync(_ sync: ProtectionSpec.LiveSync) {
        guard let events = world.eventNotifications else { return }
        let liveSync = LiveSync()
        events.subscribe { [self] notification in
            // Each delivery starts an action, which copies after its start-up.
            scheduler.spawn("sync-action") { [self] in
                try await clock.sleep(for: sync.actionStartup)
                do {
                    let copies = try await liveSync.copy(
                        notification, from: world.client(endpoint: 0), to: world.client(endpoint: 1), clock: clock)
                    syncCopies += copies.count
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    syncFailures += 1
                }
            }
        }
    }

    private func startPeriodicSync(_ sync: ProtectionSpec.LiveSync) {
        let end = world.scenario.duration
        scheduler.spawn("periodic-sync") { [self] in
            var next = sync.period
            while next < end {
                try await clock.sleep(until: SimulationInstant(next))
                do {
                    let changes = try await LiveSync().synchronize(
                        from: world.client(endpoint: 0), to: world.client(endpoint: 1), clock: clock)
                    syncCopies += changes.created.count + changes.updated.count
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    syncFailures += 1
                    log.add(.note, "a periodic sync failed: \(error)")
                }
                next += sync.period
            }
        }
    }

    // MARK: Source of truth

    /// Queues a change the source of truth took, for the recovery instance.
    func sourceOfTruthChanged(_ secret: SecretSnapshot) {
        guard world.scenario.protection.sourceOfTruth?.applyToRecovery == true else { return }
        pipeline.append(secret)
        pipelineWake.value.fire(at: scheduler.now)
    }

    private func startPipeline() {
        var options = Reconciler.Options()
        options.conflicts = .overwrite
        options.verify = false
        options.configurations = false
        options.notificationsRegistration = false
        options.regionalOverrides = world.regionalOverrides
        let overrides = options.regionalOverrides
        scheduler.spawn("source-of-truth-pipeline") { [self] in
            while true {
                if pipeline.isEmpty {
                    pipelineWake.value = SimulationSignal()
                    await pipelineWake.value.wait()
                    try Task.checkCancellation()
                    continue
                }
                let secret = pipeline.removeFirst()
                do {
                    try await SecretWriter(backoff: Backoff(attempts: 3)).upsert(
                        secret, data: overrides[secret.key] ?? secret.current, to: world.client(endpoint: 1), clock: clock)
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    syncFailures += 1
                }
            }
        }
    }
}
