import Foundation
import Testing

@testable import Drill

struct ScenarioLoaderTests {
    static let valid = """
        name: zone-loss
        description: One zone fails.
        seed: 7
        duration: 2h
        service: { latency: { median: 20ms, p99: 120ms }, rate_limit: 20/s, health_check: { interval: 5s, failures: 3 }, provisioning: 10m }
        topology:
          primary:  { region: us-south, zones: 3, nodes_per_zone: 1, kms: key-protect }
          recovery: { region: us-east, approach: minimal-operation }
        data: { secrets: 2000, groups: 8, types: { arbitrary: 50%, username_password: 30%, kv: 10%, imported_cert: 10% }, regional: 5% }
        workload:
          clients: 40
          region: us-south
          rate: 10/s
          mix: { read: 95%, rotate: 5% }
          retry: { attempts: 6, backoff: exponential, base: 200ms, cap: 10s, jitter: full, timeout: 2s }
          failover: { to: recovery, after: 5 }
        faults:
          - { at: 30m, zone_loss: { region: us-south, zone: 2, for: 1h } }
        runbook: []
        objectives: { rto: 1m, rpo: 0s, availability: 99.9%, lost_writes: 0 }
        """

    /// The error `text` gives, as `line:column: message` without the file.
    func error(_ text: String) -> String? {
        do {
            _ = try ScenarioLoader.parse(text, file: "s.yaml")
            return nil
        } catch {
            return "\(error.location.line):\(error.location.column): \(error.message)"
        }
    }

    /// The example, with one line replaced.
    func variant(_ old: String, _ new: String) -> String {
        precondition(Self.valid.contains(old), old)
        return Self.valid.replacingOccurrences(of: old, with: new)
    }

    @Test("the documented example loads with every field")
    func example() throws {
        let scenario = try ScenarioLoader.parse(Self.valid, file: "s.yaml")
        #expect(scenario.name == "zone-loss")
        #expect(scenario.seed == 7)
        #expect(scenario.duration == .seconds(7200))
        #expect(scenario.service.latency.median == .milliseconds(20))
        #expect(scenario.service.rateLimit?.requestsPerSecond == 20)
        #expect(scenario.service.healthCheck.failures == 3)
        #expect(scenario.topology.recovery?.approach == .minimalOperation)
        #expect(scenario.data.types.count == 4)
        #expect(scenario.data.regional == 0.05)
        #expect(scenario.workload.ratePerClient == 10)
        #expect(scenario.workload.readShare == 0.95)
        #expect(scenario.workload.retry.cap == .seconds(10))
        #expect(scenario.workload.failover?.after == 5)
        #expect(scenario.faults.count == 1)
        #expect(scenario.faults[0].at == .seconds(1800))
        #expect(scenario.objectives.rto == .seconds(60))
        #expect(scenario.objectives.availability == 0.999)
        #expect(scenario.fileSHA256.count == 64)
    }

    @Test("an unknown key names its place and the likely key")
    func unknownKey() {
        let message = error(variant("objectives: { rto: 1m,", "objectives: { rto_objectiv: 1m,"))
        #expect(message?.hasPrefix("20:15: unknown key 'rto_objectiv'; did you mean 'rto'?") == true)
        let top = error(variant("duration: 2h", "duraton: 2h"))
        #expect(top?.contains("did you mean 'duration'?") == true)
        #expect(top?.hasPrefix("4:1:") == true)
    }

    @Test("wrong units and bare numbers are refused with an example of the right form")
    func units() {
        let bare = error(variant("duration: 2h", "duration: 7200"))
        #expect(bare == "4:11: expected the drill's duration with a unit (ms, s, m, h, d), such as 7200s; found the bare number 7200")
        #expect(error(variant("rate: 10/s", "rate: 10 per second"))?.contains("expected the request rate per client such as 10/s") == true)
        #expect(error(variant("cap: 10s", "cap: 10 minutes"))?.contains("found '10 minutes'") == true)
        #expect(error(variant("availability: 99.9%", "availability: 0.999"))?.contains("such as 99.9%") == true)
    }

    @Test("out-of-range values say the range")
    func ranges() {
        #expect(error(variant("attempts: 6", "attempts: 0"))?.contains("attempts must be 1 to 100, found 0") == true)
        #expect(error(variant("zones: 3", "zones: 9"))?.contains("zones must be 1 to 6") == true)
        #expect(error(variant("availability: 99.9%", "availability: 120%"))?.contains("from 0% to 100%") == true)
        #expect(error(variant("p99: 120ms", "p99: 5ms"))?.contains("must not be below the median") == true)
    }

    @Test("shares must sum to 100%")
    func shares() {
        let types = error(variant("kv: 10%, imported_cert: 10%", "kv: 10%, imported_cert: 20%"))
        #expect(types?.contains("the type shares must sum to 100%, they sum to 110%") == true)
        let mix = error(variant("mix: { read: 95%, rotate: 5% }", "mix: { read: 90%, rotate: 5% }"))
        #expect(mix?.contains("read and rotate must sum to 100%, they sum to 95%") == true)
    }

    @Test("faults after the end, zones and nodes that do not exist, regions that are not regions")
    func faults() {
        let late = error(variant("at: 30m,", "at: 3h,"))
        #expect(late == "18:7: the fault at 3h is not before the end of the drill (2h)")
        let zone = error(variant("zone: 2, for: 1h", "zone: 4, for: 1h"))
        #expect(zone?.contains("zone 4 does not exist: us-south has zones 1 to 3 in this scenario") == true)
        let region = error(variant("zone_loss: { region: us-south", "zone_loss: { region: us-southh"))
        #expect(region?.contains("did you mean 'us-south'?") == true)
        let kind = error(variant("zone_loss: { region", "zone_los: { region"))
        #expect(kind?.contains("did you mean 'zone_loss'?") == true)
        let node = error(variant("- { at: 30m, zone_loss: { region: us-south, zone: 2, for: 1h } }", "- { at: 30m, node_failure: { zone: 1, node: 3 } }"))
        #expect(node?.contains("node 3 does not exist: each zone has 1 node(s)") == true)
    }

    @Test("scenarios that could not finish are refused up front with the limit")
    func limits() {
        #expect(error(variant("duration: 2h", "duration: 36500d"))?.contains("longer than the limit of 400d") == true)
        #expect(error(variant("secrets: 2000", "secrets: 10000000"))?.contains("more than the limit of 1000000") == true)
        #expect(error(variant("rate: 10/s", "rate: 0/s"))?.contains("a zero rate never finishes a request") == true)
        let requests = error(variant("clients: 40", "clients: 50000"))
        #expect(requests?.contains("more than the limit of 200000000") == true)
    }

    @Test("malformed, empty, foreign and hostile input")
    func badFiles() throws {
        #expect(error("name: [unclosed")?.contains("YAML syntax") == true)
        #expect(error("") == "1:1: the file is empty; expected a YAML mapping")
        #expect(error("- a\n- b")?.contains("expected a scenario") == true)
        #expect(error("name: x\nduration: 1h\n\u{1B}[31mred: 1") == "3:1: YAML: control characters are not allowed (U+001B); expected YAML text")
        #expect(error("name: x\0\nduration: 1h")?.contains("NUL") == true)
        #expect(error("duration: 1h")?.contains("missing required key 'name'") == true)
        #expect(error("name: x\nduration: 1h\nname: y")?.contains("the key(s) 'name' appear twice") == true)
        let long = String(repeating: "x", count: 100_000)
        let longError = error("name: x\nduration: 1h\n\(long): 1")
        #expect(longError?.hasPrefix("3:") == true)
        #expect((longError?.count ?? .max) < 300)
        #expect(error("name: x\nduration: 1h\nfaults: [{ at: 1m, zone_loss: { zone: \"\(long)\" } }]")?.contains("...") == true)
        #expect(throws: InputError.self) { try ScenarioLoader.load("/nonexistent/scenario.yaml") }
        do {
            _ = try ScenarioLoader.load("/nonexistent/scenario.yaml")
        } catch {
            #expect(error.description == "/nonexistent/scenario.yaml:1:1: no such file")
        }
    }

    @Test("failover needs a recovery instance")
    func failoverNeedsRecovery() {
        let message = error(variant("  recovery: { region: us-east, approach: minimal-operation }\n", ""))
        #expect(message?.contains("failover needs a recovery instance") == true)
    }

    @Test("units parse the forms the format documents")
    func unitParsing() {
        #expect(Units.duration("1h30m") == .seconds(5400))
        #expect(Units.duration("250ms") == .milliseconds(250))
        #expect(Units.duration("1.5s") == .milliseconds(1500))
        #expect(Units.duration("1d") == .seconds(86_400))
        #expect(Units.duration("10") == nil)
        #expect(Units.duration("10 min") == nil)
        #expect(Units.rate("600/min") == 10)
        #expect(Units.rate("10") == nil)
        #expect(Units.percentage("99.9%") == 0.999)
        #expect(Units.percentage("101%") == nil)
        #expect(didYouMean("rpo_objectiv", among: ["rto", "rpo", "availability"]) == "rpo")
        #expect(didYouMean("zzzz", among: ["rto", "rpo"]) == nil)
    }
}
