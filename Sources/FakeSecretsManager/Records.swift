import Crypto
import Foundation
import SecretsManager

/// A secret as the instance holds it: its metadata, the metadata of its last 50 versions (the data of the
/// last two, sealed), and its locks. The database row is the truth; this is the verified copy in memory.
final class SecretRecord {
    let id: String
    let secretType: SecretType
    var name: String
    var groupID: String
    var description: String?
    var labels: [String]
    var customMetadata: [String: JSONValue]
    var attributes: [String: JSONValue]
    var rotation: RotationPolicy?
    var expirationDate: Date?
    let createdBy: String
    let createdAt: Date
    var updatedAt: Date
    var retrievedAt: Date?
    var downloaded: Bool
    var state: SecretState
    /// The sequence number the next version gets.
    var nextSequence: Int
    /// Oldest first; at most ``ServiceLimits/versionHistory``.
    @exclusivity(unchecked) var versions: [VersionRecord]
    var locks: [LockRecord]
    /// Set when the stored row failed verification: the instance detected damage and will not serve it.
    var integrityFailure: String?
    /// The row's key in the database.
    var storageKey: Int64 = 0
    /// Whether the retrieval stamps changed since the row was last written.
    var retrievalUnsaved = false
    /// A username_password secret's username, once known (it never changes, and is not secret).
    var username: String?

    init(
        id: String, secretType: SecretType, name: String, groupID: String, description: String?, labels: [String],
        customMetadata: [String: JSONValue], attributes: [String: JSONValue], rotation: RotationPolicy?,
        expirationDate: Date?, createdBy: String, createdAt: Date, updatedAt: Date, retrievedAt: Date?,
        downloaded: Bool, state: SecretState, nextSequence: Int, versions: [VersionRecord] = [], locks: [LockRecord] = []
    ) {
        self.id = id
        self.secretType = secretType
        self.name = name
        self.groupID = groupID
        self.description = description
        self.labels = labels
        self.customMetadata = customMetadata
        self.attributes = attributes
        self.rotation = rotation
        self.expirationDate = expirationDate
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.retrievedAt = retrievedAt
        self.downloaded = downloaded
        self.state = state
        self.nextSequence = nextSequence
        self.versions = versions
        self.locks = locks
    }

    var current: VersionRecord? { versions.last }
    var previous: VersionRecord? { versions.count >= 2 ? versions[versions.count - 2] : nil }

    /// The alias of the version at `index` in ``versions``.
    func alias(at index: Int) -> VersionAlias? {
        if index == versions.count - 1 { return .current }
        if index == versions.count - 2 { return .previous }
        return nil
    }

    func versionIndex(_ selector: VersionSelector) -> Int? {
        switch selector {
        case .current: versions.isEmpty ? nil : versions.count - 1
        case .previous: versions.count >= 2 ? versions.count - 2 : nil
        case .id(let id): versions.firstIndex { $0.id == id }
        }
    }
}

/// One version of a secret as stored.
struct VersionRecord: Sendable {
    let id: String
    let sequence: Int
    let createdBy: String
    let createdAt: Date
    let autoRotated: Bool
    var customMetadata: [String: JSONValue]
    var attributes: [String: JSONValue]
    var expirationDate: Date?
    var downloaded: Bool
    /// The sealed data; nil once the version is neither current nor previous.
    var sealed: SealedPayload? {
        didSet { opened = nil }
    }
    /// The plaintext, as sealed or as first opened, with the key-management generation it was obtained
    /// under. Memory only, never stored; dropped when the sealed data changes, and not trusted once any
    /// root key has been deleted since (see ``ServiceInstance/openData(_:at:)``).
    var opened: OpenedPayload?
    var integrityFailure: String?
    /// The row's key in the database.
    var storageKey: Int64 = 0
}

/// A version's data as the instance last opened it.
struct OpenedPayload: Sendable {
    var plaintext: [UInt8]
    var generation: UInt64
}

struct LockRecord {
    var name: String
    var versionID: String
    var description: String?
    var attributes: [String: JSONValue]?
    var createdBy: String
    var createdAt: Date
    var updatedAt: Date
}

struct GroupRecord {
    let id: String
    var name: String
    var description: String?
    let createdAt: Date
    var updatedAt: Date
}

struct ConfigurationRecord {
    let name: String
    let configType: ConfigurationType
    let createdBy: String
    let createdAt: Date
    var updatedAt: Date
    var properties: [String: JSONValue]
    /// The credential fields, sealed; nil when the configuration has none.
    var sealed: SealedPayload?
}

struct RegistrationRecord {
    var instanceCRN: String
    var sourceName: String
    var sourceDescription: String?
}
