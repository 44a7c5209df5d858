/// An error answer of the v2 API, with the HTTP status a real instance would send.
///
/// Its message names what was wrong (the field, the limit) and never a secret's data.
///
/// ```swift
/// throw SecretsManagerError.badRequest(field: "name", "name must be 2 to 256 characters, got 300")
/// ```
public struct SecretsManagerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Where in the request the problem is.
    public struct Target: Hashable, Sendable, Codable {
        public enum Kind: String, Hashable, Sendable, Codable { case field, parameter, header }
        public var type: Kind
        public var name: String

        public init(type: Kind, name: String) {
            self.type = type
            self.name = name
        }
    }

    public var status: Int
    public var code: String
    public var message: String
    public var target: Target?

    public init(status: Int, code: String, message: String, target: Target? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.target = target
    }

    public var description: String {
        if let target { return "\(status) \(code): \(message) (\(target.type.rawValue) '\(target.name)')" }
        return "\(status) \(code): \(message)"
    }

    /// Whether a client following IBM's retry guidance should try again: 429 and the 5xx answers.
    public var isRetryable: Bool { status == 429 || status >= 500 }

    /// The IBM error body of this answer, with a trace id the caller supplies.
    public func body(trace: String) -> IBMErrorBody {
        IBMErrorBody(
            errors: [.init(code: code, message: message, moreInfo: nil, target: target)], trace: trace,
            statusCode: status)
    }

    public static func badRequest(field: String? = nil, _ message: String) -> SecretsManagerError {
        SecretsManagerError(
            status: 400, code: "bad_request", message: message, target: field.map { Target(type: .field, name: $0) })
    }

    public static func badParameter(_ parameter: String, _ message: String) -> SecretsManagerError {
        SecretsManagerError(
            status: 400, code: "bad_request", message: message, target: Target(type: .parameter, name: parameter))
    }

    public static func unauthorized(_ message: String) -> SecretsManagerError {
        SecretsManagerError(status: 401, code: "unauthorized", message: message)
    }

    public static func forbidden(_ message: String) -> SecretsManagerError {
        SecretsManagerError(status: 403, code: "forbidden", message: message)
    }

    public static func notFound(_ message: String) -> SecretsManagerError {
        SecretsManagerError(status: 404, code: "not_found", message: message)
    }

    public static func conflict(_ message: String) -> SecretsManagerError {
        SecretsManagerError(status: 409, code: "conflict", message: message)
    }

    public static func preconditionFailed(_ message: String) -> SecretsManagerError {
        SecretsManagerError(status: 412, code: "precondition_failed", message: message)
    }

    public static func tooManyRequests(_ message: String) -> SecretsManagerError {
        SecretsManagerError(status: 429, code: "too_many_requests", message: message)
    }

    public static func serviceUnavailable(code: String = "service_unavailable", _ message: String) -> SecretsManagerError {
        SecretsManagerError(status: 503, code: code, message: message)
    }
}

/// The IBM-wide error body: `{"errors": [{"code", "message", "more_info", "target"}], "trace", "status_code"}`.
public struct IBMErrorBody: Hashable, Sendable, Codable {
    public struct Item: Hashable, Sendable, Codable {
        public var code: String
        public var message: String
        public var moreInfo: String?
        public var target: SecretsManagerError.Target?

        public init(code: String, message: String, moreInfo: String?, target: SecretsManagerError.Target?) {
            self.code = code
            self.message = message
            self.moreInfo = moreInfo
            self.target = target
        }

        enum CodingKeys: String, CodingKey {
            case code, message, target
            case moreInfo = "more_info"
        }
    }

    public var errors: [Item]
    public var trace: String
    public var statusCode: Int

    public init(errors: [Item], trace: String, statusCode: Int) {
        self.errors = errors
        self.trace = trace
        self.statusCode = statusCode
    }

    enum CodingKeys: String, CodingKey {
        case errors, trace
        case statusCode = "status_code"
    }
}

/// A request that got no HTTP answer at all: the node it reached was dead, or no endpoint took it.
public enum TransportError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No answer before the client's timeout.
    case timeout(after: Duration)
    /// The endpoint refused or could not be resolved.
    case connectionFailed(String)

    public var description: String {
        switch self {
        case .timeout(let after): "no answer within \(after)"
        case .connectionFailed(let reason): "connection failed: \(reason)"
        }
    }
}
