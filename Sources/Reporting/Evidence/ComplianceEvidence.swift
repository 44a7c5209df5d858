import Compliance
import Drill
import Foundation

/// The evidence history as the compliance checker sees it: plain values, read once.
public enum ComplianceEvidence {
    /// Reads the store at `path`: missing, unreadable (damaged or foreign: reported, never changed), or the
    /// recorded drills with the verdict on the chain.
    public static func state(path: String, signingKey: String? = ProcessInfo.processInfo.environment["SMDRILL_EVIDENCE_KEY"]) -> EvidenceState {
        guard FileManager.default.fileExists(atPath: path) else { return .missing(path: path) }
        do {
            return try state(of: EvidenceStore(path: path, signingKey: signingKey))
        } catch {
            return .unreadable(path: path, reason: "\(error)")
        }
    }

    public static func state(of store: EvidenceStore) throws -> EvidenceState {
        let records = try store.records()
        let verdict = try store.verify()
        var problem: String?
        if case .broken = verdict { problem = verdict.description }
        return .available(path: store.path, drills: drills(from: records), chainProblem: problem, rows: records.count)
    }

    /// The drill rows, decoded; a row whose result cannot be decoded is left out (the chain check reports
    /// edited rows).
    public static func drills(from records: [EvidenceRecord]) -> [DrillEvidence] {
        let decoder = JSONDecoder()
        let time = Date.ISO8601FormatStyle(timeZone: .gmt)
        return records.compactMap { record in
            guard record.kind == "drill",
                let result = try? decoder.decode(DrillResult.self, from: Data(record.resultJSON.utf8)),
                let recordedAt = try? time.parse(record.recordedAt)
            else { return nil }
            return DrillEvidence(
                sequence: record.sequence, recordedAt: recordedAt, scenario: record.subject,
                inputSHA256: record.inputSHA256, passed: record.passed, rtoSeconds: result.rtoSeconds,
                rpoSeconds: result.rpoSeconds, steps: result.steps.map { ($0.name, $0.passed) })
        }
    }
}
