import Foundation
import SecretsManager
import Testing

@testable import FakeSecretsManager

/// Reads through a ``SecretHandle`` answer what reads by id answer, whatever happened to the secrets since the
/// handle was resolved.
struct SecretHandleTests {
    @Test("a handle reads what the id reads, and logs the same event")
    func sameAsByID() throws {
        let world = try TestWorld()
        let id = try world.arbitrary("db-password", "first").id
        var handle = SecretHandle(id: id)
        let byHandle = try world.instance.readCurrentData(&handle, by: world.manager)
        let byID = try world.instance.readCurrentData(secretID: id, by: world.manager)
        #expect(byHandle == byID)
        let events = world.instance.activity.recent.suffix(2)
        #expect(events.map(\.target) == [id, id])
        #expect(events.map(\.operation) == [.getSecret, .getSecret])
        // A principal without access is refused through either.
        let stranger = Principal("iam-ServiceId-stranger")
        #expect(throws: SecretsManagerError.self) { try world.instance.readCurrentData(&handle, by: stranger) }
    }

    @Test("a handle follows rotations, reloads and deletions, and never crosses instances")
    func followsChanges() throws {
        let world = try TestWorld()
        let id = try world.arbitrary("api-key", "first").id
        let other = try world.arbitrary("other", "x").id
        var handle = SecretHandle(id: id)
        func read() throws -> String {
            String(decoding: try world.instance.readCurrentData(&handle, by: world.manager), as: UTF8.self)
        }
        #expect(try read().contains("first"))
        _ = try world.instance.createSecretVersion(
            secretID: id, SecretVersionPrototype(data: .arbitrary(payload: SecretPayload("second"))), by: world.manager)
        #expect(try read().contains("second"))

        // A reload replaces every secret in memory; a rotation after it must be seen through the old handle.
        try world.instance.reloadFromStorage()
        _ = try world.instance.createSecretVersion(
            secretID: id, SecretVersionPrototype(data: .arbitrary(payload: SecretPayload("third"))), by: world.manager)
        #expect(try read().contains("third"))

        // Another secret's deletion changes nothing for this one; its own deletion is a 404, as by id.
        try world.instance.deleteSecret(id: other, by: world.manager)
        #expect(try read().contains("third"))
        try world.instance.deleteSecret(id: id, by: world.manager)
        #expect(throws: SecretsManagerError.self) { try read() }
        do {
            _ = try world.instance.readCurrentData(&handle, by: world.manager)
        } catch {
            #expect(error.status == 404)
            #expect(error.description.contains("secret \(id) does not exist"))
        }

        // Resolved by one instance, the handle is looked up again by another, where the id does not exist.
        var fresh = SecretHandle(id: try world.arbitrary("again", "v").id)
        _ = try world.instance.readCurrentData(&fresh, by: world.manager)
        let second = try world.cloud.createInstance(
            name: "second", region: "us-south", rootKey: world.rootKey,
            policies: [AccessPolicy(principal: world.manager, role: .manager)])
        #expect(throws: SecretsManagerError.self) { try second.readCurrentData(&fresh, by: world.manager) }
        // What makes that hold whatever the instances did: no two of them ever share an epoch.
        let epochs = [world.instance.secretsEpoch, second.secretsEpoch]
        _ = try second.createSecret(SecretPrototype(name: "other-secret", data: .arbitrary(payload: "value")), by: world.manager)
        #expect(Set(epochs + [second.secretsEpoch]).count == 3)
    }

    @Test("a rotation by handle answers the bytes a read then serves, and logs what createSecretVersion logs")
    func rotationByHandle() throws {
        let world = try TestWorld()
        let login = try world.instance.createSecret(
            SecretPrototype(name: "login", data: .usernamePassword(username: "app", password: SecretPayload("first-password"))),
            by: world.manager)
        var handle = SecretHandle(id: login.id)
        let rotated = try world.instance.rotateCurrentData(
            &handle, SecretVersionPrototype(data: .usernamePassword(username: "ignored", password: SecretPayload("second-password"))),
            by: world.manager)
        #expect(rotated == (try world.instance.readCurrentData(&handle, by: world.manager)))
        // The username belongs to the secret, as through createSecretVersion.
        let current = try world.instance.getSecretVersion(secretID: login.id, version: .current, by: world.manager)
        #expect(current.data == .usernamePassword(username: "app", password: SecretPayload("second-password")))
        #expect(rotated == current.data?.canonicalJSON())
        let event = try #require(world.instance.activity.recent.dropLast(2).last)
        #expect(event.operation == .createSecretVersion && event.target == login.id && event.status == 200)
        #expect(try world.instance.listSecretVersions(secretID: login.id, by: world.manager).versions.count == 2)

        // Refusals are those of createSecretVersion.
        let stranger = Principal("iam-ServiceId-stranger")
        #expect(throws: SecretsManagerError.self) {
            try world.instance.rotateCurrentData(&handle, SecretVersionPrototype(data: .usernamePassword(username: "app", password: SecretPayload("third-password"))), by: stranger)
        }
        var missing = SecretHandle(id: "no-such-secret")
        do {
            _ = try world.instance.rotateCurrentData(&missing, SecretVersionPrototype(data: .arbitrary(payload: SecretPayload("x"))), by: world.manager)
            Issue.record("a rotation of a missing secret succeeded")
        } catch {
            #expect(error.status == 404)
        }
    }

    /// A read remembers the current plaintext on the secret (`servable`); each of these must still be seen.
    @Test("a read served from memory still sees damage, expiry, a deleted root key and new versions")
    func servableReadsStayExact() throws {
        let world = try TestWorld()
        let expiresAt = world.cloud.date(world.cloud.scheduler.now).addingTimeInterval(60)
        let temp = try world.instance.createSecret(
            SecretPrototype(name: "temp", secretType: .arbitrary, data: .arbitrary(payload: "short-lived"), expirationDate: expiresAt),
            by: world.manager)
        let damaged = try world.arbitrary("damaged", "value")
        let kept = try world.arbitrary("kept", "first")
        var handles = [temp.id, damaged.id, kept.id].map(SecretHandle.init(id:))
        func read(_ index: Int) throws -> String {
            String(decoding: try world.instance.readCurrentData(&handles[index], by: world.manager), as: UTF8.self)
        }
        // Twice each: the second read is answered from what the first remembered.
        for index in handles.indices {
            _ = try read(index)
            _ = try read(index)
        }
        let record = try world.instance.secret(kept.id)
        #expect(record.servable != nil)
        #expect(record.versions.last?.downloaded == true)
        let stamped = try #require(record.retrievedAt)

        // Still stamped on every read.
        world.cloud.scheduler.run(until: .init(.seconds(1)))
        #expect(try read(2).contains("first"))
        #expect(try #require(record.retrievedAt) > stamped)

        // Damage found on the secret's row.
        try world.instance.secret(damaged.id).integrityFailure = "the stored secret failed its integrity check"
        #expect(status { _ = try read(1) } == 503)

        // A rotation, and a version's own damage.
        _ = try world.instance.createSecretVersion(
            secretID: kept.id, SecretVersionPrototype(data: .arbitrary(payload: SecretPayload("second"))), by: world.manager)
        #expect(record.servable == nil)
        #expect(try read(2).contains("second"))
        #expect(try read(2).contains("second"))
        record.versions[record.versions.count - 1].integrityFailure = "the stored version failed its integrity check"
        #expect(status { _ = try read(2) } == 503)
        record.versions[record.versions.count - 1].integrityFailure = nil
        #expect(try read(2).contains("second"))

        // Expiry: destroyed, no data.
        world.cloud.scheduler.run(until: .init(.seconds(61)))
        #expect(status { _ = try read(0) } == 404)

        // A deleted root key: nothing is served from memory either.
        try world.kms.deleteRootKey(world.rootKey.keyID, at: world.cloud.scheduler.now)
        var thrown: SecretsManagerError?
        do { _ = try read(2) } catch { thrown = error as? SecretsManagerError }
        #expect(thrown?.code == "key_deleted")
    }

    @Test("a prefetch changes neither the handle nor what it reads, resolved or not")
    func prefetchChangesNothing() throws {
        let world = try TestWorld()
        let id = try world.arbitrary("prefetched", "value").id
        var handle = SecretHandle(id: id)
        SecretHandle.prefetch(&handle)
        #expect(handle.record == nil && handle.epoch == 0)
        let first = try world.instance.readCurrentData(&handle, by: world.manager)
        let record = try #require(handle.record)
        let epoch = handle.epoch
        SecretHandle.prefetch(&handle)
        #expect(handle.record === record && handle.epoch == epoch && handle.id == id)
        #expect(try world.instance.readCurrentData(&handle, by: world.manager) == first)
        // A handle whose secret is gone still holds the old record until resolved again; a prefetch of it is harmless.
        try world.instance.deleteSecret(id: id, by: world.manager)
        SecretHandle.prefetch(&handle)
        #expect(status { _ = try world.instance.readCurrentData(&handle, by: world.manager) } == 404)
    }

    @Test("reads and rotations by handle log the id, packed or not")
    func handleTargetsLogged() throws {
        let world = try TestWorld()
        let id = try world.arbitrary("logged", "v").id
        var handle = SecretHandle(id: id)
        #expect(handle.packedID != nil)
        _ = try world.instance.readCurrentData(&handle, by: world.manager)
        _ = try world.instance.rotateCurrentData(&handle, SecretVersionPrototype(data: .arbitrary(payload: "w")), by: world.manager)
        var missing = SecretHandle(id: "no-such-secret")
        #expect(missing.packedID == nil)
        #expect(status { _ = try world.instance.readCurrentData(&missing, by: world.manager) } == 404)
        let events = world.instance.activity.recent.suffix(3)
        #expect(events.map(\.target) == [id, id, "no-such-secret"])
        #expect(events.map(\.operation) == [.getSecret, .createSecretVersion, .getSecret])
        #expect(events.map(\.outcome) == [.success, .success, .failure])
    }
}

/// The retrieval and expiry stamps are kept in 8 bytes each; they must still read back exactly, or as none.
struct SecretRecordStampTests {
    @Test("dates and their absence survive the compact storage")
    func stamps() throws {
        let world = try TestWorld()
        let record = try world.instance.secret(try world.arbitrary("stamps", "v").id)
        let dates = [
            Date(timeIntervalSinceReferenceDate: 0), Date(timeIntervalSince1970: 1_790_000_000.123456),
            Date(timeIntervalSinceReferenceDate: -1e9), Date.distantFuture,
        ]
        for date in dates {
            record.retrievedAt = date
            record.expirationDate = date
            #expect(record.retrievedAt == date)
            #expect(record.expirationDate == date)
        }
        record.retrievedAt = nil
        record.expirationDate = nil
        #expect(record.retrievedAt == nil)
        #expect(record.expirationDate == nil)
    }
}
