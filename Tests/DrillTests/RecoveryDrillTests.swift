import Foundation
import Testing

@testable import Drill

/// The recovery paths as runbook steps, in small drills.
struct RecoveryDrillTests {
    static func scenario(
        duration: String = "40m", approach: String = "zero-footprint", protection: String, faults: String,
        runbook: String, objectives: String = "{ rto: 30m }", extra: String = "", regional: String = "10%",
        rate: String = "2/s"
    ) -> String {
        """
        name: recovery-test
        seed: 9
        duration: \(duration)
        service: { latency: { median: 10ms, p99: 40ms }, provisioning: 5m, notification_delay: 2s \(extra) }
        topology:
          primary: { region: us-south, zones: 3 }
          recovery: { region: us-east, approach: \(approach) }
        data: { secrets: 150, groups: 2, types: { arbitrary: 70%, username_password: 30% }, regional: \(regional) }
        workload: { clients: 4, rate: \(rate), mix: { read: 90%, rotate: 10% }, retry: { attempts: 4, timeout: 1s } }
        protection: \(protection)
        faults: \(faults)
        runbook: \(runbook)
        objectives: \(objectives)
        """
    }

    func run(_ text: String) throws -> DrillResult {
        try DrillEngine().run(try ScenarioLoader.parse(text, file: "recovery-test.yaml"))
    }

    @Test("backup and restore into a provisioned instance: RPO is the age of the last backup")
    func backupRestore() throws {
        let result = try run(
            Self.scenario(
                protection: "{ backups: { every: 10m, first: 5m, bucket: cross-region } }",
                faults: "[{ at: 18m, region_loss: { for: 2h, state: lost } }]",
                runbook: "[{ declare_disaster: { after: 1m } }, { provision_instance: {} }, { restore_backup: {} }, { failover: {} }]"))
        #expect(result.steps.map(\.passed) == [true, true, true, true])
        #expect(result.steps[2].message.contains("restored backup-"))
        let rto = try #require(result.rtoSeconds)
        #expect(rto > 360)  // a minute to declare, five to provision
        #expect(result.rpoSeconds > 0)
        #expect(result.rpoSeconds <= 180)  // the last backup began at 15m
        #expect(result.faults[0].lostWrites > 0)
    }

    @Test("a regional bucket dies with its region: the restore has nothing to restore")
    func regionalBucket() throws {
        let result = try run(
            Self.scenario(
                protection: "{ backups: { every: 10m, first: 5m, bucket: us-south } }",
                faults: "[{ at: 18m, region_loss: { for: 2h, state: lost } }]",
                runbook: "[{ declare_disaster: {} }, { provision_instance: {} }, { restore_backup: {} }]"))
        #expect(result.steps[2].passed == false)
        #expect(result.steps[2].message.contains("unavailable"))
        #expect(result.rtoSeconds == nil)
    }

    @Test("the source of truth recovers a lost region with nothing lost")
    func sourceOfTruth() throws {
        let result = try run(
            Self.scenario(
                protection: "{ source_of_truth: { location: cross-region } }",
                faults: "[{ at: 15m, region_loss: { for: 2h, state: lost } }]",
                runbook: "[{ declare_disaster: {} }, { provision_instance: {} }, { apply_source_of_truth: {} }, { failover: {} }]",
                objectives: "{ rto: 30m, rpo: 0s, lost_writes: 0 }"))
        let allPassed = result.steps.allSatisfy { $0.passed }
        #expect(allPassed)
        #expect(result.rpoSeconds == 0)
        #expect(result.lostWrites == 0)
        #expect(result.corruptReads == 0)
        #expect(result.passed)
    }

    @Test("without the recovery values of regional secrets, clients read wrong values after a restore")
    func unadjustedRegionalSecrets() throws {
        let adjusted = try run(
            Self.scenario(
                protection: "{ source_of_truth: { location: cross-region }, regional_values: true }",
                faults: "[{ at: 15m, region_loss: { for: 2h, state: lost } }]",
                runbook: "[{ declare_disaster: {} }, { provision_instance: {} }, { apply_source_of_truth: {} }, { failover: {} }]",
                regional: "30%"))
        let unadjusted = try run(
            Self.scenario(
                protection: "{ source_of_truth: { location: cross-region }, regional_values: false }",
                faults: "[{ at: 15m, region_loss: { for: 2h, state: lost } }]",
                runbook: "[{ declare_disaster: {} }, { provision_instance: {} }, { apply_source_of_truth: {} }, { failover: {} }]",
                regional: "30%"))
        #expect(adjusted.corruptReads == 0)
        #expect(unadjusted.corruptReads > 0)
    }

    @Test("a version restore repairs logical corruption in place")
    func versionRestore() throws {
        let result = try run(
            Self.scenario(
                approach: "none", protection: "{}", faults: "[{ at: 10m, corruption: { kind: logical, secrets: 30 } }]",
                runbook: "[{ declare_disaster: { after: 2m } }, { restore_versions: { check: garbage } }]",
                objectives: "{ rto: 10m, rpo: 0s }"))
        #expect(result.corruptReads > 0)
        #expect(result.steps[1].message.hasPrefix("30 secrets restored") || result.steps[1].message.contains("restored"))
        let rto = try #require(result.rtoSeconds)
        #expect(rto >= 120 && rto < 600)
        #expect(result.rpoSeconds == 0)
    }

    @Test("event-driven live sync: failover loses only what was in flight")
    func eventSync() throws {
        let result = try run(
            Self.scenario(
                approach: "minimal-operation", protection: "{ live_sync: { mode: events, action_startup: 1s } }",
                faults: "[{ at: 15m, region_loss: { for: 2h, state: lost } }]",
                runbook: "[{ declare_disaster: {} }, { failover: { propagation: 30s } }]", objectives: "{ rto: 5m, rpo: 1m }"))
        #expect(result.passed)
        #expect(result.rpoSeconds < 10)
    }

    @Test("a complete BYOK support case restores the instance; a missing item leaves the RTO unbounded")
    func keyLoss() throws {
        let recovered = try run(
            Self.scenario(
                approach: "none", protection: "{ backup_kms: { region: us-east } }",
                faults: "[{ at: 5m, kms_root_key_deleted: {} }]",
                runbook: "[{ declare_disaster: {} }, { byok_recover: { support_response: 20m } }]",
                objectives: "{ rto: 30m, rpo: 0s }"))
        #expect(recovered.passed)
        let rto = try #require(recovered.rtoSeconds)
        #expect(rto >= 1200)
        let blocked = try run(
            Self.scenario(
                approach: "none", protection: "{ backup_kms: { region: us-east } }",
                faults: "[{ at: 5m, kms_root_key_deleted: {} }]",
                runbook: "[{ declare_disaster: {} }, { byok_recover: { support_response: 20m, omit: [original_key] } }]"))
        #expect(blocked.rtoSeconds == nil)
        #expect(blocked.steps[1].message.contains("the original Key Protect or HPCS instance's CRN and key ID"))
    }

    @Test("protection and runbook steps are checked when the file is read")
    func loading() {
        func error(_ text: String) -> String? {
            do {
                _ = try ScenarioLoader.parse(text, file: "s.yaml")
                return nil
            } catch {
                return error.message
            }
        }
        #expect(
            error(Self.scenario(protection: "{}", faults: "[]", runbook: "[{ restore_backup: {} }]"))
                == "restore_backup needs backups: set protection.backups")
        #expect(
            error(Self.scenario(approach: "minimal-operation", protection: "{}", faults: "[]", runbook: "[{ provision_instance: {} }]"))?
                .contains("zero-footprint") == true)
        #expect(
            error(Self.scenario(protection: "{ live_sync: { mode: events } }", faults: "[]", runbook: "[]"))?
                .contains("live sync copies to a recovery instance") == true)
        #expect(
            error(Self.scenario(protection: "{ backups: { bucket: us-soth } }", faults: "[]", runbook: "[]"))?
                .contains("did you mean 'us-south'?") == true)
        #expect(
            error(Self.scenario(protection: "{}", faults: "[]", runbook: "[{ byok_recover: { omit: [everything] } }]"))?
                .contains("expected a support-case item") == true)
        #expect(
            error(Self.scenario(protection: "{}", faults: "[]", runbook: "[{ restore_backups: {} }]"))?
                .contains("did you mean 'restore_backup'?") == true)
    }
}
