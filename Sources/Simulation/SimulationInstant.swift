/// A point in virtual time: nanoseconds since the simulation started. Every span of time is a `Duration`.
public struct SimulationInstant: InstantProtocol, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var nanosecondsSinceStart: Int64

    /// The moment the simulation starts.
    public static let start = SimulationInstant(nanosecondsSinceStart: 0)

    public init(nanosecondsSinceStart: Int64) { self.nanosecondsSinceStart = nanosecondsSinceStart }

    /// The instant `offset` after the start.
    public init(_ offset: Duration) { nanosecondsSinceStart = offset.nanoseconds }

    public func advanced(by duration: Duration) -> SimulationInstant {
        SimulationInstant(nanosecondsSinceStart: nanosecondsSinceStart &+ duration.nanoseconds)
    }

    public func duration(to other: SimulationInstant) -> Duration {
        .nanoseconds(other.nanosecondsSinceStart &- nanosecondsSinceStart)
    }

    public static func < (lhs: SimulationInstant, rhs: SimulationInstant) -> Bool {
        lhs.nanosecondsSinceStart < rhs.nanosecondsSinceStart
    }

    /// Time since the start.
    public var sinceStart: Duration { .nanoseconds(nanosecondsSinceStart) }

    /// Seconds since the start, for reports.
    public var seconds: Double { Double(nanosecondsSinceStart) / 1e9 }

    public var description: String { "t+" + sinceStart.compactDescription }
}

extension Duration {
    /// The whole number of nanoseconds in this span (saturating at the limits of `Int64`).
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return scaled &+ attoseconds / 1_000_000_000
    }

    /// The span in seconds as a floating-point number, for arithmetic on rates and for reports.
    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// A span of `seconds` seconds, rounded to the nanosecond.
    public static func seconds(_ seconds: Double) -> Duration {
        .nanoseconds(Int64((seconds * 1e9).rounded()))
    }

    /// A short human form: `250ms`, `1.5s`, `2m30s`, `1h`, `1d2h`.
    public var compactDescription: String {
        let totalNanoseconds = nanoseconds
        if totalNanoseconds == 0 { return "0s" }
        let sign = totalNanoseconds < 0 ? "-" : ""
        let value = totalNanoseconds.magnitude
        if value < 1_000_000_000 {
            if value % 1_000_000 == 0 { return "\(sign)\(value / 1_000_000)ms" }
            if value % 1_000 == 0 { return "\(sign)\(value / 1_000)us" }
            if value < 1_000 { return "\(sign)\(value)ns" }
            return sign + trimmed(Double(value) / 1e6) + "ms"
        }
        var seconds = value / 1_000_000_000
        let fraction = value % 1_000_000_000
        if seconds < 60 {
            return fraction == 0 ? "\(sign)\(seconds)s" : sign + trimmed(Double(value) / 1e9) + "s"
        }
        var parts = ""
        let days = seconds / 86_400
        seconds %= 86_400
        let hours = seconds / 3_600
        seconds %= 3_600
        let minutes = seconds / 60
        seconds %= 60
        if days > 0 { parts += "\(days)d" }
        if hours > 0 { parts += "\(hours)h" }
        if minutes > 0 { parts += "\(minutes)m" }
        if seconds > 0 || fraction > 0 {
            parts += fraction == 0 ? "\(seconds)s" : trimmed(Double(seconds) + Double(fraction) / 1e9) + "s"
        }
        return sign + parts
    }

    private func trimmed(_ value: Double) -> String {
        var text = String(format: "%.3f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}

import Foundation
