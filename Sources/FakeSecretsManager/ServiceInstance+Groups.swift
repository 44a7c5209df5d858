import Foundation
import SecretsManager

extension ServiceInstance {
    public func createSecretGroup(_ prototype: SecretGroupPrototype, by principal: Principal) throws(SecretsManagerError)
        -> SecretGroup
    {
        try perform(.createSecretGroup, by: principal, target: nil) { () throws(SecretsManagerError) in
            try authorize(principal, .createSecretGroup, groupID: nil)
            try ServiceLimits.groupName(prototype.name)
            try ServiceLimits.description(prototype.description)
            guard !groups.values.contains(where: { $0.name == prototype.name }) else {
                throw .conflict("a secret group named '\(prototype.name)' already exists")
            }
            // The default group does not count against the limit.
            guard groups.count - 1 < ServiceLimits.secretGroupsPerInstance else {
                throw .badRequest(
                    "the instance already has the maximum of \(ServiceLimits.secretGroupsPerInstance) secret groups")
            }
            let date = now
            let record = GroupRecord(
                id: random.uuid(), name: prototype.name, description: prototype.description, createdAt: date,
                updatedAt: date)
            try persist { db in db.insertGroup(record) }
            groups[record.id] = record
            return group(record)
        }
    }

    public func listSecretGroups(by principal: Principal) throws(SecretsManagerError) -> SecretGroupCollection {
        try perform(.listSecretGroups, by: principal, target: nil) { () throws(SecretsManagerError) in
            guard let allowed = accessControl.groups(for: principal, .listSecretGroups) else {
                return SecretGroupCollection(secretGroups: groups.values.map(group))
            }
            guard !allowed.isEmpty else {
                try authorize(principal, .listSecretGroups, groupID: nil)
                return SecretGroupCollection(secretGroups: [])
            }
            return SecretGroupCollection(secretGroups: groups.values.filter { allowed.contains($0.id) }.map(group))
        }
    }

    public func getSecretGroup(id: String, by principal: Principal) throws(SecretsManagerError) -> SecretGroup {
        try perform(.getSecretGroup, by: principal, target: id) { () throws(SecretsManagerError) in
            try authorize(principal, .getSecretGroup, groupID: id)
            guard let record = groups[id] else { throw .notFound("secret group \(id) does not exist") }
            return group(record)
        }
    }

    public func updateSecretGroup(id: String, _ patch: SecretGroupPatch, by principal: Principal)
        throws(SecretsManagerError) -> SecretGroup
    {
        try perform(.updateSecretGroup, by: principal, target: id) { () throws(SecretsManagerError) in
            try authorize(principal, .updateSecretGroup, groupID: nil)
            guard var record = groups[id] else { throw .notFound("secret group \(id) does not exist") }
            guard id != SecretGroup.defaultID else {
                throw .badRequest("the default secret group cannot be changed")
            }
            if let name = patch.name {
                try ServiceLimits.groupName(name)
                guard !groups.values.contains(where: { $0.name == name && $0.id != id }) else {
                    throw .conflict("a secret group named '\(name)' already exists")
                }
                record.name = name
            }
            if let description = patch.description {
                try ServiceLimits.description(description)
                record.description = description
            }
            record.updatedAt = now
            let updated = record
            try persist { db in db.updateGroup(updated) }
            groups[id] = updated
            return group(updated)
        }
    }

    /// Deletes an empty group. A group that still holds secrets answers 412 (the exact status is not
    /// published; 412 matches the API's other refusals that depend on the resource's state).
    public func deleteSecretGroup(id: String, by principal: Principal) throws(SecretsManagerError) {
        try perform(.deleteSecretGroup, by: principal, target: id) { () throws(SecretsManagerError) in
            try authorize(principal, .deleteSecretGroup, groupID: nil)
            guard groups[id] != nil else { throw .notFound("secret group \(id) does not exist") }
            guard id != SecretGroup.defaultID else { throw .badRequest("the default secret group cannot be deleted") }
            let held = secrets.all.reduce(0) { $0 + ($1.groupID == id ? 1 : 0) }
            guard held == 0 else {
                throw .preconditionFailed(
                    "secret group \(id) still holds \(held) secret(s); delete or move them before deleting the group")
            }
            try persist { db in db.deleteGroup(id: id) }
            groups.removeValue(forKey: id)
        }
    }
}
