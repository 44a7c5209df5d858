import Drill
import Foundation

public enum Severity: String, Sendable, Codable, CaseIterable, Comparable {
    case low, medium, high

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// What a control looks at.
public enum ControlBasis: String, Sendable, Codable {
    case plan
    case evidence
    case planAndEvidence = "plan and evidence"
}

public enum ControlStatus: String, Sendable, Codable, CaseIterable {
    case pass, fail, waived
    case notApplicable = "not_applicable"
    case error

    /// How reports show it.
    public var label: String {
        switch self {
        case .pass: "pass"
        case .fail: "fail"
        case .waived: "waived"
        case .notApplicable: "not applicable"
        case .error: "error"
        }
    }
}

/// A duty of the responsibility checklist (or of the seed's prose) that smdrill can check.
public struct Control: Sendable {
    public var id: String
    public var title: String
    public var severity: Severity
    /// The section of the HA/DR guide it comes from.
    public var source: String
    public var basis: ControlBasis
    /// What it checks, in a sentence or two.
    public var checks: String
    /// How to satisfy it.
    public var remedy: String
    let evaluate: @Sendable (ComplianceContext) -> Finding

    public init(
        id: String, title: String, severity: Severity, source: String, basis: ControlBasis, checks: String, remedy: String,
        evaluate: @escaping @Sendable (ComplianceContext) -> Finding
    ) {
        self.id = id
        self.title = title
        self.severity = severity
        self.source = source
        self.basis = basis
        self.checks = checks
        self.remedy = remedy
        self.evaluate = evaluate
    }
}

/// What a control found, before waivers.
public struct Finding: Sendable {
    public var status: ControlStatus
    public var reason: String
    /// The evidence rows behind the finding.
    public var evidence: [Int64]
    /// Where in the plan the finding points.
    public var location: SourceLocation?

    public static func pass(_ reason: String, evidence: [Int64] = [], at location: SourceLocation? = nil) -> Finding {
        Finding(status: .pass, reason: reason, evidence: evidence, location: location)
    }

    public static func fail(_ reason: String, evidence: [Int64] = [], at location: SourceLocation? = nil) -> Finding {
        Finding(status: .fail, reason: reason, evidence: evidence, location: location)
    }

    public static func notApplicable(_ reason: String) -> Finding {
        Finding(status: .notApplicable, reason: reason, evidence: [], location: nil)
    }

    public static func error(_ reason: String) -> Finding {
        Finding(status: .error, reason: reason, evidence: [], location: nil)
    }
}

/// One recorded drill, as the checker needs it: plain values read from the evidence history.
public struct DrillEvidence: Sendable, Hashable {
    public var sequence: Int64
    public var recordedAt: Date
    public var scenario: String
    public var inputSHA256: String
    public var passed: Bool
    /// Nil when the drill never recovered.
    public var rtoSeconds: Double?
    public var rpoSeconds: Double
    /// Runbook steps and whether each passed.
    public var steps: [(name: String, passed: Bool)]

    public init(
        sequence: Int64, recordedAt: Date, scenario: String, inputSHA256: String, passed: Bool, rtoSeconds: Double?,
        rpoSeconds: Double, steps: [(name: String, passed: Bool)]
    ) {
        self.sequence = sequence
        self.recordedAt = recordedAt
        self.scenario = scenario
        self.inputSHA256 = inputSHA256
        self.passed = passed
        self.rtoSeconds = rtoSeconds
        self.rpoSeconds = rpoSeconds
        self.steps = steps
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.sequence == rhs.sequence && lhs.inputSHA256 == rhs.inputSHA256 }
    public func hash(into hasher: inout Hasher) { hasher.combine(sequence) }
}

/// The evidence history as the checker sees it.
public enum EvidenceState: Sendable {
    /// No database at the path.
    case missing(path: String)
    /// A database that could not be read (damaged, foreign).
    case unreadable(path: String, reason: String)
    /// The drills recorded, and the verdict on the hash chain (nil when intact).
    case available(path: String, drills: [DrillEvidence], chainProblem: String?, rows: Int)
}

/// What a scenario file of the plan holds, read by the checker.
public struct ScenarioSummary: Sendable {
    public var path: String
    public var name: String
    public var sha256: String
    public var faultKinds: Set<String>
    public var runbookSteps: [String]

    public init(path: String, name: String, sha256: String, faultKinds: Set<String>, runbookSteps: [String]) {
        self.path = path
        self.name = name
        self.sha256 = sha256
        self.faultKinds = faultKinds
        self.runbookSteps = runbookSteps
    }

    public init(_ scenario: Scenario) {
        self.init(
            path: scenario.file, name: scenario.name, sha256: scenario.fileSHA256,
            faultKinds: Set(scenario.faults.map(\.kind.name)), runbookSteps: scenario.runbook.map(\.action.name))
    }
}

/// Everything a control may look at.
public struct ComplianceContext: Sendable {
    public var plan: DRPlan
    public var evidence: EvidenceState
    /// The plan's scenario files, by resolved path.
    public var scenarios: [String: ScenarioSummary]
    public var now: Date

    public init(plan: DRPlan, evidence: EvidenceState, scenarios: [String: ScenarioSummary], now: Date) {
        self.plan = plan
        self.evidence = evidence
        self.scenarios = scenarios
        self.now = now
    }
}

/// A control's result in a check run.
public struct ControlResult: Sendable, Codable {
    public var id: String
    public var title: String
    public var severity: Severity
    public var source: String
    public var status: ControlStatus
    public var reason: String
    public var evidence: [Int64]
    /// `file:line:column` in the plan.
    public var location: String?
    public var waiver: WaiverNote?

    public struct WaiverNote: Sendable, Codable {
        public var justification: String
        public var expires: String
        public var approver: String
        public var expired: Bool
    }

    enum CodingKeys: String, CodingKey {
        case id, title, severity, source, status, reason, evidence, location, waiver
    }
}

/// The outcome of `smdrill check`.
public struct ComplianceReport: Sendable, Codable {
    public var plan: String
    public var planFile: String
    public var planSHA256: String
    public var checkedAt: String
    public var failOn: Severity
    public var results: [ControlResult]

    /// No failing or erroring control at or above the threshold.
    public var compliant: Bool { blocking.isEmpty }

    public var blocking: [ControlResult] {
        results.filter { ($0.status == .fail || $0.status == .error) && $0.severity >= failOn }
    }

    public func count(_ status: ControlStatus) -> Int { results.filter { $0.status == status }.count }

    /// `20 pass, 0 fail, 0 waived, 3 not applicable, 0 error`.
    public var summary: String {
        ControlStatus.allCases.map { "\(count($0)) \($0.label)" }.joined(separator: ", ")
    }

    enum CodingKeys: String, CodingKey {
        case plan, results, compliant
        case planFile = "plan_file"
        case planSHA256 = "plan_sha256"
        case checkedAt = "checked_at"
        case failOn = "fail_on"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(plan, forKey: .plan)
        try container.encode(planFile, forKey: .planFile)
        try container.encode(planSHA256, forKey: .planSHA256)
        try container.encode(checkedAt, forKey: .checkedAt)
        try container.encode(failOn, forKey: .failOn)
        try container.encode(compliant, forKey: .compliant)
        try container.encode(results, forKey: .results)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        plan = try container.decode(String.self, forKey: .plan)
        planFile = try container.decode(String.self, forKey: .planFile)
        planSHA256 = try container.decode(String.self, forKey: .planSHA256)
        checkedAt = try container.decode(String.self, forKey: .checkedAt)
        failOn = try container.decode(Severity.self, forKey: .failOn)
        results = try container.decode([ControlResult].self, forKey: .results)
    }

    public init(plan: String, planFile: String, planSHA256: String, checkedAt: String, failOn: Severity, results: [ControlResult]) {
        self.plan = plan
        self.planFile = planFile
        self.planSHA256 = planSHA256
        self.checkedAt = checkedAt
        self.failOn = failOn
        self.results = results
    }
}
