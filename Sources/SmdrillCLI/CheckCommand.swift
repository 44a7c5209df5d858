import ArgumentParser
import Compliance
import Drill
import Foundation
import Logging
import Reporting

/// `smdrill check`: the responsibility checklist, as controls, against a DR plan and its drill evidence.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a DR plan against the responsibility checklist, backed by drill evidence.",
        discussion: """
            Evaluates every control (smdrill list controls) against the plan's facts and the evidence history,
            applies the waivers, prints a table, writes a JUnit suite for the checklist and the HTML report
            with the checklist matrix, and records the check in the evidence history.

            Exit codes: 0 compliant, 1 a failing control at or above --fail-on, 2 bad input.

            Examples:
              smdrill check --plan examples/dr-plan.yaml --run
              smdrill check --plan dr-plan.yaml --waivers waivers.yaml --fail-on high
              smdrill check --plan dr-plan.yaml --format json --no-reports
            """)

    @Option(help: "The DR plan file.")
    var plan: String

    @Option(help: "A waivers file.")
    var waivers: String?

    @Option(help: "The evidence database (read, and appended to).")
    var evidence: String = "reports/evidence.sqlite"

    @Flag(name: .customLong("run"), help: "Run the plan's drills first and record them.")
    var runDrills = false

    @Option(name: .customLong("fail-on"), help: "Fail on failing controls of this severity or higher: high, medium or low.")
    var failOn: Severity = .low

    @Option(help: "text (a table) or json.")
    var format: OutputFormat = .text

    @Option(help: "Where to write the checklist's JUnit XML.")
    var junit: String = "reports/checklist.xml"

    @Option(name: .customLong("junit-dialect"), help: "standard (junit-10.xsd) or extended (adds testcase file and properties).")
    var junitDialect: JUnitDialectArgument = .standard

    @Option(help: "Where to write the HTML report with the checklist matrix.")
    var html: String = "reports/checklist.html"

    @Flag(name: .customLong("no-reports"), help: "Write no report and record nothing (drills run by --run are not recorded either).")
    var noReports = false

    @Flag(name: .customLong("no-color"), help: "Never colour the output.")
    var noColor = false

    @Flag(help: "No progress bar.")
    var quiet = false

    @Option(name: .customLong("log-level"), help: "Log to standard error from this level.")
    var logLevel: Logger.Level = .warning

    func validate() throws {
        if runDrills && noReports {
            throw ValidationError("--run records its drills as evidence; it cannot be combined with --no-reports")
        }
    }

    mutating func run() throws {
        let terminal = Terminal(noColor: noColor, quiet: quiet)
        let outcome = try execute(terminal: terminal)
        print(outcome.output)
        if !outcome.report.compliant { throw ExitCode(1) }
    }

    struct Outcome {
        var output: String
        var report: ComplianceReport
    }

    func execute(terminal: Terminal) throws -> Outcome {
        let loadedPlan: DRPlan
        let loadedWaivers: [Waiver]
        do {
            loadedPlan = try PlanLoader.load(plan)
            loadedWaivers = try waivers.map { path throws(InputError) in try WaiverLoader.load(path, controls: ControlCatalog.ids) } ?? []
        } catch {
            throw InputFailure(errors: [error.description])
        }
        // Every drill file the plan names must load, or nothing runs.
        var scenarios: [String: Scenario] = [:]
        var problems: [String] = []
        for drill in loadedPlan.drillFiles {
            do { scenarios[drill.resolved] = try ScenarioLoader.load(drill.resolved) } catch { problems.append(error.description) }
        }
        guard problems.isEmpty else { throw InputFailure(errors: problems) }

        var lines: [String] = []
        if runDrills {
            let store = try ReportOptions.open(evidence: evidence)
            let engine = DrillEngine(logger: CLILog.makeLogger(level: logLevel))
            var results: [DrillResult] = []
            for drill in loadedPlan.drillFiles {
                guard let scenario = scenarios[drill.resolved] else { continue }
                let bar = terminal.progress ? Terminal.ProgressBar(label: scenario.name, total: scenario.duration) : nil
                results.append(try engine.run(scenario, progress: bar.map { bar in { bar.update($0) } }))
                bar?.finish()
            }
            let folder = URL(fileURLWithPath: junit).deletingLastPathComponent()
            let written = try DrillReports(
                junit: folder.appendingPathComponent("junit.xml"), dialect: junitDialect.dialect,
                html: folder.appendingPathComponent("index.html"), evidence: store, toolVersion: SmdrillCommand.version
            ).write(results, durations: [:])
            lines.append(
                "Ran \(results.count) drills (\(results.filter(\.passed).count) passed); evidence rows \(written.evidenceRows.map(String.init).joined(separator: ", "))")
        }

        let state = ComplianceEvidence.state(path: evidence)
        let context = ComplianceContext(
            plan: loadedPlan, evidence: state, scenarios: scenarios.mapValues(ScenarioSummary.init), now: ReportClock.now())
        let report = ComplianceChecker.check(context, waivers: loadedWaivers, failOn: failOn)

        var output: String
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            output = String(decoding: try encoder.encode(report), as: UTF8.self)
        case .text:
            output = (lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n\n") + ChecklistTable.render(report, terminal: terminal)
        }
        if !noReports {
            let written = try writeReports(report, state: state, scenarioNames: Set(scenarios.values.map(\.name)))
            if format == .text { output += "\n\n" + written }
        }
        return Outcome(output: output, report: report)
    }

    /// The JUnit suite, the HTML report and the evidence row of the check.
    func writeReports(_ report: ComplianceReport, state: EvidenceState, scenarioNames names: Set<String>) throws -> String {
        let now = ReportClock.now()
        var hashes: [String: String] = [:]
        let junitData = try JUnitWriter.render(
            ChecklistJUnit.report(report, toolVersion: SmdrillCommand.version, timestamp: now), dialect: junitDialect.dialect)
        try AtomicFile.write(junitData, to: URL(fileURLWithPath: junit))
        hashes[URL(fileURLWithPath: junit).lastPathComponent] = DrillReports.sha256(junitData)

        var drills: [DrillResult] = []
        var history: [String: [HistoryPoint]] = [:]
        var store: EvidenceStore?
        if case .available = state {
            store = try? EvidenceStore(path: evidence)
            if let records = try? store?.records() {
                drills = DrillReports.latestDrills(from: records).filter { names.contains($0.scenario) }
                history = DrillReports.history(from: records).filter { names.contains($0.key) }
            }
        }
        let page = HTMLReport(
            generatedAt: ReportClock.format(now), toolVersion: SmdrillCommand.version, drills: drills,
            checklist: report.results.map(ChecklistRow.init),
            checklistTitle: "Checklist of DR plan \(report.plan): \(report.summary)", history: history)
        let htmlData = Data(page.render().utf8)
        try AtomicFile.write(htmlData, to: URL(fileURLWithPath: html))
        hashes[URL(fileURLWithPath: html).lastPathComponent] = DrillReports.sha256(htmlData)

        var recorded = "the check was not recorded: the evidence database cannot be read"
        if case .missing = state { store = try ReportOptions.open(evidence: evidence) }
        if let store {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let rows = try store.append([
                EvidenceEntry(
                    recordedAt: ReportClock.format(now), kind: "check", subject: report.plan, toolVersion: SmdrillCommand.version,
                    inputSHA256: report.planSHA256, seed: nil, passed: report.compliant,
                    resultJSON: String(decoding: try encoder.encode(report), as: UTF8.self), reports: hashes)
            ])
            recorded = "evidence row \(rows.map { String($0.sequence) }.joined()) in \(evidence)"
        }
        return "Reports: \(junit), \(html); \(recorded)"
    }
}

extension Severity: ExpressibleByArgument {}

/// The checklist as a table: id, severity, status, title, reason.
enum ChecklistTable {
    static func render(_ report: ComplianceReport, terminal: Terminal) -> String {
        var table = TextTable(header: ["CONTROL", "SEVERITY", "STATUS", "TITLE", "REASON"])
        for result in report.results {
            table.rows.append([
                result.id, result.severity.rawValue, result.status.label.uppercased(), result.title,
                result.reason.count > 110 ? String(result.reason.prefix(107)) + "..." : result.reason,
            ])
        }
        var text = table.render(decorate: { row, column, cell in
            guard row >= 0, column == 2 else { return cell }
            switch report.results[row].status {
            case .pass: return terminal.pass(cell)
            case .fail, .error: return terminal.fail(cell)
            case .waived, .notApplicable: return terminal.dim(cell)
            }
        })
        text += "\n\nDR plan \(report.plan): \(report.summary)"
        let blocking = report.blocking
        text +=
            blocking.isEmpty
            ? "\nCompliant (fail on \(report.failOn.rawValue) and above)."
            : "\nNot compliant: \(blocking.map(\.id).joined(separator: ", ")) (fail on \(report.failOn.rawValue) and above)."
        return text
    }
}
