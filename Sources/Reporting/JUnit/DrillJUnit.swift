import Drill
import Foundation

/// Drill results as JUnit: a suite per drill; a test case per objective (`RTO within 1m`) and per runbook step
/// (`step 2 restore_backup`), named the same from run to run; the measured figures as suite properties.
public enum DrillJUnit {
    /// What a report needs besides the results.
    public struct Context: Sendable {
        public var toolVersion: String
        /// The wall-clock time of the run (SOURCE_DATE_EPOCH when set).
        public var timestamp: Date?
        /// Wall-clock seconds each drill took, by scenario file; zero when reports must be reproducible.
        public var durations: [String: Double]

        public init(toolVersion: String, timestamp: Date?, durations: [String: Double] = [:]) {
            self.toolVersion = toolVersion
            self.timestamp = timestamp
            self.durations = durations
        }
    }

    public static func report(_ results: [DrillResult], context: Context) -> JUnitReport {
        JUnitReport(name: "smdrill drills", suites: results.map { suite($0, context: context) })
    }

    public static func suite(_ result: DrillResult, context: Context) -> JUnitSuite {
        let classname = "smdrill.drill." + result.scenario
        var cases: [JUnitCase] = []
        for objective in result.objectives {
            let name = caseName(objective)
            var testCase = JUnitCase(name: name, classname: classname, file: result.file)
            testCase.properties = [
                JUnitProperty("target", objective.target), JUnitProperty("measured", objective.measured),
            ]
            if !objective.passed {
                testCase.outcome = .failed(
                    message: objective.message, type: "ObjectiveMissed",
                    body: objective.message + "\n\n" + timeline(result, for: objective))
            }
            cases.append(testCase)
        }
        for step in result.steps {
            var testCase = JUnitCase(
                name: "step \(step.index) \(step.name)", classname: classname,
                time: max(0, (step.endedSeconds ?? 0) - (step.startedSeconds ?? 0)), file: result.file)
            testCase.systemOut = step.message
            if !step.passed {
                testCase.outcome = .failed(message: step.message, type: "StepFailed", body: step.message)
            }
            cases.append(testCase)
        }
        if cases.isEmpty {
            cases.append(JUnitCase(name: "drill runs to its end", classname: classname, file: result.file))
        }
        return JUnitSuite(
            name: result.scenario, timestamp: context.timestamp, time: context.durations[result.file] ?? 0,
            properties: properties(result, toolVersion: context.toolVersion), cases: cases,
            systemOut: fullTimeline(result))
    }

    /// `RTO within 1m`, `RPO within 0s`, `availability at least 99.9%`, `lost writes at most 0`.
    public static func caseName(_ objective: DrillResult.ObjectiveResult) -> String {
        switch objective.name {
        case "rto": "RTO within \(objective.target)"
        case "rpo": "RPO within \(objective.target)"
        case "availability": "availability at least \(objective.target)"
        case "lost_writes": "lost writes at most \(objective.target)"
        default: "\(objective.name) \(objective.target)"
        }
    }

    static func properties(_ result: DrillResult, toolVersion: String) -> [JUnitProperty] {
        var properties = [
            JUnitProperty("scenario_file", result.file), JUnitProperty("scenario_sha256", result.fileSHA256),
            JUnitProperty("seed", String(result.seed)), JUnitProperty("tool_version", toolVersion),
            JUnitProperty("passed", String(result.passed)),
            JUnitProperty("rto_seconds", result.rtoSeconds.map { number($0) } ?? "unbounded"),
            JUnitProperty("rpo_seconds", number(result.rpoSeconds)),
            JUnitProperty("availability", number(result.availability)),
            JUnitProperty("lost_writes", String(result.lostWrites)),
            JUnitProperty("stale_reads", String(result.staleReads)),
            JUnitProperty("corrupt_reads", String(result.corruptReads)),
            JUnitProperty("duration_seconds", number(result.durationSeconds)),
            JUnitProperty("requests_total", String(result.requests.total)),
            JUnitProperty("requests_failed", String(result.requests.failed)),
            JUnitProperty("writes_acknowledged", String(result.requests.writesAcknowledged)),
            JUnitProperty("failovers", String(result.requests.failovers)),
            JUnitProperty("latency_p50_ms", number(result.latencyMilliseconds.p50)),
            JUnitProperty("latency_p99_ms", number(result.latencyMilliseconds.p99)),
            JUnitProperty("latency_max_ms", number(result.latencyMilliseconds.max)),
        ]
        for (index, fault) in result.faults.enumerated() {
            let prefix = "fault_\(index + 1)_"
            properties += [
                JUnitProperty(prefix + "kind", fault.kind), JUnitProperty(prefix + "at_seconds", number(fault.atSeconds)),
                JUnitProperty(prefix + "rto_seconds", fault.rtoSeconds.map { number($0) } ?? "unbounded"),
                JUnitProperty(prefix + "rpo_seconds", number(fault.rpoSeconds)),
                JUnitProperty(prefix + "detected_after_seconds", fault.detectedAfterSeconds.map { number($0) } ?? "never"),
                JUnitProperty(prefix + "lost_writes", String(fault.lostWrites)),
            ]
        }
        return properties
    }

    static func number(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// The timeline around the faults an objective measures (all of them: objectives are drill-wide).
    static func timeline(_ result: DrillResult, for objective: DrillResult.ObjectiveResult) -> String {
        let lines = result.timeline.filter { ["fault", "detected", "recovered", "step", "failover", "note"].contains($0.kind) }
        return "Timeline:\n" + lines.prefix(200).map(line).joined(separator: "\n")
    }

    static func fullTimeline(_ result: DrillResult) -> String {
        result.timeline.map(line).joined(separator: "\n")
    }

    static func line(_ entry: DrillResult.TimelineEntry) -> String {
        "t+\(Duration.seconds(entry.atSeconds).compactDescription)  \(entry.kind)  \(entry.text)"
    }
}
