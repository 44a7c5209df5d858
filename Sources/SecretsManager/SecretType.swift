/// The nine secret types of Secrets Manager v2, with their JSON names.
public enum SecretType: String, CaseIterable, Codable, Sendable, Hashable, Comparable {
    case arbitrary
    case usernamePassword = "username_password"
    case kv
    case iamCredentials = "iam_credentials"
    case importedCert = "imported_cert"
    case publicCert = "public_cert"
    case privateCert = "private_cert"
    case serviceCredentials = "service_credentials"
    case customCredentials = "custom_credentials"

    public static func < (lhs: SecretType, rhs: SecretType) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Whether a new version carries data written by the caller. For the other types the service generates the
    /// data (IAM, a certificate authority, a credentials provider) and a rotation body holds metadata only.
    public var acceptsDataOnRotation: Bool {
        switch self {
        case .arbitrary, .usernamePassword, .kv, .importedCert: true
        case .iamCredentials, .publicCert, .privateCert, .serviceCredentials, .customCredentials: false
        }
    }
}

/// The life-cycle state of a secret. The numbers are the v2 API's.
public enum SecretState: Int, Codable, Sendable, Hashable, CaseIterable {
    case preActivation = 0
    case active = 1
    case suspended = 2
    case deactivated = 3
    case destroyed = 5

    /// The `state_description` the API sends beside the number.
    public var stateDescription: String {
        switch self {
        case .preActivation: "pre_activation"
        case .active: "active"
        case .suspended: "suspended"
        case .deactivated: "deactivated"
        case .destroyed: "destroyed"
        }
    }
}

/// A rotation policy: `{"auto_rotate": true, "interval": 30, "unit": "day"}`.
public struct RotationPolicy: Codable, Sendable, Hashable {
    public enum Unit: String, Codable, Sendable, Hashable { case day, hour, month }

    public var autoRotate: Bool
    public var interval: Int?
    public var unit: Unit?

    public init(autoRotate: Bool, interval: Int? = nil, unit: Unit? = nil) {
        self.autoRotate = autoRotate
        self.interval = interval
        self.unit = unit
    }

    enum CodingKeys: String, CodingKey {
        case autoRotate = "auto_rotate"
        case interval, unit
    }
}

/// Which version of a secret a call means: an id, or the `current` and `previous` aliases.
public enum VersionSelector: Hashable, Sendable, CustomStringConvertible {
    case current
    case previous
    case id(String)

    /// Reads the path segment of `/secrets/{id}/versions/{version}`.
    public init(_ pathSegment: String) {
        switch pathSegment {
        case "current": self = .current
        case "previous": self = .previous
        default: self = .id(pathSegment)
        }
    }

    public var description: String {
        switch self {
        case .current: "current"
        case .previous: "previous"
        case .id(let id): id
        }
    }
}

/// The alias a version carries while it is one of the two that keep their data.
public enum VersionAlias: String, Codable, Sendable, Hashable {
    case current, previous
}
