import Foundation
import Testing

/// `smdrill init`, `check`, `list controls` and `explain`, run as a user would, on small drills.
struct CheckCommandTests {
    let cli = ExitCodeTests()

    static let common = """
        service: { latency: { median: 10ms, p99: 40ms } }
        data: { secrets: 60, groups: 2, types: { arbitrary: 70%, kv: 30% } }
        workload: { clients: 3, rate: 2/s, mix: { read: 90%, rotate: 10% }, retry: { attempts: 6, timeout: 1s } }
        """

    /// Small drills under the names the starter plan uses, one per failure scenario.
    static let scenarios: [String: String] = [
        "node-failure": """
            name: node-failure
            duration: 8m
            topology: { primary: { region: us-south, zones: 3, nodes_per_zone: 2 } }
            \(common)
            faults: [ { at: 2m, node_failure: { zone: 1, node: 1, for: 3m } } ]
            objectives: { rto: 1m, rpo: 0s }
            """,
        "zone-loss": """
            name: zone-loss
            duration: 8m
            topology: { primary: { region: us-south, zones: 3 } }
            \(common)
            faults: [ { at: 2m, zone_loss: { zone: 2, for: 3m } } ]
            objectives: { rto: 1m, rpo: 0s }
            """,
        "corruption-version-restore": """
            name: corruption-version-restore
            duration: 12m
            topology: { primary: { region: us-south, zones: 3 } }
            \(common)
            faults: [ { at: 3m, corruption: { kind: logical, secrets: 5, writer: iam-ServiceId-broken-pipeline } } ]
            runbook:
              - declare_disaster: { on: detection, after: 1m }
              - restore_versions: { written_by: iam-ServiceId-broken-pipeline }
            objectives: { rto: 15m, rpo: 0s }
            """,
        "region-loss-source-of-truth-warm-standby": """
            name: region-loss-warm-standby
            duration: 12m
            topology:
              primary: { region: us-south, zones: 3 }
              recovery: { region: us-east, approach: fully-operational }
            service: { latency: { median: 10ms, p99: 40ms } }
            data: { secrets: 60, groups: 2, types: { arbitrary: 70%, kv: 30% } }
            workload: { clients: 3, rate: 2/s, mix: { read: 90%, rotate: 10% }, retry: { attempts: 6, timeout: 1s }, failover: { to: recovery, after: 3 } }
            protection: { source_of_truth: { location: cross-region, apply_to_recovery: true } }
            faults: [ { at: 4m, region_loss: { for: 1h, state: lost } } ]
            runbook:
              - declare_disaster: { on: detection, after: 1m }
              - apply_source_of_truth: { to: recovery }
            objectives: { rto: 1m, rpo: 0s }
            """,
        "byok-key-loss-failover": """
            name: byok-key-loss
            duration: 20m
            topology: { primary: { region: us-south, zones: 3, kms: key-protect } }
            \(common)
            protection: { backup_kms: { region: us-east } }
            faults: [ { at: 3m, kms_root_key_deleted: {} } ]
            runbook:
              - declare_disaster: { on: detection, after: 1m }
              - byok_recover: { support_response: 5m }
            objectives: { rto: 30m, rpo: 0s }
            """,
    ]

    func workspace() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("smdrill-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("scenarios"), withIntermediateDirectories: true)
        for (name, text) in Self.scenarios {
            try text.write(to: folder.appendingPathComponent("scenarios/\(name).yaml"), atomically: true, encoding: .utf8)
        }
        return folder
    }

    @Test("init writes a plan that check reads; without evidence it fails, after --run it passes and writes its JUnit")
    func initThenCheck() throws {
        let folder = try workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let initialised = try cli.run(["init", "--output", "plans/dr-plan.yaml", "--name", "team"], in: folder)
        #expect(initialised.status == 0, "\(initialised.error)")
        let plan = try String(contentsOf: folder.appendingPathComponent("plans/dr-plan.yaml"), encoding: .utf8)
        #expect(plan.contains("[../scenarios/zone-loss.yaml]"))
        #expect(try cli.run(["init", "--output", "plans/dr-plan.yaml"], in: folder).status == 2)

        let before = try cli.run(["check", "--plan", "plans/dr-plan.yaml", "--no-color"], in: folder)
        #expect(before.status == 1, "\(before.error)")
        #expect(before.output.contains("SM-PLAN-08"))
        #expect(before.output.contains("no evidence"))

        let after = try cli.run(["check", "--plan", "plans/dr-plan.yaml", "--run", "--quiet", "--no-color"], in: folder)
        #expect(after.status == 0, "\(after.output)\n\(after.error)")
        #expect(after.output.contains("Ran 5 drills (5 passed)"))
        #expect(after.output.contains("Compliant"))
        for file in ["checklist.xml", "checklist.html", "junit.xml", "index.html", "evidence.sqlite"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("reports/\(file)").path), "\(file)")
        }
        #expect(try cli.run(["validate-report", "reports/checklist.xml"], in: folder).status == 0)
        let junit = try String(contentsOf: folder.appendingPathComponent("reports/checklist.xml"), encoding: .utf8)
        #expect(junit.contains("<testsuite name=\"checklist team\""))
        #expect(junit.contains("<skipped message=\"not applicable: no live synchronisation in use\""))
        let html = try String(contentsOf: folder.appendingPathComponent("reports/checklist.html"), encoding: .utf8)
        #expect(html.contains("SM-PLAN-09"))
        // The check itself is evidence.
        let history = try cli.run(["history", "--format", "json"], in: folder)
        #expect(history.output.contains("\"kind\" : \"check\""))
        // The report from history alone carries the latest check's matrix.
        #expect(try cli.run(["report", "--since", "2000-01-01", "--html", "reports/since.html"], in: folder).status == 0)
        let since = try String(contentsOf: folder.appendingPathComponent("reports/since.html"), encoding: .utf8)
        #expect(since.contains("Checklist of DR plan team"))
        #expect(since.contains("SM-PLAN-09"))

        // A failing control with a waiver in force shows as skipped, with justification and expiry.
        let edited = plan.replacingOccurrences(of: "deleters: [REPLACE-iam-ServiceId-or-AccessGroup]", with: "deleters: [everyone]")
        try edited.write(to: folder.appendingPathComponent("plans/dr-plan.yaml"), atomically: true, encoding: .utf8)
        try """
            waivers:
              - control: SM-PLAN-04
                justification: The break-glass group is being split up (SEC-1234).
                expires: 2099-12-31
                approver: ciso@example.com
            """.write(to: folder.appendingPathComponent("waivers.yaml"), atomically: true, encoding: .utf8)
        let failing = try cli.run(["check", "--plan", "plans/dr-plan.yaml", "--no-reports"], in: folder)
        #expect(failing.status == 1)
        // Not blocking at --fail-on high: SM-PLAN-04 is medium.
        #expect(try cli.run(["check", "--plan", "plans/dr-plan.yaml", "--no-reports", "--fail-on", "high"], in: folder).status == 0)
        let waived = try cli.run(["check", "--plan", "plans/dr-plan.yaml", "--waivers", "waivers.yaml", "--format", "json"], in: folder)
        #expect(waived.status == 0, "\(waived.output)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(waived.output.utf8)) as? [String: Any])
        #expect(report["compliant"] as? Bool == true)
        let waivedJUnit = try String(contentsOf: folder.appendingPathComponent("reports/checklist.xml"), encoding: .utf8)
        #expect(waivedJUnit.contains("<skipped message=\"waived until 2099-12-31 by ciso@example.com: The break-glass group is being split up (SEC-1234).\""))
    }

    @Test("bad plans and waivers exit 2 with file:line:column")
    func badInput() throws {
        let folder = try workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try cli.run(["init"], in: folder).status == 0)
        let plan = try String(contentsOf: folder.appendingPathComponent("dr-plan.yaml"), encoding: .utf8)
        try plan.replacingOccurrences(of: "cadence: 90d", with: "cadense: 90d")
            .write(to: folder.appendingPathComponent("typo.yaml"), atomically: true, encoding: .utf8)
        let typo = try cli.run(["check", "--plan", "typo.yaml"], in: folder)
        #expect(typo.status == 2)
        #expect(typo.error.contains("typo.yaml:"))
        #expect(typo.error.contains("unknown key 'cadense'; did you mean 'cadence'?"))
        try "waivers: [ { control: SM-NOPE-01, justification: long enough reason, expires: 2030-01-01, approver: x } ]"
            .write(to: folder.appendingPathComponent("w.yaml"), atomically: true, encoding: .utf8)
        let waiver = try cli.run(["check", "--plan", "dr-plan.yaml", "--waivers", "w.yaml"], in: folder)
        #expect(waiver.status == 2)
        #expect(waiver.error.contains("w.yaml:1:23: unknown control 'SM-NOPE-01'"))
        #expect(try cli.run(["check", "--plan", "missing.yaml"], in: folder).status == 2)
        #expect(try cli.run(["check", "--plan", "dr-plan.yaml", "--fail-on", "severe"], in: folder).status == 2)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("reports").path))
    }

    @Test("list controls and explain")
    func listAndExplain() throws {
        let list = try cli.run(["list", "controls"])
        #expect(list.status == 0)
        for id in ["SM-ROT-01", "SM-BAK-01", "SM-SYNC-03", "SM-PLAN-09", "SM-EVD-01"] { #expect(list.output.contains(id)) }
        let json = try cli.run(["list", "controls", "--format", "json"])
        let controls = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [[String: Any]])
        #expect(controls.count == 23)
        let explain = try cli.run(["explain", "sm-bak-01"])
        #expect(explain.status == 0)
        #expect(explain.output.contains("How to satisfy it"))
        #expect(explain.output.contains("cross-region"))
        let unknown = try cli.run(["explain", "SM-BAK-1"])
        #expect(unknown.status == 2)
        #expect(unknown.error.contains("did you mean"))
    }
}
