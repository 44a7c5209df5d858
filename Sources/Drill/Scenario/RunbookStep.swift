import Simulation

/// One step of a runbook: the recovery a team would carry out, run as a simulation process in order.
public struct RunbookStep: Sendable {
    public var action: RunbookAction
    public var location: SourceLocation

    public init(action: RunbookAction, location: SourceLocation) {
        self.action = action
        self.location = location
    }
}

/// What a runbook step does.
public enum RunbookAction: Sendable {
    /// Pause.
    case wait(Duration)
    /// The customer declares a disaster: `after` a delay from the first fault, or as soon as a fault is
    /// detected (plus `after`, the time people take to decide).
    case declareDisaster(onDetection: Bool, after: Duration)
    /// Point every client at the recovery instance; the change takes `propagation` to reach them.
    case failover(propagation: Duration)

    /// The step's name in scenario files and reports.
    public var name: String {
        switch self {
        case .wait: "wait"
        case .declareDisaster: "declare_disaster"
        case .failover: "failover"
        }
    }
}
