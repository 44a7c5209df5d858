import Foundation
import SecretsManager
import Testing

@testable import FakeSecretsManager

/// The role table: each operation, each role, allowed or 403.
struct AccessControlTests {
    /// The least role each operation needs, written out independently of `ServiceOperation.requiredRole`.
    static let table: [(ServiceOperation, ServiceRole)] = [
        (.createSecretGroup, .manager), (.listSecretGroups, .reader), (.getSecretGroup, .reader),
        (.updateSecretGroup, .manager), (.deleteSecretGroup, .manager),
        (.createSecret, .writer), (.listSecrets, .reader), (.getSecret, .secretsReader),
        (.getSecretMetadata, .reader), (.updateSecretMetadata, .writer), (.deleteSecret, .manager),
        (.createSecretVersion, .writer), (.listSecretVersions, .reader), (.getSecretVersion, .secretsReader),
        (.getSecretVersionMetadata, .reader),
        (.createSecretLocks, .writer), (.listSecretLocks, .reader), (.listSecretsLocks, .reader),
        (.deleteSecretLocks, .manager),
        (.createConfiguration, .manager), (.listConfigurations, .manager), (.getConfiguration, .manager),
        (.deleteConfiguration, .manager),
        (.createNotificationsRegistration, .manager), (.getNotificationsRegistration, .reader),
        (.deleteNotificationsRegistration, .manager),
    ]

    static let roles: [ServiceRole] = [.reader, .secretsReader, .writer, .manager, .secretTaskUpdater]

    static var cases: [(ServiceOperation, ServiceRole)] {
        table.flatMap { entry in roles.map { (entry.0, $0) } }
    }

    @Test("role x operation", arguments: cases)
    func roleTable(operation: ServiceOperation, role: ServiceRole) throws {
        let world = try TestWorld()
        let instance = world.instance
        let manager = world.manager
        // Everything an operation could need, made by the manager.
        let group = try instance.createSecretGroup(SecretGroupPrototype(name: "team-a"), by: manager)
        let secret = try world.arbitrary("db-password", "hunter22hunter22")
        _ = try instance.createSecretVersion(
            secretID: secret.id, SecretVersionPrototype(data: .arbitrary(payload: "rotated-value")), by: manager)
        _ = try instance.createSecretLocks(
            secretID: secret.id, version: .previous, locks: [SecretLockPrototype(name: "lock-a")], mode: nil,
            by: manager)
        _ = try instance.createConfiguration(
            ConfigurationPrototype(name: "iam-engine", configType: .iamCredentials, sensitive: SecretObject(["api_key": "k"])),
            by: manager)
        let events = world.cloud.createEventNotifications(region: "us-south")
        _ = try instance.createNotificationsRegistration(
            NotificationsRegistrationPrototype(instanceCRN: events.crn.description, sourceName: "smdrill"), by: manager)
        let emptySecret = try world.arbitrary("to-delete", "delete-me-please")

        let caller = world.principal(role)
        let expectedAllowed = role.includes(Self.table.first { $0.0 == operation }!.1)
        let answer = status {
            switch operation {
            case .createSecretGroup: _ = try instance.createSecretGroup(SecretGroupPrototype(name: "team-b"), by: caller)
            case .listSecretGroups: _ = try instance.listSecretGroups(by: caller)
            case .getSecretGroup: _ = try instance.getSecretGroup(id: group.id, by: caller)
            case .updateSecretGroup:
                _ = try instance.updateSecretGroup(id: group.id, SecretGroupPatch(description: "updated"), by: caller)
            case .deleteSecretGroup: try instance.deleteSecretGroup(id: group.id, by: caller)
            case .createSecret:
                _ = try instance.createSecret(SecretPrototype(name: "new-secret", data: .arbitrary(payload: "value-1")), by: caller)
            case .listSecrets: _ = try instance.listSecrets(ListSecretsOptions(), by: caller)
            case .getSecret: _ = try instance.getSecret(id: secret.id, by: caller)
            case .getSecretMetadata: _ = try instance.getSecretMetadata(id: secret.id, by: caller)
            case .updateSecretMetadata:
                _ = try instance.updateSecretMetadata(id: secret.id, SecretMetadataPatch(labels: ["db"]), by: caller)
            case .deleteSecret: try instance.deleteSecret(id: emptySecret.id, by: caller)
            case .createSecretVersion:
                _ = try instance.createSecretVersion(
                    secretID: emptySecret.id, SecretVersionPrototype(data: .arbitrary(payload: "value-2")), by: caller)
            case .listSecretVersions: _ = try instance.listSecretVersions(secretID: secret.id, by: caller)
            case .getSecretVersion: _ = try instance.getSecretVersion(secretID: secret.id, version: .current, by: caller)
            case .getSecretVersionMetadata:
                _ = try instance.getSecretVersionMetadata(secretID: secret.id, version: .previous, by: caller)
            case .createSecretLocks:
                _ = try instance.createSecretLocks(
                    secretID: secret.id, version: .current, locks: [SecretLockPrototype(name: "lock-b")], mode: nil,
                    by: caller)
            case .listSecretLocks: _ = try instance.listSecretLocks(secretID: secret.id, offset: 0, limit: 10, by: caller)
            case .listSecretsLocks: _ = try instance.listSecretsLocks(offset: 0, limit: 10, by: caller)
            case .deleteSecretLocks: _ = try instance.deleteSecretLocks(secretID: secret.id, names: nil, by: caller)
            case .createConfiguration:
                _ = try instance.createConfiguration(
                    ConfigurationPrototype(
                        name: "iam-engine-2", configType: .iamCredentials, sensitive: SecretObject(["api_key": "k2"])),
                    by: caller)
            case .listConfigurations: _ = try instance.listConfigurations(offset: 0, limit: 10, by: caller)
            case .getConfiguration: _ = try instance.getConfiguration(name: "iam-engine", by: caller)
            case .deleteConfiguration: try instance.deleteConfiguration(name: "iam-engine", by: caller)
            case .createNotificationsRegistration:
                _ = try instance.createNotificationsRegistration(
                    NotificationsRegistrationPrototype(instanceCRN: events.crn.description, sourceName: "again"),
                    by: caller)
            case .getNotificationsRegistration: _ = try instance.getNotificationsRegistration(by: caller)
            case .deleteNotificationsRegistration: try instance.deleteNotificationsRegistration(by: caller)
            case .updateSecretTask: break
            }
        }
        if expectedAllowed {
            #expect(answer == nil, "\(role.rawValue) should be allowed to \(operation.action), got \(answer.map(String.init) ?? "")")
        } else {
            #expect(answer == 403, "\(role.rawValue) should get 403 for \(operation.action)")
        }
        let outcome = world.instance.activity.recent.last
        #expect(outcome?.action == operation.action)
        #expect(outcome?.principal == caller.id)
        #expect(outcome?.outcome == (expectedAllowed ? .success : .failure))
    }

    @Test("the model's table agrees with the published one")
    func requiredRoles() {
        for (operation, role) in Self.table { #expect(operation.requiredRole == role, "\(operation)") }
    }

    @Test("a policy on a secret group reaches that group only")
    func groupScope() throws {
        let world = try TestWorld()
        let teamA = try world.instance.createSecretGroup(SecretGroupPrototype(name: "team-a"), by: world.manager)
        let teamB = try world.instance.createSecretGroup(SecretGroupPrototype(name: "team-b"), by: world.manager)
        try world.arbitrary("in-b", "value-in-b", group: teamB.id)
        let writer = world.principal(.writer, scope: .secretGroup(teamA.id), name: "iam-ServiceId-team-a")
        let created = try world.instance.createSecret(
            SecretPrototype(name: "in-a", data: .arbitrary(payload: "value-a"), secretGroupID: teamA.id), by: writer)
        #expect(created.metadata.secretGroupID == teamA.id)
        #expect(
            status {
                _ = try world.instance.createSecret(
                    SecretPrototype(name: "in-b-2", data: .arbitrary(payload: "value-b"), secretGroupID: teamB.id), by: writer)
            } == 403)
        #expect(status { _ = try world.instance.createSecretGroup(SecretGroupPrototype(name: "team-c"), by: writer) } == 403)
        let listed = try world.instance.listSecrets(ListSecretsOptions(), by: writer)
        #expect(listed.secrets.map(\.name) == ["in-a"])
        let groups = try world.instance.listSecretGroups(by: writer)
        #expect(groups.secretGroups.map(\.id) == [teamA.id])
        #expect(world.instance.accessControl.principals(allowedTo: .deleteSecret) == [world.manager])
    }

    @Test("a principal with no policy is refused")
    func stranger() throws {
        let world = try TestWorld()
        let secret = try world.arbitrary("db-password", "hunter22hunter22")
        #expect(status { _ = try world.instance.getSecret(id: secret.id, by: Principal("IBMid-stranger")) } == 403)
        #expect(status { _ = try world.instance.listSecrets(ListSecretsOptions(), by: Principal("IBMid-stranger")) } == 403)
    }

    /// The instance remembers the last principal's instance-wide roles; its answers must stay those of the
    /// policies themselves while principals alternate and policies change between checks.
    @Test("the remembered instance-wide roles answer what the policies answer, through grants and revocations")
    func rememberedGrants() throws {
        let world = try TestWorld()
        let instance = world.instance
        let people = [Principal("iam-ServiceId-a"), Principal("iam-ServiceId-b"), world.manager]
        let groups: [String?] = [nil, "team-a", "team-b"]
        // Each change, with the principal it concerns: that principal is the one remembered when it happens.
        let changes: [(Principal, (inout AccessControl) -> Void)] = [
            (people[0], { $0.grant(AccessPolicy(principal: people[0], role: .reader)) }),
            (people[1], { $0.grant(AccessPolicy(principal: people[1], role: .writer, scope: .secretGroup("team-a"))) }),
            (people[0], { $0.grant(AccessPolicy(principal: people[0], role: .secretTaskUpdater)) }),
            (people[0], { $0.revokeAll(from: people[0]) }),
            (people[1], { $0.grant(AccessPolicy(principal: people[1], role: .manager)) }),
            (world.manager, { $0.revokeAll(from: world.manager) }),
        ]
        func check(_ principal: Principal) -> Int {
            var count = 0
            for (operation, _) in Self.table {
                for group in groups {
                    let expected = instance.accessControl.allows(principal, operation, groupID: group)
                    var allowed = true
                    do { try instance.authorize(principal, operation, groupID: group) } catch { allowed = false }
                    #expect(allowed == expected, "\(principal.id) \(operation) \(group ?? "-")")
                    count += 1
                }
            }
            return count
        }
        var checks = 0
        for (subject, change) in changes {
            checks += check(subject)
            change(&instance.accessControl)
            checks += check(subject)
            for principal in people { checks += check(principal) }
        }
        #expect(checks == 6 * 5 * Self.table.count * 3)
    }
}
