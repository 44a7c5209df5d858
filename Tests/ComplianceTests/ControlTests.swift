import Compliance
import Foundation
import Testing

/// Every control passes on a good plan with fresh evidence, and each fails for its own reason.
struct ControlTests {
    @Test("a complete plan with fresh, passing evidence is compliant")
    func compliant() throws {
        let world = try ComplianceWorld()
        defer { world.remove() }
        let report = try world.check()
        let notPassing = report.results.filter { $0.status != .pass && $0.status != .notApplicable }
        #expect(notPassing.map { "\($0.id): \($0.reason)" } == [])
        #expect(report.compliant)
        #expect(report.results.count == ControlCatalog.all.count)
        #expect(Set(report.results.filter { $0.status == .notApplicable }.map(\.id)) == ["SM-SYNC-01", "SM-SYNC-02", "SM-SYNC-03"])
    }

    /// A change to the world that makes one control fail, and words its reason must hold.
    struct Breach: CustomTestStringConvertible, Sendable {
        var control: String
        var reason: String
        var change: @Sendable (inout ComplianceWorld) -> Void
        var testDescription: String { control }
    }

    static let liveSync = "  live_sync: { mode: events, runs_in: us-east }\n"

    static let breaches: [Breach] = [
        Breach(control: "SM-ROT-01", reason: "restore_versions") { world in
            world.changeEvidence(of: "corruption-drill") { $0.steps = [("declare_disaster", true), ("restore_versions", false)] }
        },
        Breach(control: "SM-ROT-01", reason: "met its objectives") { world in
            // The step ran, but the drill it was part of missed its objectives: not a practised restore.
            world.changeEvidence(of: "corruption-drill") { $0.passed = false }
        },
        Breach(control: "SM-SOT-01", reason: "lives in us-south only") { world in
            world.sections["features"]! = world.sections["features"]!.replacingOccurrences(of: "location: global, point", with: "location: us-south, point")
        },
        Breach(control: "SM-SOT-02", reason: "the region whose loss it must survive") { world in
            world.sections["features"]! = world.sections["features"]!.replacingOccurrences(of: "location: global, point", with: "location: us-south, point")
        },
        Breach(control: "SM-SOT-03", reason: "no point-in-time recovery") { world in
            world.sections["features"]! = world.sections["features"]!.replacingOccurrences(of: "point_in_time_recovery: true", with: "point_in_time_recovery: false")
        },
        Breach(control: "SM-BAK-01", reason: "the restore runs in us-east") { world in
            world.sections["features"]! = world.sections["features"]!.replacingOccurrences(of: "location: cross-region", with: "location: us-south")
        },
        Breach(control: "SM-BAK-02", reason: "it must run in us-east") { world in
            world.sections["features"]! = world.sections["features"]!.replacingOccurrences(of: "restore, location: global", with: "restore, location: eu-de")
        },
        Breach(control: "SM-BAK-03", reason: "the restore script is in us-south") { world in
            world.sections["features"]! = world.sections["features"]!.replacingOccurrences(of: "restore, location: global", with: "restore, location: us-south")
        },
        Breach(control: "SM-BAK-04", reason: "more than the regional RPO of 1h") { world in
            world.sections["features"]! = world.sections["features"]!.replacingOccurrences(of: "every: 1h", with: "every: 1d")
        },
        Breach(control: "SM-SYNC-01", reason: "records no recovery.crn") { world in
            world.sections["features"]! += "\n" + liveSync
            world.sections["recovery"] = "recovery: { region: us-east, approach: zero-footprint }"
        },
        Breach(control: "SM-SYNC-02", reason: "runs in us-south") { world in
            world.sections["features"]! += "\n" + liveSync.replacingOccurrences(of: "us-east", with: "us-south")
        },
        Breach(control: "SM-SYNC-03", reason: "live sync is the only copy") { world in
            world.sections["features"] = "features:\n" + liveSync
            world.sections["regional_secrets"] = "regional_secrets: []"
        },
        Breach(control: "SM-WKL-01", reason: "not the recovery instance") { world in
            world.sections["workloads"] = "workloads: { recovery_endpoint: \(ComplianceWorld.primaryCRN), configured_in: terraform, retry: { attempts: 6, backoff: exponential } }"
        },
        Breach(control: "SM-REG-01", reason: "db has no value for us-east") { world in
            world.sections["regional_secrets"] = "regional_secrets: [ { name: db, type: arbitrary, regions: [us-south], values_from: source_of_truth } ]"
        },
        Breach(control: "SM-PLAN-01", reason: "nothing keeps it current") { world in
            world.sections["features"]! = world.sections["features"]!.replacingOccurrences(of: "applies_to: [primary, recovery]", with: "applies_to: [primary]")
        },
        Breach(control: "SM-PLAN-02", reason: "Event Notifications has no instance in us-east") { world in
            world.sections["dependencies"]! = world.sections["dependencies"]!
                .split(separator: "\n").filter { !$0.contains("en-2") }.joined(separator: "\n")
        },
        Breach(control: "SM-PLAN-03", reason: "missing the new root key id") { world in
            world.sections["key_loss"] = "key_loss: { instance_crn: \(ComplianceWorld.primaryCRN), backup_kms_crn: \(ComplianceWorld.kmsBackup), original_kms_crn: \(ComplianceWorld.kmsPrimary) }"
        },
        Breach(control: "SM-PLAN-04", reason: "granted broadly") { world in
            world.sections["deleters"] = "deleters: [AccessGroup-sm-admins, everyone]"
        },
        Breach(control: "SM-PLAN-05", reason: "exponential backoff") { world in
            world.sections["workloads"] = "workloads: { recovery_endpoint: \(ComplianceWorld.recoveryCRN), configured_in: terraform, retry: { attempts: 3, backoff: constant } }"
        },
        Breach(control: "SM-PLAN-06", reason: "no objective for BYOK root-key loss") { world in
            world.sections["objectives"]! = world.sections["objectives"]!
                .split(separator: "\n").filter { !$0.contains("key_loss") }.joined(separator: "\n")
        },
        Breach(control: "SM-PLAN-07", reason: "injects zone_loss, not a regional failure") { world in
            world.scenarios["region.yaml"]!.faultKinds = ["zone_loss"]
        },
        Breach(control: "SM-PLAN-08", reason: "zone failure: last drilled") { world in
            world.changeEvidence(of: "zone-drill") { $0.recordedAt = $0.recordedAt.addingTimeInterval(-200 * 86_400) }
        },
        Breach(control: "SM-PLAN-09", reason: "regional failure: RTO 45m exceeds 30m") { world in
            world.changeEvidence(of: "region-drill") { $0.rtoSeconds = 2700 }
        },
        Breach(control: "SM-EVD-01", reason: "row 3 was edited") { world in
            world.evidence = .available(path: "evidence.sqlite", drills: world.drillEvidence, chainProblem: "row 3 was edited", rows: 5)
        },
    ]

    @Test("each control fails for its own reason", arguments: breaches)
    func breach(_ breach: Breach) throws {
        // (A control may appear more than once, each for another reason.)
        var world = try ComplianceWorld()
        defer { world.remove() }
        breach.change(&world)
        let report = try world.check()
        let result = try #require(report.result(breach.control))
        #expect(result.status == .fail, "\(result.reason)")
        #expect(result.reason.contains(breach.reason), "\(result.reason)")
        #expect(!report.compliant)
    }

    @Test("every control has a breach in this file")
    func everyControlCovered() {
        #expect(Set(Self.breaches.map(\.control)) == ControlCatalog.ids)
    }

    @Test("a drill file changed since it was drilled does not count as practised")
    func staleScenario() throws {
        var world = try ComplianceWorld()
        defer { world.remove() }
        world.scenarios["key.yaml"]!.sha256 = "sha-edited"
        let result = try #require(try world.check().result("SM-PLAN-08"))
        #expect(result.status == .fail)
        #expect(result.reason.contains("BYOK root-key loss: drilled only from an earlier version"))
    }

    @Test("a drill that never recovered fails the objectives control, naming it")
    func unbounded() throws {
        var world = try ComplianceWorld()
        defer { world.remove() }
        world.changeEvidence(of: "key-drill") {
            $0.rtoSeconds = nil
            $0.passed = false
        }
        let result = try #require(try world.check().result("SM-PLAN-09"))
        #expect(result.status == .fail)
        #expect(result.reason.contains("key-drill missed its objectives"))
        #expect(result.reason.contains("never recovered"))
        #expect(result.evidence.contains(5))
    }

    @Test("missing evidence fails the evidence controls with the reason; unreadable evidence is an error; neither passes")
    func missingEvidence() throws {
        var world = try ComplianceWorld()
        defer { world.remove() }
        world.evidence = .missing(path: "reports/evidence.sqlite")
        let missing = try world.check()
        for id in ["SM-ROT-01", "SM-PLAN-08", "SM-PLAN-09", "SM-EVD-01"] {
            let result = try #require(missing.result(id))
            #expect(result.status == .fail, "\(id)")
            #expect(result.reason.contains("reports/evidence.sqlite"), "\(id)")
        }
        world.evidence = .unreadable(path: "reports/evidence.sqlite", reason: "not a smdrill evidence database")
        let unreadable = try world.check()
        for id in ["SM-ROT-01", "SM-PLAN-08", "SM-PLAN-09", "SM-EVD-01"] {
            #expect(unreadable.result(id)?.status == .error, "\(id)")
        }
        #expect(!unreadable.compliant)
    }

    @Test("features not in use make their controls not applicable")
    func notApplicable() throws {
        var world = try ComplianceWorld()
        defer { world.remove() }
        world.sections["features"] = "features: { version_restore: {} }"
        world.sections["dependencies"] = nil
        world.sections["key_loss"] = nil
        let report = try world.check()
        for id in ["SM-SOT-01", "SM-SOT-02", "SM-SOT-03", "SM-BAK-01", "SM-BAK-02", "SM-BAK-03", "SM-BAK-04", "SM-WKL-01", "SM-REG-01", "SM-PLAN-02", "SM-PLAN-03"] {
            #expect(report.result(id)?.status == .notApplicable, "\(id)")
        }
    }

    @Test("--fail-on: a medium failure blocks at low and medium, not at high")
    func threshold() throws {
        var world = try ComplianceWorld()
        defer { world.remove() }
        world.sections["deleters"] = "deleters: [everyone]"
        #expect(try !world.check(failOn: .low).compliant)
        #expect(try !world.check(failOn: .medium).compliant)
        #expect(try world.check(failOn: .high).compliant)
    }
}
