import Foundation

/// The JSON conventions of the v2 API: snake_case names (spelled out in each type's coding keys), dates in
/// RFC 3339 with milliseconds (`2022-04-12T23:20:50.520Z`).
public enum SecretsManagerJSON {
    /// An encoder with the v2 date format and sorted keys, so the same value always gives the same bytes.
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return encoder
    }

    /// A decoder that reads the v2 date format (with or without fractional seconds).
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "expected an RFC 3339 date such as 2022-04-12T23:20:50.520Z, got '\(text)'")
            }
            return date
        }
        return decoder
    }

}

/// RFC 3339 timestamps with milliseconds, always in UTC.
public enum Timestamp {
    private static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
    private static let withoutFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: .gmt)

    /// `2022-04-12T23:20:50.520Z`, rounded to the nearest millisecond.
    public static func format(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let (seconds, fraction) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        let wholeSeconds = fraction < 0 ? seconds - 1 : seconds
        let text = Date(timeIntervalSince1970: Double(wholeSeconds)).formatted(withoutFraction)
        let digits = String((fraction + 1000) % 1000)
        return text.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    /// Reads a timestamp with or without fractional seconds; nil when it is not one.
    public static func parse(_ text: String) -> Date? {
        (try? withFraction.parse(text)) ?? (try? withoutFraction.parse(text))
    }
}
