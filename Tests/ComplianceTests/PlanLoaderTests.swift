import Compliance
import Drill
import Foundation
import Testing

struct PlanLoaderTests {
    @Test("the plan's facts are read")
    func reads() throws {
        let world = try ComplianceWorld()
        defer { world.remove() }
        let plan = try world.plan()
        #expect(plan.name == "payments")
        #expect(plan.primary.region == "us-south")
        #expect(plan.recovery?.approach == .fullyOperational)
        #expect(plan.features.backup?.every == .seconds(3600))
        #expect(plan.features.backup?.location == .crossRegion)
        #expect(plan.features.sourceOfTruth?.location == .global)
        #expect(plan.objectives[.region]?.rpo == .seconds(3600))
        #expect(plan.cadence == .seconds(90 * 86_400))
        #expect(plan.drillFiles.count == 5)
        #expect(plan.drillFiles[0].resolved.hasSuffix("/node.yaml"))
        #expect(plan.sha256.count == 64)
        #expect(plan.location("features.backup.location").line == 7)
    }

    /// A section replaced by bad text, the line of the error within that section, and the message.
    @Test("bad plans are errors at file:line:column", arguments: [
        ("primary", "primary: { crn: \(ComplianceWorld.primaryCRN), region: us-south, zone: 1 }", 0, "unknown key 'zone'"),
        ("primary", "primary: { crn: \"crn:v1:nope\", region: us-south }", 0, "is not a CRN"),
        ("primary", "primary: { crn: \(ComplianceWorld.primaryCRN), region: us-sout }", 0, "unknown region 'us-sout'; did you mean 'us-south'?"),
        ("primary", "primary: { crn: \(ComplianceWorld.recoveryCRN), region: us-south }", 0, "the primary CRN is in 'us-east'"),
        ("recovery", "recovery: { region: us-south, approach: fully-operational }", 0, "must differ from the primary region"),
        ("recovery", "recovery: { region: us-east, approach: warm }", 0, "expected the recovery approach: one of zero-footprint"),
        ("cadence", "cadence: 90", 0, "with a unit"),
        ("cadence", "cadence: 2m", 0, "at least 1h"),
        ("drills", "drills: { zone: [missing.yaml] }", 0, "no such scenario file 'missing.yaml'"),
        ("drills", "drills: { zones: [zone.yaml] }", 0, "unknown key 'zones'; did you mean 'zone'?"),
        ("key_loss", "key_loss: { backup_kms_crn: \(ComplianceWorld.primaryCRN) }", 0, "expected a Key Protect (kms) or Hyper Protect Crypto Services (hs-crypto) CRN"),
        ("workloads", "workloads: { retry: { attempts: 0 } }", 0, "retry attempts must be 1 to 100"),
        ("plan", "plan: x\nbogus: 1", 1, "unknown key 'bogus'"),
    ])
    func bad(section: String, text: String, lineInSection: Int, message: String) throws {
        var world = try ComplianceWorld()
        defer { world.remove() }
        world.sections[section] = text
        let firstLine = text.split(separator: "\n").first.map(String.init) ?? text
        let line = try #require(world.text.components(separatedBy: "\n").firstIndex(of: firstLine)) + 1 + lineInSection
        do {
            _ = try world.plan()
            Issue.record("expected an error for \(text)")
        } catch {
            let description = "\(error)"
            #expect(description.contains("plan.yaml:\(line):"), "\(description)")
            #expect(description.contains(message), "\(description)")
        }
    }

    @Test("an unquoted CRN gets a hint to quote it")
    func unquotedCRN() throws {
        var world = try ComplianceWorld()
        defer { world.remove() }
        world.sections["primary"] = "primary:\n  crn: crn:v1:bluemix:public:secrets-manager:us-south:a/x:y::\n  region: us-south"
        #expect {
            try world.plan()
        } throws: { error in
            "\(error)".contains("write it in quotes")
        }
    }

    @Test("the starter plan of smdrill init reads")
    func template() throws {
        let world = try ComplianceWorld()
        defer { world.remove() }
        let scenarios = world.folder.appendingPathComponent("scenarios")
        try FileManager.default.createDirectory(at: scenarios, withIntermediateDirectories: true)
        for name in ["node-failure", "zone-loss", "corruption-version-restore", "region-loss-source-of-truth-warm-standby", "byok-key-loss-failover"] {
            try "x".write(to: scenarios.appendingPathComponent("\(name).yaml"), atomically: true, encoding: .utf8)
        }
        let text = PlanTemplate.text(name: "starter", primaryRegion: "eu-de", recoveryRegion: "eu-gb", scenarios: "scenarios")
        let file = world.folder.appendingPathComponent("starter.yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let plan = try PlanLoader.load(file.path)
        #expect(plan.name == "starter")
        #expect(plan.recovery?.region == "eu-gb")
        #expect(plan.drillFiles.count == 5)
    }
}
