import ArgumentParser
import Compliance
import Drill
import FakeSecretsManager
import Foundation

/// `smdrill list controls`: every control, with its id, severity and title.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List what smdrill knows: the compliance controls.",
        discussion: """
            Examples:
              smdrill list controls
              smdrill list controls --format json
            """)

    enum Subject: String, ExpressibleByArgument, CaseIterable { case controls }

    @Argument(help: "What to list: controls.")
    var subject: Subject

    @Option(help: "text or json.")
    var format: OutputFormat = .text

    func run() throws {
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(ControlCatalog.all.map(ControlDescription.init)), as: UTF8.self))
        case .text:
            var table = TextTable(header: ["CONTROL", "SEVERITY", "CHECKS", "TITLE"])
            for control in ControlCatalog.all {
                table.rows.append([control.id, control.severity.rawValue, control.basis.rawValue, control.title])
            }
            print(table.render() + "\n\n\(ControlCatalog.all.count) controls; `smdrill explain CONTROL` tells what one checks and how to satisfy it.")
        }
    }
}

/// `smdrill explain CONTROL`: what a control checks and how to satisfy it.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain a control: what it checks, where the duty comes from, how to satisfy it.",
        discussion: """
            Example:
              smdrill explain SM-BAK-01
            """)

    @Argument(help: "The control id, such as SM-BAK-01.")
    var control: String

    func run() throws {
        guard let found = ControlCatalog.control(control.uppercased()) else {
            let hint = didYouMean(control.uppercased(), among: ControlCatalog.all.map(\.id)).map { "; did you mean '\($0)'?" } ?? ""
            throw InputFailure(errors: ["unknown control '\(control)'\(hint) (smdrill list controls shows them)"])
        }
        print(
            """
            \(found.id)  \(found.title)
            severity:  \(found.severity.rawValue)
            source:    \(found.source)
            looks at:  \(found.basis.rawValue)

            What it checks
              \(found.checks)

            How to satisfy it
              \(found.remedy)

            Results: pass, fail, waived (a waiver in force), not applicable (the feature is not in use) or error
            (the evidence could not be read).
            """)
    }

}

/// A control as JSON.
struct ControlDescription: Encodable {
    var id: String
    var title: String
    var severity: String
    var source: String
    var basis: String
    var checks: String
    var remedy: String

    init(_ control: Control) {
        id = control.id
        title = control.title
        severity = control.severity.rawValue
        source = control.source
        basis = control.basis.rawValue
        checks = control.checks
        remedy = control.remedy
    }
}

/// `smdrill init`: a starter DR plan that `smdrill check` reads.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a starter DR plan with every section, for `smdrill check`.",
        discussion: """
            The plan names the bundled drills for each failure scenario (paths relative to the plan), and
            placeholders (REPLACE-...) for your CRNs and ids. It never overwrites a file unless --force.

            Examples:
              smdrill init
              smdrill init --output plans/payments.yaml --name payments --primary-region eu-de --recovery-region eu-gb
            """)

    @Option(help: "Where to write the plan.")
    var output: String = "dr-plan.yaml"

    @Option(help: "The plan's name.")
    var name: String = "my-secrets-manager"

    @Option(name: .customLong("primary-region"), help: "The primary instance's region.")
    var primaryRegion: String = "us-south"

    @Option(name: .customLong("recovery-region"), help: "The recovery region.")
    var recoveryRegion: String = "us-east"

    @Option(help: "The folder of scenario files the plan's drills come from.")
    var scenarios: String = "scenarios"

    @Flag(help: "Overwrite an existing file.")
    var force = false

    func run() throws {
        var errors: [String] = []
        for (option, region) in [("--primary-region", primaryRegion), ("--recovery-region", recoveryRegion)]
        where !CloudRegions.isKnown(region) {
            errors.append("\(option): unknown region '\(region)' (expected one of: \(CloudRegions.all.joined(separator: ", ")))")
        }
        if primaryRegion == recoveryRegion { errors.append("--recovery-region must differ from --primary-region") }
        if FileManager.default.fileExists(atPath: output) && !force {
            errors.append("\(output): already exists; pass --force to overwrite it")
        }
        guard errors.isEmpty else { throw InputFailure(errors: errors) }
        let outputURL = URL(fileURLWithPath: output).standardizedFileURL
        let relative = Self.relativePath(
            from: outputURL.deletingLastPathComponent(), to: URL(fileURLWithPath: scenarios).standardizedFileURL)
        let text = PlanTemplate.text(
            name: name, primaryRegion: primaryRegion, recoveryRegion: recoveryRegion, scenarios: relative)
        try FileManager.default.createDirectory(at: outputURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: outputURL, atomically: true, encoding: .utf8)
        print("Wrote \(output). Replace the REPLACE-... values, then: smdrill check --plan \(output) --run")
    }

    /// `to` as seen from the folder `from`: `scenarios`, `../scenarios`.
    static func relativePath(from folder: URL, to target: URL) -> String {
        let base = folder.pathComponents
        let path = target.pathComponents
        var common = 0
        while common < min(base.count, path.count) && base[common] == path[common] { common += 1 }
        let ups = Array(repeating: "..", count: base.count - common)
        let rest = Array(path[common...])
        let parts = ups + rest
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }
}
