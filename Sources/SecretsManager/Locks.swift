import Foundation

/// A lock to add to a secret version: the body items of `POST /secrets/{id}/locks_bulk`.
public struct SecretLockPrototype: Hashable, Sendable, Codable {
    public var name: String
    public var description: String?
    public var attributes: [String: JSONValue]?

    public init(name: String, description: String? = nil, attributes: [String: JSONValue]? = nil) {
        self.name = name
        self.description = description
        self.attributes = attributes
    }
}

/// What `locks_bulk` does with the locks already on the secret's other versions.
public enum LockMode: String, Sendable, Hashable, Codable {
    /// Removes the locks of the previous version.
    case removePrevious = "remove_previous"
    /// Removes the locks of the previous version and deletes its data.
    case removePreviousAndDelete = "remove_previous_and_delete"
}

/// A lock on a secret version. A locked version can lose neither its data nor its secret: deleting the secret
/// or rotating away the locked version's data answers 412.
public struct SecretLock: Hashable, Sendable, Codable {
    public var name: String
    public var description: String?
    public var attributes: [String: JSONValue]?
    public var createdAt: Date
    public var updatedAt: Date
    public var createdBy: String
    public var secretGroupID: String
    public var secretID: String
    public var secretVersionID: String
    public var secretVersionAlias: VersionAlias?

    public init(
        name: String, description: String?, attributes: [String: JSONValue]?, createdAt: Date, updatedAt: Date,
        createdBy: String, secretGroupID: String, secretID: String, secretVersionID: String,
        secretVersionAlias: VersionAlias?
    ) {
        self.name = name
        self.description = description
        self.attributes = attributes
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.createdBy = createdBy
        self.secretGroupID = secretGroupID
        self.secretID = secretID
        self.secretVersionID = secretVersionID
        self.secretVersionAlias = secretVersionAlias
    }

    enum CodingKeys: String, CodingKey {
        case name, description, attributes
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case createdBy = "created_by"
        case secretGroupID = "secret_group_id"
        case secretID = "secret_id"
        case secretVersionID = "secret_version_id"
        case secretVersionAlias = "secret_version_alias"
    }
}

/// The lock names on each version of one secret: the answer of `locks_bulk` calls and the items of
/// `GET /secrets_locks`.
public struct SecretLocks: Hashable, Sendable, Codable {
    public struct VersionLocks: Hashable, Sendable, Codable {
        public var versionID: String
        public var versionAlias: VersionAlias?
        public var locks: [String]
        public var payloadAvailable: Bool

        public init(versionID: String, versionAlias: VersionAlias?, locks: [String], payloadAvailable: Bool) {
            self.versionID = versionID
            self.versionAlias = versionAlias
            self.locks = locks
            self.payloadAvailable = payloadAvailable
        }

        enum CodingKeys: String, CodingKey {
            case locks
            case versionID = "version_id"
            case versionAlias = "version_alias"
            case payloadAvailable = "payload_available"
        }
    }

    public var secretID: String
    public var secretGroupID: String
    public var secretType: SecretType
    public var versions: [VersionLocks]

    public init(secretID: String, secretGroupID: String, secretType: SecretType, versions: [VersionLocks]) {
        self.secretID = secretID
        self.secretGroupID = secretGroupID
        self.secretType = secretType
        self.versions = versions
    }

    enum CodingKeys: String, CodingKey {
        case versions
        case secretID = "secret_id"
        case secretGroupID = "secret_group_id"
        case secretType = "secret_type"
    }
}

/// A page of `GET /secrets/{id}/locks` (items under `locks`).
public struct SecretLocksPage: Hashable, Sendable, Codable {
    public var totalCount: Int
    public var limit: Int
    public var offset: Int
    public var first: PageLink?
    public var next: PageLink?
    public var previous: PageLink?
    public var last: PageLink?
    public var locks: [SecretLock]

    public init(links: PageLinks, totalCount: Int, limit: Int, offset: Int, locks: [SecretLock]) {
        self.totalCount = totalCount
        self.limit = limit
        self.offset = offset
        first = links.first
        next = links.next
        previous = links.previous
        last = links.last
        self.locks = locks
    }

    enum CodingKeys: String, CodingKey {
        case limit, offset, first, next, previous, last, locks
        case totalCount = "total_count"
    }
}

/// A page of `GET /secrets_locks` (items under `secrets_locks`).
public struct SecretsLocksPage: Hashable, Sendable, Codable {
    public var totalCount: Int
    public var limit: Int
    public var offset: Int
    public var first: PageLink?
    public var next: PageLink?
    public var previous: PageLink?
    public var last: PageLink?
    public var secretsLocks: [SecretLocks]

    public init(links: PageLinks, totalCount: Int, limit: Int, offset: Int, secretsLocks: [SecretLocks]) {
        self.totalCount = totalCount
        self.limit = limit
        self.offset = offset
        first = links.first
        next = links.next
        previous = links.previous
        last = links.last
        self.secretsLocks = secretsLocks
    }

    enum CodingKeys: String, CodingKey {
        case limit, offset, first, next, previous, last
        case totalCount = "total_count"
        case secretsLocks = "secrets_locks"
    }
}
