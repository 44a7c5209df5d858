import Foundation
import SecretsManager

/// The v2 limits and format rules, each answering 400 with a message that names the field and the limit.
public enum ServiceLimits {
    /// Versions whose metadata a secret keeps.
    public static let versionHistory = 50
    public static let secretGroupsPerInstance = 200
    public static let configurationsPerKind = 10
    public static let labelsPerSecret = 30
    public static let customMetadataBytes = 10 * 1024
    public static let arbitraryPayloadBytes = 1024 * 1024
    public static let kvDataBytes = 512 * 1024
    public static let certificateFieldBytes = 100 * 1024
    public static let locksPerVersion = 1000

    static func name(_ value: String, field: String = "name") throws(SecretsManagerError) {
        let count = value.count
        guard (2...256).contains(count) else {
            throw .badRequest(field: field, "\(field) must be 2 to 256 characters long, got \(count)")
        }
        let allowed = value.unicodeScalars.allSatisfy { scalar in
            isASCIIAlphanumeric(scalar) || scalar == "-" || scalar == "."
        }
        guard allowed, let first = value.unicodeScalars.first, let last = value.unicodeScalars.last,
            isASCIIAlphanumeric(first), isASCIIAlphanumeric(last)
        else {
            throw .badRequest(
                field: field,
                "\(field) may contain only letters, digits, '-' and '.', and must start and end with a letter or digit")
        }
    }

    static func groupName(_ value: String) throws(SecretsManagerError) {
        let count = value.count
        guard (2...64).contains(count) else {
            throw .badRequest(field: "name", "name must be 2 to 64 characters long, got \(count)")
        }
        let allowed = value.unicodeScalars.allSatisfy { scalar in
            isASCIIAlphanumeric(scalar) || scalar == "-" || scalar == "_" || scalar == "."
        }
        guard allowed else {
            throw .badRequest(field: "name", "name may contain only letters, digits, '-', '_' and '.'")
        }
    }

    static func description(_ value: String?) throws(SecretsManagerError) {
        guard let value else { return }
        guard (2...1024).contains(value.count) else {
            throw .badRequest(field: "description", "description must be 2 to 1024 characters long, got \(value.count)")
        }
    }

    static func labels(_ labels: [String]?) throws(SecretsManagerError) {
        guard let labels else { return }
        guard labels.count <= labelsPerSecret else {
            throw .badRequest(field: "labels", "a secret can have at most \(labelsPerSecret) labels, got \(labels.count)")
        }
        for label in labels where !(2...64).contains(label.count) {
            throw .badRequest(field: "labels", "each label must be 2 to 64 characters long, got one of \(label.count)")
        }
    }

    static func customMetadata(_ metadata: [String: JSONValue]?, field: String) throws(SecretsManagerError) {
        guard let metadata else { return }
        let size = StoredJSON.encode(metadata).utf8.count
        guard size <= customMetadataBytes else {
            throw .badRequest(field: field, "\(field) must be at most 10 KB, got \(size) bytes")
        }
    }

    /// The size and shape rules of each type's data.
    static func data(_ data: SecretData) throws(SecretsManagerError) {
        switch data {
        case .arbitrary(let payload):
            guard payload.utf8Count > 0 else { throw .badRequest(field: "payload", "payload must not be empty") }
            guard payload.utf8Count <= arbitraryPayloadBytes else {
                throw .badRequest(field: "payload", "payload must be at most 1 MB, got \(payload.utf8Count) bytes")
            }
        case .usernamePassword(let username, let password):
            guard (2...64).contains(username.count) else {
                throw .badRequest(field: "username", "username must be 2 to 64 characters long, got \(username.count)")
            }
            try passwordLength(password)
        case .kv(let object):
            let size = data.sensitiveSize
            guard !object.reveal().isEmpty else { throw .badRequest(field: "data", "data must not be empty") }
            guard size <= kvDataBytes else {
                throw .badRequest(field: "data", "data must be at most 512 KB, got \(size) bytes")
            }
        case .importedCert(let certificate, let intermediate, let privateKey):
            for (field, value) in [("certificate", certificate), ("intermediate", intermediate), ("private_key", privateKey)]
            {
                if let value, value.utf8Count > certificateFieldBytes {
                    throw .badRequest(field: field, "\(field) must be at most 100 KB, got \(value.utf8Count) bytes")
                }
            }
            guard certificate.utf8Count > 0 else {
                throw .badRequest(field: "certificate", "certificate must not be empty")
            }
        case .iamCredentials, .publicCert, .privateCert, .serviceCredentials, .customCredentials:
            break
        }
    }

    static func passwordLength(_ password: SecretPayload) throws(SecretsManagerError) {
        let count = password.reveal().count
        guard (6...256).contains(count) else {
            throw .badRequest(field: "password", "password must be 6 to 256 characters long, got \(count)")
        }
    }

    /// `ttl` of iam_credentials and service_credentials: seconds as a number, or a string such as `90m`,
    /// `12h`, `30d`; between 1 minute and 90 days.
    static func ttl(_ value: JSONValue?) throws(SecretsManagerError) -> Duration {
        guard let value else { throw .badRequest(field: "ttl", "ttl is required: between 1m and 90d") }
        var seconds: Double?
        switch value {
        case .number(let number): seconds = number
        case .string(let text):
            if let number = Double(text) {
                seconds = number
            } else if let unit = text.last, let number = Double(text.dropLast()) {
                switch unit {
                case "s": seconds = number
                case "m": seconds = number * 60
                case "h": seconds = number * 3600
                case "d": seconds = number * 86_400
                default: seconds = nil
                }
            }
        default: seconds = nil
        }
        guard let seconds else {
            throw .badRequest(field: "ttl", "ttl must be seconds or a number with s, m, h or d, such as 30d")
        }
        guard (60...(90 * 86_400)).contains(seconds) else {
            throw .badRequest(field: "ttl", "ttl must be between 1m and 90d, got \(Int(seconds))s")
        }
        return .seconds(Int64(seconds))
    }

    static func rotation(_ policy: RotationPolicy?, type: SecretType) throws(SecretsManagerError) {
        guard let policy else { return }
        switch type {
        case .arbitrary, .kv, .importedCert:
            throw .badRequest(field: "rotation", "\(type.rawValue) secrets do not support a rotation policy")
        default: break
        }
        guard policy.autoRotate else { return }
        guard let interval = policy.interval, let unit = policy.unit else {
            throw .badRequest(field: "rotation", "an automatic rotation policy needs interval and unit")
        }
        let range: ClosedRange<Int> =
            switch unit {
            case .hour: 1...2_880
            case .day: 1...120
            case .month: 1...4
            }
        guard range.contains(interval) else {
            throw .badRequest(
                field: "rotation.interval",
                "rotation interval in \(unit.rawValue)s must be \(range.lowerBound) to \(range.upperBound), got \(interval)")
        }
    }

    private static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}
