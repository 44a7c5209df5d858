import Foundation
import SecretsManager

extension ServiceInstance {
    /// Adds locks to a version (`current` by default in the API). A lock name already on the secret moves to
    /// this version. `mode` clears the previous version's locks, and with `removePreviousAndDelete` its data.
    public func createSecretLocks(
        secretID: String, version selector: VersionSelector, locks prototypes: [SecretLockPrototype], mode: LockMode?,
        by principal: Principal
    ) throws(SecretsManagerError) -> SecretLocks {
        try perform(.createSecretLocks, by: principal, target: secretID) { () throws(SecretsManagerError) in
            let secret = try secret(secretID)
            try authorize(principal, .createSecretLocks, groupID: secret.groupID)
            try checkIntegrity(secret)
            guard !prototypes.isEmpty else { throw .badRequest(field: "locks", "locks must name at least one lock") }
            guard let index = secret.versionIndex(selector) else {
                throw .notFound("version \(selector) of secret \(secretID) does not exist")
            }
            guard secret.versions[index].sealed != nil else {
                throw .badRequest("version \(selector) of secret \(secretID) has no data left to lock")
            }
            for prototype in prototypes {
                guard (2...30).contains(prototype.name.count),
                    prototype.name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." })
                else {
                    throw .badRequest(
                        field: "locks.name",
                        "a lock name must be 2 to 30 letters, digits, '-', '_' or '.'; got \(prototype.name.count) characters")
                }
                try ServiceLimits.description(prototype.description)
            }
            let versionID = secret.versions[index].id
            let date = now
            var locks = secret.locks
            for prototype in prototypes {
                let createdAt = locks.first { $0.name == prototype.name }?.createdAt ?? date
                locks.removeAll { $0.name == prototype.name }
                locks.append(
                    LockRecord(
                        name: prototype.name, versionID: versionID, description: prototype.description,
                        attributes: prototype.attributes, createdBy: principal.id, createdAt: createdAt,
                        updatedAt: date))
            }
            guard locks.filter({ $0.versionID == versionID }).count <= ServiceLimits.locksPerVersion else {
                throw .badRequest(field: "locks", "a version can hold at most \(ServiceLimits.locksPerVersion) locks")
            }
            var stripped: VersionRecord?
            if let mode, index == secret.versions.count - 1, let previous = secret.previous {
                locks.removeAll { $0.versionID == previous.id }
                if mode == .removePreviousAndDelete, previous.sealed != nil {
                    var copy = previous
                    copy.sealed = nil
                    stripped = copy
                }
            }
            let finalLocks = locks
            try persist { db in
                db.replaceLocks(secretID: secretID, finalLocks)
                if let stripped { db.saveVersion(stripped, of: secret) }
            }
            secret.locks = finalLocks
            if let stripped { secret.versions[secret.versions.count - 2] = stripped }
            if stripped != nil { publish(.secretVersionDataDeleted, secret, versionID: stripped?.id) }
            return locksSummary(secret)
        }
    }

    public func listSecretLocks(secretID: String, offset: Int, limit: Int, by principal: Principal)
        throws(SecretsManagerError) -> SecretLocksPage
    {
        try perform(.listSecretLocks, by: principal, target: secretID) { () throws(SecretsManagerError) in
            try checkPaging(offset: offset, limit: limit)
            let secret = try secret(secretID)
            try authorize(principal, .listSecretLocks, groupID: secret.groupID)
            try checkIntegrity(secret)
            let all = secret.locks.map { lock($0, of: secret) }
            let links = pageLinks(
                path: "/secrets/\(secretID)/locks",
                query: [URLQueryItem(name: "limit", value: String(limit)), URLQueryItem(name: "offset", value: String(offset))],
                offset: offset, limit: limit, total: all.count)
            return SecretLocksPage(
                links: links, totalCount: all.count, limit: limit, offset: offset,
                locks: Array(all.dropFirst(offset).prefix(limit)))
        }
    }

    public func listSecretsLocks(offset: Int, limit: Int, by principal: Principal) throws(SecretsManagerError)
        -> SecretsLocksPage
    {
        try perform(.listSecretsLocks, by: principal, target: nil) { () throws(SecretsManagerError) in
            try checkPaging(offset: offset, limit: limit)
            let allowed = accessControl.groups(for: principal, .listSecretsLocks)
            if let allowed, allowed.isEmpty { try authorize(principal, .listSecretsLocks, groupID: nil) }
            let locked = secrets.all.filter { secret in
                !secret.locks.isEmpty && (allowed?.contains(secret.groupID) ?? true)
            }
            let page = locked.dropFirst(offset).prefix(limit)
            for secret in page { try checkIntegrity(secret) }
            let links = pageLinks(
                path: "/secrets_locks",
                query: [URLQueryItem(name: "limit", value: String(limit)), URLQueryItem(name: "offset", value: String(offset))],
                offset: offset, limit: limit, total: locked.count)
            return SecretsLocksPage(
                links: links, totalCount: locked.count, limit: limit, offset: offset,
                secretsLocks: page.map(locksSummary))
        }
    }

    /// Removes the named locks, or every lock when `names` is nil.
    public func deleteSecretLocks(secretID: String, names: [String]?, by principal: Principal)
        throws(SecretsManagerError) -> SecretLocks
    {
        try perform(.deleteSecretLocks, by: principal, target: secretID) { () throws(SecretsManagerError) in
            let secret = try secret(secretID)
            try authorize(principal, .deleteSecretLocks, groupID: secret.groupID)
            try checkIntegrity(secret)
            let remaining = names.map { names in secret.locks.filter { !names.contains($0.name) } } ?? []
            try persist { db in db.replaceLocks(secretID: secretID, remaining) }
            secret.locks = remaining
            return locksSummary(secret)
        }
    }
}
