import FakeSecretsManager
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
        world.cloud.scheduler.spawn("runbook") { [self] in
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
        }
    }
}
