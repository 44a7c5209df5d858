import Crypto
import CPrefetch
import Foundation
import OrderedCollections
import SecretsManager
import Simulation
import Synchronization

/// One Secrets Manager service instance: its regional state (an SQLite database of its own), its access
/// policies, its activity log and its connection to Event Notifications.
///
/// The methods are the v2 operations, synchronous, called at the scheduler's current time by a principal.
/// They answer what a real instance answers, errors included (``SecretsManagerError`` with the status).
/// ``FakeCloud`` puts the network in front of them: routing, health, latency, rate limit.
///
/// The database is the truth. Every change is written there first, in one transaction, then applied to the
/// verified copy in memory that reads are served from. When the storage changes under the instance (damage, an
/// IBM restore) the instance reloads and verifies it, and will not serve what failed verification.
public final class ServiceInstance: @unchecked Sendable {
    /// What the instance can do right now.
    public enum Status: Hashable, Sendable {
        case active
        /// Down for a while (its region is being restored, for example).
        case unavailable(String)
        /// Its storage is damaged beyond serving: every request answers 503.
        case storageFailed(String)
        /// Its state is gone; nothing will bring it back.
        case deleted
    }

    public let id: String
    public let crn: CRN
    /// `crn:...:<instance>:secret:`, to which a secret's id is appended.
    let secretCRNPrefix: String
    public let name: String
    public let region: String
    public let account: String
    public internal(set) var rootKey: RootKeyReference {
        didSet { cachedKMS = nil }
    }
    public var accessControl: AccessControl {
        didSet { instanceGrants = nil }
    }
    /// The instance-wide roles of the principal authorized last, while the policies stay as they are: a drill's
    /// clients are one principal, so their checks need no pass over the policies.
    @exclusivity(unchecked) private var instanceGrants: (principal: String, roles: [ServiceRole])?
    public let activity: ActivityLog
    public internal(set) var status: Status = .active
    /// When the instance was created, for the default group's dates.
    public let createdAt: Date

    unowned let cloud: FakeCloud
    /// The cloud's scheduler and epoch, kept here because every request reads the time (the scheduler holds
    /// no instance, so this makes no cycle).
    let scheduler: Scheduler
    private let epoch: Date
    /// The region object, kept so routing needs no lookup by name.
    unowned(unsafe) var regionRef: Region?
    let store: InstanceStore
    var random: SeededRandom

    // An instance lives on the simulation's thread; its hot state skips the runtime's exclusivity checks.
    var groups: OrderedDictionary<String, GroupRecord> = [:]
    /// The secrets, oldest first. Changed only through ``insertSecret(_:)``, ``removeSecret(_:)`` and a reload,
    /// which keep ``secretIndex`` in step.
    @exclusivity(unchecked) private(set) var secrets = SecretOrder()
    /// The secrets by id, for the lookup every request makes (see ``SecretIDKey``).
    @exclusivity(unchecked) private var secretIndex: [SecretIDKey: SecretRecord] = [:]
    /// Changes (to a value no instance has had) whenever a secret is added or removed: see ``SecretHandle``.
    @exclusivity(unchecked) private(set) var secretsEpoch = SecretHandle.newEpoch()
    var namesByType: [SecretType: [String: String]] = [:]
    var configurations: OrderedDictionary<String, ConfigurationRecord> = [:]
    var registration: RegistrationRecord?
    @exclusivity(unchecked) var rateLimiter: TokenBucket?
    private var cachedKMS: KeyManagementService?
    /// Secrets whose retrieval stamps (`retrieved_at`, `downloaded`) changed since they were last written;
    /// each is listed once, while its `retrievalUnsaved` flag is set.
    @exclusivity(unchecked) var unsavedRetrievals: [SecretRecord] = []
    /// Rows that failed verification at the last load and belong to no secret.
    public private(set) var unattachedDamage = 0

    init(
        id: String, name: String, region: String, account: String, rootKey: RootKeyReference, databasePath: String,
        cloud: FakeCloud, random: SeededRandom, rateLimit: RateLimit?
    ) throws {
        self.id = id
        self.name = name
        self.region = region
        self.account = account
        self.rootKey = rootKey
        self.cloud = cloud
        scheduler = cloud.scheduler
        epoch = cloud.configuration.epoch
        self.random = random
        crn = CRN(serviceName: "secrets-manager", location: region, account: account, serviceInstance: id)
        secretCRNPrefix = crn.child(resourceType: "secret", resource: "").description
        accessControl = AccessControl()
        activity = ActivityLog()
        createdAt = cloud.date(cloud.scheduler.now)
        regionRef = cloud.regions[region]
        store = try InstanceStore(path: databasePath)
        if let rateLimit { rateLimiter = TokenBucket(limit: rateLimit, now: cloud.scheduler.now) }
        try reloadFromStorage()
    }

    /// The wall-clock date of the current virtual time.
    var now: Date { epoch.addingTimeInterval(scheduler.now.seconds) }

    /// The endpoint a client would call.
    public var endpoint: String { "https://\(id).\(region).secrets-manager.appdomain.cloud" }

    /// The instance's secret count (damaged ones included).
    public var secretCount: Int { secrets.count }

    /// The ids of every secret, oldest first.
    public var secretIDs: [String] { secrets.all.map(\.id) }

    /// The database file holding the regional state.
    public var databasePath: String { store.path }

    // MARK: Storage

    /// Reads the whole state from the database and verifies it. When SQLite reports the file damaged the
    /// instance goes to ``Status/storageFailed(_:)``.
    public func reloadFromStorage() throws {
        groups = [:]
        secrets = SecretOrder()
        secretIndex = [:]
        secretsEpoch = SecretHandle.newEpoch()
        namesByType = [:]
        configurations = [:]
        registration = nil
        unsavedRetrievals = []
        let state: InstanceStore.LoadedState
        do {
            state = try store.load()
        } catch {
            status = .storageFailed("the regional state database is damaged: \(error)")
            return
        }
        groups[SecretGroup.defaultID] = GroupRecord(
            id: SecretGroup.defaultID, name: SecretGroup.defaultID, description: "The default secret group",
            createdAt: createdAt, updatedAt: createdAt)
        for group in state.groups { groups[group.id] = group }
        for secret in state.secrets { insertSecret(secret) }
        for configuration in state.configurations { configurations[configuration.name] = configuration }
        registration = state.registration
        unattachedDamage = state.unattachedDamage
        if case .storageFailed = status { status = .active }
    }

    /// Runs `body`, which makes many writes at once (building a drill's world). Every write is recorded and
    /// committed in groups as usual, and this commits the last group before it returns. It is not one
    /// transaction: when `body` throws, the writes it made stay.
    public func batch<T>(_ body: () throws -> T) throws -> T {
        let result = try body()
        try store.flush()
        return result
    }

    /// Waits until every acknowledged write is applied and committed to the database file.
    public func flushStorage() throws {
        try store.flush()
    }

    /// Records `updates` as one operation for the store's writer (all or none); a closed store, or one whose
    /// writer failed, answers 503.
    func persist(_ updates: (StoreWriter) throws -> Void) throws(SecretsManagerError) {
        do {
            try store.write(updates)
        } catch {
            throw .serviceUnavailable(code: "storage_error", "the instance could not write its state: \(error)")
        }
    }

    /// Writes pending retrieval stamps (`retrieved_at`, `downloaded`), which reads keep in memory.
    public func flushRetrievals() throws {
        var pending: [SecretRecord] = []
        for secret in unsavedRetrievals where secret.retrievalUnsaved {
            secret.retrievalUnsaved = false
            if secret.integrityFailure == nil, record(id: secret.id) === secret { pending.append(secret) }
        }
        unsavedRetrievals = []
        // Stamps are narrow updates, so many secrets share one operation (one savepoint); a few hundred
        // at a time keep the writer busy while the rest are recorded.
        var start = 0
        while start < pending.count {
            let chunk = pending[start..<min(pending.count, start + Self.stampsPerOperation)]
            try store.write { db in
                for secret in chunk { db.stampRetrieval(secret) }
            }
            start = chunk.endIndex
        }
    }

    static let stampsPerOperation = 256

    // MARK: The frame of every operation

    /// Checks availability, runs the operation and logs it to the activity log with its outcome.
    func perform<T>(
        _ operation: ServiceOperation, by principal: Principal, target: String?, _ body: () throws(SecretsManagerError) -> T
    ) throws(SecretsManagerError) -> T {
        do {
            try checkAvailable()
            let result = try body()
            log(operation, principal, .success, 200, target)
            return result
        } catch {
            log(operation, principal, .failure, error.status, target)
            throw error
        }
    }

    /// ``perform(_:by:target:_:)`` for a target that may come packed (see ``ActivityLog/PackedID``): logged
    /// packed when it is, and only otherwise as `text`, which is then read. (Passing a handle instead would copy
    /// it, retaining its id's storage: the cache miss the packed id is there to avoid.)
    func perform<T>(
        _ operation: ServiceOperation, by principal: Principal, target packed: ActivityLog.PackedID?,
        text: @autoclosure () -> String, _ body: () throws(SecretsManagerError) -> T
    ) throws(SecretsManagerError) -> T {
        guard let packed else { return try perform(operation, by: principal, target: text(), body) }
        do {
            try checkAvailable()
            let result = try body()
            activity.record(
                time: scheduler.now, operation: operation, principal: principal.id, outcome: .success, status: 200,
                target: packed)
            return result
        } catch {
            activity.record(
                time: scheduler.now, operation: operation, principal: principal.id, outcome: .failure,
                status: error.status, target: packed)
            throw error
        }
    }

    private func log(
        _ operation: ServiceOperation, _ principal: Principal, _ outcome: ActivityEvent.Outcome, _ status: Int, _ target: String?
    ) {
        activity.record(
            time: scheduler.now, operation: operation, principal: principal.id, outcome: outcome, status: status,
            target: target)
    }

    func checkAvailable() throws(SecretsManagerError) {
        switch status {
        case .active: return
        case .unavailable(let reason): throw .serviceUnavailable("the instance is unavailable: \(reason)")
        case .storageFailed(let reason): throw .serviceUnavailable(code: "storage_corruption_detected", reason)
        case .deleted: throw .notFound("the instance \(crn) does not exist")
        }
    }

    /// `groupID` is evaluated only when the policies decide: a read allowed by an instance-wide role then never
    /// touches the secret's group id, nor the cache line it lives on.
    func authorize(_ principal: Principal, _ operation: ServiceOperation, groupID: @autoclosure () -> String?)
        throws(SecretsManagerError)
    {
        // An instance-wide role that includes the one required allows the operation on any group; anything
        // else is decided by the policies in full.
        let required = operation.requiredRole
        if let grants = instanceGrants, grants.principal == principal.id {
            if grants.roles.contains(where: { $0.includes(required) }) { return }
        } else {
            let roles = accessControl.instanceRoles(of: principal)
            instanceGrants = (principal.id, roles)
            if roles.contains(where: { $0.includes(required) }) { return }
        }
        let groupID = groupID()
        guard accessControl.allows(principal, operation, groupID: groupID) else {
            let scope = groupID.map { "secret group '\($0)'" } ?? "the instance"
            throw .forbidden(
                "\(principal.id) is not authorized to \(operation.action) on \(scope): it needs the \(operation.requiredRole.rawValue) role")
        }
    }

    /// Takes a token from the rate limiter, when there is one.
    func admitRequest() -> Bool {
        guard rateLimiter != nil else { return true }
        return rateLimiter!.admit(at: scheduler.now)
    }

    func secret(_ id: String) throws(SecretsManagerError) -> SecretRecord {
        guard let secret = secretIndex[SecretIDKey(id)] else { throw Self.missingSecret(id) }
        return secret
    }

    /// The secret with this id, if there is one.
    func record(id: String) -> SecretRecord? { secretIndex[SecretIDKey(id)] }

    static func missingSecret(_ id: String) -> SecretsManagerError { .notFound("secret \(id) does not exist") }

    /// The secret a handle names: the one it remembers when the instance's set of secrets is the one it was
    /// resolved against, otherwise looked up again by id (nil when there is none).
    @inline(__always)
    func resolve(_ handle: inout SecretHandle) -> SecretRecord? {
        if handle.epoch == secretsEpoch { return handle.record }
        let record = secretIndex[SecretIDKey(handle.id)]
        handle.record = record
        handle.epoch = secretsEpoch
        return record
    }

    /// Adds a secret (created, or loaded from storage) to the instance's memory.
    func insertSecret(_ secret: SecretRecord) {
        secrets.append(secret)
        secretIndex[SecretIDKey(secret.id)] = secret
        namesByType[secret.secretType, default: [:]][secret.name] = secret.id
        secretsEpoch = SecretHandle.newEpoch()
    }

    /// Removes a deleted secret from the instance's memory.
    func removeSecret(_ secret: SecretRecord) {
        secrets.remove(secret)
        secretIndex[SecretIDKey(secret.id)] = nil
        namesByType[secret.secretType]?[secret.name] = nil
        secretsEpoch = SecretHandle.newEpoch()
    }

    func checkIntegrity(_ secret: SecretRecord) throws(SecretsManagerError) {
        if let failure = secret.integrityFailure {
            throw .serviceUnavailable(
                code: "storage_corruption_detected", "secret \(secret.id) cannot be served: \(failure)")
        }
    }

    /// The state a reader sees: an expired secret is destroyed.
    func effectiveState(_ secret: SecretRecord) -> SecretState {
        if let expiration = secret.expirationDate, expiration <= now { return .destroyed }
        return secret.state
    }

    // MARK: Sealing

    func context(secretID: String, versionID: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(secretID.utf8.count + 1 + versionID.utf8.count)
        bytes.append(contentsOf: secretID.utf8)
        bytes.append(0x2F)
        bytes.append(contentsOf: versionID.utf8)
        return bytes
    }

    /// Notes that a secret's retrieval stamps changed, to be written later.
    func noteRetrieval(_ secret: SecretRecord) {
        guard !secret.retrievalUnsaved else { return }
        // Read back before its rows were handed to the writer: they take the stamps.
        if secret.integrityFailure == nil, store.absorbRetrieval(secret) { return }
        secret.retrievalUnsaved = true
        unsavedRetrievals.append(secret)
    }

    /// The key-management instance of the root key, looked up once per root key.
    var rootKMS: KeyManagementService? {
        if let cached = cachedKMS { return cached }
        cachedKMS = cloud.keyManagement(rootKey.kmsCRN)
        return cachedKMS
    }

    func seal(_ plaintext: [UInt8], context: [UInt8]) throws(SecretsManagerError) -> SealedPayload {
        guard let kms = rootKMS else {
            throw .serviceUnavailable(code: "key_unavailable", "the key-management instance \(rootKey.kmsCRN) is gone")
        }
        do {
            return try Envelope.seal(plaintext, context: context, rootKey: rootKey.keyID, kms: kms, random: &random)
        } catch {
            throw Self.keyError(error)
        }
    }

    /// Seals a version's data, and keeps the plaintext it was sealed from as opened: the instance has just
    /// held it, under a root key that was active a moment ago.
    func sealVersion(_ plaintext: [UInt8], secretID: String, versionID: String) throws(SecretsManagerError)
        -> (sealed: SealedPayload, opened: OpenedPayload)
    {
        let sealed = try seal(plaintext, context: context(secretID: secretID, versionID: versionID))
        return (sealed, OpenedPayload(plaintext: plaintext, generation: rootKMS?.generation ?? 0))
    }

    /// Unwraps the data key of a sealed payload through the key-management instance.
    func dataKey(_ sealed: SealedPayload) throws(SecretsManagerError) -> (key: SymmetricKey, generation: UInt64) {
        guard let kms = rootKMS else {
            throw .serviceUnavailable(code: "key_unavailable", "the key-management instance \(rootKey.kmsCRN) is gone")
        }
        do {
            return (try Envelope.dataKey(of: sealed, kms: kms), kms.generation)
        } catch {
            throw Self.keyError(error)
        }
    }

    /// Whether an opened payload may still be served from memory: no root key was deleted since it was
    /// opened, and the key-management instance answers (the service checks its key on every request).
    func isStillValid(_ opened: OpenedPayload) -> Bool {
        guard let kms = rootKMS else { return false }
        return opened.generation == kms.generation && kms.isReachable
    }

    func open(_ sealed: SealedPayload, context: [UInt8], dataKey: SymmetricKey, secretID: String) throws(SecretsManagerError)
        -> [UInt8]
    {
        do {
            return try Envelope.open(sealed, context: context, dataKey: dataKey)
        } catch {
            throw .serviceUnavailable(
                code: "storage_corruption_detected", "the data of secret \(secretID) failed authentication")
        }
    }

    /// Opens sealed data that is not cached anywhere (a configuration's credentials).
    func open(_ sealed: SealedPayload, context: [UInt8], secretID: String) throws(SecretsManagerError) -> [UInt8] {
        try open(sealed, context: context, dataKey: dataKey(sealed).key, secretID: secretID)
    }

    /// Key-management failures, as the instance answers them. A deleted root key answers 503 `key_deleted`
    /// (a modelling choice: IBM documents the condition, not the exact answer).
    static func keyError(_ error: KeyManagementError) -> SecretsManagerError {
        switch error {
        case .keyDeleted(let key):
            .serviceUnavailable(
                code: "key_deleted",
                "the instance's root key \(key.keyID) in \(key.kmsCRN) was deleted; secret data cannot be decrypted until the key is recovered")
        case .unavailable(let region):
            .serviceUnavailable(code: "key_unavailable", "the key-management service in \(region) is unavailable")
        case .keyNotFound(let key):
            .serviceUnavailable(code: "key_unavailable", "the instance's root key \(key) does not exist")
        case .instanceNotFound(let crn):
            .serviceUnavailable(code: "key_unavailable", "the key-management instance \(crn) does not exist")
        case .unwrapFailed(let key):
            .serviceUnavailable(code: "key_unavailable", "a data key could not be unwrapped with \(key)")
        }
    }

    // MARK: Notifications

    func publish(_ event: NotificationEventType, _ secret: SecretRecord, versionID: String?) {
        guard let registration, let target = cloud.eventNotifications(registration.instanceCRN) else { return }
        target.publish(
            SecretsManagerNotification(
                event: event, secretType: secret.secretType,
                secrets: [
                    .init(
                        id: secret.id, name: secret.name,
                        crn: secretCRNPrefix + secret.id,
                        secretGroupID: secret.groupID, versionID: versionID)
                ], source: crn.description, time: now))
    }
}

/// A secret's id, with the secret the instance last found for it. Callers that use the same secrets over and
/// over (a drill's clients, reading and rotating) keep one per secret and pass it back, which skips the
/// lookup by id while the instance's set of secrets is unchanged. Its epoch is drawn from a counter shared by every instance, so a
/// handle resolved by one instance is never taken as resolved by another.
public struct SecretHandle {
    public let id: String
    /// The id packed for the activity log; nil for an id that is not a canonical UUID.
    let packedID: ActivityLog.PackedID?
    var record: SecretRecord?
    /// The instance's ``ServiceInstance/secretsEpoch`` when resolved; 0, never drawn, until then.
    var epoch: UInt64 = 0

    public init(id: String) {
        self.id = id
        packedID = ActivityLog.PackedID(id)
    }

    private static let epochs = Atomic<UInt64>(1)

    static func newEpoch() -> UInt64 { epochs.wrappingAdd(1, ordering: .relaxed).newValue }

    /// Hints the processor to start loading what a read or a rotation through this handle touches first: the
    /// start of the secret's record. A caller that knows which secret it will use a while before it uses it
    /// (a drill's client picks its secret when the request starts, and reaches the service later) hides a
    /// cache miss this way. Changes nothing, and costs next to nothing when the handle was never resolved.
    /// In place: a copy of the handle would retain its id and record, touching the very memory to prefetch.
    @inline(__always)
    public static func prefetch(_ handle: inout SecretHandle) {
        // The reference's bits, read without retaining what they point to (nil is all zeros).
        withUnsafeBytes(of: &handle.record) { reference in
            guard let start = reference.load(as: UnsafeRawPointer?.self) else { return }
            smdrill_prefetch(start)
            smdrill_prefetch(start + 64)
        }
    }
}

/// The secrets of an instance in creation order, for listings and passes over all of them; found by id
/// through the instance's index instead. A removed secret stays in the array, marked, until the order is next
/// read, or until they are half the array: a removal costs nothing, and any number of them one pass. (An
/// ordered dictionary kept a second hash table of every id, and probing it cost a restore a tenth of its
/// thread.)
final class SecretOrder {
    private var records: [SecretRecord] = []
    private var removed = 0

    /// How many secrets are in the order.
    var count: Int { records.count - removed }

    /// How many records the array holds, removed ones not yet dropped included.
    var held: Int { records.count }

    /// The secrets, oldest first.
    var all: [SecretRecord] {
        compact()
        return records
    }

    /// Drops the removed secrets from the array.
    private func compact() {
        guard removed > 0 else { return }
        records.removeAll { record in
            guard record.ordering == .removed else { return false }
            record.ordering = .unlisted
            return true
        }
        removed = 0
    }

    /// Adds a secret after every other.
    func append(_ secret: SecretRecord) {
        // A secret removed and added again must not stay in its old place too.
        if secret.ordering == .removed { compact() }
        precondition(secret.ordering == .unlisted, "a secret is in the order once")
        secret.ordering = .listed
        records.append(secret)
    }

    /// Takes a secret out of the order.
    func remove(_ secret: SecretRecord) {
        guard secret.ordering == .listed else { return }
        secret.ordering = .removed
        removed += 1
        // Removed records are not kept without bound when nothing reads the order.
        if removed > 64, removed * 2 > records.count { compact() }
    }
}

/// A secret id as a hash-table key. The standard library hashes a `String` with SipHash over its text, which
/// for a 36-character id cost more than the rest of a read's lookup; this hashes it a word at a time once,
/// and compares the hashes before the text.
struct SecretIDKey: Hashable {
    let id: String
    let hash: UInt64

    init(_ id: String) {
        self.id = id
        hash = WordHash.hash(id)
    }

    func hash(into hasher: inout Hasher) { hasher.combine(hash) }

    static func == (lhs: SecretIDKey, rhs: SecretIDKey) -> Bool { lhs.hash == rhs.hash && lhs.id == rhs.id }
}
