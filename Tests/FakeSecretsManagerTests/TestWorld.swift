import Foundation
import SecretsManager
import Simulation
import Testing

@testable import FakeSecretsManager

/// A fake cloud with one region, a Key Protect root key and one instance, in a temporary folder of its own.
final class TestWorld: @unchecked Sendable {
    let directory: URL
    let cloud: FakeCloud
    let kms: KeyManagementService
    let rootKey: RootKeyReference
    let instance: ServiceInstance
    let manager = Principal("iam-ServiceId-manager")

    init(
        seed: UInt64 = 1, costModel: ServiceCostModel = .free, healthCheck: HealthCheckPolicy = HealthCheckPolicy(),
        zones: Int = 3
    ) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("smdrill-test-\(UUID().uuidString)")
        cloud = try FakeCloud(
            configuration: FakeCloudConfiguration(
                seed: seed, directory: directory, healthCheck: healthCheck, costModel: costModel))
        cloud.addRegion("us-south", zones: zones)
        kms = cloud.createKeyManagement(.keyProtect, region: "us-south")
        rootKey = kms.createRootKey()
        instance = try cloud.createInstance(
            name: "primary", region: "us-south", rootKey: rootKey,
            policies: [AccessPolicy(principal: manager, role: .manager)])
    }

    deinit {
        cloud.scheduler.shutDown()
        cloud.close()
        try? FileManager.default.removeItem(at: directory)
    }

    /// A principal holding `role` on `scope`.
    func principal(_ role: ServiceRole, scope: PolicyScope = .instance, name: String? = nil) -> Principal {
        let principal = Principal(name ?? "iam-ServiceId-\(role.rawValue.lowercased())")
        instance.accessControl.grant(AccessPolicy(principal: principal, role: role, scope: scope))
        return principal
    }

    /// A client of the instance as `principal`.
    func client(_ principal: Principal? = nil, timeout: Duration = .seconds(2)) -> FakeSecretsManagerClient {
        FakeSecretsManagerClient(cloud: cloud, instanceID: instance.id, principal: principal ?? manager, timeout: timeout)
    }

    /// Runs `body` as a simulation process to its end and rethrows what it threw.
    func run(_ body: @escaping @Sendable () async throws -> Void) throws {
        let process = cloud.scheduler.spawn("test", body)
        cloud.scheduler.run(until: process)
        #expect(process.isFinished, "the process did not finish")
        if let error = process.error { throw error }
    }

    /// Creates an arbitrary secret directly, as the manager.
    @discardableResult
    func arbitrary(_ name: String, _ payload: String, group: String? = nil, labels: [String]? = nil) throws -> Secret {
        try instance.createSecret(
            SecretPrototype(name: name, data: .arbitrary(payload: SecretPayload(payload)), secretGroupID: group, labels: labels),
            by: manager)
    }

    /// The bytes of every file of the instance database (main file, WAL), once pending writes are on disk.
    func databaseBytes() throws -> [UInt8] {
        try instance.flushRetrievals()
        try instance.store.flush()
        var bytes: [UInt8] = []
        for suffix in ["", "-wal"] {
            let path = instance.databasePath + suffix
            if FileManager.default.fileExists(atPath: path) {
                bytes += [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            }
        }
        return bytes
    }
}

/// Whether `haystack` contains `needle`.
func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard !needle.isEmpty, haystack.count >= needle.count else { return false }
    let first = needle[0]
    var index = 0
    let last = haystack.count - needle.count
    while index <= last {
        if haystack[index] == first && haystack[index..<(index + needle.count)].elementsEqual(needle) { return true }
        index += 1
    }
    return false
}

/// The status of the error `body` threw, or nil when it did not throw a `SecretsManagerError`.
func status(_ body: () throws -> Void) -> Int? {
    do {
        try body()
        return nil
    } catch let error as SecretsManagerError {
        return error.status
    } catch {
        return nil
    }
}

/// A mutable box a simulation process can fill for the test to read afterwards.
final class Box<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}
