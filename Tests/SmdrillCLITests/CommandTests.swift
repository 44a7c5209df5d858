import ArgumentParser
import Foundation
import Testing

@testable import SmdrillCLI

struct CommandTests {
    @Test("--version prints the version")
    func version() throws {
        #expect(SmdrillCommand.configuration.version == SmdrillCommand.version)
        let help = SmdrillCommand.helpMessage()
        #expect(help.contains("fake"))
        #expect(help.contains("Exit codes"))
    }

    @Test("fake exercises the fake through the API and counts the answers")
    func fakeExercise() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("smdrill-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let report = try FakeExercise(directory: folder, seed: 3, secrets: 50, failZone: 2).run()
        #expect(report.answers["create ok"] == 50)
        #expect(report.answers["rotate ok"] == 50)
        #expect((report.answers["read ok"] ?? 0) + (report.answers["read no answer"] ?? 0) == 50)
        #expect((report.answers["read no answer"] ?? 0) > 0)
        #expect(report.virtualTime > .seconds(1))
        #expect(report.text.contains("crn:v1:bluemix:public:secrets-manager:us-south:"))
    }

    @Test("bad options are refused with the limit")
    func badOptions() {
        #expect(throws: (any Error).self) { try SmdrillCommand.parseAsRoot(["fake", "--secrets", "0"]) }
        #expect(throws: (any Error).self) { try SmdrillCommand.parseAsRoot(["fake", "--fail-zone", "4"]) }
        let message = SmdrillCommand.message(for: ValidationError("x"))
        #expect(message == "x")
        #expect(SmdrillCommand.exitCode(for: ValidationError("x")) == .validationFailure)
    }
}
