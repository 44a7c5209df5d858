import Drill
import FakeSecretsManager
import Foundation
import Logging
import SecretsManager
import Synchronization
import Testing

@testable import Reporting

/// Nothing secret leaves: drills over every secret type, through backups, restores, version restores and live
/// sync, and not one payload shows up in the JUnit, the HTML, the JSON, the evidence database or the logs.
struct CanaryTests {
    static let types =
        "{ arbitrary: 12%, username_password: 12%, kv: 12%, imported_cert: 12%, iam_credentials: 12%, public_cert: 10%, private_cert: 10%, service_credentials: 10%, custom_credentials: 10% }"

    static let drills = [
        """
        name: canary-backup-restore
        description: every type, backed up, lost with its region, restored elsewhere
        seed: 5
        duration: 40m
        service: { latency: { median: 10ms, p99: 40ms }, provisioning: 5m }
        topology:
          primary: { region: us-south, zones: 3 }
          recovery: { region: us-east, approach: zero-footprint }
        data: { secrets: 90, groups: 2, regional: 10%, types: \(types) }
        workload: { clients: 4, rate: 2/s, mix: { read: 80%, rotate: 20% }, retry: { attempts: 4, timeout: 1s } }
        protection: { backups: { every: 10m, first: 5m, bucket: cross-region } }
        faults:
          - { at: 18m, region_loss: { for: 2h, state: lost } }
        runbook:
          - { declare_disaster: { after: 1m } }
          - { provision_instance: {} }
          - { restore_backup: {} }
          - { failover: {} }
        objectives: { rto: 30m, rpo: 0s }
        """,
        """
        name: canary-corruption-live-sync
        description: every type, synchronised live, corrupted, restored from previous versions
        seed: 6
        duration: 30m
        service: { latency: { median: 10ms, p99: 40ms }, notification_delay: 2s }
        topology:
          primary: { region: us-south, zones: 3 }
          recovery: { region: us-east, approach: fully-operational }
        data: { secrets: 90, groups: 2, types: \(types) }
        workload: { clients: 4, rate: 2/s, mix: { read: 80%, rotate: 20% }, retry: { attempts: 4, timeout: 1s } }
        protection: { live_sync: { mode: events, action_startup: 2s } }
        faults:
          - { at: 10m, corruption: { kind: logical, secrets: 20, writer: iam-ServiceId-broken-pipeline } }
        runbook:
          - { declare_disaster: { on: detection, after: 1m } }
          - { restore_versions: { written_by: iam-ServiceId-broken-pipeline } }
        objectives: { rto: 10m }
        """,
    ]

    /// Every string a payload holds, from the current and previous version of every secret of every instance.
    static func payloads(of instances: [ServiceInstance]) -> (payloads: Set<String>, types: Set<SecretType>) {
        let reader = Principal("iam-ServiceId-canary")
        var found = Set<String>()
        var types = Set<SecretType>()
        for instance in instances {
            instance.accessControl.grant(AccessPolicy(principal: reader, role: .manager))
            for id in instance.secretIDs {
                var data: [SecretData] = []
                if let current = try? instance.getSecret(id: id, by: reader) {
                    types.insert(current.secretType)
                    if let value = current.data { data.append(value) }
                }
                if let previous = try? instance.getSecretVersion(secretID: id, version: .previous, by: reader).data {
                    data.append(previous)
                }
                for value in data { collect(.object(value.jsonObject), into: &found) }
            }
        }
        return (found, types)
    }

    /// The secret strings of a payload: every string but the username, and of a PEM its body lines.
    static func collect(_ value: JSONValue, key: String? = nil, into found: inout Set<String>) {
        switch value {
        case .string(let text) where key != "username":
            for line in text.split(separator: "\n") where !line.hasPrefix("-----") && line.count >= 12 {
                found.insert(String(line))
            }
        case .object(let object):
            for (key, child) in object { collect(child, key: key, into: &found) }
        case .array(let items):
            for item in items { collect(item, key: key, into: &found) }
        default: break
        }
    }

    /// The forms a payload could take in a report: as is, escaped for JSON, escaped for XML and HTML.
    static func forms(_ payload: String) -> [Data] {
        let json = payload.replacingOccurrences(of: "/", with: "\\/")
        let markup = payload.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&#39;")
        return Set([payload, json, markup]).map { Data($0.utf8) }
    }

    @Test("no byte of any payload reaches a report, the evidence or the logs")
    func nothingSecretLeaves() throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let logs = LogSink()
        var logger = Logger(label: "canary") { _ in CapturingLogHandler(sink: logs) }
        logger.logLevel = .trace
        let engine = DrillEngine(workDirectory: folder, logger: logger)

        var payloads = Set<String>()
        var results: [DrillResult] = []
        var touchedTypes = Set<SecretType>()
        for (index, text) in Self.drills.enumerated() {
            let scenario = try ScenarioLoader.parse(text, file: folder.appendingPathComponent("canary-\(index).yaml").path)
            results.append(
                try engine.run(scenario, inspect: { inspection in
                    let found = Self.payloads(of: inspection.instances)
                    payloads.formUnion(found.payloads)
                    touchedTypes.formUnion(found.types)
                }))
        }
        // The drills did what the test relies on: every type written, payloads found, recovery paths run.
        #expect(touchedTypes.count == SecretType.allCases.count)
        #expect(payloads.count > 500)
        #expect(results[0].steps.allSatisfy { $0.passed }, "\(results[0].steps.map(\.message))")
        #expect(results[1].steps.allSatisfy { $0.passed }, "\(results[1].steps.map(\.message))")

        // Every output a run makes.
        let evidencePath = folder.appendingPathComponent("reports/evidence.sqlite").path
        let evidence = try EvidenceStore(path: evidencePath, signingKey: "canary-key")
        let reports = DrillReports(
            junit: folder.appendingPathComponent("reports/junit.xml"), dialect: .standard,
            html: folder.appendingPathComponent("reports/index.html"), evidence: evidence, toolVersion: "test")
        _ = try reports.write(results, durations: [:])
        let extended = DrillReports(
            junit: folder.appendingPathComponent("reports/extended.xml"), dialect: .extended, html: nil, evidence: nil,
            toolVersion: "test")
        _ = try extended.write(results, durations: [:])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var outputs: [(String, Data)] = [("results.json", try encoder.encode(results))]
        for name in ["junit.xml", "extended.xml", "index.html", "evidence.sqlite", "evidence.sqlite-wal"] {
            let url = folder.appendingPathComponent("reports/\(name)")
            if let data = FileManager.default.contents(atPath: url.path) { outputs.append((name, data)) }
        }
        let history = try evidence.records()
        outputs.append(("history.json", try encoder.encode(history)))
        outputs.append(("logs", Data(logs.all.joined(separator: "\n").utf8)))
        #expect(outputs.count >= 7)
        #expect(logs.all.count > 20)

        // The search itself finds a payload where one is, in each form it could take.
        let probe = try #require(payloads.first { $0.contains("/") || $0.contains("&") } ?? payloads.first)
        let planted = [
            try JSONEncoder().encode(["leak": probe]), Data(escape(probe).utf8), Data(probe.utf8),
        ]
        for buffer in planted { #expect(Self.forms(probe).contains { buffer.range(of: $0) != nil }) }

        var leaks: [String] = []
        for payload in payloads {
            for form in Self.forms(payload) {
                for (name, data) in outputs where data.range(of: form) != nil {
                    leaks.append("\(name) holds \(payload.prefix(12))...")
                }
            }
        }
        #expect(leaks == [], "\(leaks.prefix(10))")
    }
}

/// Where the capturing handler puts every line.
final class LogSink: Sendable {
    private let lines = Mutex<[String]>([])

    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

/// A log handler that keeps every line, with its metadata, for the canary to search.
struct CapturingLogHandler: LogHandler {
    let sink: LogSink
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let fields = all.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
        sink.append("\(event.level) \(event.source) \(event.message) \(fields) \(event.error.map { "\($0)" } ?? "")")
    }
}
