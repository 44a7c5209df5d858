/// A sensitive string: a password, an API key, a private key, an arbitrary payload.
///
/// Its descriptions are redacted, so interpolating one into a log line, an error message or a report cannot
/// leak it. Only `reveal()` hands out the value, and the name says what it does.
///
/// ```swift
/// let password = SecretPayload("hunter22")
/// print("rotated \(password)")      // rotated <redacted>
/// ```
public struct SecretPayload: Hashable, Sendable, Codable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable, ExpressibleByStringLiteral
{
    private let value: String

    public init(_ value: String) { self.value = value }
    public init(stringLiteral value: String) { self.value = value }

    public init(from decoder: any Decoder) throws {
        value = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    /// The sensitive value itself. Call it only where the value must leave: the wire, the cipher.
    public func reveal() -> String { value }

    /// The length in UTF-8 bytes, for size limits that must not reveal the value.
    public var utf8Count: Int { value.utf8.count }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "SecretPayload(<redacted>)" }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}

/// A sensitive JSON object: the `data` of a key-value secret, `credentials` of service credentials,
/// `credentials_content` of custom credentials. Redacted like ``SecretPayload``.
public struct SecretObject: Hashable, Sendable, Codable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    private let value: [String: JSONValue]

    public init(_ value: [String: JSONValue]) { self.value = value }

    public init(from decoder: any Decoder) throws {
        value = try decoder.singleValueContainer().decode([String: JSONValue].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    /// The sensitive object itself.
    public func reveal() -> [String: JSONValue] { value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "SecretObject(<redacted>)" }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
