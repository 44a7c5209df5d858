import FakeSecretsManager
import Foundation
import Recovery
import SecretsManager
import Testing

struct VersionRestoreTests {
    @Test("secrets a bad writer damaged are restored from their previous version")
    func restoreWrittenBy() throws {
        let world = try RecoveryWorld()
        let secrets = try world.populate(count: 12)
        let writer = Principal("iam-ServiceId-broken-pipeline")
        world.primary.accessControl.grant(AccessPolicy(principal: writer, role: .writer))
        let damaged = Array(secrets.prefix(5).map(\.id))
        _ = world.primary.corruptLogically(secretIDs: damaged, by: writer)
        let before = try world.contents(world.primary)
        let outcome = try world.run {
            try await VersionRestore(damage: .writtenBy(writer.id)).run(world.primaryClient, clock: world.clock)
        }
        #expect(outcome.restored.count == 5)
        #expect(outcome.unrestorable.isEmpty)
        #expect(outcome.examined == 12)
        let after = try world.contents(world.primary)
        for secret in secrets.prefix(5) {
            #expect(after[SecretKey(type: secret.secretType, name: secret.name)] == secret.data)
            #expect(before[SecretKey(type: secret.secretType, name: secret.name)] != secret.data)
        }
    }

    @Test("damage deeper than the previous version cannot be restored, and is reported")
    func beyondHistory() throws {
        let world = try RecoveryWorld()
        let secrets = try world.populate(count: 4)
        let writer = Principal("iam-ServiceId-broken-pipeline")
        world.primary.accessControl.grant(AccessPolicy(principal: writer, role: .writer))
        let ids = secrets.map(\.id)
        _ = world.primary.corruptLogically(secretIDs: ids, by: writer)
        _ = world.primary.corruptLogically(secretIDs: Array(ids.prefix(2)), by: writer)
        let outcome = try world.run {
            try await VersionRestore(damage: .writtenBy(writer.id)).run(world.primaryClient, clock: world.clock)
        }
        #expect(outcome.restored.count == 2)
        #expect(outcome.unrestorable.count == 2)
        #expect(outcome.unrestorable.values.allSatisfy { $0.contains("older than the previous version") })
    }

    @Test("damage found by time or by a check")
    func byTimeAndCheck() throws {
        let world = try RecoveryWorld()
        let secrets = try world.populate(count: 6)
        let writer = Principal("iam-ServiceId-broken-pipeline")
        world.primary.accessControl.grant(AccessPolicy(principal: writer, role: .writer))
        world.cloud.scheduler.run(until: .init(.seconds(60)))
        _ = world.primary.corruptLogically(secretIDs: [secrets[1].id, secrets[2].id], by: writer)
        let byTime = try world.run {
            try await VersionRestore(damage: .writtenAfter(world.cloud.date(.init(.seconds(30))))).run(
                world.primaryClient, clock: world.clock)
        }
        #expect(Set(byTime.restored.map(\.name)) == ["secret-1", "secret-2"])
        _ = world.primary.corruptLogically(secretIDs: [secrets[3].id], by: writer)
        let byCheck = try world.run {
            try await VersionRestore(damage: .failing({ data in
                !data.jsonObject.values.contains { value in
                    if case .string(let text) = value { return text.hasPrefix("garbage") }
                    if case .object(let object) = value { return object.values.contains { $0.stringValue?.hasPrefix("garbage") ?? false } }
                    return false
                }
            })).run(world.primaryClient, clock: world.clock)
        }
        #expect(byCheck.restored.map(\.name) == ["secret-3"])
    }

    @Test("service-made data: iam_credentials restores its previous version, the other generated types cannot")
    func generatedTypes() throws {
        let world = try RecoveryWorld()
        let primary = world.primary
        _ = try primary.createConfiguration(
            ConfigurationPrototype(
                name: "iam-engine", configType: .iamCredentials, sensitive: SecretObject(["api_key": "engine-key"])),
            by: world.manager)
        let iam = try primary.createSecret(
            SecretPrototype(
                name: "ci-key", secretType: .iamCredentials, data: nil,
                attributes: ["ttl": "30d", "service_id": "ServiceId-ci"]),
            by: world.manager)
        let service = try primary.createSecret(
            SecretPrototype(
                name: "cos-key", secretType: .serviceCredentials, data: nil,
                attributes: ["source_service": ["instance": ["crn": "crn:v1:bluemix:public:cloud-object-storage:global:a/x:y::"]]]),
            by: world.manager)
        let writer = Principal("iam-ServiceId-broken-pipeline")
        primary.accessControl.grant(AccessPolicy(principal: writer, role: .writer))
        _ = primary.corruptLogically(secretIDs: [iam.id, service.id], by: writer)
        #expect(try primary.getSecret(id: iam.id, by: world.manager).data != iam.data)
        let outcome = try world.run {
            try await VersionRestore(damage: .writtenBy(writer.id)).run(world.primaryClient, clock: world.clock)
        }
        #expect(outcome.restored == [SecretKey(type: .iamCredentials, name: "ci-key")])
        #expect(try primary.getSecret(id: iam.id, by: world.manager).data == iam.data)
        let reason = try #require(outcome.unrestorable[SecretKey(type: .serviceCredentials, name: "cos-key")])
        #expect(reason.contains("no version restore for service_credentials"))
    }
}
