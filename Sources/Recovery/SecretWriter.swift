import SecretsManager

/// Writes one secret into an instance: rotates it when it exists with other data, creates it when it does not.
/// Live sync and a source-of-truth pipeline apply changes one secret at a time through it.
public struct SecretWriter: Sendable {
    public var backoff: Backoff

    public init(backoff: Backoff = Backoff()) { self.backoff = backoff }

    public enum Outcome: Sendable, Hashable { case created, updated, unchanged }

    @discardableResult
    public func upsert(
        _ secret: SecretSnapshot, data: SecretData?, to target: some SecretsManagerService, clock: some Clock<Duration>
    ) async throws -> Outcome {
        var retries = 0
        let page = try await backoff.run(clock: clock, retries: &retries) {
            try await target.listSecrets(
                ListSecretsOptions(limit: ListSecretsOptions.maximumLimit, search: secret.key.name, secretTypes: [secret.key.type]))
        }
        if let existing = page.secrets.first(where: { $0.name == secret.key.name && $0.secretType == secret.key.type }) {
            guard let data, secret.key.type.acceptsDataOnRotation else { return .unchanged }
            let current = try await backoff.run(clock: clock, retries: &retries) {
                try await target.getSecretVersion(secretID: existing.id, version: .current)
            }
            guard current.data != data else { return .unchanged }
            _ = try await backoff.run(clock: clock, retries: &retries) {
                try await target.createSecretVersion(secretID: existing.id, SecretVersionPrototype(data: data))
            }
            return .updated
        }
        let groups = try await backoff.run(clock: clock, retries: &retries) { try await target.listSecretGroups() }
        let groupID = groups.secretGroups.first { $0.name == secret.groupName }?.id ?? SecretGroup.defaultID
        _ = try await backoff.run(clock: clock, retries: &retries) {
            try await target.createSecret(
                secret.prototype(data: secret.key.type.acceptsDataOnRotation ? data : nil, groupID: groupID))
        }
        return .created
    }
}
