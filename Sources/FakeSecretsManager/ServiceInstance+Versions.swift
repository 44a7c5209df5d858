import Foundation
import SecretsManager

extension ServiceInstance {
    /// Rotates a secret: the new version becomes `current`, the old current becomes `previous`, and the old
    /// previous loses its data. The oldest version's metadata goes once there are more than 50. A rotation that
    /// would take data or metadata from a locked version answers 412.
    public func createSecretVersion(
        secretID: String, _ prototype: SecretVersionPrototype, by principal: Principal, autoRotated: Bool = false
    ) throws(SecretsManagerError) -> SecretVersion {
        try perform(.createSecretVersion, by: principal, target: secretID) { () throws(SecretsManagerError) in
            let secret = try secret(secretID)
            let data = try rotate(secret, prototype, by: principal, autoRotated: autoRotated).data
            return SecretVersion(metadata: versionMetadata(secret, at: secret.versions.count - 1), data: data)
        }
    }

    /// ``createSecretVersion(secretID:_:by:autoRotated:)`` for a drill's clients: through a handle (see
    /// ``SecretHandle``), answering the new current data as the canonical JSON bytes that were sealed, what
    /// ``readCurrentData(_:by:)`` will answer, rather than a model value. Same checks, same activity.
    public func rotateCurrentData(_ handle: inout SecretHandle, _ prototype: SecretVersionPrototype, by principal: Principal)
        throws(SecretsManagerError) -> [UInt8]
    {
        let secret = resolve(&handle)
        return try perform(.createSecretVersion, by: principal, target: handle.packedID, text: handle.id) { () throws(SecretsManagerError) in
            guard let secret else { throw Self.missingSecret(handle.id) }
            return try rotate(secret, prototype, by: principal, autoRotated: false).plaintext
        }
    }

    /// The work of a rotation, once the secret is found: the new version's data and its canonical JSON bytes.
    private func rotate(
        _ secret: SecretRecord, _ prototype: SecretVersionPrototype, by principal: Principal, autoRotated: Bool
    ) throws(SecretsManagerError) -> (data: SecretData, plaintext: [UInt8]) {
        let secretID = secret.id
        try authorize(principal, .createSecretVersion, groupID: secret.groupID)
        try checkIntegrity(secret)
        guard effectiveState(secret) != .destroyed else {
            throw .badRequest("secret \(secretID) is destroyed and cannot be rotated")
        }
        try ServiceLimits.customMetadata(prototype.customMetadata, field: "custom_metadata")
        try ServiceLimits.customMetadata(prototype.versionCustomMetadata, field: "version_custom_metadata")
        let data = try rotationData(secret, prototype)
        try ServiceLimits.data(data)

        // The version that loses its data, and the one that loses its metadata.
        let losingData = secret.versions.count >= 2 ? secret.versions.count - 2 : nil
        let losingMetadata = secret.versions.count >= ServiceLimits.versionHistory ? 0 : nil
        // (Only a secret with locks can refuse; most have none, and skip building the list.)
        if !secret.locks.isEmpty {
            for index in [losingData, losingMetadata].compactMap({ $0 }) {
                let version = secret.versions[index]
                let names = secret.locks.filter { $0.versionID == version.id }.map(\.name)
                if !names.isEmpty, index == losingMetadata || version.sealed != nil {
                    throw .preconditionFailed(
                        "version \(version.id) of secret \(secretID) is locked (\(names.joined(separator: ", "))); rotating would remove its data")
                }
            }
        }

        let date = now
        let versionID = random.uuid()
        let plaintext = data.canonicalJSON()
        let (sealed, opened) = try sealVersion(plaintext, secretID: secretID, versionID: versionID)
        var version = VersionRecord(
            id: versionID, sequence: secret.nextSequence, createdBy: principal.id, createdAt: date,
            autoRotated: autoRotated, customMetadata: prototype.versionCustomMetadata ?? [:], attributes: [:],
            expirationDate: secret.expirationDate, downloaded: false, sealed: sealed)
        version.opened = opened

        // Only the rows that change are copied; memory changes once the storage has taken them.
        let dropped = secret.versions.count + 1 > ServiceLimits.versionHistory ? secret.versions.first : nil
        var strippedVersion: VersionRecord?
        if let losingData, secret.versions[losingData].sealed != nil {
            strippedVersion = secret.versions[losingData]
            strippedVersion?.sealed = nil
        }
        let customMetadataChanged = prototype.customMetadata != nil && prototype.customMetadata != secret.customMetadata
        let previousCustomMetadata = secret.customMetadata
        if let customMetadata = prototype.customMetadata { secret.customMetadata = customMetadata }
        do throws(SecretsManagerError) {
            try persist { db in
                db.insertVersion(&version, of: secret)
                if let strippedVersion { db.saveVersion(strippedVersion, of: secret) }
                if let dropped { db.deleteVersion(key: dropped.storageKey) }
                // The secret's own row changes only with its metadata: its update time and next sequence
                // follow from its newest version when the state is loaded.
                if customMetadataChanged { db.saveSecret(secret) }
            }
        } catch {
            secret.customMetadata = previousCustomMetadata
            throw error
        }
        if let losingData { secret.versions[losingData].sealed = nil }
        if dropped != nil { secret.versions.removeFirst() }
        secret.versions.append(version)
        secret.nextSequence += 1
        secret.updatedAt = date
        publish(.secretRotated, secret, versionID: versionID)
        return (data, plaintext)
    }

    /// The data of a new version: the caller's, or generated; an iam_credentials rotation may restore an
    /// earlier version's key instead (`restore_from_version`).
    private func rotationData(_ secret: SecretRecord, _ prototype: SecretVersionPrototype) throws(SecretsManagerError)
        -> SecretData
    {
        let type = secret.secretType
        if type.acceptsDataOnRotation {
            if let data = prototype.data {
                guard data.secretType == type else {
                    throw .badRequest(
                        "a \(type.rawValue) secret cannot be rotated with \(data.secretType.rawValue) data")
                }
                if case .usernamePassword(_, let password) = data {
                    // The username belongs to the secret; a rotation changes the password only.
                    return .usernamePassword(username: try username(of: secret), password: password)
                }
                return data
            }
            guard type == .usernamePassword else {
                let field = SecretData.fieldNames(of: type).sorted().first ?? "payload"
                throw .badRequest(field: field, "rotating a \(type.rawValue) secret needs new data ('\(field)')")
            }
            return .usernamePassword(username: try username(of: secret), password: generatedPassword())
        }
        guard prototype.data == nil else {
            throw .badRequest("\(type.rawValue) secrets take no data on rotation; the service generates it")
        }
        if let restore = prototype.restoreFromVersion {
            guard type == .iamCredentials else {
                throw .badRequest(field: "restore_from_version", "only iam_credentials secrets can restore a version")
            }
            guard let index = secret.versionIndex(VersionSelector(restore)) else {
                throw .notFound("version \(restore) of secret \(secret.id) does not exist")
            }
            return try decodeData(openData(secret, at: index), secret)
        }
        return generatedData(type)
    }

    /// The username of a username_password secret: remembered, or read from its current data once.
    private func username(of secret: SecretRecord) throws(SecretsManagerError) -> String {
        if let known = secret.username { return known }
        guard case .usernamePassword(let username, _) = try decodeData(openData(secret, at: secret.versions.count - 1), secret)
        else { return "user" }
        secret.username = username
        return username
    }

    public func listSecretVersions(secretID: String, by principal: Principal) throws(SecretsManagerError)
        -> SecretVersionMetadataCollection
    {
        try perform(.listSecretVersions, by: principal, target: secretID) { () throws(SecretsManagerError) in
            let secret = try secret(secretID)
            try authorize(principal, .listSecretVersions, groupID: secret.groupID)
            try checkIntegrity(secret)
            return SecretVersionMetadataCollection(
                versions: secret.versions.indices.reversed().map { versionMetadata(secret, at: $0) })
        }
    }

    /// A version with its data while it keeps it; a version without data answers its metadata alone.
    public func getSecretVersion(secretID: String, version selector: VersionSelector, by principal: Principal)
        throws(SecretsManagerError) -> SecretVersion
    {
        try perform(.getSecretVersion, by: principal, target: secretID) { () throws(SecretsManagerError) in
            let secret = try secret(secretID)
            try authorize(principal, .getSecretVersion, groupID: secret.groupID)
            try checkIntegrity(secret)
            guard let index = secret.versionIndex(selector) else {
                throw .notFound("version \(selector) of secret \(secretID) does not exist")
            }
            guard secret.versions[index].sealed != nil else {
                return SecretVersion(metadata: versionMetadata(secret, at: index), data: nil)
            }
            let data = try decodeData(openData(secret, at: index), secret)
            secret.versions[index].downloaded = true
            noteRetrieval(secret)
            return SecretVersion(metadata: versionMetadata(secret, at: index), data: data)
        }
    }

    public func getSecretVersionMetadata(secretID: String, version selector: VersionSelector, by principal: Principal)
        throws(SecretsManagerError) -> SecretVersionMetadata
    {
        try perform(.getSecretVersionMetadata, by: principal, target: secretID) { () throws(SecretsManagerError) in
            let secret = try secret(secretID)
            try authorize(principal, .getSecretVersionMetadata, groupID: secret.groupID)
            try checkIntegrity(secret)
            guard let index = secret.versionIndex(selector) else {
                throw .notFound("version \(selector) of secret \(secretID) does not exist")
            }
            return versionMetadata(secret, at: index)
        }
    }
}
