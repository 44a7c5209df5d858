import Benchmark
import FakeSecretsManager
import Foundation
import GRDB
import Recovery
import SecretsManager
import Simulation

/// Backup then restore of many secrets in process (rate limit off), against the floor: the same rows copied
/// by plain SQLite in one transaction.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .peakMemoryResident],
        maxDuration: .seconds(60),
        maxIterations: 3
    )
    let secrets = Int(ProcessInfo.processInfo.environment["SMDRILL_BENCH_SECRETS"] ?? "") ?? 100_000

    Benchmark("Recovery: backup then restore of \(secrets) secrets") { benchmark in
        do {
            let world = try RecoveryWorld(secrets: secrets)
            defer { world.close() }
            benchmark.startMeasurement()
            try world.backupThenRestore()
            benchmark.stopMeasurement()
        } catch {
            benchmark.error("backup or restore failed: \(error)")
        }
    }

    Benchmark("Floor: plain SQLite copy of \(secrets) secrets' rows") { benchmark in
        do {
            let floor = try PlainCopy(secrets: secrets)
            defer { floor.close() }
            benchmark.startMeasurement()
            try floor.copy()
            benchmark.stopMeasurement()
        } catch {
            benchmark.error("the plain copy failed: \(error)")
        }
    }
}

/// A primary with `secrets` secrets (half of them rotated), an empty target, a bucket.
final class RecoveryWorld: @unchecked Sendable {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smdrill-bench-\(UUID().uuidString)")
    let cloud: FakeCloud
    let primary: ServiceInstance
    let target: ServiceInstance
    let principal = Principal("iam-ServiceId-bench")

    init(secrets: Int) throws {
        cloud = try FakeCloud(configuration: FakeCloudConfiguration(seed: 1, directory: directory, costModel: .free))
        cloud.addRegion("us-south")
        cloud.addRegion("us-east")
        let policies = [AccessPolicy(principal: principal, role: .manager)]
        primary = try cloud.createInstance(
            name: "primary", region: "us-south",
            rootKey: cloud.createKeyManagement(.keyProtect, region: "us-south").createRootKey(), policies: policies)
        target = try cloud.createInstance(
            name: "target", region: "us-east",
            rootKey: cloud.createKeyManagement(.keyProtect, region: "us-east").createRootKey(), policies: policies)
        try primary.batch {
            for index in 0..<secrets {
                let secret = try primary.createSecret(
                    SecretPrototype(name: "secret-\(index)", data: .arbitrary(payload: SecretPayload(PlainCopy.value(index, 0)))),
                    by: principal)
                if index % 2 == 0 {
                    _ = try primary.createSecretVersion(
                        secretID: secret.id, SecretVersionPrototype(data: .arbitrary(payload: SecretPayload(PlainCopy.value(index, 1)))),
                        by: principal)
                }
            }
        }
    }

    func backupThenRestore() throws {
        let key = BackupKey(Array(repeating: UInt8(1), count: 32))
        let bucket = BackupBucket(folder: directory.appendingPathComponent("bucket"), location: .crossRegion("us"))
        let source = FakeSecretsManagerClient(cloud: cloud, instanceID: primary.id, principal: principal)
        let destination = FakeSecretsManagerClient(cloud: cloud, instanceID: target.id, principal: principal)
        let clock = cloud.scheduler.clock
        let failure = Failure()
        let process = cloud.scheduler.spawn("backup-restore") {
            do {
                let outcome = try await BackupJob(bucket: bucket, key: key).run(
                    source, clock: clock, now: Date(timeIntervalSince1970: 0), nonce: Array(repeating: 2, count: 12),
                    sourceCRN: "crn:v1:bluemix:public:secrets-manager:us-south:a/x:y::", sourceRegion: "us-south")
                let (_, snapshot) = try BackupArchive.decode(try bucket.read(outcome.name), key: key)
                let changes = try await Reconciler().apply(snapshot, target: destination, clock: clock)
                if !changes.failed.isEmpty { failure.message = "\(changes.failed.count) secrets failed" }
            } catch {
                failure.message = "\(error)"
            }
        }
        cloud.scheduler.run(until: process)
        if let message = failure.message { throw BenchmarkFailure(message: message) }
        try target.flushRetrievals()
        // Every write applied and committed before the measurement stops.
        try target.flushStorage()
    }

    func close() {
        cloud.scheduler.shutDown()
        cloud.close()
        try? FileManager.default.removeItem(at: directory)
    }
}

final class Failure: @unchecked Sendable { var message: String? }
struct BenchmarkFailure: Error { var message: String }

/// The floor: the rows a restore writes (a secret row, one or two version rows with sealed data of the same
/// sizes), inserted by plain SQLite in one transaction.
final class PlainCopy {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smdrill-floor-\(UUID().uuidString)")
    let queue: DatabaseQueue
    let secrets: Int

    static func value(_ index: Int, _ version: Int) -> String { "value-\(index)-\(version)-" + String(repeating: "x", count: 40) }

    init(secrets: Int) throws {
        self.secrets = secrets
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.journalMode = .wal
        queue = try DatabaseQueue(path: directory.appendingPathComponent("floor.sqlite").path, configuration: configuration)
        try queue.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE secrets (key INTEGER PRIMARY KEY, id TEXT, secret_type TEXT, name TEXT, secret_group_id TEXT,
                        labels TEXT, custom_metadata TEXT, attributes TEXT, created_by TEXT, created_at INTEGER,
                        updated_at INTEGER, state INTEGER, next_sequence INTEGER, checksum BLOB);
                    CREATE TABLE secret_versions (key INTEGER PRIMARY KEY, secret_key INTEGER, sequence INTEGER, id TEXT,
                        created_by TEXT, created_at INTEGER, custom_metadata TEXT, attributes TEXT, root_key_id TEXT,
                        wrapped_key BLOB, nonce BLOB, ciphertext BLOB, checksum BLOB);
                    """)
        }
    }

    func copy() throws {
        let id = String(repeating: "0", count: 36)
        let wrapped = Data(repeating: 1, count: 40)
        let nonce = Data(repeating: 2, count: 12)
        let checksum = Data(repeating: 3, count: 16)
        try queue.write { db in
            let secret = try db.makeStatement(
                sql: "INSERT INTO secrets VALUES (NULL, ?, 'arbitrary', ?, 'default', '[]', '{}', '{}', ?, 0, 0, 1, 2, ?)")
            let version = try db.makeStatement(
                sql: "INSERT INTO secret_versions VALUES (NULL, ?, ?, ?, ?, 0, '{}', '{}', ?, ?, ?, ?, ?)")
            for index in 0..<secrets {
                try secret.execute(arguments: [id, "secret-\(index)", "iam-ServiceId-bench", checksum])
                let key = db.lastInsertedRowID
                for sequence in 0..<(index % 2 == 0 ? 2 : 1) {
                    let ciphertext = Data(Self.value(index, sequence).utf8 + Array(repeating: 0, count: 30))
                    try version.execute(arguments: [key, sequence + 1, id, "iam-ServiceId-bench", id, wrapped, nonce, ciphertext, checksum])
                }
            }
        }
    }

    func close() {
        try? queue.close()
        try? FileManager.default.removeItem(at: directory)
    }
}
