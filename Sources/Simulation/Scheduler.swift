import DequeModule
import HeapModule

/// Something that reacts to events: the hot path of a model (a client's next request, a health check, a
/// notification delivery). An event is this object plus a tag the object gives meaning to, so scheduling
/// one allocates nothing.
public protocol EventHandler: AnyObject {
    /// Handles the event scheduled with `tag`, at ``Scheduler/now``.
    func handle(tag: Int, scheduler: Scheduler)
}

/// The discrete-event kernel: a virtual clock, a queue of timed events and the serial executor that runs
/// simulation processes. It knows nothing of the domain.
///
/// Two kinds of work share one timeline:
/// - **events** (``schedule(_:tag:at:)``): small values in a heap, handled synchronously; the hot path.
/// - **processes** (``spawn(_:_:)``): ordinary `async` code, run as tasks whose executor preference is this
///   scheduler, so `try await clock.sleep(for:)` suspends in virtual time. The scheduler runs every ready job
///   before it advances the clock to the next timer.
///
/// One job or event at a time, in (time, scheduling order), makes a run deterministic. The scheduler is
/// confined to the thread that calls ``run(until:)``: processes must not hop to actors or other executors.
///
/// ```swift
/// let scheduler = Scheduler()
/// scheduler.spawn("runbook") {
///     try await scheduler.clock.sleep(for: .seconds(30))
///     print(scheduler.now)   // t+30s
/// }
/// scheduler.run()
/// ```
public final class Scheduler: TaskExecutor, @unchecked Sendable {
    /// An entry of the queue: plain values only, so the heap moves them without reference counting. The
    /// target is a registered handler (0 and up), a closure (-1) or a sleeping process (-2); for the last two
    /// the tag is a slot in their side table.
    @usableFromInline
    struct Entry: Comparable {
        @usableFromInline let time: Int64
        @usableFromInline let sequence: UInt64
        @usableFromInline let target: Int
        @usableFromInline let tag: Int

        @inlinable
        init(time: Int64, sequence: UInt64, target: Int, tag: Int) {
            self.time = time
            self.sequence = sequence
            self.target = target
            self.tag = tag
        }

        @inlinable
        static func < (lhs: Entry, rhs: Entry) -> Bool {
            lhs.time != rhs.time ? lhs.time < rhs.time : lhs.sequence < rhs.sequence
        }

        @inlinable
        static func == (lhs: Entry, rhs: Entry) -> Bool {
            lhs.time == rhs.time && lhs.sequence == rhs.sequence
        }
    }

    @usableFromInline static let closureTarget = -1
    @usableFromInline static let wakeTarget = -2

    // The scheduler is confined to one thread, so its hot state skips the runtime's exclusivity checks.
    @exclusivity(unchecked) @usableFromInline var nowNanoseconds: Int64 = 0
    @exclusivity(unchecked) @usableFromInline var sequence: UInt64 = 0
    @exclusivity(unchecked) @usableFromInline var queue = Heap<Entry>()
    /// Whether the queue's minimum is the event being handled, already spent: the next event scheduled
    /// replaces it rather than being inserted beside it.
    @exclusivity(unchecked) @usableFromInline var minIsSpent = false
    /// Registered handlers, by id; the scheduler keeps them alive.
    @exclusivity(unchecked) @usableFromInline var handlers: [any EventHandler] = []
    private var handlerIDs: [ObjectIdentifier: Int] = [:]
    private var closures = SlotTable<() -> Void>()
    private var sleepers = SlotTable<UnsafeContinuation<Void, any Error>>()
    @exclusivity(unchecked) private var ready = Deque<UnownedJob>()
    @exclusivity(unchecked) private var stopped = false
    private var shuttingDown = false
    /// Events handled so far (processes' wake-ups included): a measure of work for benchmarks.
    @exclusivity(unchecked) public private(set) var eventsHandled: UInt64 = 0

    public init() {}

    /// The current virtual time.
    @inlinable
    public var now: SimulationInstant { SimulationInstant(nanosecondsSinceStart: nowNanoseconds) }

    /// A `Clock` that reads and sleeps in this scheduler's virtual time.
    public var clock: VirtualClock { VirtualClock(scheduler: self) }

    /// Whether the queue holds no event and no job is ready.
    public var isIdle: Bool { queue.count == (minIsSpent ? 1 : 0) && ready.isEmpty }

    // MARK: Events

    /// A handler registered with ``register(_:)``: scheduling through it costs no lookup.
    public struct HandlerID: Hashable, Sendable {
        @usableFromInline let index: Int
        @inlinable init(index: Int) { self.index = index }
    }

    /// Registers a handler once, for the hot path; the scheduler keeps it until it is gone.
    public func register(_ handler: any EventHandler) -> HandlerID {
        let key = ObjectIdentifier(handler)
        if let index = handlerIDs[key] { return HandlerID(index: index) }
        handlers.append(handler)
        handlerIDs[key] = handlers.count - 1
        return HandlerID(index: handlers.count - 1)
    }

    /// Adds an event to the queue, in place of the spent event being handled when there is one.
    @inlinable @inline(__always)
    func push(_ entry: Entry) {
        if minIsSpent {
            minIsSpent = false
            _ = queue.replaceMin(with: entry)
        } else {
            queue.insert(entry)
        }
    }

    /// Pops the spent event, when one is still at the top: before the queue is read for anything else.
    private func discardSpentMin() {
        if minIsSpent {
            minIsSpent = false
            queue.removeMin()
        }
    }

    /// Schedules the registered handler `id` to handle `tag` at `time` (never earlier than now).
    @inlinable
    public func schedule(_ id: HandlerID, tag: Int, at time: SimulationInstant) {
        sequence &+= 1
        push(
            Entry(
                time: Swift.max(time.nanosecondsSinceStart, nowNanoseconds), sequence: sequence, target: id.index,
                tag: tag))
    }

    /// Schedules the registered handler `id` to handle `tag` after `delay`.
    @inlinable
    public func schedule(_ id: HandlerID, tag: Int, after delay: Duration) {
        schedule(id, tag: tag, afterNanoseconds: delay.nanoseconds)
    }

    /// Schedules the registered handler `id` to handle `tag` after `nanoseconds`: the hot path's form, free of
    /// `Duration` arithmetic.
    @inlinable
    public func schedule(_ id: HandlerID, tag: Int, afterNanoseconds nanoseconds: Int64) {
        sequence &+= 1
        push(
            Entry(
                time: nowNanoseconds &+ Swift.max(0, nanoseconds), sequence: sequence, target: id.index, tag: tag))
    }

    /// Schedules `handler` to handle `tag` at `time`, registering it on first use.
    public func schedule(_ handler: any EventHandler, tag: Int, at time: SimulationInstant) {
        schedule(register(handler), tag: tag, at: time)
    }

    /// Schedules `handler` to handle `tag` after `delay`.
    public func schedule(_ handler: any EventHandler, tag: Int, after delay: Duration) {
        schedule(register(handler), tag: tag, at: now.advanced(by: delay))
    }

    /// Schedules a closure at `time`: for rare events (a fault, a phase change), where a closure reads best.
    public func schedule(at time: SimulationInstant, _ action: @escaping () -> Void) {
        sequence &+= 1
        push(
            Entry(
                time: Swift.max(time.nanosecondsSinceStart, nowNanoseconds), sequence: sequence,
                target: Self.closureTarget, tag: closures.insert(action)))
    }

    /// Schedules a closure after `delay`.
    public func schedule(after delay: Duration, _ action: @escaping () -> Void) {
        schedule(at: now.advanced(by: delay), action)
    }

    // MARK: Processes

    /// Starts `body` as a simulation process. It first runs when the scheduler next runs ready jobs.
    @discardableResult
    public func spawn(_ name: String, _ body: @escaping @Sendable () async throws -> Void) -> SimulationProcess {
        let process = SimulationProcess(name: name)
        process.task = Task(executorPreference: self) {
            do {
                try await body()
                process.finish(error: nil)
            } catch {
                process.finish(error: error)
            }
        }
        return process
    }

    /// Suspends the calling process until `time` in virtual time. Throws `CancellationError` when the task was
    /// cancelled before or while it slept, or when the scheduler shuts down.
    public func sleep(until time: SimulationInstant) async throws {
        try checkRunning()
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
            sequence &+= 1
            push(
                Entry(
                    time: Swift.max(time.nanosecondsSinceStart, nowNanoseconds), sequence: sequence,
                    target: Self.wakeTarget, tag: sleepers.insert(continuation)))
        }
        try Task.checkCancellation()
    }

    /// Throws what ``sleep(until:)`` throws before it suspends: `CancellationError` when the task was
    /// cancelled or the scheduler shuts down. For a process that goes on without sleeping.
    public func checkRunning() throws {
        try Task.checkCancellation()
        guard !shuttingDown else { throw CancellationError() }
    }

    /// Lets every other ready job run before the caller goes on, without advancing time.
    public func yield() async throws {
        try await sleep(until: now)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        ready.append(UnownedJob(job))
    }

    // MARK: Running

    /// Runs jobs and events in order until none is left, or until the next one would be after `deadline`;
    /// then the clock stands at `deadline` (when given). Can be called again to go on.
    public func run(until deadline: SimulationInstant? = nil) {
        // Run from inside a handler, the handler's own event is spent.
        discardSpentMin()
        stopped = false
        let limit = deadline?.nanosecondsSinceStart ?? .max
        let executor = asUnownedTaskExecutor()
        while !stopped {
            while let job = ready.popFirst() {
                job.runSynchronously(on: executor)
            }
            // The event stays at the top of the heap while it is handled: the first event its handler schedules
            // takes its place (one sift instead of a pop and an insert), or it is popped after.
            guard let entry = queue.min, entry.time <= limit else { break }
            nowNanoseconds = entry.time
            eventsHandled &+= 1
            minIsSpent = true
            dispatch(entry)
            discardSpentMin()
        }
        while let job = ready.popFirst() {
            job.runSynchronously(on: executor)
        }
        if let deadline, !stopped, nowNanoseconds < deadline.nanosecondsSinceStart {
            nowNanoseconds = deadline.nanosecondsSinceStart
        }
    }

    @inline(__always)
    private func dispatch(_ entry: Entry) {
        if entry.target >= 0 {
            handlers[entry.target].handle(tag: entry.tag, scheduler: self)
        } else if entry.target == Self.closureTarget {
            closures.remove(entry.tag)()
        } else {
            sleepers.remove(entry.tag).resume()
        }
    }

    /// Runs until `process` has ended (or until `deadline`): for work that has an end in a world whose
    /// background events (health checks, say) never run out.
    public func run(until process: SimulationProcess, deadline: SimulationInstant? = nil) {
        guard !process.isFinished else { return }
        process.onFinish = { [unowned self] in self.stop() }
        run(until: deadline)
        process.onFinish = nil
    }

    /// Stops ``run(until:)`` after the current event; the clock stays where it is.
    public func stop() { stopped = true }

    /// Ends every sleeping process (their sleep throws `CancellationError`) and drops the remaining events, so
    /// no task is left suspended when a drill ends.
    public func shutDown() {
        shuttingDown = true
        discardSpentMin()
        let executor = asUnownedTaskExecutor()
        while !queue.isEmpty || !ready.isEmpty {
            while let job = ready.popFirst() {
                job.runSynchronously(on: executor)
            }
            guard let entry = queue.popMin() else { continue }
            switch entry.target {
            case Self.wakeTarget: sleepers.remove(entry.tag).resume(throwing: CancellationError())
            case Self.closureTarget: _ = closures.remove(entry.tag)
            default: break
            }
        }
        handlers = []
        handlerIDs = [:]
    }
}

/// Values kept in slots that free entries reuse: the closures and sleepers the queue refers to by number.
struct SlotTable<Value> {
    private var slots: [Value?] = []
    private var free: [Int] = []

    mutating func insert(_ value: Value) -> Int {
        if let slot = free.popLast() {
            slots[slot] = value
            return slot
        }
        slots.append(value)
        return slots.count - 1
    }

    mutating func remove(_ slot: Int) -> Value {
        let value = slots[slot]!
        slots[slot] = nil
        free.append(slot)
        return value
    }
}

/// A process started by ``Scheduler/spawn(_:_:)``: its name, whether it has ended and how.
public final class SimulationProcess: @unchecked Sendable {
    public let name: String
    public private(set) var isFinished = false
    /// The error the process ended with, if it threw.
    public private(set) var error: (any Error)?
    fileprivate var task: Task<Void, Never>?
    fileprivate var onFinish: (() -> Void)?
    private var waiters: [UnsafeContinuation<Void, Never>] = []

    init(name: String) { self.name = name }

    fileprivate func finish(error: (any Error)?) {
        isFinished = true
        self.error = error
        let waiting = waiters
        waiters = []
        for waiter in waiting { waiter.resume() }
        onFinish?()
    }

    /// Suspends the calling process until this one ends.
    public func join() async {
        if isFinished { return }
        await withUnsafeContinuation { waiters.append($0) }
    }

    /// Asks the process to stop: its next sleep throws `CancellationError`.
    public func cancel() { task?.cancel() }
}
