import ArgumentParser

/// `smdrill`: disaster-recovery drills and compliance checks for IBM Cloud Secrets Manager.
public struct SmdrillCommand: ParsableCommand {
    /// The tool's version, in reports and evidence.
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "smdrill",
        abstract: "Disaster-recovery drills and compliance checks for IBM Cloud Secrets Manager.",
        discussion: """
            smdrill rehearses the failures of the Secrets Manager HA/DR guide (node, zone, region, data
            corruption, BYOK root-key loss) against an in-process fake Secrets Manager, in deterministic virtual
            time, and measures recovery time and data loss from what simulated clients saw.

            Exit codes: 0 success, 1 failed objectives or controls, 2 bad input or usage.

            Examples:
              smdrill run scenarios/
              smdrill validate scenarios/zone-loss.yaml
              smdrill check --plan examples/dr-plan.yaml --run
              smdrill list controls
              smdrill explain SM-BAK-01
              smdrill validate-report reports/junit.xml
              smdrill history --scenario zone-loss
              smdrill verify-evidence
              smdrill fake --secrets 1000 --seed 7
              smdrill --version
            """,
        version: version,
        subcommands: [
            RunCommand.self, ValidateCommand.self, CheckCommand.self, ListCommand.self, ExplainCommand.self,
            InitCommand.self, ValidateReportCommand.self, MergeReportsCommand.self, HistoryCommand.self,
            VerifyEvidenceCommand.self, ReportCommand.self, FakeCommand.self,
        ]
    )

    public init() {}

    /// Runs the command line: exit 0 on success, 1 for failed objectives or controls, 2 for bad input or
    /// usage (with the messages on standard error). Help and `--version` exit 0.
    public static func main(arguments: [String]? = nil) {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch let failure as InputFailure {
            Terminal.writeError(failure.description)
            Foundation.exit(2)
        } catch let code as ExitCode {
            exit(withError: code)
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }
            Terminal.writeError(fullMessage(for: error))
            Foundation.exit(2)
        }
    }
}

import Foundation
