import FakeSecretsManager
import SecretsManager
import Simulation

/// Injects a scenario's faults at their times through the fake's hooks, and undoes the ones that last a
/// while. IBM's own recoveries (a zone coming back, a region restored from its state or its internal backup)
/// are part of the fault: they happen whatever the customer does.
final class FaultInjector {
    let world: DrillWorld
    let measurement: Measurement
    let log: DrillLog
    var random: SeededRandom
    /// The measurement watch of each fault, by fault index, once injected.
    private(set) var watches: [Int: Int] = [:]
    /// Fired when the first fault is injected, and when one is first detected.
    let firstFault = SimulationSignal()
    let firstDetection = SimulationSignal()

    init(world: DrillWorld, measurement: Measurement, log: DrillLog, seed: UInt64) {
        self.world = world
        self.measurement = measurement
        self.log = log
        random = SeededRandom(seed: seed).fork("faults")
    }

    var scheduler: Scheduler { world.cloud.scheduler }
    var cloud: FakeCloud { world.cloud }

    func schedule() {
        measurement.onDetected = { [unowned self] watch, time in
            let instant = SimulationInstant(nanosecondsSinceStart: time)
            if let index = fault(ofWatch: watch) {
                log.add(.detected, "\(world.scenario.faults[index].kind.name) detected", at: instant)
            }
            if !firstDetection.isFired { firstDetection.fire(at: instant) }
        }
        for (index, fault) in world.scenario.faults.enumerated() {
            scheduler.schedule(at: SimulationInstant(fault.at)) { [self] in inject(index, fault) }
        }
        // The load balancer's view is a symptom of node and zone faults.
        for region in cloud.regions.values {
            region.loadBalancer.onRotationChange { [self] node, inRotation, time in
                log.add(.loadBalancer, "the load balancer \(inRotation ? "returns" : "removes") \(node.id)", at: time)
                if !inRotation { symptom(at: time) }
            }
        }
        // IBM's daily internal backups of the primary instance.
        let service = world.scenario.service
        var time = service.internalBackupFirst
        while time < world.scenario.duration {
            scheduler.schedule(at: SimulationInstant(time)) { [self] in
                try? cloud.takeInternalBackup(of: world.primary.id)
            }
            time += service.internalBackupEvery
        }
    }

    /// A fault showed itself.
    func symptom(at time: SimulationInstant) {
        measurement.noteSymptom(time.nanosecondsSinceStart)
    }

    /// The fault behind a measurement watch.
    func fault(ofWatch watch: Int) -> Int? { watches.first { $0.value == watch }?.key }

    private func inject(_ index: Int, _ fault: FaultSpec) {
        watches[index] = measurement.watch(injectedAt: scheduler.now.nanosecondsSinceStart)
        log.add(.fault, fault.kind.summary)
        firstFault.fire(at: scheduler.now)
        switch fault.kind {
        case .nodeFailure(let region, let zone, let node, let lasting):
            cloud.setNode(region: region, zone: zone, node: node, alive: false)
            if let lasting {
                scheduler.schedule(after: lasting) { [self] in
                    cloud.setNode(region: region, zone: zone, node: node, alive: true)
                    log.add(.note, "node \(node) of \(region)-\(zone) is repaired")
                }
            }
        case .zoneLoss(let region, let zone, let lasting):
            cloud.setZone(region: region, zone: zone, alive: false)
            if let lasting {
                scheduler.schedule(after: lasting) { [self] in
                    cloud.setZone(region: region, zone: zone, alive: true)
                    log.add(.note, "zone \(region)-\(zone) is back")
                }
            }
        case .regionLoss(let region, let lasting, let state, let restore):
            cloud.failRegion(region)
            scheduler.schedule(after: lasting) { [self] in
                do {
                    try cloud.recoverRegion(region, state: state)
                } catch {
                    log.add(.note, "IBM could not restore the regional state: \(error)")
                }
                let restored = cloud.instances.values.filter { $0.region == region && $0.status != .deleted }
                for instance in restored {
                    cloud.setAvailability(of: instance.id, unavailableBecause: "IBM is restoring the instance")
                }
                log.add(
                    .note,
                    state == .lost
                        ? "region \(region) is back; the regional state is lost and IBM cannot restore the instance"
                        : "region \(region) is back; IBM restores the instance from its \(state == .intact ? "regional state" : "last internal backup")")
                guard state != .lost else { return }
                scheduler.schedule(after: restore) { [self] in
                    for instance in restored { cloud.setAvailability(of: instance.id, unavailableBecause: nil) }
                    log.add(.note, "IBM's restore of the instances in \(region) is complete")
                }
            }
        case .corruption(let kind, let count, let writer):
            var indices = Array(0..<world.catalog.count)
            indices.shuffle(using: &random)
            let chosen = indices.prefix(count).map { world.catalog.ids[0][$0] }
            switch kind {
            case .logical:
                let principal = Principal(writer)
                world.primary.accessControl.grant(AccessPolicy(principal: principal, role: .writer))
                let written = world.primary.corruptLogically(secretIDs: chosen, by: principal)
                log.add(.note, "\(written.count) secrets now hold garbage written by \(writer)")
            case .physical:
                do {
                    let damaged = try world.primary.damageStorage(secretIDs: chosen)
                    log.add(.note, "\(damaged.count) secrets' stored data is damaged; the instance detects it")
                } catch {
                    log.add(.note, "the storage could not be damaged: \(error)")
                }
            }
        case .kmsRootKeyDeleted:
            do {
                try world.primaryKMS.deleteRootKey(world.primary.rootKey.keyID, at: scheduler.now)
            } catch {
                log.add(.note, "the root key could not be deleted: \(error)")
            }
        case .maintenance(let region, let interruption, let gap):
            let zones = cloud.regions[region]?.zones.count ?? 0
            for zone in 1...max(1, zones) where zone <= zones {
                let start = gap * (zone - 1)
                scheduler.schedule(after: start) { [self] in
                    cloud.setZone(region: region, zone: zone, alive: false)
                    log.add(.note, "maintenance restarts zone \(region)-\(zone)")
                }
                scheduler.schedule(after: start + interruption) { [self] in
                    cloud.setZone(region: region, zone: zone, alive: true)
                }
            }
        }
    }
}
