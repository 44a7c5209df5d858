import Benchmark
import Foundation
import Reporting

/// JUnit files of 10,000 test cases written through libxml2 and validated against smdrill's own schema, and
/// 10,000 evidence rows appended (one transaction each, as runs append them) and their chain verified.
/// Peers: Benchmarks/peers/junit_xml_peer.py and Benchmarks/peers/evidence_chain_peer.py.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .peakMemoryResident, .mallocCountTotal],
        maxDuration: .seconds(30),
        maxIterations: 10
    )
    let cases = 10_000
    let report = sampleReport(cases: cases, suites: 100)

    Benchmark("JUnit: write \(cases) test cases (libxml2 text writer)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try JUnitWriter.render(report))
        }
    }

    let document = try! JUnitWriter.render(report)
    let schema = JUnitSchema.text(.standard)
    Benchmark("JUnit: validate \(cases) test cases against smdrill's XSD (libxml2)") { benchmark in
        for _ in benchmark.scaledIterations {
            let problems = try JUnitSchema.validate(document, schema: schema)
            precondition(problems.isEmpty, "\(problems.prefix(3))")
        }
    }

    let rows = 10_000
    Benchmark("Evidence: append \(rows) rows, one transaction each", configuration: .init(maxIterations: 3)) { benchmark in
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("smdrill-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try EvidenceStore(path: folder.appendingPathComponent("evidence.sqlite").path, signingKey: nil)
        benchmark.startMeasurement()
        for index in 0..<rows { try store.append([entry(index)]) }
        benchmark.stopMeasurement()
    }

    let verifyFolder = FileManager.default.temporaryDirectory.appendingPathComponent("smdrill-bench-\(UUID().uuidString)")
    Benchmark(
        "Evidence: verify the chain of \(rows) rows",
        configuration: .init(
            setup: {
                let store = try EvidenceStore(path: verifyFolder.appendingPathComponent("evidence.sqlite").path, signingKey: nil)
                try store.append((0..<rows).map(entry))
            },
            teardown: { try? FileManager.default.removeItem(at: verifyFolder) })
    ) { benchmark in
        let store = try EvidenceStore(path: verifyFolder.appendingPathComponent("evidence.sqlite").path, signingKey: nil)
        for _ in benchmark.scaledIterations {
            let verdict = try store.verify()
            precondition(verdict == .intact(rows: rows))
        }
    }
}

/// The same shape as the peer's: 100 suites of 100 cases, one in ten failing with a timeline.
func sampleReport(cases: Int, suites: Int) -> JUnitReport {
    let perSuite = cases / suites
    return JUnitReport(
        name: "benchmark",
        suites: (0..<suites).map { suite in
            JUnitSuite(
                name: "scenario-\(suite)", time: 1.5,
                properties: [JUnitProperty("seed", "7"), JUnitProperty("rto_seconds", "2052")],
                cases: (0..<perSuite).map { index in
                    JUnitCase(
                        name: "RTO within 1m #\(index)", classname: "smdrill.drill.scenario-\(suite)", time: 0.5,
                        outcome: index % 10 == 0
                            ? .failed(
                                message: "RTO 34m12s exceeds objective 30m", type: "ObjectiveMissed",
                                body: "t+30m fault\nt+64m12s recovered")
                            : .passed)
                })
        })
}

/// An evidence row shaped like a drill's: a result of about the size the peer writes.
func entry(_ index: Int) -> EvidenceEntry {
    EvidenceEntry(
        recordedAt: "2026-11-27T12:00:00Z", kind: "drill", subject: "scenario-\(index % 20)", toolVersion: "0.1.0",
        inputSHA256: String(repeating: "a", count: 64), seed: 7, passed: true,
        resultJSON: "{\"scenario\":\"zone-loss\",\"rto_seconds\":12.5,\"series\":[\((0..<200).map(String.init).joined(separator: ","))]}",
        reports: ["junit.xml": String(repeating: "b", count: 64)])
}
