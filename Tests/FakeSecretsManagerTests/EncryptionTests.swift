import Crypto
import Foundation
import SecretsManager
import Simulation
import Testing

@testable import FakeSecretsManager

struct EncryptionTests {
    /// One secret of every type with a distinctive payload, and the payload bytes to look for.
    static func plantEveryType(_ world: TestWorld) throws -> [[UInt8]] {
        let instance = world.instance
        let manager = world.manager
        var needles: [String] = []
        func mark(_ label: String) -> String {
            let value = "CANARY-\(label)-7f3a9c1e5b"
            needles.append(value)
            return value
        }
        _ = try instance.createSecret(SecretPrototype(name: "arb", data: .arbitrary(payload: SecretPayload(mark("arbitrary")))), by: manager)
        _ = try instance.createSecret(
            SecretPrototype(name: "up", data: .usernamePassword(username: "user-1", password: SecretPayload(mark("password")))),
            by: manager)
        _ = try instance.createSecret(
            SecretPrototype(name: "kv", data: .kv(data: SecretObject(["k": .string(mark("kv"))]))), by: manager)
        _ = try instance.createSecret(
            SecretPrototype(
                name: "cert",
                data: .importedCert(
                    certificate: SecretPayload(mark("certificate")), intermediate: nil,
                    privateKey: SecretPayload(mark("private-key")))),
            by: manager)
        _ = try instance.createConfiguration(
            ConfigurationPrototype(
                name: "iam", configType: .iamCredentials, sensitive: SecretObject(["api_key": .string(mark("config-key"))])),
            by: manager)
        // Generated types: their data is made by the service; read it back to know what to look for.
        let iam = try instance.createSecret(
            SecretPrototype(name: "iam", secretType: .iamCredentials, data: nil, attributes: ["ttl": "1h", "service_id": "s"]),
            by: manager)
        let service = try instance.createSecret(
            SecretPrototype(
                name: "svc", secretType: .serviceCredentials, data: nil,
                attributes: ["source_service": ["instance": ["crn": "crn:v1:x"]]]),
            by: manager)
        var generated: [[UInt8]] = []
        if case .iamCredentials(let key?, _)? = iam.data { generated.append(Array(key.reveal().utf8)) }
        if case .serviceCredentials(let credentials)? = service.data,
            case .string(let key)? = credentials.reveal()["apikey"]
        {
            generated.append(Array(key.utf8))
        }
        return needles.map { Array($0.utf8) } + generated
    }

    @Test("no payload byte reaches the database file")
    func noPlaintextOnDisk() throws {
        let world = try TestWorld()
        let needles = try Self.plantEveryType(world)
        #expect(needles.count == 8)
        try world.instance.flushRetrievals()
        let bytes = try world.databaseBytes()
        #expect(bytes.count > 4096)
        for needle in needles {
            let found = contains(bytes, needle)
            #expect(!found, "a payload was found in the database: \(needle.count) bytes")
        }
        let username = contains(bytes, Array("user-1".utf8))
        #expect(!username, "the username is data: encrypted too")
        // The metadata is there in the clear, so the scan would have found plaintext.
        let name = contains(bytes, Array("cert".utf8))
        #expect(name)
    }

    @Test("a deleted root key blocks every payload read until the keys are re-wrapped")
    func rootKeyDeleted() throws {
        let world = try TestWorld()
        let secret = try world.arbitrary("db", "payload-before")
        try world.kms.deleteRootKey(world.rootKey.keyID, at: world.cloud.scheduler.now)
        var thrown: SecretsManagerError?
        do { _ = try world.instance.getSecret(id: secret.id, by: world.manager) } catch { thrown = error }
        #expect(thrown?.status == 503)
        #expect(thrown?.code == "key_deleted")
        #expect(thrown?.message.contains(world.rootKey.keyID) == true)
        // Metadata stays readable; writes fail too (a new data key cannot be wrapped).
        #expect(try world.instance.getSecretMetadata(id: secret.id, by: world.manager).name == "db")
        #expect(status { try world.arbitrary("new", "new-value") } == 503)

        // Recovery: a new root key in a backup KMS; support re-wraps with the deleted key's material.
        let backupKMS = world.cloud.createKeyManagement(.hyperProtectCrypto, region: "us-east")
        let newKey = backupKMS.createRootKey()
        let material = try #require(world.kms.supportRecoverDeletedKey(world.rootKey.keyID))
        let count = try world.instance.rewrapDataKeys(to: newKey, recoveredMaterial: material)
        #expect(count == 1)
        #expect(try world.instance.getSecret(id: secret.id, by: world.manager).data == .arbitrary(payload: "payload-before"))
        try world.instance.reloadFromStorage()
        #expect(try world.instance.getSecret(id: secret.id, by: world.manager).data == .arbitrary(payload: "payload-before"))
        #expect(world.instance.rootKey == newKey)
    }

    @Test("a payload sealed in memory answers the very bytes stored for it, and they open")
    func deferredSealMatchesStorage() throws {
        let world = try TestWorld()
        let secret = try world.arbitrary("db", "payload-deferred")
        let fresh = try #require(world.instance.record(id: secret.id)?.versions[0].sealed)
        try world.instance.flushStorage()
        try world.instance.reloadFromStorage()
        let stored = try #require(world.instance.record(id: secret.id)?.versions[0].sealed)
        #expect(fresh.ciphertext == stored.ciphertext)
        #expect(fresh.wrappedKey == stored.wrappedKey)
        #expect(fresh.nonce == stored.nonce)
        // The ciphertext is as long as the canonical JSON sealed, then the 16-byte tag.
        #expect(fresh.ciphertext.count == SecretData.arbitrary(payload: "payload-deferred").canonicalJSON().count + 16)
        #expect(!contains(Array(fresh.ciphertext), Array("payload-deferred".utf8)))
        let key = try Envelope.dataKey(of: fresh, kms: world.kms)
        let context = world.instance.context(secretID: secret.id, versionID: world.instance.record(id: secret.id)!.versions[0].id)
        let plaintext = try Envelope.open(fresh, context: context, dataKey: key)
        let sealedFrom = SecretData.arbitrary(payload: "payload-deferred").canonicalJSON()
        #expect(plaintext == sealedFrom)
        // The bytes are those an eager seal makes from the same inputs: AES-GCM of the data under the data key
        // and the nonce, the tag after the ciphertext; the data key wrapped by the root key (RFC 3394).
        let eager = try AES.GCM.seal(sealedFrom, using: key, nonce: AES.GCM.Nonce(data: fresh.nonce), authenticating: context)
        #expect(fresh.ciphertext == eager.ciphertext + eager.tag)
        #expect(fresh.wrappedKey == (try world.kms.wrap(key, with: world.rootKey.keyID)))
    }

    @Test("a seal draws its data key, then its nonce, as the generator's bytes, and moves it on by six words")
    func sealDrawsKeyAndNonce() throws {
        let world = try TestWorld()
        var random = SeededRandom(seed: 42)
        var reference = random
        let plaintext = Array("the-plaintext".utf8)
        let context = Array("secret/version".utf8)
        let sealed = try Envelope.seal(
            plaintext, context: context, rootKey: world.rootKey.keyID, kms: world.kms, random: &random)
        let key = reference.bytes(32)
        let nonce = reference.bytes(12)
        #expect(random.next() == reference.next())
        #expect(sealed.nonce == Data(nonce))
        #expect(try Envelope.dataKey(of: sealed, kms: world.kms) == SymmetricKey(data: key))
        let expected = try AES.GCM.seal(plaintext, using: SymmetricKey(data: key), nonce: AES.GCM.Nonce(data: nonce), authenticating: context)
        #expect(sealed.ciphertext == expected.ciphertext + expected.tag)
    }

    @Test("dumping a payload sealed a moment ago shows neither its data nor its keys")
    func sealedPayloadDump() throws {
        let world = try TestWorld()
        let secret = try world.arbitrary("db", "payload-dumped-7f3a")
        let sealed = try #require(world.instance.record(id: secret.id)?.versions[0].sealed)
        var text = ""
        dump(sealed, to: &text)
        #expect(!text.contains("payload-dumped-7f3a"))
        #expect(!text.contains("SealInputs"))
        #expect(!text.contains("inputs"))
        #expect(text.contains(sealed.rootKeyID))
    }

    @Test("sealed data moved to another row does not open")
    func contextBinding() throws {
        let world = try TestWorld()
        let first = try world.arbitrary("one", "payload-one")
        let second = try world.arbitrary("two", "payload-two")
        let record = try #require(world.instance.record(id: second.id))
        record.versions[0].sealed = world.instance.record(id: first.id)?.versions[0].sealed
        var thrown: SecretsManagerError?
        do { _ = try world.instance.getSecret(id: second.id, by: world.manager) } catch { thrown = error }
        #expect(thrown?.code == "storage_corruption_detected")
    }
}
