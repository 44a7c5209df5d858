import Foundation
import GRDB
import Synchronization
import Testing

@testable import Reporting

struct EvidenceStoreTests {
    static func entry(_ subject: String, passed: Bool = true) -> EvidenceEntry {
        EvidenceEntry(
            recordedAt: "2026-11-27T12:00:00Z", kind: "drill", subject: subject, toolVersion: "0.1.0",
            inputSHA256: String(repeating: "0", count: 64), seed: 7, passed: passed,
            resultJSON: "{\"scenario\":\"\(subject)\"}", reports: ["junit.xml": "abc"])
    }

    /// A store of `rows` rows in a new folder.
    static func store(rows: Int, key: String? = nil) throws -> (URL, EvidenceStore) {
        let folder = try Fixtures.temporaryFolder()
        let store = try EvidenceStore(path: folder.appendingPathComponent("evidence.sqlite").path, signingKey: key)
        try store.append((1...max(1, rows)).map { entry("drill-\($0)") })
        return (folder, store)
    }

    /// Changes the database behind the store's back, as a tamperer would.
    static func tamper(_ store: EvidenceStore, _ sql: String) throws {
        let queue = try DatabaseQueue(path: store.path)
        try queue.write { try $0.execute(sql: sql) }
        try queue.close()
    }

    @Test("appended rows chain and verify")
    func intact() throws {
        let (folder, store) = try Self.store(rows: 5)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try store.verify() == .intact(rows: 5))
        let records = try store.records()
        #expect(records.map(\.sequence) == [1, 2, 3, 4, 5])
        #expect(records[0].previousHash == EvidenceStore.genesis)
        for (earlier, later) in zip(records, records.dropFirst()) { #expect(later.previousHash == earlier.hash) }
        #expect(try store.records(subject: "drill-3").map(\.sequence) == [3])
        // A store opened again continues the chain.
        let reopened = try EvidenceStore(path: store.path, signingKey: nil)
        try reopened.append([Self.entry("drill-6")])
        #expect(try reopened.verify() == .intact(rows: 6))
    }

    @Test("editing any field of any row is found and the row named", arguments: [
        "subject = 'edited'", "passed = 0", "result_json = '{}'", "recorded_at = '2020-01-01T00:00:00Z'",
        "seed = '8'", "reports_json = '{}'", "tool_version = NULL", "hash = 'x'", "input_sha256 = 'y'",
    ])
    func edited(assignment: String) throws {
        let (folder, store) = try Self.store(rows: 5)
        defer { try? FileManager.default.removeItem(at: folder) }
        try? Self.tamper(store, "UPDATE evidence SET \(assignment) WHERE sequence = 3")
        let verdict = try store.verify()
        guard case .broken(let sequence, _) = verdict else {
            // A NOT NULL column refuses NULL: nothing changed, and the chain must still hold.
            #expect(assignment.contains("NULL"))
            #expect(verdict == .intact(rows: 5))
            return
        }
        #expect(sequence == 3)
    }

    @Test("a deleted row in the middle is named")
    func deletedMiddle() throws {
        let (folder, store) = try Self.store(rows: 5)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.tamper(store, "DELETE FROM evidence WHERE sequence = 2")
        guard case .broken(let sequence, let reason) = try store.verify() else {
            Issue.record("deletion not found")
            return
        }
        #expect(sequence == 2)
        #expect(reason.contains("deleted"))
    }

    @Test("deleting the last rows is found from the recorded head")
    func deletedLast() throws {
        let (folder, store) = try Self.store(rows: 5)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.tamper(store, "DELETE FROM evidence WHERE sequence >= 4")
        guard case .broken(let sequence, let reason) = try store.verify() else {
            Issue.record("deletion not found")
            return
        }
        #expect(sequence == 4)
        #expect(reason.contains("deleted"))
    }

    @Test("reordered rows are found")
    func reordered() throws {
        let (folder, store) = try Self.store(rows: 5)
        defer { try? FileManager.default.removeItem(at: folder) }
        // Swap rows 2 and 3, renumbering them so the sequence looks whole.
        try Self.tamper(
            store,
            """
            UPDATE evidence SET sequence = -2 WHERE sequence = 2;
            UPDATE evidence SET sequence = 2 WHERE sequence = 3;
            UPDATE evidence SET sequence = 3 WHERE sequence = -2;
            """)
        guard case .broken(let sequence, _) = try store.verify() else {
            Issue.record("reordering not found")
            return
        }
        #expect(sequence == 2 || sequence == 3)
    }

    @Test("with a key, rows are signed; a rebuilt chain without the key does not verify")
    func signed() throws {
        let (folder, store) = try Self.store(rows: 3, key: "evidence-key")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try store.verify() == .intact(rows: 3))
        #expect(try store.records().allSatisfy { $0.signature?.count == 64 })
        let wrongKey = try EvidenceStore(path: store.path, signingKey: "another-key")
        #expect(try wrongKey.verify() == .broken(sequence: 1, reason: "is not signed with the evidence key"))
        // Someone without the key rewrites the last row and recomputes its hash and the head: the signature
        // gives it away.
        var record = try #require(try store.records().last)
        record.passed = false
        let hash = EvidenceStore.hash(record)
        try Self.tamper(
            store,
            "UPDATE evidence SET passed = 0, hash = '\(hash)' WHERE sequence = 3; UPDATE store_info SET value = '3 \(hash)' WHERE key = 'head'")
        #expect(try store.verify() == .broken(sequence: 3, reason: "is not signed with the evidence key"))
    }

    @Test("a database of another program is refused and left byte for byte as it was")
    func foreign() throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("other.sqlite").path
        let other = try DatabaseQueue(path: path)
        try other.write { try $0.execute(sql: "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices VALUES (1, 9.5)") }
        try other.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect {
            _ = try EvidenceStore(path: path, signingKey: nil)
        } throws: { error in
            guard case EvidenceError.notAnEvidenceStore(let reason) = error else { return false }
            return reason.contains("invoices")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test("a file that is not SQLite, or a damaged database, is refused and left as it was")
    func damaged() throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = folder.appendingPathComponent("notes.sqlite")
        try Data("these are notes, not a database\n".utf8).write(to: text)
        #expect(throws: EvidenceError.self) { _ = try EvidenceStore(path: text.path, signingKey: nil) }
        #expect(try String(contentsOf: text, encoding: .utf8) == "these are notes, not a database\n")

        // A real store whose pages are overwritten in the middle.
        let (storeFolder, store) = try Self.store(rows: 200)
        defer { try? FileManager.default.removeItem(at: storeFolder) }
        let path = store.path
        let checkpoint = try DatabaseQueue(path: path)
        try checkpoint.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try checkpoint.close()
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(bytes.count > 8192)
        for index in 4096..<min(bytes.count, 4096 * 6) { bytes[index] = UInt8(truncatingIfNeeded: index &* 31) }
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect(throws: EvidenceError.self) { _ = try EvidenceStore(path: path, signingKey: nil) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
    }

    @Test("two writers appending at once both land, each in its own order, and the chain holds")
    func concurrentAppends() throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("evidence.sqlite").path
        _ = try EvidenceStore(path: path, signingKey: nil)
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { writer in
            do {
                let store = try EvidenceStore(path: path, signingKey: nil)
                for index in 0..<40 { try store.append([Self.entry("writer-\(writer)-\(index)")]) }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        let store = try EvidenceStore(path: path, signingKey: nil)
        #expect(try store.verify() == .intact(rows: 80))
        let subjects = try store.records().map(\.subject)
        for writer in 0..<2 {
            let mine = subjects.filter { $0.hasPrefix("writer-\(writer)-") }
            #expect(mine == (0..<40).map { "writer-\(writer)-\($0)" })
        }
    }
}
