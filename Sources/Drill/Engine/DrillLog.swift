import Logging
import Simulation

/// The drill's timeline as it happens: faults, detections, recoveries, runbook steps, failovers.
final class DrillLog {
    enum Kind: String { case fault, detected, recovered, step, loadBalancer = "load-balancer", failover, note }

    private(set) var entries: [DrillResult.TimelineEntry] = []
    let scheduler: Scheduler
    /// At most this many entries are kept; a long drill of many small events keeps its first ones.
    let capacity = 2000
    private(set) var dropped = 0

    let logger: Logger

    init(scheduler: Scheduler, logger: Logger) {
        self.scheduler = scheduler
        self.logger = logger
    }

    func add(_ kind: Kind, _ text: String, at time: SimulationInstant? = nil) {
        let seconds = (time ?? scheduler.now).seconds.roundedToMilliseconds
        logger.debug("\(kind.rawValue): \(text)", metadata: ["virtual_seconds": "\(seconds)"])
        guard entries.count < capacity else {
            dropped += 1
            return
        }
        entries.append(
            DrillResult.TimelineEntry(
                atSeconds: seconds, kind: kind.rawValue, text: text))
    }

    /// Entries in time order (stable for equal times).
    var sorted: [DrillResult.TimelineEntry] {
        entries.enumerated().sorted { ($0.element.atSeconds, $0.offset) < ($1.element.atSeconds, $1.offset) }.map(\.element)
    }
}
