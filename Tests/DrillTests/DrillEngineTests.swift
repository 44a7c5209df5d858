import Foundation
import Testing

@testable import Drill

/// Whole drills on the fake, small enough to run in a debug build.
struct DrillEngineTests {
    static func scenario(
        duration: String = "20m", clients: Int = 8, rate: String = "4/s", retry: String = "{ attempts: 6, timeout: 2s }",
        faults: String, runbook: String = "[]", recovery: String = "", extra: String = "", secrets: Int = 200,
        objectives: String = "{ rto: 0s, rpo: 0s, availability: 99%, lost_writes: 0 }", failover: String = ""
    ) -> String {
        """
        name: test
        seed: 3
        duration: \(duration)
        service: { latency: { median: 20ms, p99: 80ms }, health_check: { interval: 5s, failures: 3 } \(extra) }
        topology:
          primary: { region: us-south, zones: 3, nodes_per_zone: 1 }
        \(recovery)
        data: { secrets: \(secrets), groups: 2, types: { arbitrary: 60%, username_password: 20%, kv: 20% } }
        workload: { clients: \(clients), rate: \(rate), mix: { read: 90%, rotate: 10% }, retry: \(retry) \(failover) }
        faults: \(faults)
        runbook: \(runbook)
        objectives: \(objectives)
        """
    }

    func run(_ text: String, seed: UInt64? = nil) throws -> DrillResult {
        let scenario = try ScenarioLoader.parse(text, file: "test.yaml")
        return try DrillEngine().run(scenario, seed: seed)
    }

    @Test("zone loss with retries: no noticeable degradation, nothing lost")
    func zoneLossWithRetry() throws {
        let result = try run(Self.scenario(faults: "[{ at: 5m, zone_loss: { zone: 2, for: 5m } }]"))
        #expect(result.requests.total > 25_000)
        #expect(result.requests.writesAcknowledged > 2_000)
        #expect(result.rtoSeconds == 0)
        #expect(result.rpoSeconds == 0)
        #expect(result.lostWrites == 0)
        #expect(result.availability == 1)
        #expect(result.corruptReads == 0)
        #expect(result.passed)
        // The load balancer found the dead node within interval x failures.
        let detected = try #require(result.faults.first?.detectedAfterSeconds)
        #expect(detected <= 15)
        #expect(result.timeline.contains { $0.kind == "load-balancer" && $0.text.contains("removes us-south-2") })
        // Retried requests took longer.
        #expect(result.latencyMilliseconds.max >= 2000)
    }

    @Test("zone loss without retries: failures until the load balancer notices")
    func zoneLossWithoutRetry() throws {
        let result = try run(Self.scenario(retry: "{ attempts: 1, timeout: 2s }", faults: "[{ at: 5m, zone_loss: { zone: 2, for: 5m } }]"))
        let rto = try #require(result.rtoSeconds)
        #expect(rto > 0)
        #expect(rto <= 17)
        #expect(result.availability < 1)
        #expect(result.requests.failed > 0)
        #expect(!result.passed)
        #expect(result.objectives.first { $0.name == "rto" }?.message.contains("exceeds objective 0s") == true)
    }

    @Test("the same seed gives byte-identical JSON; another seed changes it")
    func determinism() throws {
        let text = Self.scenario(duration: "6m", clients: 4, faults: "[{ at: 2m, zone_loss: { zone: 1, for: 2m } }]")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let first = try encoder.encode(run(text))
        let second = try encoder.encode(run(text))
        let other = try encoder.encode(run(text, seed: 99))
        #expect(first == second)
        #expect(first != other)
    }

    @Test("a region restored from its intact state: RTO is outage plus restore, nothing lost")
    func regionIntact() throws {
        let result = try run(
            Self.scenario(
                duration: "40m", faults: "[{ at: 5m, region_loss: { for: 10m, state: intact, restore: 5m } }]"))
        let rto = try #require(result.rtoSeconds)
        #expect(rto >= 900)
        #expect(rto <= 935)
        #expect(result.rpoSeconds == 0)
        #expect(result.lostWrites == 0)
    }

    @Test("a region restored from IBM's internal backup loses what came after the backup")
    func regionCorrupted() throws {
        let result = try run(
            Self.scenario(
                duration: "40m", faults: "[{ at: 15m, region_loss: { for: 5m, state: corrupted, restore: 10m } }]",
                extra: ", internal_backup: { every: 24h, first: 5m }",
                objectives: "{ rpo: 5m }"))
        let fault = try #require(result.faults.first)
        #expect(fault.rtoSeconds != nil)
        // Writes between the backup at 5m and the fault at 15m are lost: the RPO is nearly 10 minutes.
        #expect(fault.rpoSeconds > 540)
        #expect(fault.rpoSeconds <= 600)
        #expect(fault.lostWrites > 0)
        #expect(!result.passed)
    }

    @Test("a region whose state is lost never comes back without customer recovery")
    func regionLost() throws {
        let result = try run(
            Self.scenario(duration: "30m", faults: "[{ at: 5m, region_loss: { for: 5m, state: lost } }]"))
        #expect(result.rtoSeconds == nil)
        #expect(result.faults[0].rtoSeconds == nil)
        #expect(result.rpoSeconds == 300)
        #expect(result.objectives.first { $0.name == "rto" }?.measured == "unbounded")
    }

    @Test("logical corruption shows as corrupt reads until rotations overwrite it")
    func logicalCorruption() throws {
        // Few rotations, so most garbage is still there at the end.
        let result = try run(
            Self.scenario(
                duration: "8m", clients: 2, rate: "1/s", faults: "[{ at: 5m, corruption: { kind: logical, secrets: 50 } }]"))
        #expect(result.corruptReads > 0)
        #expect(result.rtoSeconds == nil)
        #expect(result.faults[0].detectedAfterSeconds != nil)
        #expect(result.faults[0].lostSecrets > 0)
    }

    @Test("physical corruption and a deleted root key fail reads; neither recovers on its own")
    func storageAndKeyLoss() throws {
        let physical = try run(
            Self.scenario(duration: "10m", faults: "[{ at: 2m, corruption: { kind: physical, secrets: 20 } }]"))
        #expect(physical.requests.failed > 0)
        let keyLoss = try run(Self.scenario(duration: "10m", faults: "[{ at: 2m, kms_root_key_deleted: {} }]"))
        #expect(keyLoss.rtoSeconds == nil)
        #expect(keyLoss.availability < 0.3)
    }

    @Test("maintenance interrupts zones one by one; retries hide it")
    func maintenance() throws {
        let result = try run(
            Self.scenario(duration: "30m", faults: "[{ at: 5m, maintenance: { interruption: 30s, gap: 5m } }]"))
        #expect(result.rtoSeconds == 0)
        #expect(result.timeline.filter { $0.text.contains("maintenance restarts zone") }.count == 3)
    }

    @Test("clients fail over to a recovery instance, which serves what it was seeded with")
    func failover() throws {
        let result = try run(
            Self.scenario(
                duration: "20m", faults: "[{ at: 5m, region_loss: { for: 30m, state: intact } }]",
                recovery: "  recovery: { region: us-east, approach: minimal-operation }",
                objectives: "{ rto: 2m }", failover: ", failover: { to: recovery, after: 3 }"))
        #expect(result.requests.failovers == 8)
        let rto = try #require(result.rtoSeconds)
        #expect(rto < 120)
        #expect(result.staleReads > 0)
        #expect(result.rpoSeconds > 0)
        #expect(result.timeline.contains { $0.kind == "failover" })
    }

    @Test("a runbook declares the disaster on detection and fails over")
    func runbook() throws {
        let result = try run(
            Self.scenario(
                duration: "20m", retry: "{ attempts: 2, timeout: 2s }",
                faults: "[{ at: 5m, region_loss: { for: 30m, state: intact } }]",
                runbook: "[{ declare_disaster: { on: detection, after: 2m } }, { failover: { propagation: 1m } }]",
                recovery: "  recovery: { region: us-east, approach: minimal-operation }", objectives: "{ rto: 5m }"))
        #expect(result.steps.map(\.passed) == [true, true])
        let declared = try #require(result.steps[0].endedSeconds)
        #expect(declared >= 420)
        #expect(declared <= 425)
        let failedOver = try #require(result.steps[1].endedSeconds)
        #expect(failedOver == declared + 60)
        let rto = try #require(result.rtoSeconds)
        #expect(rto >= 180)
        #expect(rto <= 215)
        #expect(result.passed)
    }

    @Test("a rotation's value is the text interpolation makes, for numbers of every length")
    func rotatedValues() {
        let numbers: [UInt64] = [0, 1, 9, 10, 99, 100, 12_345, 0xFFFF_FFFF, UInt64(Int.max), UInt64.max]
        for client in [0, 7, 39, 1_000_000] {
            for rotation in [1, 10, 123_456] {
                for random in numbers {
                    #expect(
                        Workload.rotatedValue(client: client, rotation: rotation, random: random)
                            == "rotated-c\(client)-\(rotation)-\(random)")
                }
            }
        }
    }
}
