import Foundation

/// A secret group: the unit that IAM policies can be scoped to. The group `default` always exists.
public struct SecretGroup: Hashable, Sendable, Codable {
    /// The id of the group every instance has and no one can delete.
    public static let defaultID = "default"

    public var id: String
    public var name: String
    public var description: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, name: String, description: String? = nil, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.name = name
        self.description = description
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, description
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// `GET /secret_groups`: `{"secret_groups": [...], "total_count": n}`; not paged.
public struct SecretGroupCollection: Hashable, Sendable, Codable {
    public var secretGroups: [SecretGroup]
    public var totalCount: Int

    public init(secretGroups: [SecretGroup]) {
        self.secretGroups = secretGroups
        totalCount = secretGroups.count
    }

    enum CodingKeys: String, CodingKey {
        case secretGroups = "secret_groups"
        case totalCount = "total_count"
    }
}

/// The body of `POST /secret_groups`.
public struct SecretGroupPrototype: Hashable, Sendable, Codable {
    public var name: String
    public var description: String?

    public init(name: String, description: String? = nil) {
        self.name = name
        self.description = description
    }
}

/// The merge-patch body of `PATCH /secret_groups/{id}`.
public struct SecretGroupPatch: Hashable, Sendable, Codable {
    public var name: String?
    public var description: String?

    public init(name: String? = nil, description: String? = nil) {
        self.name = name
        self.description = description
    }
}
