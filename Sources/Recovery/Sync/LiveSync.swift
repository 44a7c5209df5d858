import Foundation
import SecretsManager

/// Live synchronization, the customer-built tool of the seed: changes in the primary instance are copied to
/// the recovery instance, either as they happen (an Event Notifications subscription calling an action that
/// copies the secret a notification names) or by a periodic full comparison. Whatever the primary holds is
/// copied, corruption included, as the seed warns. Secrets with an excluded label (the regional ones, whose
/// recovery values differ) are left alone.
public struct LiveSync: Sendable {
    public var excludedLabels: Set<String>
    public var backoff: Backoff

    public init(excludedLabels: Set<String> = ["regional"], backoff: Backoff = Backoff(attempts: 4)) {
        self.excludedLabels = excludedLabels
        self.backoff = backoff
    }

    /// What handling one notification did.
    public enum Copy: Sendable, Hashable {
        case created(SecretKey)
        case updated(SecretKey)
        case deleted(SecretKey)
        case unchanged(SecretKey)
        case excluded(SecretKey)
        case ignored(String)
    }

    /// Copies the secret one notification names from `source` to `target`.
    public func copy(
        _ notification: SecretsManagerNotification, from source: some SecretsManagerService,
        to target: some SecretsManagerService, clock: some Clock<Duration>
    ) async throws -> [Copy] {
        guard let event = notification.event else { return [.ignored(notification.eventType)] }
        var copies: [Copy] = []
        var retries = 0
        for reference in notification.secrets {
            guard let type = notification.secretType, let name = reference.name else {
                copies.append(.ignored("a notification without a secret name or type"))
                continue
            }
            let key = SecretKey(type: type, name: name)
            let existing = try await find(key, in: target, clock: clock, retries: &retries)
            switch event {
            case .secretDeleted:
                if let existing {
                    try await backoff.run(clock: clock, retries: &retries) { try await target.deleteSecret(id: existing.id) }
                    copies.append(.deleted(key))
                } else {
                    copies.append(.unchanged(key))
                }
            case .secretCreated, .secretRotated, .secretVersionDataDeleted:
                let secret = try await backoff.run(clock: clock, retries: &retries) {
                    try await source.getSecret(id: reference.id)
                }
                copies.append(
                    try await write(secret, existing: existing, target: target, clock: clock, retries: &retries))
            default:
                copies.append(.ignored(notification.eventType))
            }
        }
        return copies
    }

    /// The periodic flavour: compares everything and copies the differences (and deletions).
    public func synchronize(
        from source: some SecretsManagerService, to target: some SecretsManagerService, clock: some Clock<Duration>
    ) async throws -> Reconciler.Changes {
        var (snapshot, _) = try await SnapshotReader(backoff: backoff).read(source, clock: clock)
        snapshot.secrets.removeAll { !excludedLabels.isDisjoint(with: $0.labels) }
        var options = Reconciler.Options()
        options.conflicts = .overwrite
        options.verify = false
        options.notificationsRegistration = false
        options.backoff = backoff
        // Excluded secrets are not in the snapshot; keep them in the target.
        var changes = try await Reconciler(options: options).apply(snapshot, target: target, clock: clock)
        changes.deleted = []
        return changes
    }

    private func find(
        _ key: SecretKey, in target: some SecretsManagerService, clock: some Clock<Duration>, retries: inout Int
    ) async throws -> SecretMetadata? {
        let page = try await backoff.run(clock: clock, retries: &retries) {
            try await target.listSecrets(
                ListSecretsOptions(limit: ListSecretsOptions.maximumLimit, search: key.name, secretTypes: [key.type]))
        }
        return page.secrets.first { $0.name == key.name && $0.secretType == key.type }
    }

    private func write(
        _ secret: Secret, existing: SecretMetadata?, target: some SecretsManagerService, clock: some Clock<Duration>,
        retries: inout Int
    ) async throws -> Copy {
        let key = SecretKey(type: secret.secretType, name: secret.name)
        guard excludedLabels.isDisjoint(with: secret.metadata.labels) else { return .excluded(key) }
        guard let data = secret.data, secret.secretType.acceptsDataOnRotation else { return .unchanged(key) }
        if let existing {
            let current = try await backoff.run(clock: clock, retries: &retries) {
                try await target.getSecretVersion(secretID: existing.id, version: .current)
            }
            guard current.data != data else { return .unchanged(key) }
            _ = try await backoff.run(clock: clock, retries: &retries) {
                try await target.createSecretVersion(secretID: existing.id, SecretVersionPrototype(data: data))
            }
            return .updated(key)
        }
        let groups = try await backoff.run(clock: clock, retries: &retries) { try await target.listSecretGroups() }
        let sourceGroup = secret.metadata.secretGroupID
        let groupID = groups.secretGroups.first { $0.id == sourceGroup || $0.name == sourceGroup }?.id ?? SecretGroup.defaultID
        _ = try await backoff.run(clock: clock, retries: &retries) {
            try await target.createSecret(
                SecretPrototype(
                    name: secret.name, secretType: secret.secretType, data: data,
                    description: secret.metadata.description, secretGroupID: groupID,
                    labels: secret.metadata.labels.isEmpty ? nil : secret.metadata.labels,
                    customMetadata: secret.metadata.customMetadata.isEmpty ? nil : secret.metadata.customMetadata,
                    attributes: secret.metadata.attributes))
        }
        return .created(key)
    }
}
