import Foundation
import SecretsManager

/// What to do when the target already holds a secret of the same type and name with other data.
public enum ConflictPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Leave the target's secret as it is, and report it.
    case skip
    /// Rotate the target's secret to the wanted data.
    case overwrite
    /// Stop at the first conflict.
    case fail
}

/// Makes an instance hold what a snapshot holds, through the v2 API only: the engine of restoring a backup
/// and of applying a source of truth.
///
/// It is idempotent and resumable. A secret already holding the wanted data is left alone; one holding the
/// snapshot's previous data (a restore cut off between creating a secret and rotating it to its current
/// data) is carried forward; so running it again after an interruption finishes the work without doubling
/// anything.
public struct Reconciler: Sendable {
    public struct Options: Sendable {
        public var conflicts: ConflictPolicy = .fail
        /// Values that differ in the target's region, by secret: they replace the snapshot's current data.
        public var regionalOverrides: [SecretKey: SecretData] = [:]
        /// Delete the target's secrets that the snapshot does not hold (a source of truth's apply).
        public var deleteOthers = false
        /// Read every secret back after writing it and compare.
        public var verify = true
        public var configurations = true
        public var notificationsRegistration = true
        public var backoff = Backoff()

        public init() {}
    }

    /// What would change, or what changed.
    public struct Changes: Sendable, Hashable {
        public var groupsCreated: [String] = []
        public var created: [SecretKey] = []
        /// Rotated to the wanted data (a conflict overwritten, or an interrupted restore carried forward).
        public var updated: [SecretKey] = []
        public var deleted: [SecretKey] = []
        /// Already as wanted.
        public var unchanged: [SecretKey] = []
        /// Left alone because of the conflict policy.
        public var conflictsSkipped: [SecretKey] = []
        /// Generated types: created anew, their value issued by the target (it cannot be copied).
        public var regenerated: [SecretKey] = []
        public var configurationsCreated: [String] = []
        public var failed: [SecretKey: String] = [:]
        public var verified = 0
        public var retries = 0

        public var changedCount: Int { created.count + updated.count + deleted.count + groupsCreated.count }
    }

    /// A conflict under the `fail` policy.
    public struct ConflictError: Error, Sendable, Hashable, CustomStringConvertible {
        public var key: SecretKey
        public var description: String {
            "the target already holds \(key) with other data (use --on-conflict skip or overwrite)"
        }
    }

    public var options: Options

    public init(options: Options = Options()) { self.options = options }

    /// Computes the changes without making them.
    public func plan(_ snapshot: InstanceSnapshot, target: some SecretsManagerService, clock: some Clock<Duration>)
        async throws -> Changes
    {
        try await reconcile(snapshot, target: target, clock: clock, dryRun: true)
    }

    /// Makes the changes.
    public func apply(_ snapshot: InstanceSnapshot, target: some SecretsManagerService, clock: some Clock<Duration>)
        async throws -> Changes
    {
        try await reconcile(snapshot, target: target, clock: clock, dryRun: false)
    }

    private func reconcile(
        _ snapshot: InstanceSnapshot, target: some SecretsManagerService, clock: some Clock<Duration>, dryRun: Bool
    ) async throws -> Changes {
        var changes = Changes()
        var retries = 0
        let backoff = options.backoff

        // Groups, by name.
        var groupIDs: [String: String] = [SecretGroup.defaultID: SecretGroup.defaultID]
        for group in try await backoff.run(clock: clock, retries: &retries, { try await target.listSecretGroups() })
            .secretGroups
        {
            groupIDs[group.name] = group.id
        }
        for group in snapshot.groups where groupIDs[group.name] == nil {
            changes.groupsCreated.append(group.name)
            if dryRun {
                groupIDs[group.name] = "(new)"
            } else {
                let created = try await backoff.run(clock: clock, retries: &retries) {
                    try await target.createSecretGroup(SecretGroupPrototype(name: group.name, description: group.description))
                }
                groupIDs[group.name] = created.id
            }
        }

        // Configurations before the secrets that need them.
        if options.configurations {
            let existing = Set(
                try await backoff.run(clock: clock, retries: &retries) {
                    try await target.listConfigurations(offset: 0, limit: ListSecretsOptions.maximumLimit)
                }.configurations.map(\.name))
            for configuration in snapshot.configurations where !existing.contains(configuration.name) {
                changes.configurationsCreated.append(configuration.name)
                guard !dryRun else { continue }
                _ = try await backoff.run(clock: clock, retries: &retries) {
                    try await target.createConfiguration(
                        ConfigurationPrototype(
                            name: configuration.name, configType: configuration.configType,
                            properties: configuration.properties, sensitive: configuration.sensitive))
                }
            }
        }

        // The target's secrets, by type and name.
        var index: [SecretKey: SecretMetadata] = [:]
        var options = ListSecretsOptions(limit: ListSecretsOptions.maximumLimit)
        while true {
            let page = try await backoff.run(clock: clock, retries: &retries) { [options] in
                try await target.listSecrets(options)
            }
            for secret in page.secrets { index[SecretKey(type: secret.secretType, name: secret.name)] = secret }
            guard let next = page.next?.offset, next > options.offset else { break }
            options.offset = next
        }

        for secret in snapshot.secrets {
            do {
                try await reconcile(
                    secret, existing: index.removeValue(forKey: secret.key), groupIDs: groupIDs, target: target,
                    clock: clock, dryRun: dryRun, changes: &changes, retries: &retries)
            } catch let conflict as ConflictError {
                throw conflict
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                changes.failed[secret.key] = "\(error)"
            }
        }

        if self.options.deleteOthers {
            for (key, metadata) in index.sorted(by: { $0.key < $1.key }) {
                changes.deleted.append(key)
                guard !dryRun else { continue }
                do {
                    try await backoff.run(clock: clock, retries: &retries) { try await target.deleteSecret(id: metadata.id) }
                } catch {
                    changes.failed[key] = "\(error)"
                }
            }
        }

        if self.options.notificationsRegistration, let registration = snapshot.notificationsRegistration, !dryRun {
            let present = (try? await target.getNotificationsRegistration()) != nil
            if !present {
                _ = try? await target.createNotificationsRegistration(
                    NotificationsRegistrationPrototype(
                        instanceCRN: registration.eventNotificationsInstanceCRN, sourceName: "smdrill-restore"))
            }
        }
        changes.retries = retries
        return changes
    }

    private func reconcile(
        _ secret: SecretSnapshot, existing: SecretMetadata?, groupIDs: [String: String],
        target: some SecretsManagerService, clock: some Clock<Duration>, dryRun: Bool, changes: inout Changes,
        retries: inout Int
    ) async throws {
        let backoff = options.backoff
        let generated = !secret.key.type.acceptsDataOnRotation
        let wanted = options.regionalOverrides[secret.key] ?? secret.current
        guard let existing else {
            let groupID = groupIDs[secret.groupName] ?? SecretGroup.defaultID
            if generated {
                changes.regenerated.append(secret.key)
                guard !dryRun else { return }
                _ = try await backoff.run(clock: clock, retries: &retries) {
                    try await target.createSecret(secret.prototype(data: nil, groupID: groupID))
                }
                return
            }
            changes.created.append(secret.key)
            guard !dryRun else { return }
            // The previous version first, so the recreated secret has both versions with data.
            let first = secret.previous ?? wanted
            let created = try await backoff.run(clock: clock, retries: &retries) {
                try await target.createSecret(secret.prototype(data: first, groupID: groupID))
            }
            if secret.previous != nil, let wanted {
                _ = try await backoff.run(clock: clock, retries: &retries) {
                    try await target.createSecretVersion(secretID: created.id, SecretVersionPrototype(data: wanted))
                }
            }
            try await verify(created.id, wanted: wanted, target: target, clock: clock, changes: &changes, retries: &retries)
            return
        }
        guard !generated else {
            changes.unchanged.append(secret.key)
            return
        }
        let current = try await backoff.run(clock: clock, retries: &retries) {
            try await target.getSecretVersion(secretID: existing.id, version: .current)
        }.data
        if current == wanted {
            changes.unchanged.append(secret.key)
            return
        }
        let interrupted = secret.previous != nil && current == secret.previous
        if !interrupted {
            switch options.conflicts {
            case .skip:
                changes.conflictsSkipped.append(secret.key)
                return
            case .fail:
                throw ConflictError(key: secret.key)
            case .overwrite:
                break
            }
        }
        changes.updated.append(secret.key)
        guard !dryRun, let wanted else { return }
        _ = try await backoff.run(clock: clock, retries: &retries) {
            try await target.createSecretVersion(secretID: existing.id, SecretVersionPrototype(data: wanted))
        }
        try await verify(existing.id, wanted: wanted, target: target, clock: clock, changes: &changes, retries: &retries)
    }

    private func verify(
        _ id: String, wanted: SecretData?, target: some SecretsManagerService, clock: some Clock<Duration>,
        changes: inout Changes, retries: inout Int
    ) async throws {
        guard options.verify, let wanted else { return }
        let read = try await options.backoff.run(clock: clock, retries: &retries) {
            try await target.getSecretVersion(secretID: id, version: .current)
        }
        guard read.data == wanted else {
            throw VerificationError(id: id)
        }
        changes.verified += 1
    }

    struct VerificationError: Error, CustomStringConvertible {
        var id: String
        var description: String { "secret \(id) does not hold the restored data when read back" }
    }
}
