import FakeSecretsManager
import Foundation
import Recovery
import SecretsManager
import Simulation
import Testing

/// A fake cloud with a primary instance in us-south and a target instance in us-east, and clients of both,
/// for running the recovery paths end to end.
final class RecoveryWorld: @unchecked Sendable {
    let directory: URL
    let cloud: FakeCloud
    let primary: ServiceInstance
    let target: ServiceInstance
    let primaryKMS: KeyManagementService
    let manager = Principal("iam-ServiceId-dr-operator")

    init(seed: UInt64 = 1, costModel: ServiceCostModel = .free) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("smdrill-recovery-\(UUID().uuidString)")
        cloud = try FakeCloud(configuration: FakeCloudConfiguration(seed: seed, directory: directory, costModel: costModel))
        cloud.addRegion("us-south")
        cloud.addRegion("us-east")
        primaryKMS = cloud.createKeyManagement(.keyProtect, region: "us-south")
        let targetKMS = cloud.createKeyManagement(.keyProtect, region: "us-east")
        let policies = [AccessPolicy(principal: manager, role: .manager)]
        primary = try cloud.createInstance(
            name: "primary", region: "us-south", rootKey: primaryKMS.createRootKey(), policies: policies)
        target = try cloud.createInstance(name: "target", region: "us-east", rootKey: targetKMS.createRootKey(), policies: policies)
    }

    deinit {
        cloud.scheduler.shutDown()
        cloud.close()
        try? FileManager.default.removeItem(at: directory)
    }

    var primaryClient: FakeSecretsManagerClient { client(primary) }
    var targetClient: FakeSecretsManagerClient { client(target) }
    var clock: VirtualClock { cloud.scheduler.clock }

    func client(_ instance: ServiceInstance, as principal: Principal? = nil) -> FakeSecretsManagerClient {
        FakeSecretsManagerClient(cloud: cloud, instanceID: instance.id, principal: principal ?? manager, timeout: .seconds(5))
    }

    /// Runs `body` as a simulation process to its end, and answers what it returned.
    func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let result = Box<Result<T, any Error>?>(nil)
        let process = cloud.scheduler.spawn("test") {
            do { result.value = .success(try await body()) } catch { result.value = .failure(error) }
        }
        cloud.scheduler.run(until: process)
        return try #require(result.value).get()
    }

    /// Fills the primary: two groups, secrets of four types (some rotated), a configuration.
    @discardableResult
    func populate(count: Int = 30) throws -> [Secret] {
        let groupA = try primary.createSecretGroup(SecretGroupPrototype(name: "team-a", description: "Team A"), by: manager)
        _ = try primary.createSecretGroup(SecretGroupPrototype(name: "team-b"), by: manager)
        _ = try primary.createConfiguration(
            ConfigurationPrototype(name: "iam-engine", configType: .iamCredentials, sensitive: SecretObject(["api_key": "k"])),
            by: manager)
        var secrets: [Secret] = []
        for index in 0..<count {
            let data: SecretData =
                switch index % 4 {
                case 0: .arbitrary(payload: SecretPayload("value-\(index)"))
                case 1: .usernamePassword(username: "user-\(index)", password: SecretPayload("password-\(index)"))
                case 2: .kv(data: SecretObject(["value": .string("kv-\(index)")]))
                default: .importedCert(certificate: SecretPayload("cert-\(index)"), intermediate: nil, privateKey: SecretPayload("key-\(index)"))
                }
            var prototype = SecretPrototype(
                name: "secret-\(index)", data: data, description: "secret number \(index)",
                secretGroupID: index % 3 == 0 ? groupA.id : nil, labels: index % 5 == 0 ? ["regional", "db"] : ["app"],
                customMetadata: ["owner": .string("team-\(index % 2)")])
            prototype.versionCustomMetadata = ["build": .number(Double(index))]
            var secret = try primary.createSecret(prototype, by: manager)
            if index % 2 == 0 {
                let rotated = try primary.createSecretVersion(
                    secretID: secret.id, SecretVersionPrototype(data: Self.rotated(data, index)), by: manager)
                secret.data = rotated.data
            }
            secrets.append(secret)
        }
        return secrets
    }

    static func rotated(_ data: SecretData, _ index: Int) -> SecretData {
        switch data {
        case .arbitrary: .arbitrary(payload: SecretPayload("rotated-\(index)"))
        case .usernamePassword(let username, _): .usernamePassword(username: username, password: SecretPayload("rotated-\(index)"))
        case .kv: .kv(data: SecretObject(["value": .string("rotated-\(index)")]))
        default: .importedCert(certificate: SecretPayload("rotated-\(index)"), intermediate: nil, privateKey: nil)
        }
    }

    /// Current data of every secret of an instance, by type and name.
    func contents(_ instance: ServiceInstance) throws -> [SecretKey: SecretData?] {
        var contents: [SecretKey: SecretData?] = [:]
        for id in instance.secretIDs {
            let secret = try instance.getSecret(id: id, by: manager)
            contents[SecretKey(type: secret.secretType, name: secret.name)] = secret.data
        }
        return contents
    }
}

final class Box<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}
