import Foundation

/// The outcome of one drill: plain values, so reporters are functions of it and never reach back into the
/// engine. Encoded with snake_case keys; the same scenario and seed give the same bytes.
public struct DrillResult: Codable, Sendable, Hashable {
    public var scenario: String
    public var description: String
    public var file: String
    public var fileSHA256: String
    public var seed: UInt64
    public var passed: Bool
    /// The longest recovery time of any fault; nil when one never recovered.
    public var rtoSeconds: Double?
    public var rpoSeconds: Double
    public var availability: Double
    public var lostWrites: Int
    public var staleReads: Int
    public var corruptReads: Int
    public var durationSeconds: Double
    public var requests: Requests
    public var latencyMilliseconds: LatencySummary
    public var faults: [FaultResult]
    public var objectives: [ObjectiveResult]
    public var steps: [StepResult]
    public var timeline: [TimelineEntry]
    public var series: [SeriesPoint]

    public struct Requests: Codable, Sendable, Hashable {
        public var total: Int
        public var succeeded: Int
        public var failed: Int
        public var writesAcknowledged: Int
        public var failovers: Int

        enum CodingKeys: String, CodingKey {
            case total, succeeded, failed, failovers
            case writesAcknowledged = "writes_acknowledged"
        }
    }

    public struct LatencySummary: Codable, Sendable, Hashable {
        public var p50: Double
        public var p90: Double
        public var p99: Double
        public var p999: Double
        public var max: Double
    }

    public struct FaultResult: Codable, Sendable, Hashable {
        public var kind: String
        public var summary: String
        public var atSeconds: Double
        public var rtoSeconds: Double?
        public var rpoSeconds: Double
        public var detectedAfterSeconds: Double?
        public var lostWrites: Int
        public var lostSecrets: Int

        enum CodingKeys: String, CodingKey {
            case kind, summary
            case atSeconds = "at_seconds"
            case rtoSeconds = "rto_seconds"
            case rpoSeconds = "rpo_seconds"
            case detectedAfterSeconds = "detected_after_seconds"
            case lostWrites = "lost_writes"
            case lostSecrets = "lost_secrets"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(kind, forKey: .kind)
            try container.encode(summary, forKey: .summary)
            try container.encode(atSeconds, forKey: .atSeconds)
            try container.encode(rtoSeconds, forKey: .rtoSeconds)
            try container.encode(rpoSeconds, forKey: .rpoSeconds)
            try container.encode(detectedAfterSeconds, forKey: .detectedAfterSeconds)
            try container.encode(lostWrites, forKey: .lostWrites)
            try container.encode(lostSecrets, forKey: .lostSecrets)
        }
    }

    public struct ObjectiveResult: Codable, Sendable, Hashable {
        /// `rto`, `rpo`, `availability`, `lost_writes`.
        public var name: String
        /// The objective as written: `1m`, `99.9%`, `0`.
        public var target: String
        /// The measured figure in the same form; `unbounded` for a recovery that never came.
        public var measured: String
        public var passed: Bool
        /// `RTO 34m12s exceeds objective 30m`, or how it held.
        public var message: String
    }

    public struct StepResult: Codable, Sendable, Hashable {
        public var index: Int
        public var name: String
        public var startedSeconds: Double?
        public var endedSeconds: Double?
        public var passed: Bool
        public var message: String

        enum CodingKeys: String, CodingKey {
            case index, name, passed, message
            case startedSeconds = "started_seconds"
            case endedSeconds = "ended_seconds"
        }
    }

    public struct TimelineEntry: Codable, Sendable, Hashable {
        public var atSeconds: Double
        /// `fault`, `detected`, `recovered`, `step`, `load-balancer`, `failover`, `note`.
        public var kind: String
        public var text: String

        enum CodingKeys: String, CodingKey {
            case kind, text
            case atSeconds = "at_seconds"
        }
    }

    public struct SeriesPoint: Codable, Sendable, Hashable {
        public var startSeconds: Double
        public var widthSeconds: Double
        public var succeeded: Int
        public var failed: Int
        public var corruptReads: Int
        public var staleReads: Int

        enum CodingKeys: String, CodingKey {
            case succeeded, failed
            case startSeconds = "start_seconds"
            case widthSeconds = "width_seconds"
            case corruptReads = "corrupt_reads"
            case staleReads = "stale_reads"
        }
    }

    enum CodingKeys: String, CodingKey {
        case scenario, description, file, seed, passed, availability, requests, faults, objectives, steps, timeline,
            series
        case fileSHA256 = "file_sha256"
        case rtoSeconds = "rto_seconds"
        case rpoSeconds = "rpo_seconds"
        case lostWrites = "lost_writes"
        case staleReads = "stale_reads"
        case corruptReads = "corrupt_reads"
        case durationSeconds = "duration_seconds"
        case latencyMilliseconds = "latency_ms"
    }

    /// Nil values are written as `null` (an unbounded RTO must show, not vanish).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(scenario, forKey: .scenario)
        try container.encode(description, forKey: .description)
        try container.encode(file, forKey: .file)
        try container.encode(fileSHA256, forKey: .fileSHA256)
        try container.encode(seed, forKey: .seed)
        try container.encode(passed, forKey: .passed)
        try container.encode(rtoSeconds, forKey: .rtoSeconds)
        try container.encode(rpoSeconds, forKey: .rpoSeconds)
        try container.encode(availability, forKey: .availability)
        try container.encode(lostWrites, forKey: .lostWrites)
        try container.encode(staleReads, forKey: .staleReads)
        try container.encode(corruptReads, forKey: .corruptReads)
        try container.encode(durationSeconds, forKey: .durationSeconds)
        try container.encode(requests, forKey: .requests)
        try container.encode(latencyMilliseconds, forKey: .latencyMilliseconds)
        try container.encode(faults, forKey: .faults)
        try container.encode(objectives, forKey: .objectives)
        try container.encode(steps, forKey: .steps)
        try container.encode(timeline, forKey: .timeline)
        try container.encode(series, forKey: .series)
    }
}

extension Double {
    /// Seconds rounded to the millisecond: what results carry, so tiny float noise never reaches a report.
    var roundedToMilliseconds: Double { (self * 1000).rounded() / 1000 }
}
