import FakeSecretsManager
import Foundation
import Recovery
import SecretsManager
import Simulation
import Testing

struct BackupRestoreTests {
    let key = BackupKey(Array(repeating: UInt8(7), count: 32))

    func archive(_ world: RecoveryWorld) throws -> Data {
        let (snapshot, report) = try world.run {
            try await SnapshotReader().read(world.primaryClient, clock: world.clock)
        }
        #expect(report.unreadable.isEmpty)
        return try BackupArchive.encode(
            snapshot, key: key, nonce: Array(repeating: 1, count: 12), createdAt: Date(timeIntervalSince1970: 0),
            sourceCRN: world.primary.crn.description, sourceRegion: "us-south")
    }

    @Test("a backup restored into another instance recreates groups, secrets, metadata, versions, configurations")
    func roundTrip() throws {
        let world = try RecoveryWorld()
        try world.populate()
        let bytes = try archive(world)
        let (header, snapshot) = try BackupArchive.decode(bytes, key: key)
        #expect(header.secrets == 30)
        #expect(header.keyID == key.id)
        #expect(snapshot.groups.map(\.name).sorted() == ["team-a", "team-b"])
        let changes = try world.run {
            try await Reconciler().apply(snapshot, target: world.targetClient, clock: world.clock)
        }
        #expect(changes.created.count == 30)
        #expect(changes.verified == 30)
        #expect(changes.failed.isEmpty)
        #expect(changes.configurationsCreated == ["iam-engine"])
        #expect(try world.contents(world.target) == world.contents(world.primary))
        // Versions with data: the rotated ones have a previous version again.
        let restored = try world.target.listSecrets(ListSecretsOptions(search: "secret-2"), by: world.manager).secrets
            .first { $0.name == "secret-2" }
        let source = try world.primary.listSecrets(ListSecretsOptions(search: "secret-2"), by: world.manager).secrets
            .first { $0.name == "secret-2" }
        #expect(restored?.versionsTotal == 2)
        #expect(restored?.labels == source?.labels)
        #expect(restored?.customMetadata == source?.customMetadata)
        #expect(restored?.description == "secret number 2")
        let groups = try world.target.listSecretGroups(by: world.manager).secretGroups
        #expect(groups.first { $0.name == "team-a" }?.description == "Team A")
        let previous = try world.target.getSecretVersion(secretID: restored!.id, version: .previous, by: world.manager)
        #expect(previous.data == .kv(data: SecretObject(["value": "kv-2"])))
    }

    @Test("each bad archive is refused with its reason, before anything is written")
    func refusedArchives() throws {
        let world = try RecoveryWorld()
        try world.populate(count: 8)
        let bytes = try archive(world)
        func refusal(_ data: Data, key: BackupKey? = nil) -> BackupArchive.ArchiveError? {
            do {
                _ = try BackupArchive.decode(data, key: key ?? self.key)
                return nil
            } catch {
                return error
            }
        }
        let truncated = refusal(bytes.prefix(bytes.count - 100))
        #expect(truncated?.description.contains("truncated") == true)
        var tampered = bytes
        tampered[tampered.count - 40] ^= 0x01
        #expect(refusal(tampered)?.description.contains("tampered") == true)
        let other = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: #""format_version":2"#, with: #""format_version":3"#)
        #expect(refusal(Data(other.utf8)) == .unsupportedVersion(3))
        #expect(refusal(Data(other.utf8))?.description == "the archive has format version 3; this smdrill reads versions 1 to 2")
        let wrongKey = BackupKey(Array(repeating: UInt8(9), count: 32))
        #expect(refusal(bytes, key: wrongKey) == .wrongKey(archiveKeyID: key.id, givenKeyID: wrongKey.id))
        #expect(refusal(Data("hello\nworld".utf8))?.description.contains("not a smdrill backup archive") == true)
        var header = bytes
        // A changed header (the source region) no longer authenticates.
        let text = String(decoding: header, as: UTF8.self)
        header = Data(text.replacingOccurrences(of: #""source_region":"us-south""#, with: #""source_region":"us-east""#).utf8)
        #expect(refusal(header)?.description.contains("tampered") == true)
        #expect(world.target.secretCount == 0)
    }

    @Test("a restore cut off half-way and run again finishes with nothing lost and nothing doubled")
    func interruptedRestore() throws {
        let world = try RecoveryWorld(costModel: ServiceCostModel(latency: .constant(.milliseconds(10))))
        try world.populate(count: 40)
        let snapshot = try BackupArchive.decode(archive(world), key: key).1
        let scheduler = world.cloud.scheduler
        let first = scheduler.spawn("restore") {
            _ = try await Reconciler().apply(snapshot, target: world.targetClient, clock: world.clock)
        }
        // Cut it off after a second of virtual time: some secrets done, one perhaps half done.
        scheduler.schedule(after: .seconds(1)) { first.cancel() }
        scheduler.run(until: first)
        #expect(first.error is CancellationError)
        let partial = world.target.secretCount
        #expect(partial > 0 && partial < 40)
        let changes = try world.run {
            try await Reconciler().apply(snapshot, target: world.targetClient, clock: world.clock)
        }
        #expect(changes.failed.isEmpty)
        #expect(changes.created.count + changes.unchanged.count + changes.updated.count == 40)
        #expect(world.target.secretCount == 40)
        #expect(try world.contents(world.target) == world.contents(world.primary))
    }

    @Test("conflicts follow the policy; regional values are applied")
    func conflictsAndOverrides() throws {
        let world = try RecoveryWorld()
        try world.populate(count: 8)
        let snapshot = try BackupArchive.decode(archive(world), key: key).1
        _ = try world.target.createSecret(
            SecretPrototype(name: "secret-0", data: .arbitrary(payload: "already-here")), by: world.manager)
        let skipKey = SecretKey(type: .arbitrary, name: "secret-0")
        var options = Reconciler.Options()
        options.conflicts = .fail
        #expect(throws: Reconciler.ConflictError.self) {
            try world.run { [options] in try await Reconciler(options: options).apply(snapshot, target: world.targetClient, clock: world.clock) }
        }
        options.conflicts = .skip
        let skipped = try world.run { [options] in
            try await Reconciler(options: options).apply(snapshot, target: world.targetClient, clock: world.clock)
        }
        #expect(skipped.conflictsSkipped == [skipKey])
        #expect(try world.contents(world.target)[skipKey] == .arbitrary(payload: "already-here"))
        options.conflicts = .overwrite
        options.regionalOverrides = [SecretKey(type: .arbitrary, name: "secret-4"): .arbitrary(payload: "us-east-value")]
        let overwritten = try world.run { [options] in
            try await Reconciler(options: options).apply(snapshot, target: world.targetClient, clock: world.clock)
        }
        #expect(overwritten.updated.contains(skipKey))
        #expect(overwritten.updated.contains(SecretKey(type: .arbitrary, name: "secret-4")))
        let contents = try world.contents(world.target)
        #expect(contents[skipKey] == .arbitrary(payload: "rotated-0"))
        #expect(contents[SecretKey(type: .arbitrary, name: "secret-4")] == .arbitrary(payload: "us-east-value"))
    }

    @Test("a rate-limited target: the restore backs off on 429 and finishes")
    func backsOffOnRateLimit() throws {
        let world = try RecoveryWorld(
            costModel: ServiceCostModel(latency: .constant(.milliseconds(1)), rateLimit: RateLimit(requestsPerSecond: 20)))
        try world.populate(count: 30)
        let snapshot = try world.run { try await SnapshotReader().read(world.primaryClient, clock: world.clock).0 }
        let changes = try world.run {
            try await Reconciler().apply(snapshot, target: world.targetClient, clock: world.clock)
        }
        #expect(changes.retries > 0)
        #expect(changes.failed.isEmpty)
        #expect(world.target.secretCount == 30)
    }

    @Test("backup jobs write atomically into a bucket, keep the retention, and fail when its region is down")
    func bucketsAndJobs() throws {
        let world = try RecoveryWorld()
        try world.populate(count: 5)
        let folder = world.directory.appendingPathComponent("bucket")
        let cloud = world.cloud
        let bucket = BackupBucket(folder: folder, location: .regional("us-south")) { cloud.regions["us-south"]?.isUp ?? false }
        let job = BackupJob(bucket: bucket, key: key, retention: 2)
        for hour in 0..<3 {
            let outcome = try world.run {
                try await job.run(
                    world.primaryClient, clock: world.clock, now: Date(timeIntervalSince1970: Double(hour) * 3600),
                    nonce: Array(repeating: UInt8(hour), count: 12), sourceCRN: world.primary.crn.description,
                    sourceRegion: "us-south")
            }
            #expect(outcome.secrets == 5)
        }
        let names = try bucket.list()
        #expect(names.count == 2)
        #expect(names.allSatisfy { $0.hasSuffix(".smbackup") })
        #expect(try job.latest(atOrBefore: Date(timeIntervalSince1970: 3600)) == names.first)
        let entries = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(!entries.contains { $0.hasSuffix(".partial") })
        #expect(BucketLocation.regional("us-south").survives(lossOf: "us-south") == false)
        #expect(BucketLocation.crossRegion("us").survives(lossOf: "us-south"))
        world.cloud.failRegion("us-south")
        #expect(throws: BucketError.self) { try bucket.list() }
    }

    @Test("no payload reaches the archive in the clear")
    func archiveIsEncrypted() throws {
        let world = try RecoveryWorld()
        try world.populate(count: 12)
        let bytes = try archive(world)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(!text.contains("rotated-4"))
        #expect(!text.contains("password-5"))
        #expect(!text.contains("secret-1"))
    }
}
