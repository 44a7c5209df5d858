import Foundation
import Simulation
import Testing

@testable import Drill

struct MeasurementTests {
    /// Feeds a constructed timeline: one request completing every 100 ms, failing inside `outage`.
    func rto(outage: Range<Int>, faultAt: Int, window: Int = 30, end: Int = 400) -> (Double?, Double?) {
        var spec = MeasurementSpec()
        spec.window = .seconds(window)
        spec.resolution = .seconds(1)
        let measurement = Measurement(measurement: spec, duration: .seconds(end))
        var watch: Int?
        var recovered: Int64?
        measurement.onRecovered = { _, at in recovered = at }
        for tenth in 0..<(end * 10) {
            let now = Int64(tenth) * 100_000_000
            if tenth % 10 == 0 {
                let second = tenth / 10
                if second > 0 { measurement.closeBucket(at: now) }
                if second == faultAt { watch = measurement.watch(injectedAt: now) }
            }
            if outage.contains(tenth / 10) {
                measurement.failed(at: now)
            } else {
                measurement.succeeded(at: now, latencyNanoseconds: 20_000_000)
            }
        }
        guard let watch else { return (nil, nil) }
        let state = measurement.watches[watch]
        let rto = state.recoveredAt.map { Double($0 - state.injectedAt) / 1e9 }
        #expect(recovered == state.recoveredAt)
        return (rto, state.firstSymptom.map { Double($0 - state.injectedAt) / 1e9 })
    }

    @Test("an outage from 100 s to 160 s with a 30 s window gives an RTO of 60 s")
    func outageRTO() {
        let (rto, detected) = rto(outage: 100..<160, faultAt: 100)
        #expect(rto == 60)
        #expect(detected == 0)
    }

    @Test("the window slides by the resolution, not by its own length")
    func slidingWindow() {
        #expect(rto(outage: 100..<150, faultAt: 100).0 == 50)
        #expect(rto(outage: 100..<150, faultAt: 100, window: 10).0 == 50)
    }

    @Test("no outage: recovered at once; never back: unbounded")
    func extremes() {
        #expect(rto(outage: 0..<0, faultAt: 100).0 == 0)
        #expect(rto(outage: 100..<400, faultAt: 100).0 == nil)
    }

    @Test("a corrupt read keeps the window from counting as recovered")
    func corruptReads() {
        var spec = MeasurementSpec()
        spec.window = .seconds(10)
        let measurement = Measurement(measurement: spec, duration: .seconds(100))
        let watch = measurement.watch(injectedAt: 0)
        for second in 0..<60 {
            let now = Int64(second) * 1_000_000_000
            if second > 0 { measurement.closeBucket(at: now) }
            measurement.succeeded(at: now, latencyNanoseconds: 1_000_000)
            if second < 20 { measurement.read(.corrupt, at: now) }
        }
        #expect(measurement.watches[watch].recoveredAt == 20_000_000_000)
        #expect(measurement.totals.corruptReads == 20)
    }

    @Test("a write acknowledged 10 s before a region loss whose state is lost gives an RPO of at least 10 s")
    func lostState() {
        var ledger = Ledger(secrets: 2)
        ledger.acknowledge(secret: 0, fingerprint: 1, at: 0)
        ledger.acknowledge(secret: 1, fingerprint: 2, at: 0)
        ledger.acknowledge(secret: 1, fingerprint: 3, at: 90_000_000_000)
        let point = RecoveryPoint.measure(ledger: ledger, faultTime: 100_000_000_000, variantOf: { _ in 0 }, current: { _ in nil })
        #expect(point.rpo >= .seconds(10))
        #expect(point.rpo == .seconds(100))
        #expect(point.lostWrites == 3)
        #expect(point.lostSecrets == 2)
    }

    @Test("the recovery point is the first write the recovered state lacks")
    func partialLoss() {
        var ledger = Ledger(secrets: 3)
        for secret in 0..<3 { ledger.acknowledge(secret: secret, fingerprint: UInt64(secret * 10), at: 0) }
        ledger.acknowledge(secret: 0, fingerprint: 1, at: 40_000_000_000)  // survives
        ledger.acknowledge(secret: 1, fingerprint: 11, at: 60_000_000_000)  // lost: the state holds 10
        ledger.acknowledge(secret: 1, fingerprint: 12, at: 70_000_000_000)  // lost
        ledger.acknowledge(secret: 2, fingerprint: 21, at: 150_000_000_000)  // after the fault: not counted
        let found: [UInt64] = [1, 10, 20]
        let point = RecoveryPoint.measure(
            ledger: ledger, faultTime: 100_000_000_000, variantOf: { _ in 0 }, current: { found[$0] })
        #expect(point.rpo == .seconds(40))
        #expect(point.lostWrites == 2)
        #expect(point.lostSecrets == 1)
        let nothing = RecoveryPoint.measure(
            ledger: ledger, faultTime: 100_000_000_000, variantOf: { _ in 0 }, current: { [1, 12, 21][$0] })
        #expect(nothing == .nothingLost)
    }

    @Test("reads are ok, stale or corrupt against the ledger")
    func classification() {
        var ledger = Ledger(secrets: 1)
        ledger.acknowledge(secret: 0, fingerprint: 5, at: 0)
        ledger.acknowledge(secret: 0, fingerprint: 6, at: 10)
        #expect(ledger.classify(secret: 0, fingerprint: 6) == .ok)
        #expect(ledger.classify(secret: 0, fingerprint: 5) == .stale)
        #expect(ledger.classify(secret: 0, fingerprint: 7) == .corrupt)
        #expect(ledger.classify(secret: 0, variant: 1, fingerprint: 6) == .corrupt)
        // In place, as the workload classifies: the same answers, and the ledger unchanged.
        let before = ledger
        for (variant, fingerprint) in [(0, 6), (0, 5), (0, 7), (1, 6)] as [(Int, UInt64)] {
            #expect(
                Ledger.classify(&ledger, secret: 0, variant: variant, fingerprint: fingerprint)
                    == before.classify(secret: 0, variant: variant, fingerprint: fingerprint))
        }
        #expect(ledger.writes(of: 0) == before.writes(of: 0) && ledger.writes == before.writes)
    }

    @Test("the time series stays bounded however long the drill")
    func boundedSeries() {
        var series = TimeSeries(width: .seconds(1), capacity: 64)
        var counts = RequestCounts()
        counts.succeeded = 1
        for second in 0..<10_000 { series.add(counts, at: .seconds(second)) }
        #expect(series.points.count <= 64)
        #expect(series.points.reduce(0) { $0 + $1.counts.succeeded } == 10_000)
    }
}
