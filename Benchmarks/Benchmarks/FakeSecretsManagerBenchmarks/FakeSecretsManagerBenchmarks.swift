import Benchmark
import FakeSecretsManager
import Foundation
import SecretsManager
import Simulation

/// The fake in process, durable SQLite (WAL) and envelope encryption on: each iteration creates a secret,
/// rotates it once and reads it, through routing, IAM, validation, storage and encryption. The same mix as
/// `peers/moto_secretsmanager.py` drives through boto3 against moto.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .peakMemoryResident],
        maxDuration: .seconds(10),
        maxIterations: 20
    )

    Benchmark(
        "Fake: create + rotate + read one secret (3 API operations)",
        configuration: .init(scalingFactor: .kilo)
    ) { benchmark in
        // A fresh instance per sample, built outside the measured span.
        do {
            let world = try FakeWorld()
            defer { world.close() }
            benchmark.startMeasurement()
            for index in benchmark.scaledIterations {
                try world.createRotateRead(index)
            }
            // Inside the measured span: every write applied and committed, none left with the writer.
            try world.instance.flushStorage()
            benchmark.stopMeasurement()
        } catch {
            benchmark.error("the fake failed: \(error)")
        }
    }
}

/// One region, one instance, a manager principal; a folder of its own under the temporary directory.
final class FakeWorld: @unchecked Sendable {
    let directory: URL
    let cloud: FakeCloud
    let instance: ServiceInstance
    let principal = Principal("iam-ServiceId-benchmark")
    var run = 0
    /// The 64-character payloads, built once as the peer's literals are.
    let created = SecretPayload(String(repeating: "v", count: 64))
    let rotated = SecretPayload(String(repeating: "w", count: 64))

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("smdrill-bench-\(UUID().uuidString)")
        cloud = try FakeCloud(configuration: FakeCloudConfiguration(seed: 1, directory: directory, costModel: .free))
        cloud.addRegion("us-south")
        let kms = cloud.createKeyManagement(.keyProtect, region: "us-south")
        instance = try cloud.createInstance(
            name: "bench", region: "us-south", rootKey: kms.createRootKey(),
            policies: [AccessPolicy(principal: principal, role: .manager)])
    }

    func createRotateRead(_ index: Int) throws {
        run += 1
        let name = "secret-\(run)"
        guard case .served = cloud.route(to: instance.id) else { throw CancellationError() }
        let secret = try instance.createSecret(
            SecretPrototype(name: name, data: .arbitrary(payload: created)),
            by: principal)
        guard case .served = cloud.route(to: instance.id) else { throw CancellationError() }
        _ = try instance.createSecretVersion(
            secretID: secret.id,
            SecretVersionPrototype(data: .arbitrary(payload: rotated)),
            by: principal)
        guard case .served = cloud.route(to: instance.id) else { throw CancellationError() }
        _ = try instance.getSecret(id: secret.id, by: principal)
    }

    func close() {
        cloud.scheduler.shutDown()
        cloud.close()
        try? FileManager.default.removeItem(at: directory)
    }
}
