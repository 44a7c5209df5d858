import Compliance
import Drill
import Foundation

/// A DR plan written section by section (so a test can replace one), its drill files in a temporary folder,
/// and evidence built as plain values.
struct ComplianceWorld {
    static let account = "a/0123456789abcdef0123456789abcdef"
    static let primaryCRN = "\"crn:v1:bluemix:public:secrets-manager:us-south:\(account):primary-1::\""
    static let recoveryCRN = "\"crn:v1:bluemix:public:secrets-manager:us-east:\(account):recovery-1::\""
    static let kmsPrimary = "\"crn:v1:bluemix:public:kms:us-south:\(account):kms-primary::\""
    static let kmsRecovery = "\"crn:v1:bluemix:public:kms:us-east:\(account):kms-recovery::\""
    static let kmsBackup = "\"crn:v1:bluemix:public:kms:us-east:\(account):kms-backup::\""

    struct Drill {
        var failure: FailureScenario
        var file: String
        var name: String
        var fault: String
        var steps: [String]
    }

    /// The drill of each failure.
    static let drills = [
        Drill(failure: .hardware, file: "node.yaml", name: "node-drill", fault: "node_failure", steps: []),
        Drill(failure: .zone, file: "zone.yaml", name: "zone-drill", fault: "zone_loss", steps: []),
        Drill(
            failure: .corruption, file: "corruption.yaml", name: "corruption-drill", fault: "corruption",
            steps: ["declare_disaster", "restore_versions"]),
        Drill(failure: .region, file: "region.yaml", name: "region-drill", fault: "region_loss", steps: ["failover"]),
        Drill(failure: .keyLoss, file: "key.yaml", name: "key-drill", fault: "kms_root_key_deleted", steps: ["byok_recover"]),
    ]

    var sections: [String: String] = [
        "plan": "plan: payments",
        "primary": "primary: { crn: \(primaryCRN), region: us-south }",
        "recovery": "recovery: { crn: \(recoveryCRN), region: us-east, approach: fully-operational }",
        "features": """
            features:
              version_restore: {}
              source_of_truth: { repository: github.com/acme/desired, location: global, point_in_time_recovery: true, applies_to: [primary, recovery] }
              backup: { bucket: cos://backups, location: cross-region, every: 1h, retention: 30d, restore_script: { path: github.com/acme/restore, location: global } }
            """,
        "regional_secrets": "regional_secrets: [ { name: db, type: arbitrary, regions: [us-south, us-east], values_from: source_of_truth } ]",
        "dependencies": """
            dependencies:
              event_notifications:
                primary: "crn:v1:bluemix:public:event-notifications:us-south:\(account):en-1::"
                recovery: "crn:v1:bluemix:public:event-notifications:us-east:\(account):en-2::"
              kms: { primary: { crn: \(kmsPrimary), root_key_id: key-1 }, recovery: { crn: \(kmsRecovery), root_key_id: key-2 } }
              backup_kms: \(kmsBackup)
            """,
        "key_loss": "key_loss: { instance_crn: \(primaryCRN), backup_kms_crn: \(kmsBackup), new_root_key_id: key-3, original_kms_crn: \(kmsPrimary), original_key_id: key-1 }",
        "workloads": "workloads: { recovery_endpoint: \(recoveryCRN), configured_in: terraform us-east, retry: { attempts: 6, backoff: exponential } }",
        "deleters": "deleters: [AccessGroup-sm-admins]",
        "objectives": """
            objectives:
              hardware: { rto: 1m, rpo: 0s }
              zone: { rto: 1m, rpo: 0s }
              corruption: { rto: 30m, rpo: 0s }
              region: { rto: 30m, rpo: 1h }
              key_loss: { rto: 30m, rpo: 5m }
            """,
        "cadence": "cadence: 90d",
        "drills": """
            drills:
              hardware: [node.yaml]
              zone: [zone.yaml]
              corruption: [corruption.yaml]
              region: [region.yaml]
              key_loss: [key.yaml]
            """,
    ]

    static let order = [
        "plan", "primary", "recovery", "features", "regional_secrets", "dependencies", "key_loss", "workloads",
        "deleters", "objectives", "cadence", "drills",
    ]

    let folder: URL
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    /// Scenario summaries by file name; tests change a drill's faults here.
    var scenarios: [String: ScenarioSummary] = [:]
    var drillEvidence: [DrillEvidence] = []
    var evidence: EvidenceState?

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("smdrill-compliance-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var sequence: Int64 = 1
        for drill in Self.drills {
            try "placeholder\n".write(to: folder.appendingPathComponent(drill.file), atomically: true, encoding: .utf8)
            scenarios[drill.file] = ScenarioSummary(
                path: drill.file, name: drill.name, sha256: "sha-\(drill.name)", faultKinds: [drill.fault],
                runbookSteps: drill.steps)
            drillEvidence.append(
                DrillEvidence(
                    sequence: sequence, recordedAt: now.addingTimeInterval(-86_400), scenario: drill.name,
                    inputSHA256: "sha-\(drill.name)", passed: true, rtoSeconds: 20, rpoSeconds: 0,
                    steps: drill.steps.map { ($0, true) }))
            sequence += 1
        }
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    var text: String { Self.order.compactMap { sections[$0] }.joined(separator: "\n") + "\n" }

    func plan() throws -> DRPlan {
        let file = folder.appendingPathComponent("plan.yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return try PlanLoader.load(file.path)
    }

    func context() throws -> ComplianceContext {
        let plan = try plan()
        var summaries: [String: ScenarioSummary] = [:]
        for drill in plan.drillFiles {
            if let summary = scenarios[URL(fileURLWithPath: drill.resolved).lastPathComponent] { summaries[drill.resolved] = summary }
        }
        return ComplianceContext(
            plan: plan,
            evidence: evidence
                ?? .available(path: "evidence.sqlite", drills: drillEvidence, chainProblem: nil, rows: drillEvidence.count),
            scenarios: summaries, now: now)
    }

    func check(waivers: [Waiver] = [], failOn: Severity = .low) throws -> ComplianceReport {
        ComplianceChecker.check(try context(), waivers: waivers, failOn: failOn)
    }

    /// The evidence of the drill named `scenario`, changed by `change`.
    mutating func changeEvidence(of scenario: String, _ change: (inout DrillEvidence) -> Void) {
        for index in drillEvidence.indices where drillEvidence[index].scenario == scenario { change(&drillEvidence[index]) }
    }
}

extension ComplianceReport {
    func result(_ id: String) -> ControlResult? { results.first { $0.id == id } }
}
