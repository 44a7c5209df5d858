import ArgumentParser
import Drill
import Foundation
import Logging
import Reporting
import SecretsManager
import Simulation

/// `smdrill run`: runs drills and reports their recovery time, data loss and verdict.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run drills in virtual time and measure RTO and RPO against their objectives.",
        discussion: """
            Runs every scenario file given (a folder means its .yaml files; default: scenarios/), each against
            a fresh in-process fake Secrets Manager, and prints a table of the recovery time, data loss,
            availability and verdict of each. The same scenario and seed always give the same result.

            Exit codes: 0 every objective holds, 1 an objective failed, 2 bad input.

            Examples:
              smdrill run
              smdrill run scenarios/zone-loss.yaml --seed 11 --format json
              smdrill run scenarios/ --shard 2/4 --quiet
              smdrill run scenarios/ --dry-run
            """)

    @Argument(help: "Scenario files or folders of them.")
    var paths: [String] = ["scenarios"]

    @Option(help: "Run every drill with this seed instead of its own.")
    var seed: UInt64?

    @Option(help: "text (a table) or json.")
    var format: OutputFormat = .text

    @Flag(help: "Print nothing but the result (no progress bar).")
    var quiet = false

    @Flag(name: .customLong("no-color"), help: "Never colour the output.")
    var noColor = false

    @Flag(name: .customLong("dry-run"), help: "Check the files and print each drill's timeline of faults, steps and objectives without running it.")
    var dryRun = false

    @Option(help: "Run only shard I of N (1-based), for a CI matrix: every Nth drill in file order.")
    var shard: Shard?

    @Option(name: .customLong("log-level"), help: "Log to standard error from this level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .warning

    @OptionGroup(title: "Reports")
    var reports: ReportOptions

    mutating func run() throws {
        let outcome = try execute(terminal: Terminal(noColor: noColor, quiet: quiet))
        print(outcome.output)
        if !outcome.passed { throw ExitCode(1) }
    }

    /// What `run` prints, and whether every drill passed.
    struct Outcome {
        var output: String
        var passed: Bool
        var results: [DrillResult]
    }

    func execute(terminal: Terminal) throws -> Outcome {
        let scenarios = try DrillSelection.load(paths: paths, shard: shard)
        if dryRun {
            return Outcome(
                output: scenarios.map { DryRun.describe($0, seed: seed ?? $0.seed) }.joined(separator: "\n\n"),
                passed: true, results: [])
        }
        // A damaged or foreign evidence database stops the run before any drill.
        let evidence = try reports.openEvidence()
        var results: [DrillResult] = []
        var durations: [String: Double] = [:]
        let engine = DrillEngine(logger: CLILog.makeLogger(level: logLevel))
        for scenario in scenarios {
            let bar = terminal.progress ? Terminal.ProgressBar(label: scenario.name, total: scenario.duration) : nil
            let started = ContinuousClock.now
            let result = try engine.run(scenario, seed: seed, progress: bar.map { bar in { bar.update($0) } })
            durations[scenario.file] = (ContinuousClock.now - started).seconds
            bar?.finish()
            results.append(result)
        }
        var output =
            switch format {
            case .json: try ResultsJSON.encode(results)
            case .text: ResultTable.render(results, terminal: terminal)
            }
        if !reports.noReports {
            let writer = DrillReports(
                junit: URL(fileURLWithPath: reports.junit), dialect: reports.junitDialect.dialect,
                html: URL(fileURLWithPath: reports.html), evidence: evidence, toolVersion: SmdrillCommand.version)
            let written = try writer.write(results, durations: durations)
            if format == .text {
                output += "\n\nReports: \(reports.junit), \(reports.html); evidence rows \(written.evidenceRows.map(String.init).joined(separator: ", ")) in \(reports.evidence)"
            }
        }
        return Outcome(output: output, passed: results.allSatisfy(\.passed), results: results)
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// `I/N`: this job's share of the drills.
struct Shard: ExpressibleByArgument, Equatable {
    var index: Int
    var count: Int

    init?(argument: String) {
        let parts = argument.split(separator: "/")
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1, (1...count).contains(index)
        else { return nil }
        self.index = index
        self.count = count
    }

    static var defaultCompletionKind: CompletionKind { .default }

    func contains(position: Int) -> Bool { position % count == index - 1 }
}

/// Loading the drills a command names, with every bad file reported (exit 2) before any drill runs.
enum DrillSelection {
    static func load(paths: [String], shard: Shard?) throws -> [Scenario] {
        let files: [String]
        do {
            files = try ScenarioLoader.files(in: paths)
        } catch {
            throw InputFailure(errors: [error.description])
        }
        guard !files.isEmpty else {
            throw InputFailure(errors: ["\(paths.joined(separator: ", ")): no scenario files (.yaml) found"])
        }
        var scenarios: [Scenario] = []
        var errors: [String] = []
        for (position, file) in files.enumerated() where shard?.contains(position: position) ?? true {
            do {
                scenarios.append(try ScenarioLoader.load(file))
            } catch {
                errors.append(error.description)
            }
        }
        guard errors.isEmpty else { throw InputFailure(errors: errors) }
        return scenarios
    }
}

/// Bad input: printed as given, exit code 2.
struct InputFailure: Error, CustomStringConvertible {
    var errors: [String]
    var description: String { errors.joined(separator: "\n") }
}

enum ResultsJSON {
    static func encode(_ results: [DrillResult]) throws -> String {
        struct Document: Encodable {
            var passed: Bool
            var drills: [DrillResult]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(Document(passed: results.allSatisfy(\.passed), drills: results))
        return String(decoding: data, as: UTF8.self)
    }
}

enum ResultTable {
    static func render(_ results: [DrillResult], terminal: Terminal) -> String {
        var table = TextTable(header: ["SCENARIO", "RTO", "RPO", "AVAILABILITY", "LOST WRITES", "VERDICT"])
        for result in results {
            table.rows.append([
                result.scenario,
                result.rtoSeconds.map { Duration.seconds($0).compactDescription } ?? "unbounded",
                Duration.seconds(result.rpoSeconds).compactDescription,
                Units.format(percentage: result.availability),
                String(result.lostWrites),
                result.passed ? "PASS" : "FAIL",
            ])
        }
        var text = table.render(decorate: { row, column, cell in
            guard row >= 0, column == 5 else { return cell }
            return results[row].passed ? terminal.pass(cell) : terminal.fail(cell)
        })
        var failures: [String] = []
        for result in results {
            for objective in result.objectives where !objective.passed {
                failures.append("  \(result.scenario): \(objective.message)")
            }
            for step in result.steps where !step.passed {
                failures.append("  \(result.scenario): step \(step.index) \(step.name): \(step.message)")
            }
        }
        if !failures.isEmpty {
            let heading = terminal.fail("Failed:")
            text += "\n\n\(heading)\n" + failures.joined(separator: "\n")
        }
        let passed = results.filter(\.passed).count
        text += "\n\n\(passed) of \(results.count) drills passed"
        return text
    }
}

/// `--dry-run`: what a drill would do, without doing it.
enum DryRun {
    static func describe(_ scenario: Scenario, seed: UInt64) -> String {
        var lines = [
            "\(scenario.name)  (\(scenario.file), seed \(seed), \(scenario.duration.compactDescription))",
        ]
        var events: [(Duration, String)] = scenario.faults.map { ($0.at, "fault  \($0.kind.summary)") }
        events.sort { $0.0 < $1.0 }
        for (at, text) in events { lines.append("  t+\(at.compactDescription)  \(text)") }
        for (index, step) in scenario.runbook.enumerated() {
            lines.append("  step \(index + 1)  \(step.action.name)")
        }
        let objectives = scenario.objectives
        var targets: [String] = []
        if let rto = objectives.rto { targets.append("rto \(rto.compactDescription)") }
        if let rpo = objectives.rpo { targets.append("rpo \(rpo.compactDescription)") }
        if let availability = objectives.availability { targets.append("availability \(Units.format(percentage: availability))") }
        if let lost = objectives.lostWrites { targets.append("lost_writes \(lost)") }
        lines.append("  objectives  " + (targets.isEmpty ? "none" : targets.joined(separator: ", ")))
        return lines.joined(separator: "\n")
    }
}
