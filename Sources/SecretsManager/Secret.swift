import Foundation

/// The metadata of a secret: everything but its data. `GET /secrets/{id}/metadata` answers this, and the items
/// of a secrets page are this.
///
/// Type-specific fields (`ttl`, `common_name`, `service_id`, ...) are kept in ``attributes`` under their JSON
/// names and flattened back into the object when encoded.
public struct SecretMetadata: Hashable, Sendable, Codable {
    public var id: String
    public var crn: String
    public var name: String
    public var description: String?
    public var secretType: SecretType
    public var secretGroupID: String
    public var labels: [String]
    public var customMetadata: [String: JSONValue]
    public var createdBy: String
    public var createdAt: Date
    public var updatedAt: Date
    public var retrievedAt: Date?
    public var downloaded: Bool
    public var locksTotal: Int
    public var versionsTotal: Int
    public var state: SecretState
    public var expirationDate: Date?
    public var rotation: RotationPolicy?
    public var referencedBy: [String]?
    /// Type-specific metadata, by JSON name.
    public var attributes: [String: JSONValue]

    public init(
        id: String, crn: String, name: String, description: String? = nil, secretType: SecretType,
        secretGroupID: String = SecretGroup.defaultID, labels: [String] = [], customMetadata: [String: JSONValue] = [:],
        createdBy: String, createdAt: Date, updatedAt: Date, retrievedAt: Date? = nil, downloaded: Bool = false,
        locksTotal: Int = 0, versionsTotal: Int = 1, state: SecretState = .active, expirationDate: Date? = nil,
        rotation: RotationPolicy? = nil, referencedBy: [String]? = nil, attributes: [String: JSONValue] = [:]
    ) {
        self.id = id
        self.crn = crn
        self.name = name
        self.description = description
        self.secretType = secretType
        self.secretGroupID = secretGroupID
        self.labels = labels
        self.customMetadata = customMetadata
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.retrievedAt = retrievedAt
        self.downloaded = downloaded
        self.locksTotal = locksTotal
        self.versionsTotal = versionsTotal
        self.state = state
        self.expirationDate = expirationDate
        self.rotation = rotation
        self.referencedBy = referencedBy
        self.attributes = attributes
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, crn, name, description, labels, downloaded, state, rotation
        case secretType = "secret_type"
        case secretGroupID = "secret_group_id"
        case customMetadata = "custom_metadata"
        case createdBy = "created_by"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case retrievedAt = "retrieved_at"
        case locksTotal = "locks_total"
        case versionsTotal = "versions_total"
        case stateDescription = "state_description"
        case expirationDate = "expiration_date"
        case referencedBy = "referenced_by"
    }

    static let knownKeys = Set(CodingKeys.allCases.map(\.stringValue))

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        crn = try container.decodeIfPresent(String.self, forKey: .crn) ?? ""
        name = try container.decode(String.self, forKey: .name)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        secretType = try container.decode(SecretType.self, forKey: .secretType)
        secretGroupID = try container.decodeIfPresent(String.self, forKey: .secretGroupID) ?? SecretGroup.defaultID
        labels = try container.decodeIfPresent([String].self, forKey: .labels) ?? []
        customMetadata = try container.decodeIfPresent([String: JSONValue].self, forKey: .customMetadata) ?? [:]
        createdBy = try container.decodeIfPresent(String.self, forKey: .createdBy) ?? ""
        createdAt = try container.decode(Date.self, forKey: .createdAt)
        updatedAt = try container.decodeIfPresent(Date.self, forKey: .updatedAt) ?? createdAt
        retrievedAt = try container.decodeIfPresent(Date.self, forKey: .retrievedAt)
        downloaded = try container.decodeIfPresent(Bool.self, forKey: .downloaded) ?? false
        locksTotal = try container.decodeIfPresent(Int.self, forKey: .locksTotal) ?? 0
        versionsTotal = try container.decodeIfPresent(Int.self, forKey: .versionsTotal) ?? 1
        state = try container.decodeIfPresent(SecretState.self, forKey: .state) ?? .active
        expirationDate = try container.decodeIfPresent(Date.self, forKey: .expirationDate)
        rotation = try container.decodeIfPresent(RotationPolicy.self, forKey: .rotation)
        referencedBy = try container.decodeIfPresent([String].self, forKey: .referencedBy)
        attributes = try decoder.container(keyedBy: DynamicKey.self)
            .extraFields(excluding: Self.knownKeys.union(SecretData.fieldNames(of: secretType)))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(crn, forKey: .crn)
        try container.encode(name, forKey: .name)
        try container.encodeIfPresent(description, forKey: .description)
        try container.encode(secretType, forKey: .secretType)
        try container.encode(secretGroupID, forKey: .secretGroupID)
        try container.encode(labels, forKey: .labels)
        try container.encode(customMetadata, forKey: .customMetadata)
        try container.encode(createdBy, forKey: .createdBy)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encodeIfPresent(retrievedAt, forKey: .retrievedAt)
        try container.encode(downloaded, forKey: .downloaded)
        try container.encode(locksTotal, forKey: .locksTotal)
        try container.encode(versionsTotal, forKey: .versionsTotal)
        try container.encode(state, forKey: .state)
        try container.encode(state.stateDescription, forKey: .stateDescription)
        try container.encodeIfPresent(expirationDate, forKey: .expirationDate)
        try container.encodeIfPresent(rotation, forKey: .rotation)
        try container.encodeIfPresent(referencedBy, forKey: .referencedBy)
        var extra = encoder.container(keyedBy: DynamicKey.self)
        try extra.encodeExtraFields(attributes)
    }
}

/// A secret with the data of its current version: what `GET /secrets/{id}` answers.
public struct Secret: Hashable, Sendable, Codable {
    public var metadata: SecretMetadata
    /// The current version's data; nil when the secret carries none (a destroyed secret).
    public var data: SecretData?

    public init(metadata: SecretMetadata, data: SecretData?) {
        self.metadata = metadata
        self.data = data
    }

    public var id: String { metadata.id }
    public var name: String { metadata.name }
    public var secretType: SecretType { metadata.secretType }

    public init(from decoder: any Decoder) throws {
        metadata = try SecretMetadata(from: decoder)
        data = try SecretData.decode(type: metadata.secretType, from: decoder.container(keyedBy: DynamicKey.self))
    }

    public func encode(to encoder: any Encoder) throws {
        try metadata.encode(to: encoder)
        var container = encoder.container(keyedBy: DynamicKey.self)
        try data?.encode(into: &container)
    }
}
