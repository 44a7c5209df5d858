import Foundation

/// The wall clock as reports see it: `SOURCE_DATE_EPOCH` when set (reproducible builds' convention), the
/// system clock otherwise. Wall-clock times appear only in report timestamps, never in results.
public enum ReportClock {
    public static func now(environment: [String: String] = ProcessInfo.processInfo.environment) -> Date {
        if let text = environment["SOURCE_DATE_EPOCH"], let seconds = TimeInterval(text) {
            return Date(timeIntervalSince1970: seconds)
        }
        return Date()
    }

    /// Whether timings that would differ between runs should be left out.
    public static var isReproducible: Bool { ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"] != nil }

    /// `2026-11-27T12:00:00Z`.
    public static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
    }
}
