import Crypto
import Drill
import Foundation
import SecretsManager

/// Writes what `smdrill run` leaves behind: the JUnit file, the HTML report, and the evidence rows that
/// record each drill with the SHA-256 of the reports written.
public struct DrillReports {
    public var junit: URL?
    public var dialect: JUnitDialect
    public var html: URL?
    public var evidence: EvidenceStore?
    public var toolVersion: String

    public init(junit: URL?, dialect: JUnitDialect, html: URL?, evidence: EvidenceStore?, toolVersion: String) {
        self.junit = junit
        self.dialect = dialect
        self.html = html
        self.evidence = evidence
        self.toolVersion = toolVersion
    }

    /// What was written.
    public struct Written: Sendable {
        public var files: [String: String]
        public var evidenceRows: [Int64]
    }

    public func write(_ results: [DrillResult], durations: [String: Double]) throws -> Written {
        let now = ReportClock.now()
        var hashes: [String: String] = [:]
        if let junit {
            let context = DrillJUnit.Context(
                toolVersion: toolVersion, timestamp: now, durations: ReportClock.isReproducible ? [:] : durations)
            let data = try JUnitWriter.render(DrillJUnit.report(results, context: context), dialect: dialect)
            try AtomicFile.write(data, to: junit)
            hashes[junit.lastPathComponent] = Self.sha256(data)
        }
        if let html {
            var history = try evidence.map { try Self.history(from: $0.records()) } ?? [:]
            for result in results {
                history[result.scenario, default: []].append(
                    HistoryPoint(
                        recordedAt: ReportClock.format(now), rtoSeconds: result.rtoSeconds, rpoSeconds: result.rpoSeconds,
                        passed: result.passed))
            }
            let report = HTMLReport(
                generatedAt: ReportClock.format(now), toolVersion: toolVersion, drills: results, history: history)
            let data = Data(report.render().utf8)
            try AtomicFile.write(data, to: html)
            hashes[html.lastPathComponent] = Self.sha256(data)
        }
        var rows: [Int64] = []
        if let evidence {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let entries = try results.map { result in
                EvidenceEntry(
                    recordedAt: ReportClock.format(now), kind: "drill", subject: result.scenario, toolVersion: toolVersion,
                    inputSHA256: result.fileSHA256, seed: result.seed, passed: result.passed,
                    resultJSON: String(decoding: try encoder.encode(result), as: UTF8.self), reports: hashes)
            }
            rows = try evidence.append(entries).map(\.sequence)
        }
        return Written(files: hashes, evidenceRows: rows)
    }

    /// Each scenario's measured RTO and RPO, from the drill rows of the evidence.
    public static func history(from records: [EvidenceRecord]) -> [String: [HistoryPoint]] {
        var history: [String: [HistoryPoint]] = [:]
        let decoder = JSONDecoder()
        for record in records where record.kind == "drill" {
            guard let result = try? decoder.decode(DrillResult.self, from: Data(record.resultJSON.utf8)) else { continue }
            history[record.subject, default: []].append(
                HistoryPoint(
                    recordedAt: record.recordedAt, rtoSeconds: result.rtoSeconds, rpoSeconds: result.rpoSeconds,
                    passed: result.passed))
        }
        return history
    }

    /// The drills recorded since `date`, the latest run of each scenario.
    public static func latestDrills(from records: [EvidenceRecord]) -> [DrillResult] {
        var latest: [String: DrillResult] = [:]
        var order: [String] = []
        let decoder = JSONDecoder()
        for record in records where record.kind == "drill" {
            guard let result = try? decoder.decode(DrillResult.self, from: Data(record.resultJSON.utf8)) else { continue }
            if latest[record.subject] == nil { order.append(record.subject) }
            latest[record.subject] = result
        }
        return order.compactMap { latest[$0] }
    }

    public static func sha256(_ data: Data) -> String {
        Hex.encode(SHA256.hash(data: data))
    }
}
