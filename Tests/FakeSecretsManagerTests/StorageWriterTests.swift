import Foundation
import GRDB
import SecretsManager
import Testing

@testable import FakeSecretsManager

/// The store's writer: operations recorded on the simulation's thread, applied in order on GRDB's queue.
struct StorageWriterTests {
    @Test("everything acknowledged is in the file after a flush, in order, and reloads the same")
    func orderAndReload() throws {
        let world = try TestWorld()
        // More operations than a shipment and a group, so several of each are in flight.
        var ids: [String] = []
        for index in 0..<(InstanceStore.groupLimit + 3 * InstanceStore.shipmentSize + 5) {
            let id = try world.arbitrary("s-\(index)", "first-\(index)").id
            if index % 3 == 0 {
                _ = try world.instance.createSecretVersion(
                    secretID: id, SecretVersionPrototype(data: .arbitrary(payload: SecretPayload("second-\(index)"))),
                    by: world.manager)
            }
            ids.append(id)
        }
        try world.instance.store.flush()
        let counts = try DatabaseQueue(path: world.instance.databasePath).read { db in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM secrets") ?? 0,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM secret_versions") ?? 0,
                try Int64.fetchAll(db, sql: "SELECT key FROM secrets ORDER BY rowid")
            )
        }
        #expect(counts.0 == ids.count)
        #expect(counts.1 == ids.count + (ids.count + 2) / 3)
        #expect(counts.2 == Array(1...Int64(ids.count)), "keys are given out in order, with no gaps")

        try world.instance.reloadFromStorage()
        #expect(world.instance.secretIDs == ids)
        for (index, id) in ids.enumerated() {
            let expected = index % 3 == 0 ? "second-\(index)" : "first-\(index)"
            #expect(try world.instance.getSecret(id: id, by: world.manager).data == .arbitrary(payload: SecretPayload(expected)))
        }
        // New rows continue after the largest key in the file.
        let later = try world.arbitrary("after-reload", "x")
        try world.instance.store.flush()
        let key = try DatabaseQueue(path: world.instance.databasePath).read { db in
            try Int64.fetchOne(db, sql: "SELECT key FROM secrets WHERE id = ?", arguments: [later.id])
        }
        #expect(key == Int64(ids.count + 1))
    }

    @Test("new secrets' keys start after every key in the file, an orphan version's secret key included")
    func keysAfterOrphans() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("smdrill-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("state.sqlite").path
        let first = try InstanceStore(path: path)
        #expect(first.keys.nextSecret == 1 && first.keys.nextVersion == 1)
        first.close()
        // A version row whose secret row never landed (damage, an unapplied write).
        try DatabaseQueue(path: path).write { db in
            try db.execute(
                sql: """
                    INSERT INTO secret_versions (key, secret_key, sequence, id, created_by, created_at, auto_rotated,
                        custom_metadata, attributes, downloaded, checksum)
                    VALUES (7, 41, 1, 'v', 'p', 0, 0, '{}', '{}', 0, x'00')
                    """)
        }
        let reopened = try InstanceStore(path: path)
        defer { reopened.close() }
        #expect(reopened.keys.nextSecret == 42, "a new secret must not adopt the orphan version")
        #expect(reopened.keys.nextVersion == 8)
    }

    @Test("a write the writer cannot apply fails the flush and every later write with 503, until a reopen")
    func writerFailure() throws {
        let world = try TestWorld()
        let id = try world.arbitrary("kept", "v1").id
        try world.instance.store.flush()
        // Another connection takes the versions table away between two operations.
        try DatabaseQueue(path: world.instance.databasePath).write { db in
            try db.execute(sql: "DROP TABLE secret_versions")
        }
        // Acknowledged before the failing write, in the same open group: it must still reach the file.
        _ = try world.instance.updateSecretMetadata(
            id: id, SecretMetadataPatch(description: "before the failure"), by: world.manager)
        // Recorded and acknowledged; the writer fails to apply it.
        _ = try world.instance.createSecretVersion(
            secretID: id, SecretVersionPrototype(data: .arbitrary(payload: SecretPayload("v2"))), by: world.manager)
        #expect(throws: InstanceStore.StoreError.self) { try world.instance.store.flush() }
        // Not only the first flush: nothing may copy or check the file as if the write had landed.
        #expect(throws: InstanceStore.StoreError.self) { try world.instance.store.flush() }
        #expect(throws: InstanceStore.StoreError.self) {
            try world.instance.store.backup(to: world.directory.appendingPathComponent("copy.sqlite").path)
        }
        let committed = try DatabaseQueue(path: world.instance.databasePath).read { db in
            try String.fetchOne(db, sql: "SELECT description FROM secrets WHERE id = ?", arguments: [id])
        }
        #expect(committed == "before the failure", "what was applied before the failure is committed")
        do {
            _ = try world.arbitrary("refused", "v")
            Issue.record("a write after a failed one was accepted")
        } catch let error as SecretsManagerError {
            #expect(error.status == 503)
            #expect(error.description.contains("failed a write"))
        }
    }

    /// `count` secrets, each rotated once (two versions with data), by id.
    static func rotatedSecrets(_ count: Int, in world: TestWorld) throws -> [String] {
        try (0..<count).map { index in
            let id = try world.arbitrary("s-\(index)", "first-\(index)").id
            try rotate(id, to: "second-\(index)", in: world)
            return id
        }
    }

    /// Rotates a secret to a new arbitrary value.
    static func rotate(_ id: String, to value: String, in world: TestWorld) throws {
        _ = try world.instance.createSecretVersion(
            secretID: id, SecretVersionPrototype(data: .arbitrary(payload: SecretPayload(value))), by: world.manager)
    }

    @Test("retrieval stamps reach the file in batches, reload as written, and stay outside the row checksum")
    func retrievalStamps() throws {
        let world = try TestWorld()
        // Half of them read: more secrets pending than one stamp operation holds.
        let ids = try Self.rotatedSecrets(2 * ServiceInstance.stampsPerOperation + 20, in: world)
        world.cloud.scheduler.run(until: .init(.seconds(42)))
        // Every other secret is read: its secret row and current version are stamped, its previous is not.
        let read = ids.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        for id in read { _ = try world.instance.getSecret(id: id, by: world.manager) }
        try world.instance.flushRetrievals()
        try world.instance.reloadFromStorage()

        let readSet = Set(read)
        for id in ids {
            let metadata = try world.instance.getSecretMetadata(id: id, by: world.manager)
            let current = try world.instance.getSecretVersionMetadata(secretID: id, version: .current, by: world.manager)
            let previous = try world.instance.getSecretVersionMetadata(secretID: id, version: .previous, by: world.manager)
            if readSet.contains(id) {
                #expect(metadata.downloaded && metadata.retrievedAt == world.cloud.date(.init(.seconds(42))))
                #expect(current.downloaded)
            } else {
                #expect(!metadata.downloaded && metadata.retrievedAt == nil)
                #expect(!current.downloaded)
            }
            #expect(!previous.downloaded)
        }

        // The checksum still covers the rest of the row: a changed description is detected, a changed stamp is
        // taken as written.
        try world.instance.store.flush()
        try DatabaseQueue(path: world.instance.databasePath).write { db in
            try db.execute(sql: "UPDATE secrets SET description = 'tampered' WHERE id = ?", arguments: [ids[0]])
            try db.execute(sql: "UPDATE secrets SET retrieved_at = 0 WHERE id = ?", arguments: [ids[1]])
        }
        try world.instance.reloadFromStorage()
        #expect(throws: SecretsManagerError.self) { try world.instance.getSecretMetadata(id: ids[0], by: world.manager) }
        let stamped = try world.instance.getSecretMetadata(id: ids[1], by: world.manager)
        #expect(stamped.retrievedAt == Date(timeIntervalSince1970: 0))
    }

    @Test("a secret read, then changed, still has its version's downloaded flag written", arguments: [false, true])
    func stampsAfterChange(shippedFirst: Bool) throws {
        let world = try TestWorld()
        let id = try Self.rotatedSecrets(1, in: world)[0]
        // Handed to the writer first, the stamps wait for a flush; otherwise they go into the pending rows.
        if shippedFirst { try world.instance.store.flush() }
        _ = try world.instance.getSecret(id: id, by: world.manager)
        #expect(world.instance.unsavedRetrievals.map(\.id) == (shippedFirst ? [id] : []))
        _ = try world.instance.updateSecretMetadata(id: id, SecretMetadataPatch(description: "changed"), by: world.manager)
        try world.instance.flushRetrievals()
        try world.instance.reloadFromStorage()
        #expect(try world.instance.getSecretMetadata(id: id, by: world.manager).description == "changed")
        #expect(try world.instance.getSecretVersionMetadata(secretID: id, version: .current, by: world.manager).downloaded)
    }

    @Test("a secret read back before its rows are handed to the writer has its stamps written in them, else later")
    func stampsAbsorbed() throws {
        let world = try TestWorld()
        let shipped = try Self.rotatedSecrets(1, in: world)[0]
        try world.instance.store.flush()
        // Created and rotated (two operations), not yet handed over: fewer than a shipment.
        let pending = try world.arbitrary("pending", "v1").id
        try Self.rotate(pending, to: "v2", in: world)
        let created = try world.arbitrary("created-only", "v1").id
        world.cloud.scheduler.run(until: .init(.seconds(42)))
        for id in [shipped, pending, created] { _ = try world.instance.getSecret(id: id, by: world.manager) }
        #expect(world.instance.unsavedRetrievals.map(\.id) == [shipped], "only the handed-over secret waits for a stamp")

        // Read again later: the pending rows take the newer stamp.
        world.cloud.scheduler.run(until: .init(.seconds(50)))
        _ = try world.instance.getSecret(id: pending, by: world.manager)
        #expect(world.instance.unsavedRetrievals.map(\.id) == [shipped])

        // Its rows handed over, a rotation pending and read: its earlier version's flag is not in the pending
        // rows, so the stamp waits for a flush.
        try world.instance.store.flush()
        try Self.rotate(created, to: "v2", in: world)
        _ = try world.instance.getSecret(id: created, by: world.manager)
        #expect(world.instance.unsavedRetrievals.map(\.id) == [shipped, created])

        try world.instance.flushRetrievals()
        try world.instance.store.flush()
        let rows = try DatabaseQueue(path: world.instance.databasePath).read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT s.id, s.retrieved_at, s.downloaded, v.sequence, v.downloaded FROM secrets s
                    JOIN secret_versions v ON v.secret_key = s.key ORDER BY s.key, v.sequence
                    """
            ).map { row -> String in
                let id: String = row[0]
                let stamp: Int64? = row[1]
                let downloaded: Bool = row[2]
                let sequence: Int = row[3]
                let versionDownloaded: Bool = row[4]
                let name = id == shipped ? "shipped" : id == pending ? "pending" : "created"
                return "\(name) \(stamp.map(String.init) ?? "nil") \(downloaded) v\(sequence) \(versionDownloaded)"
            }
        }
        let base = Int64(world.cloud.date(.init(.seconds(0))).timeIntervalSince1970 * 1000)
        #expect(
            rows == [
                "shipped \(base + 42_000) true v1 false", "shipped \(base + 42_000) true v2 true",
                "pending \(base + 50_000) true v1 false", "pending \(base + 50_000) true v2 true",
                "created \(base + 50_000) true v1 true", "created \(base + 50_000) true v2 true",
            ])
        // The rows still pass their checksums, and reload as written.
        try world.instance.reloadFromStorage()
        for id in [shipped, pending, created] {
            let metadata = try world.instance.getSecretMetadata(id: id, by: world.manager)
            #expect(metadata.downloaded)
            #expect(try world.instance.getSecretVersionMetadata(secretID: id, version: .current, by: world.manager).downloaded)
        }
    }

    @Test("a read whose stamps a pending stamp update would overwrite is not written into the pending rows")
    func stampsAfterPendingStampUpdate() throws {
        let world = try TestWorld()
        let id = try Self.rotatedSecrets(1, in: world)[0]
        try world.instance.store.flush()
        world.cloud.scheduler.run(until: .init(.seconds(10)))
        _ = try world.instance.getSecret(id: id, by: world.manager)
        // The secret's row and every version with data pending again: new metadata, two rotations (the version
        // read is stripped of its data).
        _ = try world.instance.updateSecretMetadata(id: id, SecretMetadataPatch(description: "changed"), by: world.manager)
        for value in ["v3", "v4"] { try Self.rotate(id, to: value, in: world) }
        // The stamps of the first read, queued after those rows and not yet handed over.
        try world.instance.flushRetrievals()
        world.cloud.scheduler.run(until: .init(.seconds(20)))
        _ = try world.instance.getSecret(id: id, by: world.manager)
        #expect(world.instance.unsavedRetrievals.map(\.id) == [id], "the later read waits for a flush of its own")
        try world.instance.flushRetrievals()
        try world.instance.reloadFromStorage()
        #expect(try world.instance.getSecretMetadata(id: id, by: world.manager).retrievedAt == world.cloud.date(.init(.seconds(20))))
    }

    @Test("a file whose checksums still cover the retrieval stamps is migrated; a row that fails them stays refused")
    func stampsMigration() throws {
        let world = try TestWorld()
        let ids = try Self.rotatedSecrets(4, in: world)
        world.cloud.scheduler.run(until: .init(.seconds(7)))
        _ = try world.instance.getSecret(id: ids[1], by: world.manager)
        try world.instance.flushRetrievals()
        world.instance.store.close()

        // Make it a version 1 file: checksums over every column but the key, stamps included, in the old order.
        let path = world.instance.databasePath
        try DatabaseQueue(path: path).write { db in
            let secretColumns = """
                id, secret_type, name, secret_group_id, description, labels, custom_metadata, attributes, rotation,
                expiration_date, created_by, created_at, updated_at, retrieved_at, downloaded, state, next_sequence
                """
            let versionColumns = """
                secret_key, sequence, id, created_by, created_at, auto_rotated, custom_metadata, attributes,
                expiration_date, downloaded, root_key_id, wrapped_key, nonce, ciphertext
                """
            for (table, columns) in [("secrets", secretColumns), ("secret_versions", versionColumns)] {
                let count = columns.split(separator: ",").count
                for row in try Row.fetchAll(db, sql: "SELECT \(columns), key FROM \(table)") {
                    let values = (0..<count).map { row[$0] as DatabaseValue }
                    try db.execute(
                        sql: "UPDATE \(table) SET checksum = ? WHERE key = ?",
                        arguments: [Checksums.of(values), row[count] as DatabaseValue])
                }
            }
            // One row damaged before the migration.
            try db.execute(sql: "UPDATE secrets SET checksum = x'00' WHERE id = ?", arguments: [ids[3]])
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v2-retrieval-stamps-outside-checksums'")
        }

        let reopened = try InstanceStore(path: path)
        defer { reopened.close() }
        let state = try reopened.load()
        let byID = Dictionary(uniqueKeysWithValues: state.secrets.map { ($0.id, $0) })
        for id in ids.prefix(3) {
            #expect(byID[id]?.integrityFailure == nil)
            #expect(byID[id]?.versions.count == 2)
            #expect(byID[id]?.versions.allSatisfy { $0.integrityFailure == nil } == true)
        }
        #expect(byID[ids[3]]?.integrityFailure != nil, "a row that failed its old checksum is still refused")
        #expect(byID[ids[1]]?.downloaded == true)
        #expect(byID[ids[1]]?.retrievedAt == world.cloud.date(.init(.seconds(7))))
        #expect(byID[ids[1]]?.versions.last?.downloaded == true)
        #expect(byID[ids[0]]?.downloaded == false)
    }
}
