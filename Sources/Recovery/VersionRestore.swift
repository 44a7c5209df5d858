import Foundation
import SecretsManager

/// The seed's one built-in recovery: restore damaged secrets from their previous version, in the
/// production instance. It finds the damage (versions written by a given principal, or after a given time,
/// or data failing a check), and rotates each damaged secret to a new version carrying its previous data.
/// A secret whose previous version is damaged too cannot be restored this way: its good data, if any, is
/// older than the previous version, and only current and previous keep their data.
public struct VersionRestore: Sendable {
    /// Which versions are damaged.
    public enum Damage: Sendable {
        case writtenBy(String)
        case writtenAfter(Date)
        case failing(@Sendable (SecretData) -> Bool)

        func isDamaged(_ metadata: SecretVersionMetadata, data: @autoclosure () -> SecretData?) -> Bool {
            switch self {
            case .writtenBy(let principal): metadata.createdBy == principal
            case .writtenAfter(let time): metadata.createdAt > time
            case .failing(let check): data().map { !check($0) } ?? false
            }
        }

        var needsData: Bool {
            if case .failing = self { return true }
            return false
        }
    }

    public struct Outcome: Sendable, Hashable {
        public var examined = 0
        public var restored: [SecretKey] = []
        /// Damaged secrets that could not be restored, with the reason.
        public var unrestorable: [SecretKey: String] = [:]
        public var retries = 0
    }

    public var damage: Damage
    public var backoff: Backoff

    public init(damage: Damage, backoff: Backoff = Backoff()) {
        self.damage = damage
        self.backoff = backoff
    }

    public func run(_ service: some SecretsManagerService, clock: some Clock<Duration>) async throws -> Outcome {
        var outcome = Outcome()
        var retries = 0
        var options = ListSecretsOptions(limit: ListSecretsOptions.maximumLimit)
        var secrets: [SecretMetadata] = []
        while true {
            let page = try await backoff.run(clock: clock, retries: &retries) { [options] in
                try await service.listSecrets(options)
            }
            secrets.append(contentsOf: page.secrets)
            guard let next = page.next?.offset, next > options.offset else { break }
            options.offset = next
        }
        for secret in secrets {
            // Nothing written after the damage began can be damaged by a later writer.
            if case .writtenAfter(let time) = damage, secret.updatedAt <= time { continue }
            outcome.examined += 1
            let key = SecretKey(type: secret.secretType, name: secret.name)
            let current = try await backoff.run(clock: clock, retries: &retries) {
                try await service.getSecretVersion(secretID: secret.id, version: .current)
            }
            guard damage.isDamaged(current.metadata, data: current.data) else { continue }
            guard secret.versionsTotal > 1 else {
                outcome.unrestorable[key] = "it has no previous version"
                continue
            }
            let previous = try await backoff.run(clock: clock, retries: &retries) {
                try await service.getSecretVersion(secretID: secret.id, version: .previous)
            }
            guard let data = previous.data, !damage.isDamaged(previous.metadata, data: previous.data) else {
                outcome.unrestorable[key] =
                    "its previous version is damaged too; the good data is older than the previous version, and only current and previous keep their data"
                continue
            }
            let prototype: SecretVersionPrototype
            if secret.secretType.acceptsDataOnRotation {
                prototype = SecretVersionPrototype(data: data)
            } else if secret.secretType == .iamCredentials {
                prototype = SecretVersionPrototype(restoreFromVersion: VersionSelector.previous.description)
            } else {
                outcome.unrestorable[key] =
                    "the service makes its data and offers no version restore for \(secret.secretType.rawValue): issue a new version and redeploy its consumers"
                continue
            }
            _ = try await backoff.run(clock: clock, retries: &retries) {
                try await service.createSecretVersion(secretID: secret.id, prototype)
            }
            outcome.restored.append(key)
        }
        outcome.retries = retries
        return outcome
    }
}
