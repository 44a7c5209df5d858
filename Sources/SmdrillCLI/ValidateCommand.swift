import ArgumentParser
import Drill

/// `smdrill validate`: checks scenario files without running them.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check scenario files without running them.",
        discussion: """
            Reads each file strictly (unknown keys, units, ranges, shares, fault times, zones) and prints every
            error as file:line:column: message. Exit 0 when all are valid, 2 otherwise.

            Example:
              smdrill validate scenarios/*.yaml
            """)

    @Argument(help: "Scenario files or folders of them.")
    var paths: [String] = ["scenarios"]

    @Flag(help: "Print nothing for valid files.")
    var quiet = false

    func run() throws {
        let files: [String]
        do {
            files = try ScenarioLoader.files(in: paths)
        } catch {
            throw InputFailure(errors: [error.description])
        }
        var errors: [String] = []
        for file in files {
            do {
                let scenario = try ScenarioLoader.load(file)
                if !quiet { print("ok  \(file)  (\(scenario.name))") }
            } catch {
                errors.append(error.description)
            }
        }
        guard errors.isEmpty else { throw InputFailure(errors: errors) }
    }
}
