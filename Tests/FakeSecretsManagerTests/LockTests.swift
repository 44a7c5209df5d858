import Foundation
import SecretsManager
import Testing

@testable import FakeSecretsManager

struct LockTests {
    @Test("a locked secret cannot be deleted: 412")
    func deleteLocked() throws {
        let world = try TestWorld()
        let secret = try world.arbitrary("locked", "value-0")
        let locks = try world.instance.createSecretLocks(
            secretID: secret.id, version: .current, locks: [SecretLockPrototype(name: "app-1", description: "in use")],
            mode: nil, by: world.manager)
        #expect(locks.versions.first?.locks == ["app-1"])
        #expect(try world.instance.getSecretMetadata(id: secret.id, by: world.manager).locksTotal == 1)
        #expect(status { try world.instance.deleteSecret(id: secret.id, by: world.manager) } == 412)
        _ = try world.instance.deleteSecretLocks(secretID: secret.id, names: ["app-1"], by: world.manager)
        try world.instance.deleteSecret(id: secret.id, by: world.manager)
        #expect(status { _ = try world.instance.getSecret(id: secret.id, by: world.manager) } == 404)
    }

    @Test("a rotation that would drop a locked version's data: 412")
    func rotateAwayLockedData() throws {
        let world = try TestWorld()
        let secret = try world.arbitrary("locked", "value-0")
        let rotate = {
            _ = try world.instance.createSecretVersion(
                secretID: secret.id, SecretVersionPrototype(data: .arbitrary(payload: "next-value")), by: world.manager)
        }
        _ = try world.instance.createSecretLocks(
            secretID: secret.id, version: .current, locks: [SecretLockPrototype(name: "app-1")], mode: nil,
            by: world.manager)
        try rotate()  // the locked version becomes previous and keeps its data
        #expect(status(rotate) == 412)  // now it would lose its data
        let summary = try world.instance.listSecretsLocks(offset: 0, limit: 10, by: world.manager)
        #expect(summary.secretsLocks.first?.versions.first?.versionAlias == .previous)
        // Moving the lock to the current version with remove_previous frees the old one.
        _ = try world.instance.createSecretLocks(
            secretID: secret.id, version: .current, locks: [SecretLockPrototype(name: "app-2")], mode: .removePrevious,
            by: world.manager)
        try rotate()
        #expect(status(rotate) == 412)
    }

    @Test("locks are durable and paged")
    func durableLocks() throws {
        let world = try TestWorld()
        let secret = try world.arbitrary("locked", "value-0")
        _ = try world.instance.createSecretLocks(
            secretID: secret.id, version: .current,
            locks: (1...5).map { SecretLockPrototype(name: "lock-\($0)") }, mode: nil, by: world.manager)
        try world.instance.reloadFromStorage()
        let page = try world.instance.listSecretLocks(secretID: secret.id, offset: 2, limit: 2, by: world.manager)
        #expect(page.totalCount == 5)
        #expect(page.locks.map(\.name) == ["lock-3", "lock-4"])
        #expect(page.next?.offset == 4)
        #expect(page.locks.first?.secretVersionAlias == .current)
        #expect(status {
            _ = try world.instance.createSecretLocks(
                secretID: secret.id, version: .current, locks: [SecretLockPrototype(name: "x")], mode: nil,
                by: world.manager)
        } == 400)
    }
}
