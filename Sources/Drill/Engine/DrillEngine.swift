import FakeSecretsManager
import Foundation
import Logging
import SecretsManager
import Simulation

/// Runs one drill: builds the world from the scenario, runs the workload, injects the faults, runs the
/// runbook, stops at the scenario's duration, and measures.
public struct DrillEngine {
    /// Called now and then with the share of virtual time done.
    public typealias Progress = (Double) -> Void

    public var workDirectory: URL
    public var logger: Logger

    /// Drills keep their instance databases under `workDirectory` while they run, and remove them after.
    public init(workDirectory: URL = FileManager.default.temporaryDirectory, logger: Logger = Logger(label: "smdrill.drill")) {
        self.workDirectory = workDirectory
        self.logger = logger
    }

    /// What a caller may look at when a drill has ended and before its world is taken down: the service
    /// instances the clients used (primary first). Tests use it to read every payload a drill made.
    public struct Inspection {
        public let instances: [ServiceInstance]
    }

    /// Runs `scenario` with `seed` (the scenario's own when nil). `inspect`, when given, sees the world at the
    /// end of the drill.
    public func run(
        _ scenario: Scenario, seed: UInt64? = nil, progress: Progress? = nil,
        inspect: ((Inspection) throws -> Void)? = nil
    ) throws -> DrillResult {
        let seed = seed ?? scenario.seed
        let directory = workDirectory.appendingPathComponent(
            "smdrill-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
        logger.debug("building the world", metadata: ["scenario": "\(scenario.name)", "seed": "\(seed)"])
        let world = try DrillWorld(scenario: scenario, seed: seed, directory: directory, logger: logger)
        defer { world.close() }
        let scheduler = world.cloud.scheduler
        let log = DrillLog(scheduler: scheduler, logger: logger)
        let measurement = Measurement(measurement: scenario.measurement, duration: scenario.duration)
        let protection = ProtectionRunner(world: world, log: log, seed: seed)
        let workload = Workload(world: world, measurement: measurement, log: log, protection: protection, seed: seed)
        let faults = FaultInjector(world: world, measurement: measurement, log: log, seed: seed)
        let runbook = RunbookRunner(world: world, workload: workload, faults: faults, log: log)

        // The recovery point of a fault is read from the state the clients use once it has recovered, or, when
        // the runbook is still at work then (catching up a standby, say), once the runbook has ended.
        var recoveryPoints: [Int: RecoveryPoint] = [:]
        var pending: [(index: Int, injectedAt: Int64)] = []
        measurement.onRecovered = { watch, windowStart in
            guard let index = faults.fault(ofWatch: watch) else { return }
            let at = SimulationInstant(nanosecondsSinceStart: windowStart)
            log.add(.recovered, "\(scenario.faults[index].kind.name) recovered: clients are back to normal", at: at)
            let injectedAt = measurement.watches[watch].injectedAt
            if runbook.isRunning {
                pending.append((index, injectedAt))
            } else {
                recoveryPoints[index] = Self.recoveryPoint(world: world, workload: workload, faultTime: injectedAt)
            }
        }
        runbook.onFinish = {
            for (index, injectedAt) in pending {
                recoveryPoints[index] = Self.recoveryPoint(world: world, workload: workload, faultTime: injectedAt)
            }
            pending = []
        }

        faults.schedule()
        measurement.start(on: scheduler)
        protection.start()
        workload.start()
        runbook.start()
        if let progress {
            let step = max(scenario.duration / 100, .seconds(1))
            var time = step
            while time < scenario.duration {
                let done = time.seconds / scenario.duration.seconds
                scheduler.schedule(at: SimulationInstant(time)) { progress(done) }
                time += step
            }
        }
        let end = SimulationInstant(scenario.duration)
        scheduler.run(until: end)
        runbook.onFinish = nil
        workload.stop()
        measurement.closeBucket(at: end.nanosecondsSinceStart)
        progress?(1)

        // Faults that never recovered: their recovery point is read from the state as it is at the end.
        for (index, watch) in faults.watches where recoveryPoints[index] == nil {
            recoveryPoints[index] = Self.recoveryPoint(
                world: world, workload: workload, faultTime: measurement.watches[watch].injectedAt)
        }
        try inspect?(Inspection(instances: world.endpoints))
        let result = Self.result(
            scenario: scenario, seed: seed, world: world, measurement: measurement, workload: workload, faults: faults,
            runbook: runbook, log: log, recoveryPoints: recoveryPoints)
        logger.info(
            "drill ended",
            metadata: [
                "scenario": "\(scenario.name)", "passed": "\(result.passed)",
                "rto_seconds": "\(result.rtoSeconds.map { String($0) } ?? "unbounded")",
                "rpo_seconds": "\(result.rpoSeconds)", "requests": "\(result.requests.total)",
            ])
        return result
    }

    /// Reads every secret from the instance most clients use now and matches it with the ledger.
    static func recoveryPoint(world: DrillWorld, workload: Workload, faultTime: Int64) -> RecoveryPoint {
        let endpoint = workload.majorityEndpoint
        let instance = world.endpoints[endpoint]
        let reachable: Bool
        switch world.cloud.route(to: instance) {
        case .served: reachable = true
        case .refused(let error): reachable = error.status == 429
        case .noAnswer: reachable = false
        }
        return RecoveryPoint.measure(
            ledger: world.ledger, faultTime: faultTime,
            variantOf: { world.variant(secret: $0, endpoint: endpoint) },
            current: { secret in
                guard reachable else { return nil }
                let id = world.catalog.ids[endpoint][secret]
                guard !id.isEmpty, let bytes = try? instance.readCurrentData(secretID: id, by: world.auditor) else {
                    return nil
                }
                return Fingerprint.of(bytes)
            })
    }

    static func result(
        scenario: Scenario, seed: UInt64, world: DrillWorld, measurement: Measurement, workload: Workload,
        faults: FaultInjector, runbook: RunbookRunner, log: DrillLog, recoveryPoints: [Int: RecoveryPoint]
    ) -> DrillResult {
        var faultResults: [DrillResult.FaultResult] = []
        for (index, fault) in scenario.faults.enumerated() {
            let point = recoveryPoints[index] ?? .nothingLost
            var rto: Double?
            var detected: Double?
            if let watch = faults.watches[index] {
                let state = measurement.watches[watch]
                rto = state.recoveredAt.map { Double($0 - state.injectedAt) / 1e9 }
                detected = state.firstSymptom.map { Double($0 - state.injectedAt) / 1e9 }
            }
            faultResults.append(
                DrillResult.FaultResult(
                    kind: fault.kind.name, summary: fault.kind.summary, atSeconds: fault.at.seconds.roundedToMilliseconds,
                    rtoSeconds: rto?.roundedToMilliseconds, rpoSeconds: point.rpo.seconds.roundedToMilliseconds,
                    detectedAfterSeconds: detected?.roundedToMilliseconds, lostWrites: point.lostWrites,
                    lostSecrets: point.lostSecrets))
        }
        let totals = measurement.totals
        let availability = totals.completed == 0 ? 1 : Double(totals.succeeded) / Double(totals.completed)
        let rto: Double? =
            faultResults.contains { $0.rtoSeconds == nil } ? nil : faultResults.map { $0.rtoSeconds! }.max() ?? 0
        let rpo = faultResults.map(\.rpoSeconds).max() ?? 0
        let lostWrites = faultResults.reduce(0) { $0 + $1.lostWrites }
        let objectives = ObjectiveEvaluation.evaluate(
            scenario.objectives, rto: rto, rpo: rpo, availability: availability, lostWrites: lostWrites)
        let histogram = measurement.latency
        func milliseconds(_ percentile: Double) -> Double {
            histogram.totalCount == 0 ? 0 : (Double(histogram.valueAtPercentile(percentile)) / 1000).roundedToMilliseconds
        }
        let series = measurement.series
        return DrillResult(
            scenario: scenario.name, description: scenario.description, file: scenario.file,
            fileSHA256: scenario.fileSHA256, seed: seed,
            passed: objectives.allSatisfy(\.passed) && runbook.results.allSatisfy(\.passed), rtoSeconds: rto,
            rpoSeconds: rpo, availability: (availability * 1_000_000).rounded() / 1_000_000, lostWrites: lostWrites,
            staleReads: totals.staleReads, corruptReads: totals.corruptReads,
            durationSeconds: scenario.duration.seconds.roundedToMilliseconds,
            requests: .init(
                total: totals.completed, succeeded: totals.succeeded, failed: totals.failed,
                writesAcknowledged: world.ledger.writes - world.catalog.count
                    - world.catalog.perInstance.filter { $0 }.count * (world.endpoints.count > 1 ? 1 : 0),
                failovers: workload.failovers),
            latencyMilliseconds: .init(
                p50: milliseconds(50), p90: milliseconds(90), p99: milliseconds(99), p999: milliseconds(99.9),
                max: histogram.totalCount == 0 ? 0 : (Double(histogram.max) / 1000).roundedToMilliseconds),
            faults: faultResults, objectives: objectives, steps: runbook.results, timeline: log.sorted,
            series: series.points.map {
                DrillResult.SeriesPoint(
                    startSeconds: $0.start.seconds.roundedToMilliseconds, widthSeconds: series.width.seconds.roundedToMilliseconds,
                    succeeded: $0.counts.succeeded, failed: $0.counts.failed, corruptReads: $0.counts.corruptReads,
                    staleReads: $0.counts.staleReads)
            })
    }
}

/// Objectives against measured figures, with the messages reports show.
public enum ObjectiveEvaluation {
    public static func evaluate(
        _ objectives: Objectives, rto: Double?, rpo: Double, availability: Double, lostWrites: Int
    ) -> [DrillResult.ObjectiveResult] {
        var results: [DrillResult.ObjectiveResult] = []
        if let target = objectives.rto {
            let targetText = target.compactDescription
            if let rto {
                let measured = Duration.seconds(rto).compactDescription
                let passed = rto <= target.seconds + 1e-9
                results.append(
                    .init(
                        name: "rto", target: targetText, measured: measured, passed: passed,
                        message: passed ? "RTO \(measured) within objective \(targetText)" : "RTO \(measured) exceeds objective \(targetText)"))
            } else {
                results.append(
                    .init(
                        name: "rto", target: targetText, measured: "unbounded", passed: false,
                        message: "RTO unbounded: the service was not restored before the drill ended (objective \(targetText))"))
            }
        }
        if let target = objectives.rpo {
            let targetText = target.compactDescription
            let measured = Duration.seconds(rpo).compactDescription
            let passed = rpo <= target.seconds + 1e-9
            results.append(
                .init(
                    name: "rpo", target: targetText, measured: measured, passed: passed,
                    message: passed ? "RPO \(measured) within objective \(targetText)" : "RPO \(measured) exceeds objective \(targetText)"))
        }
        if let target = objectives.availability {
            let targetText = Units.format(percentage: target)
            let measured = Units.format(percentage: availability)
            let passed = availability + 1e-12 >= target
            results.append(
                .init(
                    name: "availability", target: targetText, measured: measured, passed: passed,
                    message: passed
                        ? "availability \(measured) meets objective \(targetText)"
                        : "availability \(measured) is below objective \(targetText)"))
        }
        if let target = objectives.lostWrites {
            let passed = lostWrites <= target
            results.append(
                .init(
                    name: "lost_writes", target: String(target), measured: String(lostWrites), passed: passed,
                    message: passed
                        ? "\(lostWrites) acknowledged writes lost, within objective \(target)"
                        : "\(lostWrites) acknowledged writes lost, more than objective \(target)"))
        }
        return results
    }
}
