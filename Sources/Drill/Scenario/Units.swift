import Foundation

/// The units smdrill's input files use, and their parsers. Each parser answers nil for text that is not a
/// value of its kind; the caller turns that into an error at the value's place.
public enum Units {
    /// `250ms`, `30s`, `5m`, `2h`, `1d`, and sums such as `1h30m`. A bare number is refused: a duration
    /// always states its unit.
    public static func duration(_ text: String) -> Duration? {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard !rest.isEmpty else { return nil }
        var total: Duration = .zero
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number), value.isFinite else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unit.count)
            let seconds: Double
            switch unit {
            case "ms": seconds = value / 1000
            case "s": seconds = value
            case "m", "min": seconds = value * 60
            case "h": seconds = value * 3600
            case "d": seconds = value * 86_400
            default: return nil
            }
            guard seconds < 1e10 else { return nil }
            total += .nanoseconds(Int64((seconds * 1e9).rounded()))
        }
        return total
    }

    /// `10/s`, `600/min`, `20/m`, `5/h`: events per second.
    public static func rate(_ text: String) -> Double? {
        let parts = text.replacingOccurrences(of: " ", with: "").split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let value = Double(parts[0]), value.isFinite, value >= 0 else { return nil }
        switch parts[1] {
        case "s", "sec": return value
        case "m", "min": return value / 60
        case "h": return value / 3600
        case "d": return value / 86_400
        default: return nil
        }
    }

    /// `95%`, `99.9%`: a fraction in 0...1. The `%` is required.
    public static func percentage(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasSuffix("%"), let value = Double(trimmed.dropLast()), value.isFinite else { return nil }
        guard (0...100).contains(value) else { return nil }
        // Through whole millionths of a percent, so 99.9% is exactly 0.999.
        return (value * 1_000_000).rounded() / 100_000_000
    }

    /// A fraction as a percentage for people: `99.95%`.
    public static func format(percentage fraction: Double) -> String {
        var text = String(format: "%.4f", fraction * 100)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text + "%"
    }
}
