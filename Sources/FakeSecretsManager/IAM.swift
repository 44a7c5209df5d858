import SecretsManager

/// The IAM service roles of Secrets Manager. Each includes the ones below it, except
/// ``secretTaskUpdater``, which stands alone.
public enum ServiceRole: String, CaseIterable, Sendable, Hashable, Codable, Comparable {
    case reader = "Reader"
    case secretsReader = "SecretsReader"
    case writer = "Writer"
    case manager = "Manager"
    case secretTaskUpdater = "SecretTaskUpdater"

    private var rank: Int {
        switch self {
        case .secretTaskUpdater: 0
        case .reader: 1
        case .secretsReader: 2
        case .writer: 3
        case .manager: 4
        }
    }

    public static func < (lhs: ServiceRole, rhs: ServiceRole) -> Bool { lhs.rank < rhs.rank }

    /// Whether holding this role grants what `required` grants.
    public func includes(_ required: ServiceRole) -> Bool {
        if self == required { return true }
        if required == .secretTaskUpdater || self == .secretTaskUpdater { return false }
        return rank >= required.rank
    }
}

/// Someone who calls the API: a user, a service id, a trusted profile.
public struct Principal: Hashable, Sendable, Codable, CustomStringConvertible {
    /// `iam-ServiceId-...`, `IBMid-...`: what `created_by` shows.
    public var id: String

    public init(_ id: String) { self.id = id }

    public var description: String { id }
}

/// Where a policy applies: the whole instance, or one secret group.
public enum PolicyScope: Hashable, Sendable, Codable {
    case instance
    case secretGroup(String)
}

/// An access policy: a principal holds a role on a scope.
public struct AccessPolicy: Hashable, Sendable, Codable {
    public var principal: Principal
    public var role: ServiceRole
    public var scope: PolicyScope

    public init(principal: Principal, role: ServiceRole, scope: PolicyScope = .instance) {
        self.principal = principal
        self.role = role
        self.scope = scope
    }
}

/// Every operation of the API, with the Activity Tracker action it logs and the role it needs. Its raw value
/// is its position, so the activity log counts operations in an array; a `String`-backed enum would hash and
/// compare its text, and every request counts its operation.
public enum ServiceOperation: Int, CaseIterable, Sendable, Hashable {
    case createSecretGroup, listSecretGroups, getSecretGroup, updateSecretGroup, deleteSecretGroup
    case createSecret, listSecrets, getSecret, getSecretMetadata, updateSecretMetadata, deleteSecret
    case createSecretVersion, listSecretVersions, getSecretVersion, getSecretVersionMetadata
    case createSecretLocks, listSecretLocks, listSecretsLocks, deleteSecretLocks
    case createConfiguration, listConfigurations, getConfiguration, deleteConfiguration
    case createNotificationsRegistration, getNotificationsRegistration, deleteNotificationsRegistration
    case updateSecretTask

    /// The Activity Tracker action, `secrets-manager.` followed by this.
    public var action: String {
        let suffix: String
        switch self {
        case .createSecretGroup: suffix = "secret-group.create"
        case .listSecretGroups: suffix = "secret-groups.list"
        case .getSecretGroup: suffix = "secret-group.read"
        case .updateSecretGroup: suffix = "secret-group.update"
        case .deleteSecretGroup: suffix = "secret-group.delete"
        case .createSecret: suffix = "secret.create"
        case .listSecrets: suffix = "secrets.list"
        case .getSecret: suffix = "secret.read"
        case .getSecretMetadata: suffix = "secret-metadata.read"
        case .updateSecretMetadata: suffix = "secret-metadata.update"
        case .deleteSecret: suffix = "secret.delete"
        case .createSecretVersion: suffix = "secret-version.create"
        case .listSecretVersions: suffix = "secret-versions.list"
        case .getSecretVersion: suffix = "secret-version.read"
        case .getSecretVersionMetadata: suffix = "secret-version-metadata.read"
        case .createSecretLocks: suffix = "secret-locks.create"
        case .listSecretLocks: suffix = "secret-locks.list"
        case .listSecretsLocks: suffix = "secrets-locks.list"
        case .deleteSecretLocks: suffix = "secret-locks.delete"
        case .createConfiguration: suffix = "configuration.create"
        case .listConfigurations: suffix = "configurations.list"
        case .getConfiguration: suffix = "configuration.read"
        case .deleteConfiguration: suffix = "configuration.delete"
        case .createNotificationsRegistration: suffix = "notifications-registration.create"
        case .getNotificationsRegistration: suffix = "notifications-registration.read"
        case .deleteNotificationsRegistration: suffix = "notifications-registration.delete"
        case .updateSecretTask: suffix = "secret-task.update"
        }
        return "secrets-manager." + suffix
    }

    /// The least role that allows the operation.
    public var requiredRole: ServiceRole {
        switch self {
        case .listSecretGroups, .getSecretGroup, .listSecrets, .getSecretMetadata, .listSecretVersions,
            .getSecretVersionMetadata, .listSecretLocks, .listSecretsLocks, .getNotificationsRegistration:
            .reader
        case .getSecret, .getSecretVersion:
            .secretsReader
        case .createSecret, .updateSecretMetadata, .createSecretVersion, .createSecretLocks:
            .writer
        case .createSecretGroup, .updateSecretGroup, .deleteSecretGroup, .deleteSecret, .deleteSecretLocks,
            .createConfiguration, .listConfigurations, .getConfiguration, .deleteConfiguration,
            .createNotificationsRegistration, .deleteNotificationsRegistration:
            .manager
        case .updateSecretTask:
            .secretTaskUpdater
        }
    }

    /// Whether a policy scoped to a secret group can grant the operation. Operations on the instance itself
    /// (groups, configurations, notifications) need an instance-wide policy.
    public var groupScoped: Bool {
        switch self {
        case .createSecret, .listSecrets, .getSecret, .getSecretMetadata, .updateSecretMetadata, .deleteSecret,
            .createSecretVersion, .listSecretVersions, .getSecretVersion, .getSecretVersionMetadata,
            .createSecretLocks, .listSecretLocks, .listSecretsLocks, .deleteSecretLocks, .getSecretGroup,
            .listSecretGroups, .updateSecretTask:
            true
        default:
            false
        }
    }
}

/// The access policies of one instance, and the check every operation passes.
public struct AccessControl: Sendable {
    public private(set) var policies: [AccessPolicy] = []

    public init(policies: [AccessPolicy] = []) { self.policies = policies }

    public mutating func grant(_ policy: AccessPolicy) {
        if !policies.contains(policy) { policies.append(policy) }
    }

    public mutating func revokeAll(from principal: Principal) {
        policies.removeAll { $0.principal == principal }
    }

    /// Whether `principal` may perform `operation` on something in `groupID` (nil: the instance itself).
    public func allows(_ principal: Principal, _ operation: ServiceOperation, groupID: String?) -> Bool {
        let required = operation.requiredRole
        for policy in policies where policy.principal == principal && policy.role.includes(required) {
            switch policy.scope {
            case .instance: return true
            case .secretGroup(let scoped):
                if operation.groupScoped, let groupID, scoped == groupID { return true }
            }
        }
        return false
    }

    /// The roles `principal` holds on the whole instance.
    public func instanceRoles(of principal: Principal) -> [ServiceRole] {
        policies.filter { $0.principal == principal && $0.scope == .instance }.map(\.role)
    }

    /// The groups in which `principal` may perform `operation`; nil means every group (an instance policy).
    public func groups(for principal: Principal, _ operation: ServiceOperation) -> Set<String>? {
        var groups: Set<String> = []
        for policy in policies where policy.principal == principal && policy.role.includes(operation.requiredRole) {
            switch policy.scope {
            case .instance: return nil
            case .secretGroup(let id): if operation.groupScoped { groups.insert(id) }
            }
        }
        return groups
    }

    /// The principals that may perform `operation` on the whole instance: who can delete production
    /// resources, for example.
    public func principals(allowedTo operation: ServiceOperation) -> [Principal] {
        var seen: [Principal] = []
        for policy in policies where policy.scope == .instance && policy.role.includes(operation.requiredRole) {
            if !seen.contains(policy.principal) { seen.append(policy.principal) }
        }
        return seen
    }
}
