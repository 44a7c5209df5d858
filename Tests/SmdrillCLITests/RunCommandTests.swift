import ArgumentParser
import Foundation
import Testing

@testable import SmdrillCLI

/// `smdrill run` and `smdrill validate` on scenario files written to a temporary folder.
struct RunCommandTests {
    static func scenario(name: String, retry: Int = 6, duration: String = "6m") -> String {
        """
        name: \(name)
        seed: 5
        duration: \(duration)
        service: { latency: { median: 20ms, p99: 80ms } }
        topology: { primary: { region: us-south, zones: 3 } }
        data: { secrets: 100, groups: 1 }
        workload: { clients: 4, rate: 4/s, retry: { attempts: \(retry), timeout: 2s } }
        faults: [ { at: 2m, zone_loss: { zone: 3, for: 2m } } ]
        objectives: { rto: 0s, rpo: 0s }
        """
    }

    /// A folder holding `files` (name: contents); removed by the caller's `defer`.
    func folder(_ files: [String: String]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("smdrill-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: url.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return url
    }

    /// Runs `smdrill run` in process; without report options it writes no report.
    func execute(_ arguments: [String]) throws -> RunCommand.Outcome {
        let reportOptions = ["--junit", "--html", "--evidence", "--no-reports"]
        let quiet = arguments.contains { reportOptions.contains($0) } ? [] : ["--no-reports"]
        let command = try SmdrillCommand.parseAsRoot(["run"] + arguments + quiet) as! RunCommand
        return try command.execute(terminal: Terminal(color: false, progress: false))
    }

    @Test("a folder runs every scenario in it; the table has a row each; failures fail the run")
    func runFolder() throws {
        let dir = try folder(["a.yaml": Self.scenario(name: "retrying"), "b.yaml": Self.scenario(name: "no-retry", retry: 1)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let outcome = try execute([dir.path])
        #expect(outcome.results.map(\.scenario) == ["retrying", "no-retry"])
        #expect(outcome.output.contains("SCENARIO"))
        #expect(outcome.output.contains("retrying "))
        #expect(outcome.output.contains("RTO"))
        #expect(outcome.output.contains("1 of 2 drills passed"))
        #expect(outcome.output.contains("no-retry: RTO"))
        #expect(!outcome.passed)
    }

    @Test("JSON carries the documented fields, and the same seed gives the same bytes")
    func json() throws {
        let dir = try folder(["a.yaml": Self.scenario(name: "json")])
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try execute([dir.path, "--format", "json"]).output
        let second = try execute([dir.path, "--format", "json"]).output
        let reseeded = try execute([dir.path, "--format", "json", "--seed", "77"]).output
        #expect(first == second)
        #expect(first != reseeded)
        let document = try JSONSerialization.jsonObject(with: Data(first.utf8)) as! [String: Any]
        let drill = (document["drills"] as! [[String: Any]])[0]
        for key in [
            "scenario", "file", "seed", "passed", "rto_seconds", "rpo_seconds", "availability", "lost_writes",
            "stale_reads", "corrupt_reads", "faults", "objectives",
        ] {
            #expect(drill[key] != nil, "missing \(key)")
        }
        let fault = (drill["faults"] as! [[String: Any]])[0]
        for key in ["kind", "at_seconds", "rto_seconds", "rpo_seconds", "detected_after_seconds", "lost_writes"] {
            #expect(fault[key] != nil, "missing fault \(key)")
        }
        let objective = (drill["objectives"] as! [[String: Any]])[0]
        #expect(Set(objective.keys).isSuperset(of: ["name", "target", "measured", "passed"]))
        #expect(drill["seed"] as? Int == 5)
    }

    @Test("dry run prints the timeline without running; shards split the files")
    func dryRunAndShards() throws {
        let dir = try folder([
            "a.yaml": Self.scenario(name: "first"), "b.yaml": Self.scenario(name: "second"),
            "c.yaml": Self.scenario(name: "third"),
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let dry = try execute([dir.path, "--dry-run"])
        #expect(dry.results.isEmpty)
        #expect(dry.output.contains("t+2m  fault  zone us-south-3 is lost for 2m"))
        #expect(dry.output.contains("objectives  rto 0s, rpo 0s"))
        let shardOne = try execute([dir.path, "--dry-run", "--shard", "1/2"]).output
        let shardTwo = try execute([dir.path, "--dry-run", "--shard", "2/2"]).output
        #expect(shardOne.contains("first") && shardOne.contains("third") && !shardOne.contains("second"))
        #expect(shardTwo.contains("second") && !shardTwo.contains("first"))
        #expect(throws: (any Error).self) { try SmdrillCommand.parseAsRoot(["run", "--shard", "3/2"]) }
        #expect(throws: (any Error).self) { try SmdrillCommand.parseAsRoot(["run", "--format", "xml"]) }
    }

    @Test("bad files are all reported before anything runs")
    func badInput() throws {
        let dir = try folder([
            "a.yaml": Self.scenario(name: "good"),
            "b.yaml": Self.scenario(name: "bad").replacingOccurrences(of: "duration: 6m", with: "duration: 6"),
            "c.yaml": Self.scenario(name: "worse").replacingOccurrences(of: "rto: 0s", with: "rto_objectiv: 0s"),
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            _ = try execute([dir.path])
            Issue.record("expected bad input")
        } catch let failure as InputFailure {
            #expect(failure.errors.count == 2)
            #expect(failure.errors[0].hasPrefix(dir.path + "/b.yaml:3:11: expected the drill's duration with a unit"))
            #expect(failure.errors[1].contains("c.yaml:9:15: unknown key 'rto_objectiv'; did you mean 'rto'?"))
        }
        do {
            _ = try execute(["/nonexistent-folder"])
            Issue.record("expected bad input")
        } catch let failure as InputFailure {
            #expect(failure.errors == ["/nonexistent-folder:1:1: no such file or folder"])
        }
        let validate = try SmdrillCommand.parseAsRoot(["validate", dir.appendingPathComponent("a.yaml").path, "--quiet"])
        var command = validate
        try command.run()
        var invalid = try SmdrillCommand.parseAsRoot(["validate", dir.appendingPathComponent("b.yaml").path])
        #expect(throws: InputFailure.self) { try invalid.run() }
    }
}
