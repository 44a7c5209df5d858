import Foundation
import Testing

/// The built `smdrill` binary, run as a user would: exit codes and where messages go.
struct ExitCodeTests {
    /// The executable beside the test bundle.
    static var executable: URL? {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("smdrill")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return nil
    }

    /// Runs smdrill in `directory` (a new temporary folder when nil, so no report lands in the checkout).
    func run(
        _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]
    ) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        let folder = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("smdrill-cwd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { if directory == nil { try? FileManager.default.removeItem(at: folder) } }
        process.currentDirectoryURL = folder
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let executable: URL = try #require(Self.executable, "the smdrill binary was not built beside the tests")
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
    }

    @Test("0 pass, 1 failed objective, 2 bad input or usage; help and version exit 0")
    func exitCodes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("smdrill-exit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let passing = folder.appendingPathComponent("pass.yaml")
        let failing = folder.appendingPathComponent("fail.yaml")
        let broken = folder.appendingPathComponent("broken.yaml")
        try RunCommandTests.scenario(name: "pass", duration: "3m").write(to: passing, atomically: true, encoding: .utf8)
        try RunCommandTests.scenario(name: "fail", retry: 1, duration: "5m").write(to: failing, atomically: true, encoding: .utf8)
        try "name: broken\nduration: 5\n".write(to: broken, atomically: true, encoding: .utf8)

        let pass = try run(["run", passing.path, "--quiet"])
        #expect(pass.status == 0)
        #expect(pass.output.contains("1 of 1 drills passed"))
        let fail = try run(["run", failing.path, "--quiet", "--no-color"])
        #expect(fail.status == 1)
        #expect(fail.output.contains("FAIL"))
        let bad = try run(["run", broken.path])
        #expect(bad.status == 2)
        #expect(bad.error.contains("broken.yaml:2:11: expected the drill's duration with a unit"))
        #expect(bad.output.isEmpty)
        #expect(try run(["run", "--shard", "0/3"]).status == 2)
        #expect(try run(["--version"]).status == 0)
        let help = try run(["run", "--help"])
        #expect(help.status == 0)
        #expect(help.output.contains("--dry-run"))
        #expect(try run(["validate", broken.path]).status == 2)
        #expect(try run(["validate", passing.path]).status == 0)
    }
}
