import Foundation
import GRDB
import Testing

/// The report commands, run as a user would: `run` leaves its reports, and `validate-report`,
/// `merge-reports`, `history`, `verify-evidence` and `report` work on them.
struct ReportCommandTests {
    let cli = ExitCodeTests()

    func workspace() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("smdrill-reports-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("scenarios"), withIntermediateDirectories: true)
        try RunCommandTests.scenario(name: "pass", duration: "3m")
            .write(to: folder.appendingPathComponent("scenarios/pass.yaml"), atomically: true, encoding: .utf8)
        try RunCommandTests.scenario(name: "fail", retry: 1, duration: "4m")
            .write(to: folder.appendingPathComponent("scenarios/fail.yaml"), atomically: true, encoding: .utf8)
        return folder
    }

    @Test("run leaves junit.xml, index.html and evidence.sqlite; the reports check out")
    func runLeavesReports() throws {
        let folder = try workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try cli.run(["run", "--quiet"], in: folder)
        #expect(run.status == 1)  // one drill fails its objectives
        for file in ["junit.xml", "index.html", "evidence.sqlite"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("reports/\(file)").path), "\(file)")
        }
        #expect(run.output.contains("evidence rows 1, 2"))
        let junit = try String(contentsOf: folder.appendingPathComponent("reports/junit.xml"), encoding: .utf8)
        #expect(junit.contains("<testsuite name=\"fail\""))
        #expect(junit.contains("type=\"ObjectiveMissed\""))
        #expect(try cli.run(["validate-report", "reports/junit.xml"], in: folder).status == 0)
        let wrongDialect = try cli.run(["validate-report", "reports/junit.xml", "--dialect", "extended"], in: folder)
        #expect(wrongDialect.status == 0)  // the extended schema accepts the standard dialect
        let history = try cli.run(["history", "--format", "json"], in: folder)
        #expect(history.status == 0)
        #expect(history.output.contains("\"subject\" : \"fail\""))
        let verified = try cli.run(["verify-evidence"], in: folder)
        #expect(verified.status == 0)
        #expect(verified.output.contains("chain of 2 rows is intact"))
        let report = try cli.run(["report", "--since", "2000-01-01", "--html", "reports/since.html"], in: folder)
        #expect(report.status == 0)
        let html = try String(contentsOf: folder.appendingPathComponent("reports/since.html"), encoding: .utf8)
        #expect(html.contains("fail") && html.contains("pass"))
        #expect(try cli.run(["report", "--since", "last tuesday"], in: folder).status == 2)
    }

    @Test("editing an evidence row makes verify-evidence fail and name it")
    func tampered() throws {
        let folder = try workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try cli.run(["run", "scenarios/pass.yaml", "--quiet"], in: folder)
        _ = try cli.run(["run", "scenarios/pass.yaml", "--quiet", "--seed", "9"], in: folder)
        let queue = try DatabaseQueue(path: folder.appendingPathComponent("reports/evidence.sqlite").path)
        try queue.write { try $0.execute(sql: "UPDATE evidence SET passed = 1 - passed WHERE sequence = 1") }
        try queue.close()
        let verify = try cli.run(["verify-evidence"], in: folder)
        #expect(verify.status == 1)
        #expect(verify.output.contains("row 1 was edited"))
    }

    @Test("shards merge into one report with recomputed counts")
    func shards() throws {
        let folder = try workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        for shard in 1...2 {
            _ = try cli.run(
                ["run", "--quiet", "--shard", "\(shard)/2", "--junit", "shard-\(shard).xml", "--html", "shard-\(shard).html"],
                in: folder)
        }
        let merged = try cli.run(["merge-reports", "merged.xml", "shard-1.xml", "shard-2.xml"], in: folder)
        #expect(merged.status == 0)
        #expect(merged.output.contains("2 suites"))
        #expect(try cli.run(["validate-report", "merged.xml"], in: folder).status == 0)
        let missing = try cli.run(["merge-reports", "out.xml", "nope.xml"], in: folder)
        #expect(missing.status == 2)
        #expect(missing.error.contains("nope.xml: no such file"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out.xml").path))
    }

    @Test("a foreign evidence database stops the run before any drill, and is left alone")
    func foreignEvidence() throws {
        let folder = try workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("other.sqlite").path
        let other = try DatabaseQueue(path: path)
        try other.write { try $0.execute(sql: "CREATE TABLE notes (text TEXT)") }
        try other.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let run = try cli.run(["run", "scenarios/pass.yaml", "--evidence", "other.sqlite"], in: folder)
        #expect(run.status == 2)
        #expect(run.error.contains("not a smdrill evidence database"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("reports/junit.xml").path))
        #expect(try cli.run(["verify-evidence", "--evidence", "other.sqlite"], in: folder).status == 2)
        #expect(try cli.run(["history", "--evidence", "missing.sqlite"], in: folder).status == 2)
    }

    @Test("an invalid report is refused with file:line")
    func invalidReport() throws {
        let folder = try workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        try "<testsuites tests=\"1\" failures=\"0\" errors=\"0\">\n<testsuite name=\"x\"/>\n</testsuites>\n"
            .write(to: folder.appendingPathComponent("bad.xml"), atomically: true, encoding: .utf8)
        let result = try cli.run(["validate-report", "bad.xml"], in: folder)
        #expect(result.status == 2)
        #expect(result.error.contains("bad.xml:2:"))
    }
}
