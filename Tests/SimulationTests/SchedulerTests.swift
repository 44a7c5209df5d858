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
}
