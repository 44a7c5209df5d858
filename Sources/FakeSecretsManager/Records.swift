import Crypto
import Foundation
import SecretsManager

/// A secret as the instance holds it: its metadata, the metadata of its last 50 versions (the data of the
/// last two, sealed), and its locks. The database row is the truth; this is the verified copy in memory.
final class SecretRecord {
    // What every read of the secret touches comes first: Swift lays a class's stored properties out in the
    // order they are declared, so these share the object's first cache lines with its reference count. A
    // drill reads secrets at random, far more of them than the caches hold; each line a read touches is a
    // likely miss.
    /// The current version's plaintext while a read may answer it without looking at the version or the
    /// integrity of the secret: set by a read that found both intact, and the version opened and downloaded;
    /// dropped by any change to ``versions`` or ``integrityFailure``. The state and whether the root key still
    /// allows it are checked on every read, as for the version's own copy.
    var servable: OpenedPayload?
    /// ``retrievedAt`` and ``expirationDate`` as seconds since the reference date, NaN for none: 8 bytes each,
    /// where a `Date?` takes 16, so that what a read touches fits one cache line.
    private var retrievedAtSeconds: Double
    private var expirationSeconds: Double
    var state: SecretState
    var downloaded: Bool
    /// Whether the retrieval stamps changed since the row was last written.
    var retrievalUnsaved = false
    /// Set when the stored row failed verification: the instance detected damage and will not serve it.
    var integrityFailure: String? {
        didSet { servable = nil }
    }
    /// Oldest first; at most ``ServiceLimits/versionHistory``.
    @exclusivity(unchecked) var versions: [VersionRecord] {
        didSet { servable = nil }
    }
    var groupID: String

    var retrievedAt: Date? {
        get { retrievedAtSeconds.isNaN ? nil : Date(timeIntervalSinceReferenceDate: retrievedAtSeconds) }
        set { retrievedAtSeconds = newValue?.timeIntervalSinceReferenceDate ?? .nan }
    }

    var expirationDate: Date? {
        get { expirationSeconds.isNaN ? nil : Date(timeIntervalSinceReferenceDate: expirationSeconds) }
        set { expirationSeconds = newValue?.timeIntervalSinceReferenceDate ?? .nan }
    }

    let id: String
    let secretType: SecretType
    var name: String
    var description: String?
    var labels: [String]
    var customMetadata: [String: JSONValue]
    var attributes: [String: JSONValue]
    var rotation: RotationPolicy?
    let createdBy: String
    let createdAt: Date
    var updatedAt: Date
    /// The sequence number the next version gets.
    var nextSequence: Int
    var locks: [LockRecord]
    /// The row's key in the database.
    var storageKey: Int64 = 0
    /// A username_password secret's username, once known (it never changes, and is not secret).
    var username: String?
    /// Where the secret stands in its instance's ``SecretOrder``.
    var ordering = Ordering.unlisted

    enum Ordering { case unlisted, listed, removed }

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
        expirationSeconds = expirationDate?.timeIntervalSinceReferenceDate ?? .nan
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        retrievedAtSeconds = retrievedAt?.timeIntervalSinceReferenceDate ?? .nan
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
    // What a read of the version touches comes first, together at the start of its element in the array.
    /// The plaintext, as sealed or as first opened, with the key-management generation it was obtained
    /// under. Memory only, never stored; dropped when the sealed data changes, and not trusted once any
    /// root key has been deleted since (see ``ServiceInstance/openData(_:at:)``).
    var opened: OpenedPayload?
    var downloaded: Bool
    var integrityFailure: String?

    let id: String
    let sequence: Int
    let createdBy: String
    let createdAt: Date
    let autoRotated: Bool
    var customMetadata: [String: JSONValue]
    var attributes: [String: JSONValue]
    var expirationDate: Date?
    /// The sealed data; nil once the version is neither current nor previous.
    var sealed: SealedPayload? {
        didSet { opened = nil }
    }
    /// The row's key in the database.
    var storageKey: Int64 = 0

    init(
        id: String, sequence: Int, createdBy: String, createdAt: Date, autoRotated: Bool,
        customMetadata: [String: JSONValue], attributes: [String: JSONValue], expirationDate: Date?, downloaded: Bool,
        sealed: SealedPayload?
    ) {
        self.id = id
        self.sequence = sequence
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.autoRotated = autoRotated
        self.customMetadata = customMetadata
        self.attributes = attributes
        self.expirationDate = expirationDate
        self.downloaded = downloaded
        self.sealed = sealed
    }
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
