import Foundation

/// The metadata of one version of a secret. A secret keeps the metadata of its last 50 versions; only the
/// `current` and `previous` ones keep their data (`payload_available`).
public struct SecretVersionMetadata: Hashable, Sendable, Codable {
    public var id: String
    public var secretID: String
    public var secretName: String?
    public var secretType: SecretType
    public var secretGroupID: String
    public var createdBy: String
    public var createdAt: Date
    public var downloaded: Bool
    public var payloadAvailable: Bool
    public var alias: VersionAlias?
    public var autoRotated: Bool
    public var versionCustomMetadata: [String: JSONValue]
    public var expirationDate: Date?
    /// Type-specific version fields (`serial_number`, `validity`, ...), by JSON name.
    public var attributes: [String: JSONValue]

    public init(
        id: String, secretID: String, secretName: String?, secretType: SecretType, secretGroupID: String,
        createdBy: String, createdAt: Date, downloaded: Bool = false, payloadAvailable: Bool, alias: VersionAlias?,
        autoRotated: Bool = false, versionCustomMetadata: [String: JSONValue] = [:], expirationDate: Date? = nil,
        attributes: [String: JSONValue] = [:]
    ) {
        self.id = id
        self.secretID = secretID
        self.secretName = secretName
        self.secretType = secretType
        self.secretGroupID = secretGroupID
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.downloaded = downloaded
        self.payloadAvailable = payloadAvailable
        self.alias = alias
        self.autoRotated = autoRotated
        self.versionCustomMetadata = versionCustomMetadata
        self.expirationDate = expirationDate
        self.attributes = attributes
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, downloaded, alias
        case secretID = "secret_id"
        case secretName = "secret_name"
        case secretType = "secret_type"
        case secretGroupID = "secret_group_id"
        case createdBy = "created_by"
        case createdAt = "created_at"
        case payloadAvailable = "payload_available"
        case autoRotated = "auto_rotated"
        case versionCustomMetadata = "version_custom_metadata"
        case expirationDate = "expiration_date"
    }

    static let knownKeys = Set(CodingKeys.allCases.map(\.stringValue))

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        secretID = try container.decode(String.self, forKey: .secretID)
        secretName = try container.decodeIfPresent(String.self, forKey: .secretName)
        secretType = try container.decode(SecretType.self, forKey: .secretType)
        secretGroupID = try container.decodeIfPresent(String.self, forKey: .secretGroupID) ?? SecretGroup.defaultID
        createdBy = try container.decodeIfPresent(String.self, forKey: .createdBy) ?? ""
        createdAt = try container.decode(Date.self, forKey: .createdAt)
        downloaded = try container.decodeIfPresent(Bool.self, forKey: .downloaded) ?? false
        payloadAvailable = try container.decodeIfPresent(Bool.self, forKey: .payloadAvailable) ?? false
        alias = try container.decodeIfPresent(VersionAlias.self, forKey: .alias)
        autoRotated = try container.decodeIfPresent(Bool.self, forKey: .autoRotated) ?? false
        versionCustomMetadata =
            try container.decodeIfPresent([String: JSONValue].self, forKey: .versionCustomMetadata) ?? [:]
        expirationDate = try container.decodeIfPresent(Date.self, forKey: .expirationDate)
        attributes = try decoder.container(keyedBy: DynamicKey.self)
            .extraFields(excluding: Self.knownKeys.union(SecretData.fieldNames(of: secretType)))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(secretID, forKey: .secretID)
        try container.encodeIfPresent(secretName, forKey: .secretName)
        try container.encode(secretType, forKey: .secretType)
        try container.encode(secretGroupID, forKey: .secretGroupID)
        try container.encode(createdBy, forKey: .createdBy)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(downloaded, forKey: .downloaded)
        try container.encode(payloadAvailable, forKey: .payloadAvailable)
        try container.encodeIfPresent(alias, forKey: .alias)
        try container.encode(autoRotated, forKey: .autoRotated)
        try container.encode(versionCustomMetadata, forKey: .versionCustomMetadata)
        try container.encodeIfPresent(expirationDate, forKey: .expirationDate)
        var extra = encoder.container(keyedBy: DynamicKey.self)
        try extra.encodeExtraFields(attributes)
    }
}

/// A version with its data: what `GET /secrets/{id}/versions/{version}` answers, and what creating a version
/// (a rotation) answers.
public struct SecretVersion: Hashable, Sendable, Codable {
    public var metadata: SecretVersionMetadata
    public var data: SecretData?

    public init(metadata: SecretVersionMetadata, data: SecretData?) {
        self.metadata = metadata
        self.data = data
    }

    public var id: String { metadata.id }

    public init(from decoder: any Decoder) throws {
        metadata = try SecretVersionMetadata(from: decoder)
        data = try SecretData.decode(type: metadata.secretType, from: decoder.container(keyedBy: DynamicKey.self))
    }

    public func encode(to encoder: any Encoder) throws {
        try metadata.encode(to: encoder)
        var container = encoder.container(keyedBy: DynamicKey.self)
        try data?.encode(into: &container)
    }
}

/// `GET /secrets/{id}/versions`: `{"versions": [...], "total_count": n}`, newest first.
public struct SecretVersionMetadataCollection: Hashable, Sendable, Codable {
    public var versions: [SecretVersionMetadata]
    public var totalCount: Int

    public init(versions: [SecretVersionMetadata]) {
        self.versions = versions
        totalCount = versions.count
    }

    enum CodingKeys: String, CodingKey {
        case versions
        case totalCount = "total_count"
    }
}
