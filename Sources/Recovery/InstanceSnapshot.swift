import Foundation
import SecretsManager

/// What an instance holds, in a form another instance can be made to match: secrets keyed by type and name
/// (ids differ between instances), groups by name. Backups store it, restores and the source of truth apply
/// it, live sync compares with it.
public struct InstanceSnapshot: Codable, Sendable, Hashable {
    public var groups: [GroupSnapshot]
    public var secrets: [SecretSnapshot]
    public var configurations: [Configuration]
    public var notificationsRegistration: NotificationsRegistration?

    public init(
        groups: [GroupSnapshot] = [], secrets: [SecretSnapshot] = [], configurations: [Configuration] = [],
        notificationsRegistration: NotificationsRegistration? = nil
    ) {
        self.groups = groups
        self.secrets = secrets
        self.configurations = configurations
        self.notificationsRegistration = notificationsRegistration
    }

    enum CodingKeys: String, CodingKey {
        case groups, secrets, configurations
        case notificationsRegistration = "notifications_registration"
    }
}

public struct GroupSnapshot: Codable, Sendable, Hashable {
    public var name: String
    public var description: String?

    public init(name: String, description: String? = nil) {
        self.name = name
        self.description = description
    }
}

/// One secret: its metadata, and the data of its current and previous versions (the only two that keep data).
public struct SecretSnapshot: Codable, Sendable, Hashable {
    public var key: SecretKey
    public var groupName: String
    public var description: String?
    public var labels: [String]
    public var customMetadata: [String: JSONValue]
    public var attributes: [String: JSONValue]
    public var expirationDate: Date?
    public var rotation: RotationPolicy?
    /// Versions the secret had (metadata); only the last two can be recreated with their data.
    public var versionsTotal: Int
    public var current: SecretData?
    public var previous: SecretData?
    public var currentVersionCustomMetadata: [String: JSONValue]

    public init(
        key: SecretKey, groupName: String, description: String? = nil, labels: [String] = [],
        customMetadata: [String: JSONValue] = [:], attributes: [String: JSONValue] = [:], expirationDate: Date? = nil,
        rotation: RotationPolicy? = nil, versionsTotal: Int = 1, current: SecretData?, previous: SecretData? = nil,
        currentVersionCustomMetadata: [String: JSONValue] = [:]
    ) {
        self.key = key
        self.groupName = groupName
        self.description = description
        self.labels = labels
        self.customMetadata = customMetadata
        self.attributes = attributes
        self.expirationDate = expirationDate
        self.rotation = rotation
        self.versionsTotal = versionsTotal
        self.current = current
        self.previous = previous
        self.currentVersionCustomMetadata = currentVersionCustomMetadata
    }

    enum CodingKeys: String, CodingKey {
        case key, description, labels, attributes, rotation, current, previous
        case groupName = "group_name"
        case customMetadata = "custom_metadata"
        case expirationDate = "expiration_date"
        case versionsTotal = "versions_total"
        case currentVersionCustomMetadata = "current_version_custom_metadata"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        key = try container.decode(SecretKey.self, forKey: .key)
        groupName = try container.decode(String.self, forKey: .groupName)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        labels = try container.decodeIfPresent([String].self, forKey: .labels) ?? []
        customMetadata = try container.decodeIfPresent([String: JSONValue].self, forKey: .customMetadata) ?? [:]
        attributes = try container.decodeIfPresent([String: JSONValue].self, forKey: .attributes) ?? [:]
        expirationDate = try container.decodeIfPresent(Date.self, forKey: .expirationDate)
        rotation = try container.decodeIfPresent(RotationPolicy.self, forKey: .rotation)
        versionsTotal = try container.decodeIfPresent(Int.self, forKey: .versionsTotal) ?? 1
        currentVersionCustomMetadata =
            try container.decodeIfPresent([String: JSONValue].self, forKey: .currentVersionCustomMetadata) ?? [:]
        current = try container.decodeIfPresent(DataBox.self, forKey: .current)?.data(key.type)
        previous = try container.decodeIfPresent(DataBox.self, forKey: .previous)?.data(key.type)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(key, forKey: .key)
        try container.encode(groupName, forKey: .groupName)
        try container.encodeIfPresent(description, forKey: .description)
        try container.encode(labels, forKey: .labels)
        try container.encode(customMetadata, forKey: .customMetadata)
        try container.encode(attributes, forKey: .attributes)
        try container.encodeIfPresent(expirationDate, forKey: .expirationDate)
        try container.encodeIfPresent(rotation, forKey: .rotation)
        try container.encode(versionsTotal, forKey: .versionsTotal)
        try container.encode(currentVersionCustomMetadata, forKey: .currentVersionCustomMetadata)
        try container.encodeIfPresent(current.map { DataBox(object: $0.jsonObject) }, forKey: .current)
        try container.encodeIfPresent(previous.map { DataBox(object: $0.jsonObject) }, forKey: .previous)
    }

    /// The data fields as a JSON object, typed by the secret's type when read.
    struct DataBox: Codable {
        var object: [String: JSONValue]

        init(object: [String: JSONValue]) { self.object = object }
        init(from decoder: any Decoder) throws { object = try [String: JSONValue](from: decoder) }
        func encode(to encoder: any Encoder) throws { try object.encode(to: encoder) }

        func data(_ type: SecretType) throws -> SecretData {
            try SecretData.fromCanonicalJSON(CanonicalJSON.bytes(.object(object)), type: type)
        }
    }

    /// A prototype that creates this secret with `data` in the group `groupID`.
    func prototype(data: SecretData?, groupID: String) -> SecretPrototype {
        SecretPrototype(
            name: key.name, secretType: key.type, data: data, description: description, secretGroupID: groupID,
            labels: labels.isEmpty ? nil : labels, customMetadata: customMetadata.isEmpty ? nil : customMetadata,
            expirationDate: expirationDate, rotation: rotation, attributes: attributes)
    }
}

/// A secret's identity across instances: its type and name (unique per type in an instance).
public struct SecretKey: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public var type: SecretType
    public var name: String

    public init(type: SecretType, name: String) {
        self.type = type
        self.name = name
    }

    public static func < (lhs: SecretKey, rhs: SecretKey) -> Bool { (lhs.type, lhs.name) < (rhs.type, rhs.name) }

    public var description: String { "\(type.rawValue)/\(name)" }
}

extension SecretData {
    /// A fingerprint of the data for comparisons (SHA-256 of its canonical JSON, hex).
    var digest: String { Digests.sha256Hex(canonicalJSON()) }
}

extension SecretSnapshot {
    /// The snapshot as a JSON value: the same document `encode(to:)` writes, built without the Codable
    /// machinery because backups write and read one per secret (`JSONEncoder` and `JSONDecoder` were half of a
    /// backup and restore).
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "key": .object(["type": .string(key.type.rawValue), "name": .string(key.name)]),
            "group_name": .string(groupName),
            "labels": .array(labels.map { .string($0) }),
            "custom_metadata": .object(customMetadata),
            "attributes": .object(attributes),
            "versions_total": .number(Double(versionsTotal)),
            "current_version_custom_metadata": .object(currentVersionCustomMetadata),
        ]
        if let description { object["description"] = .string(description) }
        if let expirationDate { object["expiration_date"] = .string(Timestamp.format(expirationDate)) }
        if let rotation {
            var policy: [String: JSONValue] = ["auto_rotate": .bool(rotation.autoRotate)]
            if let interval = rotation.interval { policy["interval"] = .number(Double(interval)) }
            if let unit = rotation.unit { policy["unit"] = .string(unit.rawValue) }
            object["rotation"] = .object(policy)
        }
        if let current { object["current"] = .object(current.jsonObject) }
        if let previous { object["previous"] = .object(previous.jsonObject) }
        return .object(object)
    }

    /// Reads what ``json`` writes (and what `encode(to:)` wrote).
    public init(json: JSONValue) throws(JSONReader.SyntaxError) {
        func fail(_ reason: String) -> JSONReader.SyntaxError { JSONReader.SyntaxError(offset: 0, reason: reason) }
        guard case .object(let object) = json else { throw fail("a secret snapshot is not a JSON object") }
        func text(_ value: JSONValue?, _ name: String) throws(JSONReader.SyntaxError) -> String? {
            switch value {
            case nil, .null?: return nil
            case .string(let text)?: return text
            default: throw fail("'\(name)' is not a string")
            }
        }
        func fields(_ name: String) throws(JSONReader.SyntaxError) -> [String: JSONValue] {
            switch object[name] {
            case nil, .null?: return [:]
            case .object(let fields)?: return fields
            default: throw fail("'\(name)' is not an object")
            }
        }
        guard case .object(let keyObject)? = object["key"], let typeName = try text(keyObject["type"], "key.type"),
            let type = SecretType(rawValue: typeName), let name = try text(keyObject["name"], "key.name")
        else { throw fail("'key' needs a known type and a name") }
        guard let groupName = try text(object["group_name"], "group_name") else { throw fail("'group_name' is missing") }
        var labels: [String] = []
        if case .array(let items)? = object["labels"] {
            for item in items {
                guard case .string(let label) = item else { throw fail("a label is not a string") }
                labels.append(label)
            }
        }
        var expiration: Date?
        if let stamp = try text(object["expiration_date"], "expiration_date") {
            guard let date = Timestamp.parse(stamp) else { throw fail("'expiration_date' is not an RFC 3339 date") }
            expiration = date
        }
        var rotation: RotationPolicy?
        if case .object(let policy)? = object["rotation"] {
            guard case .bool(let auto)? = policy["auto_rotate"] else { throw fail("'rotation.auto_rotate' is missing") }
            var interval: Int?
            if case .number(let value)? = policy["interval"] { interval = Int(value) }
            rotation = RotationPolicy(
                autoRotate: auto, interval: interval,
                unit: try text(policy["unit"], "rotation.unit").flatMap { RotationPolicy.Unit(rawValue: $0) })
        }
        var versions = 1
        if case .number(let value)? = object["versions_total"] { versions = Int(value) }
        func data(_ name: String) throws(JSONReader.SyntaxError) -> SecretData? {
            switch object[name] {
            case nil, .null?: return nil
            case .object(let fields)?: return try SecretData(type: type, fields: fields)
            default: throw fail("'\(name)' is not an object")
            }
        }
        self.init(
            key: SecretKey(type: type, name: name), groupName: groupName,
            description: try text(object["description"], "description"), labels: labels,
            customMetadata: try fields("custom_metadata"), attributes: try fields("attributes"),
            expirationDate: expiration, rotation: rotation, versionsTotal: versions, current: try data("current"),
            previous: try data("previous"), currentVersionCustomMetadata: try fields("current_version_custom_metadata"))
    }
}
