import Crypto
import Foundation
import SecretsManager
import Simulation

/// What a logical corruption did to one secret.
public struct CorruptedWrite: Hashable, Sendable, Codable {
    public var secretID: String
    public var versionID: String
    public var at: SimulationInstant
}

extension ServiceInstance {
    /// Logical corruption: a bad writer (a broken pipeline, a careless script) rotates each chosen secret to a
    /// new version of garbage, through the API and with its own role, as the real failure would. Secrets the
    /// writer may not rotate (403, 412, ...) are skipped.
    public func corruptLogically(secretIDs: [String], by writer: Principal) -> [CorruptedWrite] {
        var written: [CorruptedWrite] = []
        for id in secretIDs {
            guard let secret = record(id: id) else { continue }
            let garbage = garbageData(for: secret.secretType)
            if let version = try? createSecretVersion(
                secretID: id, SecretVersionPrototype(data: garbage), by: writer)
            {
                written.append(CorruptedWrite(secretID: id, versionID: version.id, at: cloud.scheduler.now))
            }
        }
        return written
    }

    private func garbageData(for type: SecretType) -> SecretData? {
        let noise = SecretPayload("garbage-" + random.string(count: 24, alphabet: Self.keyAlphabet))
        switch type {
        case .arbitrary: return .arbitrary(payload: noise)
        case .usernamePassword: return .usernamePassword(username: "garbage", password: noise)
        case .kv: return .kv(data: SecretObject(["garbage": .string(noise.reveal())]))
        case .importedCert: return .importedCert(certificate: noise, intermediate: nil, privateKey: nil)
        case .iamCredentials, .publicCert, .privateCert, .serviceCredentials, .customCredentials:
            return nil  // the service makes their data; a bad writer can only force a rotation
        }
    }

    /// Physical corruption: bytes of the stored current data of each chosen secret are overwritten in the
    /// database file, as a failing disk would. The instance then re-reads its storage, detects the damage
    /// (row checksums, GCM authentication) and refuses to serve those secrets. Answers the secrets damaged.
    @discardableResult
    public func damageStorage(secretIDs: [String]) throws -> [String] {
        try flushRetrievals()
        try store.checkpoint()
        var patterns: [UInt64: (secretID: String, length: Int)] = [:]
        for id in secretIDs {
            guard let sealed = record(id: id)?.current?.sealed else { continue }
            let stored = [UInt8](sealed.ciphertext)
            guard stored.count >= 16 else { continue }
            patterns[Self.prefixWord(stored, 0)] = (id, stored.count)
        }
        guard !patterns.isEmpty else { return [] }
        let url = URL(fileURLWithPath: store.path)
        var bytes = [UInt8](try Data(contentsOf: url))
        var damaged: [String] = []
        var offset = 0
        while offset + 8 <= bytes.count {
            let word = Self.prefixWord(bytes, offset)
            if let hit = patterns[word] {
                // Flip every byte of the middle of the stored ciphertext.
                let start = offset + hit.length / 4
                for index in start..<min(bytes.count, start + max(1, hit.length / 2)) { bytes[index] ^= 0xA5 }
                damaged.append(hit.secretID)
                patterns.removeValue(forKey: word)
                if patterns.isEmpty { break }
            }
            offset += 1
        }
        try store.overwrite(with: bytes)
        try reloadFromStorage()
        return damaged
    }

    /// Damages whole pages of the database file, B-tree headers included: SQLite itself sees the damage and
    /// the instance stops serving (``Status/storageFailed(_:)``).
    public func damagePages(count: Int) throws {
        try flushRetrievals()
        try store.checkpoint()
        let url = URL(fileURLWithPath: store.path)
        var bytes = [UInt8](try Data(contentsOf: url))
        let pageSize = 4096
        let pages = bytes.count / pageSize
        guard pages > 1 else { return }
        for index in 0..<min(count, pages - 1) {
            // Page 1 holds the header and schema; damage from page 2 on.
            let page = 1 + (Int(random.next() % UInt64(pages - 1)) + index) % (pages - 1)
            for offset in page * pageSize..<min(bytes.count, page * pageSize + 64) { bytes[offset] = 0xFF }
        }
        try store.overwrite(with: bytes)
        try reloadFromStorage()
    }

    private static func prefixWord(_ bytes: [UInt8], _ offset: Int) -> UInt64 {
        var word: UInt64 = 0
        for index in 0..<8 { word = word << 8 | UInt64(bytes[offset + index]) }
        return word
    }

    /// The BYOK-loss repair IBM support performs once a case gives it what it needs: every data key of the
    /// instance (versions and configurations) is unwrapped with the deleted key's recovered material and
    /// wrapped again under `newRootKey`. Answers how many data keys were re-wrapped.
    @discardableResult
    public func rewrapDataKeys(to newRootKey: RootKeyReference, recoveredMaterial oldKey: SymmetricKey) throws -> Int {
        guard let kms = cloud.keyManagement(newRootKey.kmsCRN) else {
            throw KeyManagementError.instanceNotFound(newRootKey.kmsCRN)
        }
        var rewrapped = 0
        var changedSecrets: [SecretRecord] = []
        var changedConfigurations: [ConfigurationRecord] = []
        for secret in secrets.all {
            var changed = false
            for index in secret.versions.indices {
                guard let sealed = secret.versions[index].sealed, sealed.rootKeyID == rootKey.keyID else { continue }
                secret.versions[index].sealed = try Envelope.rewrap(
                    sealed, oldRootKey: oldKey, newRootKey: newRootKey.keyID, kms: kms)
                rewrapped += 1
                changed = true
            }
            if changed { changedSecrets.append(secret) }
        }
        for (name, configuration) in configurations {
            guard let sealed = configuration.sealed, sealed.rootKeyID == rootKey.keyID else { continue }
            var copy = configuration
            copy.sealed = try Envelope.rewrap(sealed, oldRootKey: oldKey, newRootKey: newRootKey.keyID, kms: kms)
            configurations[name] = copy
            changedConfigurations.append(copy)
            rewrapped += 1
        }
        try store.write { db in
            for secret in changedSecrets {
                for version in secret.versions where version.sealed != nil {
                    db.saveVersion(version, of: secret)
                }
            }
            for configuration in changedConfigurations { db.saveConfiguration(configuration) }
        }
        rootKey = newRootKey
        return rewrapped
    }
}
