import Foundation
import SecretsManager
import Testing

@testable import FakeSecretsManager

struct ValidationTests {
    /// The error a call threw, when it was a `SecretsManagerError`.
    func error(_ body: () throws -> Void) -> SecretsManagerError? {
        do {
            try body()
            return nil
        } catch {
            return error as? SecretsManagerError
        }
    }

    func create(_ world: TestWorld, _ prototype: SecretPrototype) -> SecretsManagerError? {
        error { _ = try world.instance.createSecret(prototype, by: world.manager) }
    }

    @Test("names: length, characters, uniqueness per type")
    func names() throws {
        let world = try TestWorld()
        let short = create(world, SecretPrototype(name: "a", data: .arbitrary(payload: "x")))
        #expect(short?.status == 400)
        #expect(short?.target?.name == "name")
        #expect(short?.message.contains("2 to 256") == true)
        let long = create(world, SecretPrototype(name: String(repeating: "n", count: 257), data: .arbitrary(payload: "x")))
        #expect(long?.status == 400)
        #expect(create(world, SecretPrototype(name: "-leading", data: .arbitrary(payload: "x")))?.status == 400)
        #expect(create(world, SecretPrototype(name: "has space", data: .arbitrary(payload: "x")))?.status == 400)
        #expect(create(world, SecretPrototype(name: "ok.name-1", data: .arbitrary(payload: "x"))) == nil)
        let duplicate = create(world, SecretPrototype(name: "ok.name-1", data: .arbitrary(payload: "y")))
        #expect(duplicate?.status == 409)
        // The same name with another type is fine.
        #expect(create(world, SecretPrototype(name: "ok.name-1", data: .kv(data: SecretObject(["a": 1])))) == nil)
    }

    @Test("description, labels and custom metadata limits name their field")
    func metadataLimits() throws {
        let world = try TestWorld()
        let description = create(world, SecretPrototype(name: "s1", data: .arbitrary(payload: "x"), description: "d"))
        #expect(description?.status == 400)
        #expect(description?.target?.name == "description")
        let labels = create(
            world, SecretPrototype(name: "s2", data: .arbitrary(payload: "x"), labels: (1...31).map { "label-\($0)" }))
        #expect(labels?.target?.name == "labels")
        #expect(labels?.message.contains("30") == true)
        let shortLabel = create(world, SecretPrototype(name: "s3", data: .arbitrary(payload: "x"), labels: ["x"]))
        #expect(shortLabel?.target?.name == "labels")
        let metadata = create(
            world,
            SecretPrototype(
                name: "s4", data: .arbitrary(payload: "x"),
                customMetadata: ["blob": .string(String(repeating: "m", count: 11 * 1024))]))
        #expect(metadata?.target?.name == "custom_metadata")
        #expect(metadata?.message.contains("10 KB") == true)
    }

    @Test("payload size limits per type")
    func sizes() throws {
        let world = try TestWorld()
        let big = create(
            world,
            SecretPrototype(name: "big", data: .arbitrary(payload: SecretPayload(String(repeating: "p", count: 1024 * 1024 + 1)))))
        #expect(big?.target?.name == "payload")
        #expect(big?.message.contains("1 MB") == true)
        #expect(big?.message.contains("ppp") == false)
        let password = create(world, SecretPrototype(name: "pw", data: .usernamePassword(username: "user", password: "12345")))
        #expect(password?.target?.name == "password")
        #expect(password?.message.contains("6 to 256") == true)
        let kv = create(
            world, SecretPrototype(name: "kv", data: .kv(data: SecretObject(["k": .string(String(repeating: "v", count: 513 * 1024))]))))
        #expect(kv?.target?.name == "data")
        let cert = create(
            world,
            SecretPrototype(
                name: "cert",
                data: .importedCert(
                    certificate: SecretPayload(String(repeating: "c", count: 101 * 1024)), intermediate: nil, privateKey: nil)))
        #expect(cert?.target?.name == "certificate")
    }

    @Test("type rules: data where the service makes it, missing data, rotation policies, ttl")
    func typeRules() throws {
        let world = try TestWorld()
        #expect(create(world, SecretPrototype(name: "a1", secretType: .arbitrary, data: nil))?.target?.name == "payload")
        #expect(
            create(world, SecretPrototype(name: "a2", secretType: .arbitrary, data: .kv(data: SecretObject(["a": 1]))))?
                .target?.name == "secret_type")
        let noConfig = create(
            world, SecretPrototype(name: "iam", secretType: .iamCredentials, data: nil, attributes: ["ttl": "1d", "service_id": "s"]))
        #expect(noConfig?.status == 400)
        _ = try world.instance.createConfiguration(
            ConfigurationPrototype(name: "iam", configType: .iamCredentials, sensitive: SecretObject(["api_key": "k"])),
            by: world.manager)
        let badTTL = create(
            world, SecretPrototype(name: "iam", secretType: .iamCredentials, data: nil, attributes: ["ttl": "91d", "service_id": "s"]))
        #expect(badTTL?.target?.name == "ttl")
        #expect(
            create(
                world,
                SecretPrototype(name: "iam", secretType: .iamCredentials, data: nil, attributes: ["ttl": "30m", "service_id": "s"]))
                == nil)
        let rotation = create(
            world,
            SecretPrototype(
                name: "r1", secretType: .arbitrary, data: .arbitrary(payload: "x"),
                rotation: RotationPolicy(autoRotate: true, interval: 30, unit: .day)))
        #expect(rotation?.target?.name == "rotation")
        let interval = create(
            world,
            SecretPrototype(
                name: "r2", secretType: .usernamePassword, data: .usernamePassword(username: "user", password: "secret-1"),
                rotation: RotationPolicy(autoRotate: true, interval: 500, unit: .day)))
        #expect(interval?.target?.name == "rotation.interval")
        let cert = create(
            world, SecretPrototype(name: "pc", secretType: .publicCert, data: nil, attributes: ["common_name": "example.com", "ca": "nope", "dns": "nope"]))
        #expect(cert?.target?.name == "ca")
    }

    @Test("an expired secret is destroyed and serves no data")
    func expiration() throws {
        let world = try TestWorld()
        let expiresAt = world.cloud.date(world.cloud.scheduler.now).addingTimeInterval(60)
        let secret = try world.instance.createSecret(
            SecretPrototype(name: "temp", secretType: .arbitrary, data: .arbitrary(payload: "short-lived"), expirationDate: expiresAt),
            by: world.manager)
        #expect(secret.metadata.state == .active)
        world.cloud.scheduler.run(until: .init(.seconds(61)))
        let later = try world.instance.getSecret(id: secret.id, by: world.manager)
        #expect(later.metadata.state == .destroyed)
        #expect(later.data == nil)
        #expect(status {
            _ = try world.instance.createSecretVersion(
                secretID: secret.id, SecretVersionPrototype(data: .arbitrary(payload: "x")), by: world.manager)
        } == 400)
        let past = create(
            world,
            SecretPrototype(
                name: "past", secretType: .arbitrary, data: .arbitrary(payload: "x"),
                expirationDate: world.cloud.date(world.cloud.scheduler.now).addingTimeInterval(-1)))
        #expect(past?.target?.name == "expiration_date")
    }

    @Test("the IBM error body carries the status, the code and the target")
    func errorBody() throws {
        let world = try TestWorld()
        let thrown = try #require(create(world, SecretPrototype(name: "a", data: .arbitrary(payload: "x"))))
        let data = try SecretsManagerJSON.makeEncoder().encode(thrown.body(trace: "trace-1"))
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""status_code":400"#))
        #expect(text.contains(#""target":{"name":"name","type":"field"}"#))
        #expect(text.contains(#""code":"bad_request""#))
    }
}
