import FakeSecretsManager
import Foundation
import Recovery
import SecretsManager
import Testing

struct SourceOfTruthTests {
    let key = BackupKey(Array(repeating: UInt8(3), count: 32))

    func snapshot(_ names: [String], value: String) -> InstanceSnapshot {
        InstanceSnapshot(
            groups: [GroupSnapshot(name: "team-a")],
            secrets: names.map {
                SecretSnapshot(
                    key: SecretKey(type: .arbitrary, name: $0), groupName: "team-a", labels: ["app"],
                    current: .arbitrary(payload: SecretPayload("\(value)-\($0)")))
            })
    }

    @Test("revisions recover any point in time, survive a reopen, and refuse another key")
    func pointInTime() throws {
        let world = try RecoveryWorld()
        let folder = world.directory.appendingPathComponent("sot")
        let start = Date(timeIntervalSince1970: 1000)
        let repository = try SourceOfTruthRepository(
            folder: folder, location: .crossRegion("us"), key: key, initial: snapshot(["a", "b"], value: "v1"), at: start)
        try repository.commit(
            upserts: [SecretSnapshot(key: SecretKey(type: .arbitrary, name: "a"), groupName: "team-a", current: .arbitrary(payload: "v2-a"))],
            at: start.addingTimeInterval(60))
        try repository.commit(upserts: [], removals: [SecretKey(type: .arbitrary, name: "b")], at: start.addingTimeInterval(120))
        #expect(try repository.state(at: start.addingTimeInterval(30)).secrets.map(\.current) == [
            .arbitrary(payload: "v1-a"), .arbitrary(payload: "v1-b"),
        ])
        #expect(try repository.state(at: start.addingTimeInterval(90)).secrets.map(\.current) == [
            .arbitrary(payload: "v2-a"), .arbitrary(payload: "v1-b"),
        ])
        #expect(try repository.state().secrets.map(\.key.name) == ["a"])
        #expect(repository.current(SecretKey(type: .arbitrary, name: "b")) == nil)
        let reopened = try SourceOfTruthRepository(
            folder: folder, location: .crossRegion("us"), key: key, initial: InstanceSnapshot(), at: start)
        #expect(reopened.revisions.count == 3)
        #expect(try reopened.state() == repository.state())
        let plaintext = String(decoding: try Data(contentsOf: folder.appendingPathComponent("source-of-truth.smsot")), as: UTF8.self)
        #expect(!plaintext.contains("v2-a"))
        #expect(throws: (any Error).self) {
            try SourceOfTruthRepository(
                folder: folder, location: .crossRegion("us"), key: BackupKey(Array(repeating: UInt8(4), count: 32)),
                initial: InstanceSnapshot(), at: start)
        }
    }

    @Test("plan lists creates, updates and deletes; apply makes the instance match")
    func planAndApply() throws {
        let world = try RecoveryWorld()
        _ = try world.target.createSecret(SecretPrototype(name: "alpha", data: .arbitrary(payload: "stale")), by: world.manager)
        _ = try world.target.createSecret(SecretPrototype(name: "extra", data: .arbitrary(payload: "x")), by: world.manager)
        let desired = snapshot(["alpha", "bravo"], value: "v1")
        var options = Reconciler.Options()
        options.conflicts = .overwrite
        options.deleteOthers = true
        let plan = try world.run { [options] in
            try await Reconciler(options: options).plan(desired, target: world.targetClient, clock: world.clock)
        }
        #expect(plan.created.map(\.name) == ["bravo"])
        #expect(plan.updated.map(\.name) == ["alpha"])
        #expect(plan.deleted.map(\.name) == ["extra"])
        #expect(plan.groupsCreated == ["team-a"])
        #expect(world.target.secretCount == 2)
        let applied = try world.run { [options] in
            try await Reconciler(options: options).apply(desired, target: world.targetClient, clock: world.clock)
        }
        #expect(applied.changedCount == plan.changedCount)
        let contents = try world.contents(world.target)
        #expect(contents == [
            SecretKey(type: .arbitrary, name: "alpha"): .arbitrary(payload: "v1-alpha"),
            SecretKey(type: .arbitrary, name: "bravo"): .arbitrary(payload: "v1-bravo"),
        ])
        let again = try world.run { [options] in
            try await Reconciler(options: options).plan(desired, target: world.targetClient, clock: world.clock)
        }
        #expect(again.changedCount == 0)
    }

    @Test("an unreachable repository refuses reads and commits")
    func unavailable() throws {
        let world = try RecoveryWorld()
        let cloud = world.cloud
        let repository = try SourceOfTruthRepository(
            folder: world.directory.appendingPathComponent("sot"), location: .regional("us-south"), key: key,
            initial: snapshot(["a"], value: "v1"), at: Date(timeIntervalSince1970: 0)
        ) { cloud.regions["us-south"]?.isUp ?? false }
        world.cloud.failRegion("us-south")
        #expect(throws: SourceOfTruthRepository.RepositoryError.self) { try repository.state() }
        #expect(throws: SourceOfTruthRepository.RepositoryError.self) {
            try repository.commit(upserts: [], at: Date(timeIntervalSince1970: 1))
        }
    }
}
