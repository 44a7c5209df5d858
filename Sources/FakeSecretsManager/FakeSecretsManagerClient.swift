import SecretsManager
import Simulation

/// A client of one fake instance, as a principal: the async ``SecretsManagerService`` face of the fake.
///
/// Each call costs virtual time: a latency drawn from the cost model, then routing at that moment through the
/// region's load balancer. A call that reaches a dead node gets no answer and throws ``TransportError/timeout(after:)``
/// when the client's timeout runs out. Recovery code runs against this exactly as it would against a real
/// instance.
///
/// Run it inside a process of the cloud's scheduler (``Scheduler/spawn(_:_:)``).
public struct FakeSecretsManagerClient: SecretsManagerService {
    public let cloud: FakeCloud
    public let instanceID: String
    public let principal: Principal
    /// How long the client waits for an answer.
    public let timeout: Duration

    public init(cloud: FakeCloud, instanceID: String, principal: Principal, timeout: Duration = .seconds(30)) {
        self.cloud = cloud
        self.instanceID = instanceID
        self.principal = principal
        self.timeout = timeout
    }

    private func call<T>(_ operation: ServiceOperation, _ body: (ServiceInstance) throws -> T)
        async throws -> T
    {
        let latency = min(cloud.sampleLatency(operation), timeout)
        if latency > .zero {
            try await cloud.scheduler.clock.sleep(for: latency)
        } else {
            // No time passes (a cost model without latency): answered at once, as the caller's next step,
            // rather than after every other process ready at this instant. Refused, as a sleep is, when the
            // caller is cancelled or the scheduler shuts down.
            try cloud.scheduler.checkRunning()
        }
        switch cloud.route(to: instanceID) {
        case .noAnswer:
            try await cloud.scheduler.clock.sleep(for: timeout - latency)
            throw TransportError.timeout(after: timeout)
        case .refused(let error):
            throw error
        case .served:
            guard let instance = cloud.instances[instanceID] else {
                throw TransportError.connectionFailed("instance \(instanceID) does not exist")
            }
            return try body(instance)
        }
    }

    public func createSecretGroup(_ prototype: SecretGroupPrototype) async throws -> SecretGroup {
        try await call(.createSecretGroup) { try $0.createSecretGroup(prototype, by: principal) }
    }

    public func listSecretGroups() async throws -> SecretGroupCollection {
        try await call(.listSecretGroups) { try $0.listSecretGroups(by: principal) }
    }

    public func getSecretGroup(id: String) async throws -> SecretGroup {
        try await call(.getSecretGroup) { try $0.getSecretGroup(id: id, by: principal) }
    }

    public func updateSecretGroup(id: String, _ patch: SecretGroupPatch) async throws -> SecretGroup {
        try await call(.updateSecretGroup) { try $0.updateSecretGroup(id: id, patch, by: principal) }
    }

    public func deleteSecretGroup(id: String) async throws {
        try await call(.deleteSecretGroup) { try $0.deleteSecretGroup(id: id, by: principal) }
    }

    public func createSecret(_ prototype: SecretPrototype) async throws -> Secret {
        try await call(.createSecret) { try $0.createSecret(prototype, by: principal) }
    }

    public func listSecrets(_ options: ListSecretsOptions) async throws -> SecretMetadataPage {
        try await call(.listSecrets) { try $0.listSecrets(options, by: principal) }
    }

    public func getSecret(id: String) async throws -> Secret {
        try await call(.getSecret) { try $0.getSecret(id: id, by: principal) }
    }

    public func getSecretByNameAndType(groupName: String, secretType: SecretType, name: String) async throws -> Secret {
        try await call(.getSecret) {
            try $0.getSecretByNameAndType(groupName: groupName, secretType: secretType, name: name, by: principal)
        }
    }

    public func getSecretMetadata(id: String) async throws -> SecretMetadata {
        try await call(.getSecretMetadata) { try $0.getSecretMetadata(id: id, by: principal) }
    }

    public func updateSecretMetadata(id: String, _ patch: SecretMetadataPatch) async throws -> SecretMetadata {
        try await call(.updateSecretMetadata) { try $0.updateSecretMetadata(id: id, patch, by: principal) }
    }

    public func deleteSecret(id: String) async throws {
        try await call(.deleteSecret) { try $0.deleteSecret(id: id, by: principal) }
    }

    public func createSecretVersion(secretID: String, _ prototype: SecretVersionPrototype) async throws -> SecretVersion {
        try await call(.createSecretVersion) { try $0.createSecretVersion(secretID: secretID, prototype, by: principal) }
    }

    public func listSecretVersions(secretID: String) async throws -> SecretVersionMetadataCollection {
        try await call(.listSecretVersions) { try $0.listSecretVersions(secretID: secretID, by: principal) }
    }

    public func getSecretVersion(secretID: String, version: VersionSelector) async throws -> SecretVersion {
        try await call(.getSecretVersion) { try $0.getSecretVersion(secretID: secretID, version: version, by: principal) }
    }

    public func getSecretVersionMetadata(secretID: String, version: VersionSelector) async throws -> SecretVersionMetadata {
        try await call(.getSecretVersionMetadata) {
            try $0.getSecretVersionMetadata(secretID: secretID, version: version, by: principal)
        }
    }

    public func createSecretLocks(
        secretID: String, version: VersionSelector, locks: [SecretLockPrototype], mode: LockMode?
    ) async throws -> SecretLocks {
        try await call(.createSecretLocks) {
            try $0.createSecretLocks(secretID: secretID, version: version, locks: locks, mode: mode, by: principal)
        }
    }

    public func listSecretLocks(secretID: String, offset: Int, limit: Int) async throws -> SecretLocksPage {
        try await call(.listSecretLocks) {
            try $0.listSecretLocks(secretID: secretID, offset: offset, limit: limit, by: principal)
        }
    }

    public func listSecretsLocks(offset: Int, limit: Int) async throws -> SecretsLocksPage {
        try await call(.listSecretsLocks) { try $0.listSecretsLocks(offset: offset, limit: limit, by: principal) }
    }

    public func deleteSecretLocks(secretID: String, names: [String]?) async throws -> SecretLocks {
        try await call(.deleteSecretLocks) { try $0.deleteSecretLocks(secretID: secretID, names: names, by: principal) }
    }

    public func createConfiguration(_ prototype: ConfigurationPrototype) async throws -> Configuration {
        try await call(.createConfiguration) { try $0.createConfiguration(prototype, by: principal) }
    }

    public func listConfigurations(offset: Int, limit: Int) async throws -> ConfigurationsPage {
        try await call(.listConfigurations) { try $0.listConfigurations(offset: offset, limit: limit, by: principal) }
    }

    public func getConfiguration(name: String) async throws -> Configuration {
        try await call(.getConfiguration) { try $0.getConfiguration(name: name, by: principal) }
    }

    public func deleteConfiguration(name: String) async throws {
        try await call(.deleteConfiguration) { try $0.deleteConfiguration(name: name, by: principal) }
    }

    public func createNotificationsRegistration(_ prototype: NotificationsRegistrationPrototype) async throws
        -> NotificationsRegistration
    {
        try await call(.createNotificationsRegistration) {
            try $0.createNotificationsRegistration(prototype, by: principal)
        }
    }

    public func getNotificationsRegistration() async throws -> NotificationsRegistration {
        try await call(.getNotificationsRegistration) { try $0.getNotificationsRegistration(by: principal) }
    }

    public func deleteNotificationsRegistration() async throws {
        try await call(.deleteNotificationsRegistration) { try $0.deleteNotificationsRegistration(by: principal) }
    }
}
