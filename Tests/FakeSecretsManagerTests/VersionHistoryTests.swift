import Foundation
import SecretsManager
import Testing

@testable import FakeSecretsManager

struct VersionHistoryTests {
    @Test("50 versions of metadata, data for current and previous only")
    func historyLimits() throws {
        let world = try TestWorld()
        let secret = try world.arbitrary("rotating", "value-0")
        for index in 1...54 {
            _ = try world.instance.createSecretVersion(
                secretID: secret.id, SecretVersionPrototype(data: .arbitrary(payload: SecretPayload("value-\(index)"))),
                by: world.manager)
        }
        let versions = try world.instance.listSecretVersions(secretID: secret.id, by: world.manager).versions
        #expect(versions.count == 50)
        #expect(versions.filter(\.payloadAvailable).count == 2)
        #expect(versions[0].alias == .current)
        #expect(versions[1].alias == .previous)
        #expect(versions[2].alias == nil)
        #expect(try world.instance.getSecretMetadata(id: secret.id, by: world.manager).versionsTotal == 50)

        let current = try world.instance.getSecretVersion(secretID: secret.id, version: .current, by: world.manager)
        let previous = try world.instance.getSecretVersion(secretID: secret.id, version: .previous, by: world.manager)
        #expect(current.data == .arbitrary(payload: "value-54"))
        #expect(previous.data == .arbitrary(payload: "value-53"))
        let older = try world.instance.getSecretVersion(secretID: secret.id, version: .id(versions[2].id), by: world.manager)
        #expect(older.data == nil)
        #expect(older.metadata.payloadAvailable == false)
        // The first versions are gone altogether.
        #expect(versions.last?.createdAt != nil)
        #expect(!versions.contains { $0.id == secret.metadata.id })
    }

    @Test("the history survives a reload from disk")
    func historyIsDurable() throws {
        let world = try TestWorld()
        let secret = try world.arbitrary("durable", "value-0")
        for index in 1...3 {
            _ = try world.instance.createSecretVersion(
                secretID: secret.id, SecretVersionPrototype(data: .arbitrary(payload: SecretPayload("value-\(index)"))),
                by: world.manager)
        }
        try world.instance.reloadFromStorage()
        let versions = try world.instance.listSecretVersions(secretID: secret.id, by: world.manager).versions
        #expect(versions.count == 4)
        #expect(versions.map(\.payloadAvailable) == [true, true, false, false])
        #expect(try world.instance.getSecret(id: secret.id, by: world.manager).data == .arbitrary(payload: "value-3"))
    }

    @Test("a username_password rotation without a password generates one and keeps the username")
    func generatedPassword() throws {
        let world = try TestWorld()
        let secret = try world.instance.createSecret(
            SecretPrototype(
                name: "db-user", secretType: .usernamePassword, data: nil, attributes: ["username": "app-user"]),
            by: world.manager)
        guard case .usernamePassword(let username, let first)? = secret.data else {
            Issue.record("expected username_password data")
            return
        }
        #expect(username == "app-user")
        #expect(first.reveal().count == 32)
        let rotated = try world.instance.createSecretVersion(
            secretID: secret.id, SecretVersionPrototype(), by: world.manager)
        guard case .usernamePassword(let sameUser, let second)? = rotated.data else {
            Issue.record("expected username_password data")
            return
        }
        #expect(sameUser == "app-user")
        #expect(second != first)
    }

    @Test("types whose data the service makes refuse data on rotation")
    func generatedTypes() throws {
        let world = try TestWorld()
        _ = try world.instance.createConfiguration(
            ConfigurationPrototype(name: "iam", configType: .iamCredentials, sensitive: SecretObject(["api_key": "k"])),
            by: world.manager)
        let secret = try world.instance.createSecret(
            SecretPrototype(
                name: "iam-key", secretType: .iamCredentials, data: nil,
                attributes: ["ttl": "1d", "service_id": "ServiceId-1"]),
            by: world.manager)
        #expect(
            status {
                _ = try world.instance.createSecretVersion(
                    secretID: secret.id, SecretVersionPrototype(data: .arbitrary(payload: "x")), by: world.manager)
            } == 400)
        let second = try world.instance.createSecretVersion(secretID: secret.id, SecretVersionPrototype(), by: world.manager)
        #expect(second.data != secret.data)
        let restored = try world.instance.createSecretVersion(
            secretID: secret.id, SecretVersionPrototype(restoreFromVersion: "previous"), by: world.manager)
        #expect(restored.data == secret.data)
    }
}
