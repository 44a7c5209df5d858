import Drill
import Foundation
import Testing

@testable import Reporting

struct JUnitTests {
    static func sample() -> JUnitReport {
        JUnitReport(
            name: "sample",
            suites: [
                JUnitSuite(
                    name: "one", timestamp: Date(timeIntervalSince1970: 1_800_000_000), time: 1.23456,
                    properties: [JUnitProperty("seed", "7")],
                    cases: [
                        JUnitCase(name: "passes", classname: "c", time: 0.5),
                        JUnitCase(
                            name: "fails", classname: "c",
                            outcome: .failed(message: "RTO 2m exceeds objective 1m", type: "ObjectiveMissed", body: "timeline"),
                            file: "scenarios/one.yaml", properties: [JUnitProperty("target", "1m")]),
                        JUnitCase(name: "errs", classname: "c", outcome: .error(message: "boom", type: "StepError", body: "")),
                        JUnitCase(name: "skips", classname: "c", outcome: .skipped(message: "waived until 2027-01-01", body: "why")),
                    ], systemOut: "t+0s fault"),
                JUnitSuite(name: "two", cases: [JUnitCase(name: "passes", classname: "d")]),
            ])
    }

    @Test("the standard dialect validates against smdrill's schema and reads back the same")
    func roundTrip() throws {
        let report = Self.sample()
        let data = try JUnitWriter.render(report)
        #expect(try JUnitSchema.validate(data, schema: JUnitSchema.text(.standard)) == [])
        let read = try JUnitReader.read(data, file: "junit.xml")
        #expect(read.tests == 5)
        #expect(read.failures == 1)
        #expect(read.errors == 1)
        #expect(read.skipped == 1)
        #expect(read.suites[0].cases[1].outcome == report.suites[0].cases[1].outcome)
        #expect(read.suites[0].properties == [JUnitProperty("seed", "7")])
        #expect(read.suites[0].systemOut == "t+0s fault")
        // The standard dialect leaves out what junit-10.xsd does not know.
        let text = String(decoding: data, as: UTF8.self)
        #expect(!text.contains("file=\""))
        let root = try #require(text.split(separator: "\n").first { $0.contains("<testsuites") })
        #expect(!root.contains("skipped"))
        #expect(text.contains("time=\"1.235\""))
    }

    @Test("the extended dialect adds testcase file and properties, and validates against its own schema")
    func extended() throws {
        let data = try JUnitWriter.render(Self.sample(), dialect: .extended)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("file=\"scenarios/one.yaml\""))
        #expect(text.contains("<property name=\"target\" value=\"1m\"/>"))
        #expect(try JUnitSchema.validate(data, schema: JUnitSchema.text(.extended)) == [])
        // ... and is not the standard dialect.
        #expect(try JUnitSchema.validate(data, schema: JUnitSchema.text(.standard)) != [])
    }

    @Test("the standard schema refuses what junit-10.xsd refuses", arguments: [
        "<testsuites tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\"/>",
        "<testsuites tests=\"1\" failures=\"0\" errors=\"0\"><testsuite name=\"a\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\" time=\"1.2345\"/></testsuites>",
        "<testsuites tests=\"x\" failures=\"0\" errors=\"0\"/>",
        "<testsuite name=\"a\"/>",
        "<testsuites tests=\"0\" failures=\"0\" errors=\"0\"",
    ])
    func refused(document: String) throws {
        let problems = try JUnitSchema.validate(Data(document.utf8), schema: JUnitSchema.text(.standard))
        #expect(!problems.isEmpty)
        // Each problem starts with its line number.
        #expect(problems.allSatisfy { $0.first?.isNumber == true })
    }

    @Test("hostile strings in every field still give a report that validates and reads back clean")
    func hostileStrings() throws {
        for hostile in Fixtures.hostile {
            let drill = Fixtures.drill(
                scenario: hostile, description: hostile, passed: false, objectiveMessage: hostile,
                stepMessage: hostile, timelineText: hostile)
            let report = DrillJUnit.report([drill], context: .init(toolVersion: hostile, timestamp: nil))
            for dialect in JUnitDialect.allCases {
                let data = try JUnitWriter.render(report, dialect: dialect)
                #expect(try JUnitSchema.validate(data, schema: JUnitSchema.text(dialect)) == [], "\(dialect)")
                let read = try JUnitReader.read(data, file: "junit.xml")
                #expect(read.failures == 2)
                let text = String(decoding: data, as: UTF8.self)
                #expect(!text.contains("\u{0}"))
                #expect(!text.contains("\u{1B}"))
                #expect(!text.contains("<script>"))
            }
        }
    }

    @Test("times have at most three decimals and never an exponent")
    func seconds() {
        #expect(JUnitWriter.seconds(0) == "0")
        #expect(JUnitWriter.seconds(12.5) == "12.5")
        #expect(JUnitWriter.seconds(1.0004) == "1")
        #expect(JUnitWriter.seconds(7200.1236) == "7200.124")
        #expect(JUnitWriter.seconds(1e-9) == "0")
        #expect(JUnitWriter.seconds(1e12) == "1000000000000")
        #expect(JUnitWriter.seconds(.nan) == "0")
    }

    @Test("a drill maps to a suite: a case per objective and per step, properties with every figure")
    func drillMapping() throws {
        let drill = Fixtures.drill(passed: false, rto: 2052, objectiveMessage: "RTO 34m12s exceeds objective 30m")
        let suite = DrillJUnit.suite(drill, context: .init(toolVersion: "9.9", timestamp: nil))
        #expect(suite.name == "zone-loss")
        #expect(suite.cases.map(\.name) == ["RTO within 1m", "lost writes at most 0", "step 1 declare_disaster"])
        #expect(Set(suite.cases.map(\.name)).count == suite.cases.count)
        guard case .failed(let message, let type, let body) = suite.cases[0].outcome else {
            Issue.record("the RTO case should fail")
            return
        }
        #expect(message == "RTO 34m12s exceeds objective 30m")
        #expect(type == "ObjectiveMissed")
        #expect(body.hasPrefix(message))
        #expect(body.contains("t+30m  fault  zone us-south-2 is lost"))
        let properties = Dictionary(uniqueKeysWithValues: suite.properties.map { ($0.name, $0.value) })
        #expect(properties["scenario_sha256"] == String(repeating: "ab", count: 32))
        #expect(properties["seed"] == "7")
        #expect(properties["tool_version"] == "9.9")
        #expect(properties["rto_seconds"] == "2052")
        #expect(properties["fault_1_detected_after_seconds"] == "10.5")
        #expect(properties["latency_p99_ms"] == "120.25")
        #expect(abs(suite.cases[2].time - 60.1234) < 1e-9)
        #expect(suite.systemOut?.contains("recovered") == true)
    }

    @Test("merging recomputes counts; a suite run twice keeps its last run")
    func merge() throws {
        var first = Self.sample()
        first.suites.removeLast()
        var second = Self.sample()
        second.suites[0].cases = [JUnitCase(name: "passes", classname: "c")]
        let merged = JUnitMerge.merge([first, second])
        #expect(merged.suites.map(\.name) == ["one", "two"])
        #expect(merged.tests == 2)
        #expect(merged.failures == 0)
        let data = try JUnitWriter.render(merged)
        #expect(try JUnitSchema.validate(data, schema: JUnitSchema.text(.standard)) == [])
    }

    @Test("a file that is not XML, or not JUnit, is refused with its name")
    func unreadable() {
        #expect(throws: ReportError.self) { try JUnitReader.read(Data("<testsuites".utf8), file: "bad.xml") }
        do {
            _ = try JUnitReader.read(Data("<html/>".utf8), file: "page.xml")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("page.xml"))
            #expect("\(error)".contains("<html>"))
        }
    }

    @Test("files are written atomically: no partial file is left, the old content is replaced whole")
    func atomicWrite() throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("nested/junit.xml")
        try AtomicFile.write(Data("first".utf8), to: file)
        try AtomicFile.write(Data("second".utf8), to: file)
        #expect(try String(contentsOf: file, encoding: .utf8) == "second")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: file.deletingLastPathComponent().path)
        #expect(leftovers == ["junit.xml"])
    }
}
