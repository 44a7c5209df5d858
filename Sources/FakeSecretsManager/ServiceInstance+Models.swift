import Foundation
import SecretsManager

/// Records as the API shows them.
extension ServiceInstance {
    func metadata(_ secret: SecretRecord) -> SecretMetadata {
        SecretMetadata(
            id: secret.id, crn: secretCRNPrefix + secret.id, name: secret.name,
            description: secret.description, secretType: secret.secretType, secretGroupID: secret.groupID,
            labels: secret.labels, customMetadata: secret.customMetadata, createdBy: secret.createdBy,
            createdAt: secret.createdAt, updatedAt: secret.updatedAt, retrievedAt: secret.retrievedAt,
            downloaded: secret.downloaded, locksTotal: secret.locks.count, versionsTotal: secret.versions.count,
            state: effectiveState(secret), expirationDate: secret.expirationDate, rotation: secret.rotation,
            attributes: secret.attributes)
    }

    func versionMetadata(_ secret: SecretRecord, at index: Int) -> SecretVersionMetadata {
        let version = secret.versions[index]
        return SecretVersionMetadata(
            id: version.id, secretID: secret.id, secretName: secret.name, secretType: secret.secretType,
            secretGroupID: secret.groupID, createdBy: version.createdBy, createdAt: version.createdAt,
            downloaded: version.downloaded, payloadAvailable: version.sealed != nil, alias: secret.alias(at: index),
            autoRotated: version.autoRotated, versionCustomMetadata: version.customMetadata,
            expirationDate: version.expirationDate, attributes: version.attributes)
    }

    func group(_ record: GroupRecord) -> SecretGroup {
        SecretGroup(
            id: record.id, name: record.name, description: record.description, createdAt: record.createdAt,
            updatedAt: record.updatedAt)
    }

    func lock(_ lock: LockRecord, of secret: SecretRecord) -> SecretLock {
        let index = secret.versions.firstIndex { $0.id == lock.versionID }
        return SecretLock(
            name: lock.name, description: lock.description, attributes: lock.attributes, createdAt: lock.createdAt,
            updatedAt: lock.updatedAt, createdBy: lock.createdBy, secretGroupID: secret.groupID, secretID: secret.id,
            secretVersionID: lock.versionID, secretVersionAlias: index.flatMap { secret.alias(at: $0) })
    }

    func locksSummary(_ secret: SecretRecord) -> SecretLocks {
        var versions: [SecretLocks.VersionLocks] = []
        for (index, version) in secret.versions.enumerated().reversed() {
            let names = secret.locks.filter { $0.versionID == version.id }.map(\.name)
            guard !names.isEmpty else { continue }
            versions.append(
                .init(
                    versionID: version.id, versionAlias: secret.alias(at: index), locks: names,
                    payloadAvailable: version.sealed != nil))
        }
        return SecretLocks(
            secretID: secret.id, secretGroupID: secret.groupID, secretType: secret.secretType, versions: versions)
    }

    func configuration(_ record: ConfigurationRecord, sensitive: SecretObject) -> Configuration {
        Configuration(
            name: record.name, configType: record.configType, createdBy: record.createdBy, createdAt: record.createdAt,
            updatedAt: record.updatedAt, properties: record.properties, sensitive: sensitive)
    }

    /// Links of a page under `path` of this instance's endpoint.
    func pageLinks(path: String, query: [URLQueryItem], offset: Int, limit: Int, total: Int) -> PageLinks {
        PageLinks(base: endpoint + "/api/v2" + path, query: query, offset: offset, limit: limit, total: total)
    }

    func checkPaging(offset: Int, limit: Int) throws(SecretsManagerError) {
        guard offset >= 0 else { throw .badParameter("offset", "offset must be 0 or more, got \(offset)") }
        guard (1...ListSecretsOptions.maximumLimit).contains(limit) else {
            throw .badParameter("limit", "limit must be 1 to \(ListSecretsOptions.maximumLimit), got \(limit)")
        }
    }
}
