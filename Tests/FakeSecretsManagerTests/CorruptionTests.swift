import Foundation
import SecretsManager
import Testing

@testable import FakeSecretsManager

struct CorruptionTests {
    @Test("logical corruption: the bad writer's garbage becomes current, the good data previous")
    func logical() throws {
        let world = try TestWorld()
        let ids = try (0..<5).map { try world.arbitrary("s-\($0)", "good-\($0)").id }
        let badWriter = world.principal(.writer, name: "iam-ServiceId-broken-pipeline")
        let written = world.instance.corruptLogically(secretIDs: Array(ids.prefix(3)), by: badWriter)
        #expect(written.map(\.secretID) == Array(ids.prefix(3)))
        for (index, id) in ids.enumerated() {
            let current = try world.instance.getSecretVersion(secretID: id, version: .current, by: world.manager)
            if index < 3 {
                #expect(current.metadata.createdBy == badWriter.id)
                #expect(current.data != .arbitrary(payload: SecretPayload("good-\(index)")))
                let previous = try world.instance.getSecretVersion(secretID: id, version: .previous, by: world.manager)
                #expect(previous.data == .arbitrary(payload: SecretPayload("good-\(index)")))
            } else {
                #expect(current.data == .arbitrary(payload: SecretPayload("good-\(index)")))
            }
        }
        #expect(world.instance.activity.count("secrets-manager.secret-version.create", .success) == 3)
    }

    @Test("physical corruption is detected and never served")
    func physical() throws {
        let world = try TestWorld()
        let ids = try (0..<20).map { try world.arbitrary("s-\($0)", "good-value-\($0)").id }
        let damaged = try world.instance.damageStorage(secretIDs: [ids[3], ids[7]])
        #expect(Set(damaged) == [ids[3], ids[7]])
        for (index, id) in ids.enumerated() {
            var thrown: SecretsManagerError?
            var data: SecretData?
            do { data = try world.instance.getSecret(id: id, by: world.manager).data } catch { thrown = error }
            if index == 3 || index == 7 {
                #expect(thrown?.status == 503)
                #expect(thrown?.code == "storage_corruption_detected")
                #expect(data == nil)
            } else {
                #expect(data == .arbitrary(payload: SecretPayload("good-value-\(index)")))
            }
        }
        // The metadata rows are intact and still listed; the damaged data is refused however it is asked for.
        #expect(try world.instance.listSecrets(ListSecretsOptions(limit: 10), by: world.manager).secrets.count == 10)
        #expect(status { _ = try world.instance.getSecretVersion(secretID: ids[3], version: .current, by: world.manager) } == 503)
        // Damage to a metadata row is detected too.
        _ = try world.instance.updateSecretMetadata(
            id: ids[5], SecretMetadataPatch(description: "metadata-canary-5"), by: world.manager)
        let metadataDamage = try world.instance.damageBytes(matching: Array("metadata-canary-5".utf8))
        #expect(metadataDamage)
        #expect(status { _ = try world.instance.getSecretMetadata(id: ids[5], by: world.manager) } == 503)
        #expect(status { _ = try world.instance.listSecrets(ListSecretsOptions(limit: 20), by: world.manager) } == 503)
    }

    @Test("damaged pages put the instance out of service without a crash")
    func damagedPages() throws {
        let world = try TestWorld()
        for index in 0..<300 { try world.arbitrary("secret-\(index)", String(repeating: "v", count: 200) + "\(index)") }
        try world.instance.damagePages(count: 40)
        var served = 0
        var refused = 0
        for id in world.instance.secretIDs {
            do {
                _ = try world.instance.getSecret(id: id, by: world.manager)
                served += 1
            } catch {
                refused += 1
                #expect(error.status == 503)
            }
        }
        if case .storageFailed = world.instance.status {
            #expect(served == 0)
        } else {
            #expect(refused > 0, "damaged rows must be detected")
        }
    }
}

extension ServiceInstance {
    /// Flips a byte of the first place in the database file that holds `pattern`, then reloads.
    func damageBytes(matching pattern: [UInt8]) throws -> Bool {
        try flushRetrievals()
        try store.checkpoint()
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: store.path)))
        guard bytes.count >= pattern.count else { return false }
        for offset in 0...(bytes.count - pattern.count) where bytes[offset..<(offset + pattern.count)].elementsEqual(pattern) {
            bytes[offset + pattern.count - 1] ^= 0x01
            try store.overwrite(with: bytes)
            try reloadFromStorage()
            return true
        }
        return false
    }
}
