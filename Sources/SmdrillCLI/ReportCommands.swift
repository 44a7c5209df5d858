import ArgumentParser
import Compliance
import Drill
import Foundation
import Reporting

/// Where `run` (and `check`) write their reports.
struct ReportOptions: ParsableArguments {
    @Option(help: "Where to write the JUnit XML report.")
    var junit: String = "reports/junit.xml"

    @Option(name: .customLong("junit-dialect"), help: "standard (junit-10.xsd) or extended (adds testcase file and properties).")
    var junitDialect: JUnitDialectArgument = .standard

    @Option(help: "Where to write the HTML report.")
    var html: String = "reports/index.html"

    @Option(help: "The evidence database to append to.")
    var evidence: String = "reports/evidence.sqlite"

    @Flag(name: .customLong("no-reports"), help: "Write no report and record no evidence.")
    var noReports = false

    /// Opens the evidence store first, so a damaged or foreign one stops the command before any drill runs.
    func openEvidence() throws -> EvidenceStore? {
        guard !noReports else { return nil }
        return try Self.open(evidence: evidence)
    }

    /// Opens (creating when missing) the store at `path`; a damaged or foreign one is bad input, left alone.
    static func open(evidence path: String) throws -> EvidenceStore {
        do {
            return try EvidenceStore(path: path)
        } catch {
            throw InputFailure(errors: ["\(path): \(error)"])
        }
    }
}

enum JUnitDialectArgument: String, ExpressibleByArgument, CaseIterable {
    case standard, extended

    var dialect: JUnitDialect { self == .extended ? .extended : .standard }
}

/// `smdrill validate-report`: checks a JUnit report against smdrill's own schema.
struct ValidateReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate-report",
        abstract: "Check a JUnit report against smdrill's own XML Schema (with libxml2).",
        discussion: """
            Exit 0 when the report is valid, 2 (with each problem as file:line: message) when it is not.

            Examples:
              smdrill validate-report reports/junit.xml
              smdrill validate-report reports/junit.xml --dialect extended
              smdrill validate-report --print-schema --dialect extended > smdrill-junit-extended.xsd
            """)

    @Argument(help: "The JUnit XML files to check.")
    var files: [String] = []

    @Option(help: "The dialect's schema to check against: standard or extended.")
    var dialect: JUnitDialectArgument = .standard

    @Option(help: "Check against this XSD file instead.")
    var schema: String?

    @Flag(name: .customLong("print-schema"), help: "Print the dialect's schema and exit.")
    var printSchema = false

    func run() throws {
        if printSchema {
            print(JUnitSchema.text(dialect.dialect))
            return
        }
        guard !files.isEmpty else { throw ValidationError("name at least one report to check") }
        var problems: [String] = []
        for file in files {
            do {
                let found = try JUnitSchema.validate(
                    file: URL(fileURLWithPath: file), dialect: dialect.dialect, schemaFile: schema.map { URL(fileURLWithPath: $0) })
                if found.isEmpty {
                    print("valid  \(file)")
                } else {
                    problems += found.map { "\(file):\($0)" }
                }
            } catch {
                problems.append("\(error)")
            }
        }
        guard problems.isEmpty else { throw InputFailure(errors: problems) }
    }
}

/// `smdrill merge-reports`: joins the JUnit files of sharded runs.
struct MergeReportsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge-reports",
        abstract: "Join the JUnit reports of --shard runs into one, counts recomputed.",
        discussion: """
            Example:
              smdrill merge-reports reports/junit.xml shard-1/junit.xml shard-2/junit.xml
            """)

    @Argument(help: "The merged report to write.")
    var output: String

    @Argument(help: "The reports to merge.")
    var inputs: [String]

    @Option(name: .customLong("junit-dialect"), help: "standard or extended.")
    var junitDialect: JUnitDialectArgument = .standard

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("name at least one report to merge") }
    }

    func run() throws {
        var reports: [JUnitReport] = []
        var errors: [String] = []
        for input in inputs {
            guard let data = FileManager.default.contents(atPath: input) else {
                errors.append("\(input): no such file")
                continue
            }
            do { reports.append(try JUnitReader.read(data, file: input)) } catch { errors.append("\(error)") }
        }
        guard errors.isEmpty else { throw InputFailure(errors: errors) }
        let merged = JUnitMerge.merge(reports)
        try AtomicFile.write(try JUnitWriter.render(merged, dialect: junitDialect.dialect), to: URL(fileURLWithPath: output))
        print("\(output): \(merged.suites.count) suites, \(merged.tests) tests, \(merged.failures) failures")
    }
}

/// `smdrill history`: the evidence recorded.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List the drills and checks recorded in the evidence history.",
        discussion: """
            Examples:
              smdrill history
              smdrill history --scenario zone-loss --format json
            """)

    @Option(help: "Only this scenario (or plan).")
    var scenario: String?

    @Option(help: "text or json.")
    var format: OutputFormat = .text

    @Option(help: "The evidence database.")
    var evidence: String = "reports/evidence.sqlite"

    func run() throws {
        let store = try EvidenceCommands.open(evidence)
        let records = try store.records(subject: scenario)
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(records.map(HistoryLine.init)), as: UTF8.self))
        case .text:
            var table = TextTable(header: ["#", "RECORDED", "KIND", "SUBJECT", "SEED", "RESULT", "RTO", "RPO"])
            for record in records {
                let line = HistoryLine(record)
                table.rows.append([
                    String(record.sequence), record.recordedAt, record.kind, record.subject,
                    record.seed.map(String.init) ?? "-", record.passed ? "PASS" : "FAIL",
                    line.rtoSeconds.map { Duration.seconds($0).compactDescription } ?? (record.kind == "drill" ? "unbounded" : "-"),
                    line.rpoSeconds.map { Duration.seconds($0).compactDescription } ?? "-",
                ])
            }
            print(records.isEmpty ? "no evidence recorded in \(evidence)" : table.render())
        }
    }
}

/// A history row for output: the record's fields and the measured figures of a drill.
struct HistoryLine: Encodable {
    var sequence: Int64
    var recordedAt: String
    var kind: String
    var subject: String
    var seed: UInt64?
    var passed: Bool
    var toolVersion: String
    var inputSHA256: String
    var rtoSeconds: Double?
    var rpoSeconds: Double?
    var reports: [String: String]
    var hash: String

    init(_ record: EvidenceRecord) {
        sequence = record.sequence
        recordedAt = record.recordedAt
        kind = record.kind
        subject = record.subject
        seed = record.seed
        passed = record.passed
        toolVersion = record.toolVersion
        inputSHA256 = record.inputSHA256
        reports = record.reports
        hash = record.hash
        if record.kind == "drill",
            let result = try? JSONDecoder().decode(DrillResult.self, from: Data(record.resultJSON.utf8))
        {
            rtoSeconds = result.rtoSeconds
            rpoSeconds = result.rpoSeconds
        }
    }

    enum CodingKeys: String, CodingKey {
        case sequence, kind, subject, seed, passed, reports, hash
        case recordedAt = "recorded_at"
        case toolVersion = "tool_version"
        case inputSHA256 = "input_sha256"
        case rtoSeconds = "rto_seconds"
        case rpoSeconds = "rpo_seconds"
    }
}

/// `smdrill verify-evidence`: checks the hash chain.
struct VerifyEvidenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-evidence",
        abstract: "Check the evidence history's hash chain (and signatures, with SMDRILL_EVIDENCE_KEY).",
        discussion: """
            Exit 0 when every row is intact, 1 naming the first row edited, deleted or reordered, 2 when the
            database is not an evidence database.

            Example:
              SMDRILL_EVIDENCE_KEY=... smdrill verify-evidence --evidence reports/evidence.sqlite
            """)

    @Option(help: "The evidence database.")
    var evidence: String = "reports/evidence.sqlite"

    func run() throws {
        let store = try EvidenceCommands.open(evidence)
        let verdict = try store.verify()
        print("\(evidence): \(verdict)")
        if case .broken = verdict { throw ExitCode(1) }
    }
}

/// `smdrill report`: the HTML report from the evidence history alone.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the HTML report from the evidence history alone.",
        discussion: """
            The report shows the latest run of each scenario recorded since DATE, and every run's RTO and RPO as
            history.

            Example:
              smdrill report --since 2026-10-01 --html reports/quarter.html
            """)

    @Option(help: "Only evidence recorded at or after this date (YYYY-MM-DD, or an RFC 3339 time).")
    var since: String?

    @Option(help: "The evidence database.")
    var evidence: String = "reports/evidence.sqlite"

    @Option(help: "Where to write the HTML report.")
    var html: String = "reports/index.html"

    func run() throws {
        var sinceText: String?
        if let since {
            guard let date = EvidenceCommands.parseDate(since) else {
                throw InputFailure(errors: ["--since: expected a date such as 2026-10-01 or 2026-10-01T00:00:00Z, found '\(since)'"])
            }
            sinceText = ReportClock.format(date)
        }
        let store = try EvidenceCommands.open(evidence)
        let records = try store.records(since: sinceText)
        var report = HTMLReport(
            generatedAt: ReportClock.format(ReportClock.now()), toolVersion: SmdrillCommand.version,
            drills: DrillReports.latestDrills(from: records), history: DrillReports.history(from: records))
        // The checklist matrix of the latest check recorded in the period, when there is one.
        if let check = records.last(where: { $0.kind == "check" }),
            let result = try? JSONDecoder().decode(ComplianceReport.self, from: Data(check.resultJSON.utf8))
        {
            report.checklist = result.results.map(ChecklistRow.init)
            report.checklistTitle = "Checklist of DR plan \(result.plan), checked \(check.recordedAt) (evidence row \(check.sequence))"
        }
        try AtomicFile.write(Data(report.render().utf8), to: URL(fileURLWithPath: html))
        print("\(html): \(records.count) evidence rows")
    }
}

enum EvidenceCommands {
    static func open(_ path: String) throws -> EvidenceStore {
        guard FileManager.default.fileExists(atPath: path) else {
            throw InputFailure(errors: ["\(path): no such evidence database (smdrill run creates it)"])
        }
        do {
            return try EvidenceStore(path: path)
        } catch {
            throw InputFailure(errors: ["\(path): \(error)"])
        }
    }

    static func parseDate(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle(timeZone: .gmt).parse(text) { return date }
        if let date = try? Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().parse(text) { return date }
        return nil
    }
}
