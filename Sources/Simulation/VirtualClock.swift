/// A `Clock` in a scheduler's virtual time, so code written against `Clock` (a runbook, a retry loop, a
/// recovery path) runs unchanged in a drill and against `ContinuousClock` in real life.
public struct VirtualClock: Clock, Sendable {
    public typealias Instant = SimulationInstant

    public let scheduler: Scheduler

    public init(scheduler: Scheduler) { self.scheduler = scheduler }

    public var now: SimulationInstant { scheduler.now }

    public var minimumResolution: Duration { .nanoseconds(1) }

    public func sleep(until deadline: SimulationInstant, tolerance: Duration? = nil) async throws {
        try await scheduler.sleep(until: deadline)
    }
}

/// A one-shot event that processes can wait for and anything on the simulation thread can fire: a disaster
/// being declared, a restore finishing. Like SimPy's `Event`.
public final class SimulationSignal: @unchecked Sendable {
    public private(set) var isFired = false
    /// When it fired.
    public private(set) var firedAt: SimulationInstant?
    private var waiters: [UnsafeContinuation<Void, Never>] = []

    public init() {}

    /// Fires the signal at `now`; waiting processes resume in the order they began to wait. Firing twice does
    /// nothing.
    public func fire(at now: SimulationInstant) {
        guard !isFired else { return }
        isFired = true
        firedAt = now
        let waiting = waiters
        waiters = []
        for waiter in waiting { waiter.resume() }
    }

    /// Suspends the calling process until the signal fires.
    public func wait() async {
        if isFired { return }
        await withUnsafeContinuation { waiters.append($0) }
    }
}
