import Testing

@testable import Simulation

final class Recorder: EventHandler, @unchecked Sendable {
    var log: [(Int, SimulationInstant)] = []
    func handle(tag: Int, scheduler: Scheduler) { log.append((tag, scheduler.now)) }
}

final class Log: @unchecked Sendable {
    var lines: [String] = []
}

struct SchedulerTests {
    @Test("events run in time order, ties in scheduling order")
    func eventOrder() {
        let scheduler = Scheduler()
        let recorder = Recorder()
        scheduler.schedule(recorder, tag: 3, at: .init(.seconds(3)))
        scheduler.schedule(recorder, tag: 1, at: .init(.seconds(1)))
        scheduler.schedule(recorder, tag: 2, at: .init(.seconds(1)))
        scheduler.schedule(recorder, tag: 0, at: .init(.zero))
        scheduler.run()
        #expect(recorder.log.map(\.0) == [0, 1, 2, 3])
        #expect(recorder.log.map(\.1) == [.init(.zero), .init(.seconds(1)), .init(.seconds(1)), .init(.seconds(3))])
        #expect(scheduler.eventsHandled == 4)
    }

    /// The event at t+3s was scheduled before b's second sleep was, so it runs first.
    @Test("processes sleep in virtual time and interleave with events deterministically")
    func processes() {
        let scheduler = Scheduler()
        let log = Log()
        scheduler.spawn("a") {
            for step in 0..<3 {
                log.lines.append("a\(step)@\(scheduler.now)")
                try await scheduler.clock.sleep(for: .seconds(2))
            }
        }
        scheduler.spawn("b") {
            for step in 0..<2 {
                log.lines.append("b\(step)@\(scheduler.now)")
                try await scheduler.clock.sleep(for: .seconds(3))
            }
        }
        scheduler.schedule(at: .init(.seconds(3))) { log.lines.append("event@\(scheduler.now)") }
        scheduler.run()
        #expect(log.lines == ["a0@t+0s", "b0@t+0s", "a1@t+2s", "event@t+3s", "b1@t+3s", "a2@t+4s"])
        #expect(scheduler.now == .init(.seconds(6)))
    }

    @Test("run(until:) stops at the deadline and can go on")
    func deadline() {
        let scheduler = Scheduler()
        let recorder = Recorder()
        scheduler.schedule(recorder, tag: 1, at: .init(.seconds(5)))
        scheduler.schedule(recorder, tag: 2, at: .init(.seconds(15)))
        scheduler.run(until: .init(.seconds(10)))
        #expect(recorder.log.map(\.0) == [1])
        #expect(scheduler.now == .init(.seconds(10)))
        scheduler.run()
        #expect(recorder.log.map(\.0) == [1, 2])
    }

    @Test("a process can wait for another and for a signal")
    func joinAndSignal() {
        let scheduler = Scheduler()
        let log = Log()
        let signal = SimulationSignal()
        let worker = scheduler.spawn("worker") {
            try await scheduler.clock.sleep(for: .seconds(4))
            log.lines.append("worker done@\(scheduler.now)")
        }
        scheduler.spawn("waiter") {
            await worker.join()
            log.lines.append("joined@\(scheduler.now)")
            await signal.wait()
            log.lines.append("signalled@\(scheduler.now)")
        }
        scheduler.schedule(at: .init(.seconds(9))) { signal.fire(at: scheduler.now) }
        scheduler.run()
        #expect(log.lines == ["worker done@t+4s", "joined@t+4s", "signalled@t+9s"])
        #expect(signal.firedAt == .init(.seconds(9)))
    }

    @Test("shutting down ends sleeping processes with CancellationError")
    func shutDown() {
        let scheduler = Scheduler()
        let sleeper = scheduler.spawn("sleeper") { try await scheduler.clock.sleep(for: .seconds(3600)) }
        scheduler.run(until: .init(.seconds(1)))
        #expect(!sleeper.isFinished)
        scheduler.shutDown()
        #expect(sleeper.isFinished)
        #expect(sleeper.error is CancellationError)
        // A process that goes on without sleeping asks the same question.
        #expect(throws: CancellationError.self) { try scheduler.checkRunning() }
        #expect(throws: Never.self) { try Scheduler().checkRunning() }
    }

    @Test("run(until: process) ends with the process although events go on")
    func untilProcess() {
        let scheduler = Scheduler()
        final class Ticker: EventHandler {
            func handle(tag: Int, scheduler: Scheduler) { scheduler.schedule(self, tag: tag, after: .seconds(1)) }
        }
        scheduler.schedule(Ticker(), tag: 0, after: .seconds(1))
        let process = scheduler.spawn("work") { try await scheduler.clock.sleep(for: .seconds(30)) }
        scheduler.run(until: process)
        #expect(process.isFinished)
        #expect(scheduler.now == .init(.seconds(30)))
    }

    @Test("a cancelled process stops at its next sleep")
    func cancellation() {
        let scheduler = Scheduler()
        let log = Log()
        let process = scheduler.spawn("loop") {
            while true {
                try await scheduler.clock.sleep(for: .seconds(1))
                log.lines.append("tick@\(scheduler.now)")
            }
        }
        scheduler.schedule(at: .init(.milliseconds(2500))) { process.cancel() }
        scheduler.run(until: .init(.seconds(10)))
        #expect(log.lines == ["tick@t+1s", "tick@t+2s"])
        #expect(process.error is CancellationError)
    }

    /// Handlers that schedule none, one or several events (some at the current time) while the scheduler
    /// reuses the handled event's place in its heap; a plain sorted list is the reference.
    @Test("events scheduled while an event is handled run in the same order as a sorted list gives")
    func orderWhileHandling() {
        final class Chain: EventHandler {
            var state: UInt64 = 0x9E37_79B9_7F4A_7C15
            var next = 1
            var handled: [(tag: Int, time: Int64)] = []
            var scheduled: [(time: Int64, sequence: Int, tag: Int)] = []
            func random() -> UInt64 {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                return state
            }
            func handle(tag: Int, scheduler: Scheduler) {
                handled.append((tag, scheduler.now.nanosecondsSinceStart))
                guard next < 5_000 else { return }
                for _ in 0..<Int(random() % 3) {
                    let delay = Int64(random() % 4) * 1_000
                    scheduled.append((scheduler.now.nanosecondsSinceStart + delay, next, next))
                    scheduler.schedule(self, tag: next, at: scheduler.now.advanced(by: .nanoseconds(delay)))
                    next += 1
                }
            }
        }
        let scheduler = Scheduler()
        let chain = Chain()
        for tag in 0..<8 {
            chain.scheduled.append((Int64(tag % 3) * 1_000, -8 + tag, -8 + tag))
            scheduler.schedule(chain, tag: -8 + tag, at: .init(nanosecondsSinceStart: Int64(tag % 3) * 1_000))
        }
        scheduler.run()
        let expected = chain.scheduled.sorted { ($0.time, $0.sequence) < ($1.time, $1.sequence) }
        #expect(chain.handled.count == expected.count)
        #expect(chain.handled.map(\.tag) == expected.map(\.tag))
        #expect(chain.handled.map(\.time) == expected.map(\.time))
        #expect(scheduler.isIdle)
    }

    @Test("inside its handler, the event being handled is no longer pending")
    func handledEventIsGone() {
        final class Probe: EventHandler {
            var idle: [Bool] = []
            var nested: [Int] = []
            func handle(tag: Int, scheduler: Scheduler) {
                idle.append(scheduler.isIdle)
                if tag == 1 {
                    // A run from inside a handler handles what is pending, not the event being handled.
                    scheduler.schedule(self, tag: 2, at: scheduler.now)
                    scheduler.run()
                    nested.append(tag)
                }
            }
        }
        let scheduler = Scheduler()
        let probe = Probe()
        scheduler.schedule(probe, tag: 0, at: .init(.seconds(1)))
        scheduler.schedule(probe, tag: 1, at: .init(.seconds(2)))
        scheduler.run()
        #expect(probe.idle == [false, true, true])
        #expect(probe.nested == [1])
        #expect(scheduler.eventsHandled == 3)
        #expect(scheduler.isIdle)

        // A run from a handler that scheduled nothing first: its own event must not be handled again.
        final class Runner: EventHandler {
            var handled: [Int] = []
            func handle(tag: Int, scheduler: Scheduler) {
                handled.append(tag)
                if tag == 0 { scheduler.run() }
            }
        }
        let other = Scheduler()
        let runner = Runner()
        other.schedule(runner, tag: 0, at: .init(.seconds(1)))
        other.schedule(runner, tag: 1, at: .init(.seconds(2)))
        other.run()
        #expect(runner.handled == [0, 1])
        #expect(other.eventsHandled == 2)
        #expect(other.isIdle)
    }
}
