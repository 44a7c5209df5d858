import Foundation

/// The body of `POST /secrets`: the common fields, the type's data and its type-specific fields.
///
/// ```swift
/// let prototype = SecretPrototype(name: "db-password", data: .arbitrary(payload: "s3cr3t"), labels: ["db"])
/// ```
public struct SecretPrototype: Hashable, Sendable, Codable {
    public var name: String
    public var secretType: SecretType
    public var description: String?
    public var secretGroupID: String?
    public var labels: [String]?
    public var customMetadata: [String: JSONValue]?
    public var versionCustomMetadata: [String: JSONValue]?
    public var expirationDate: Date?
    public var rotation: RotationPolicy?
    /// The data; nil for the types whose data the service generates (iam_credentials, public_cert, ...), and
    /// for a username_password secret whose password the service should generate.
    public var data: SecretData?
    /// Type-specific fields by JSON name (`ttl`, `service_id`, `ca`, `dns`, `certificate_template`, ...).
    public var attributes: [String: JSONValue]

    public init(
        name: String, secretType: SecretType, data: SecretData?, description: String? = nil,
        secretGroupID: String? = nil, labels: [String]? = nil, customMetadata: [String: JSONValue]? = nil,
        versionCustomMetadata: [String: JSONValue]? = nil, expirationDate: Date? = nil,
        rotation: RotationPolicy? = nil, attributes: [String: JSONValue] = [:]
    ) {
        self.name = name
        self.secretType = secretType
        self.data = data
        self.description = description
        self.secretGroupID = secretGroupID
        self.labels = labels
        self.customMetadata = customMetadata
        self.versionCustomMetadata = versionCustomMetadata
        self.expirationDate = expirationDate
        self.rotation = rotation
        self.attributes = attributes
    }

    /// A prototype whose type is the data's type.
    public init(
        name: String, data: SecretData, description: String? = nil, secretGroupID: String? = nil,
        labels: [String]? = nil, customMetadata: [String: JSONValue]? = nil
    ) {
        self.init(
            name: name, secretType: data.secretType, data: data, description: description,
            secretGroupID: secretGroupID, labels: labels, customMetadata: customMetadata)
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, description, labels, rotation
        case secretType = "secret_type"
        case secretGroupID = "secret_group_id"
        case customMetadata = "custom_metadata"
        case versionCustomMetadata = "version_custom_metadata"
        case expirationDate = "expiration_date"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        secretType = try container.decode(SecretType.self, forKey: .secretType)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        secretGroupID = try container.decodeIfPresent(String.self, forKey: .secretGroupID)
        labels = try container.decodeIfPresent([String].self, forKey: .labels)
        customMetadata = try container.decodeIfPresent([String: JSONValue].self, forKey: .customMetadata)
        versionCustomMetadata = try container.decodeIfPresent([String: JSONValue].self, forKey: .versionCustomMetadata)
        expirationDate = try container.decodeIfPresent(Date.self, forKey: .expirationDate)
        rotation = try container.decodeIfPresent(RotationPolicy.self, forKey: .rotation)
        let dynamic = try decoder.container(keyedBy: DynamicKey.self)
        data = try SecretData.decode(type: secretType, from: dynamic)
        // Without data, a data field such as a username_password secret's `username` stays an attribute.
        attributes = try dynamic.extraFields(
            excluding: Set(CodingKeys.allCases.map(\.stringValue)).union(
                data == nil ? [] : SecretData.fieldNames(of: secretType)))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(secretType, forKey: .secretType)
        try container.encodeIfPresent(description, forKey: .description)
        try container.encodeIfPresent(secretGroupID, forKey: .secretGroupID)
        try container.encodeIfPresent(labels, forKey: .labels)
        try container.encodeIfPresent(customMetadata, forKey: .customMetadata)
        try container.encodeIfPresent(versionCustomMetadata, forKey: .versionCustomMetadata)
        try container.encodeIfPresent(expirationDate, forKey: .expirationDate)
        try container.encodeIfPresent(rotation, forKey: .rotation)
        var dynamic = encoder.container(keyedBy: DynamicKey.self)
        try data?.encode(into: &dynamic)
        try dynamic.encodeExtraFields(attributes)
    }
}

/// The body of `POST /secrets/{id}/versions`: a rotation.
///
/// For arbitrary, kv and imported_cert secrets it carries the new data; for username_password a new password
/// or nothing (the service generates one); for the other types metadata only.
public struct SecretVersionPrototype: Hashable, Sendable, Codable {
    public var data: SecretData?
    public var customMetadata: [String: JSONValue]?
    public var versionCustomMetadata: [String: JSONValue]?
    /// The rotation body of an iam_credentials secret may name a version to restore instead of a new key.
    public var restoreFromVersion: String?

    public init(
        data: SecretData? = nil, customMetadata: [String: JSONValue]? = nil,
        versionCustomMetadata: [String: JSONValue]? = nil, restoreFromVersion: String? = nil
    ) {
        self.data = data
        self.customMetadata = customMetadata
        self.versionCustomMetadata = versionCustomMetadata
        self.restoreFromVersion = restoreFromVersion
    }

    enum CodingKeys: String, CodingKey {
        case customMetadata = "custom_metadata"
        case versionCustomMetadata = "version_custom_metadata"
        case restoreFromVersion = "restore_from_version"
    }

    /// A rotation body does not name the secret's type; its data fields are read only when the decoder was
    /// told the type (``Foundation/JSONDecoder/expectingSecretType(_:)``).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        customMetadata = try container.decodeIfPresent([String: JSONValue].self, forKey: .customMetadata)
        versionCustomMetadata = try container.decodeIfPresent([String: JSONValue].self, forKey: .versionCustomMetadata)
        restoreFromVersion = try container.decodeIfPresent(String.self, forKey: .restoreFromVersion)
        if let type = decoder.userInfo[SecretDataBox.typeKey] as? SecretType {
            data = try SecretData.decode(type: type, from: decoder.container(keyedBy: DynamicKey.self))
        } else {
            data = nil
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(customMetadata, forKey: .customMetadata)
        try container.encodeIfPresent(versionCustomMetadata, forKey: .versionCustomMetadata)
        try container.encodeIfPresent(restoreFromVersion, forKey: .restoreFromVersion)
        var dynamic = encoder.container(keyedBy: DynamicKey.self)
        try data?.encode(into: &dynamic)
    }
}

/// The merge-patch body of `PATCH /secrets/{id}/metadata`. Nil fields are left as they are.
public struct SecretMetadataPatch: Hashable, Sendable, Codable {
    public var name: String?
    public var description: String?
    public var labels: [String]?
    public var customMetadata: [String: JSONValue]?
    public var expirationDate: Date?
    public var rotation: RotationPolicy?

    public init(
        name: String? = nil, description: String? = nil, labels: [String]? = nil,
        customMetadata: [String: JSONValue]? = nil, expirationDate: Date? = nil, rotation: RotationPolicy? = nil
    ) {
        self.name = name
        self.description = description
        self.labels = labels
        self.customMetadata = customMetadata
        self.expirationDate = expirationDate
        self.rotation = rotation
    }

    enum CodingKeys: String, CodingKey {
        case name, description, labels, rotation
        case customMetadata = "custom_metadata"
        case expirationDate = "expiration_date"
    }
}

extension JSONDecoder {
    /// Tells the decoder which secret type a rotation body belongs to, so ``SecretVersionPrototype`` can read
    /// its data fields.
    public func expectingSecretType(_ type: SecretType) -> JSONDecoder {
        userInfo[SecretDataBox.typeKey] = type
        return self
    }
}
