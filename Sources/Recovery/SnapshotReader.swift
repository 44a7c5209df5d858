import Foundation
import SecretsManager

/// Reads an instance's state through the v2 API: every group, every secret page by page, the data of each
/// secret's current and previous versions, the configurations with their credentials, the notification
/// registration. What a customer's backup script does.
public struct SnapshotReader: Sendable {
    public var backoff: Backoff
    public var pageSize: Int

    public init(backoff: Backoff = Backoff(), pageSize: Int = ListSecretsOptions.maximumLimit) {
        self.backoff = backoff
        self.pageSize = pageSize
    }

    /// What a read cost: calls retried, secrets whose data could not be read (and why).
    public struct Report: Sendable, Hashable {
        public var retries = 0
        public var unreadable: [SecretKey: String] = [:]
    }

    /// Reads the instance. `each` is handed every secret's snapshot as soon as it is read, in the order of
    /// the snapshot's secrets (a backup encodes them meanwhile).
    public func read(
        _ service: some SecretsManagerService, clock: some Clock<Duration>, each: (SecretSnapshot) -> Void = { _ in }
    ) async throws -> (InstanceSnapshot, Report) {
        var report = Report()
        var retries = 0
        let groups = try await backoff.run(clock: clock, retries: &retries) { try await service.listSecretGroups() }
        let groupNames = Dictionary(uniqueKeysWithValues: groups.secretGroups.map { ($0.id, $0.name) })
        var snapshot = InstanceSnapshot()
        snapshot.groups = groups.secretGroups.filter { $0.id != SecretGroup.defaultID }
            .map { GroupSnapshot(name: $0.name, description: $0.description) }

        var options = ListSecretsOptions(limit: pageSize)
        var metadata: [SecretMetadata] = []
        while true {
            let page = try await backoff.run(clock: clock, retries: &retries) { [options] in
                try await service.listSecrets(options)
            }
            metadata.append(contentsOf: page.secrets)
            guard let next = page.next?.offset, next > options.offset else { break }
            options.offset = next
        }

        for secret in metadata {
            let key = SecretKey(type: secret.secretType, name: secret.name)
            var entry = SecretSnapshot(
                key: key, groupName: groupNames[secret.secretGroupID] ?? SecretGroup.defaultID,
                description: secret.description, labels: secret.labels, customMetadata: secret.customMetadata,
                attributes: secret.attributes, expirationDate: secret.expirationDate, rotation: secret.rotation,
                versionsTotal: secret.versionsTotal, current: nil)
            do {
                let current = try await backoff.run(clock: clock, retries: &retries) {
                    try await service.getSecretVersion(secretID: secret.id, version: .current)
                }
                entry.current = current.data
                entry.currentVersionCustomMetadata = current.metadata.versionCustomMetadata
                if secret.versionsTotal > 1 {
                    let previous = try await backoff.run(clock: clock, retries: &retries) {
                        try await service.getSecretVersion(secretID: secret.id, version: .previous)
                    }
                    entry.previous = previous.data
                }
            } catch let error as SecretsManagerError where error.status != 429 {
                report.unreadable[key] = error.description
            }
            snapshot.secrets.append(entry)
            each(entry)
        }

        let configurationsPage = try await backoff.run(clock: clock, retries: &retries) {
            try await service.listConfigurations(offset: 0, limit: ListSecretsOptions.maximumLimit)
        }
        for listed in configurationsPage.configurations {
            snapshot.configurations.append(
                try await backoff.run(clock: clock, retries: &retries) {
                    try await service.getConfiguration(name: listed.name)
                })
        }
        do {
            snapshot.notificationsRegistration = try await service.getNotificationsRegistration()
        } catch let error as SecretsManagerError where error.status == 404 {
            snapshot.notificationsRegistration = nil
        }
        report.retries = retries
        return (snapshot, report)
    }
}
