import Crypto
import Foundation
import GRDB
import SecretsManager

/// One entry of the evidence history.
public struct EvidenceRecord: Codable, Sendable, Hashable {
    /// The row's place in the chain, from 1.
    public var sequence: Int64
    /// Wall-clock time of recording, RFC 3339 (SOURCE_DATE_EPOCH when set).
    public var recordedAt: String
    /// `drill` or `check`.
    public var kind: String
    /// The scenario's name, or the plan's.
    public var subject: String
    public var toolVersion: String
    /// SHA-256 of the scenario or plan file.
    public var inputSHA256: String
    public var seed: UInt64?
    public var passed: Bool
    /// The result as JSON (a drill result, a compliance result).
    public var resultJSON: String
    /// SHA-256 of each report written with this result, by file name.
    public var reports: [String: String]
    public var previousHash: String
    public var hash: String
    /// HMAC-SHA256 of `hash` with the evidence key, when one was set.
    public var signature: String?

    enum CodingKeys: String, CodingKey {
        case sequence, kind, subject, seed, passed, reports, hash, signature
        case recordedAt = "recorded_at"
        case toolVersion = "tool_version"
        case inputSHA256 = "input_sha256"
        case resultJSON = "result_json"
        case previousHash = "previous_hash"
    }
}

/// What to append: the record without its place in the chain.
public struct EvidenceEntry: Sendable {
    public var recordedAt: String
    public var kind: String
    public var subject: String
    public var toolVersion: String
    public var inputSHA256: String
    public var seed: UInt64?
    public var passed: Bool
    public var resultJSON: String
    public var reports: [String: String]

    public init(
        recordedAt: String, kind: String, subject: String, toolVersion: String, inputSHA256: String, seed: UInt64?,
        passed: Bool, resultJSON: String, reports: [String: String]
    ) {
        self.recordedAt = recordedAt
        self.kind = kind
        self.subject = subject
        self.toolVersion = toolVersion
        self.inputSHA256 = inputSHA256
        self.seed = seed
        self.passed = passed
        self.resultJSON = resultJSON
        self.reports = reports
    }
}

/// Why the evidence store refused something.
public enum EvidenceError: Error, Sendable, CustomStringConvertible, Equatable {
    case notAnEvidenceStore(String)
    case damaged(String)

    public var description: String {
        switch self {
        case .notAnEvidenceStore(let reason): "not a smdrill evidence database: \(reason); it was left untouched"
        case .damaged(let reason): "the evidence database is damaged: \(reason); it was left untouched"
        }
    }
}

/// The result of checking the chain.
public enum EvidenceVerdict: Sendable, Equatable, CustomStringConvertible {
    case intact(rows: Int)
    /// The first row that fails, and how.
    case broken(sequence: Int64, reason: String)

    public var description: String {
        switch self {
        case .intact(let rows): "the evidence chain of \(rows) rows is intact"
        case .broken(let sequence, let reason): "row \(sequence) \(reason)"
        }
    }
}

/// The tamper-evident history of drills and checks: an append-only SQLite table (GRDB) whose rows are hash-
/// chained (each row's hash covers the previous row's hash and the row) and, when `SMDRILL_EVIDENCE_KEY` is
/// set, signed with an HMAC. A database that is not one of these is reported, never changed.
public final class EvidenceStore: @unchecked Sendable {
    public static let format = "smdrill-evidence"
    public static let formatVersion = 1

    public let path: String
    private let queue: DatabaseQueue
    private let key: SymmetricKey?

    /// Opens (creating when missing) the store at `path`.
    public init(path: String, signingKey: String? = ProcessInfo.processInfo.environment["SMDRILL_EVIDENCE_KEY"]) throws {
        self.path = path
        key = signingKey.flatMap { $0.isEmpty ? nil : SymmetricKey(data: Data($0.utf8)) }
        let exists = FileManager.default.fileExists(atPath: path)
        if exists {
            // Refuse anything that is not SQLite before GRDB opens it (opening may write a journal).
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw EvidenceError.notAnEvidenceStore("\(path) cannot be read")
            }
            let header = (try? handle.read(upToCount: 16)) ?? Data()
            try? handle.close()
            guard header.isEmpty || header.starts(with: Data("SQLite format 3\0".utf8)) else {
                throw EvidenceError.notAnEvidenceStore("\(path) is not an SQLite database")
            }
        } else {
            try FileManager.default.createDirectory(
                at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        }
        if exists { try Self.inspect(path) }
        var configuration = Configuration()
        configuration.journalMode = .wal
        // Two runs appending at once wait for each other instead of failing.
        configuration.busyMode = .timeout(30)
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try Self.migrator.migrate(queue)
        } catch {
            throw EvidenceError.damaged("\(path): \(error)")
        }
    }

    /// Looks at an existing file read-only, so that a foreign or damaged database is refused before anything
    /// (a journal mode, a migration) could change it.
    private static func inspect(_ path: String) throws {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(30)
        do {
            let reader = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? reader.close() }
            try reader.read { db in
                let check = try String.fetchOne(db, sql: "PRAGMA quick_check")
                guard check == "ok" else { throw EvidenceError.damaged("\(path): \(check ?? "quick_check failed")") }
                let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
                if tables.isEmpty { return }
                let foreign = tables.filter { !["store_info", "evidence", "grdb_migrations"].contains($0) }
                guard foreign.isEmpty, tables.contains("store_info") else {
                    throw EvidenceError.notAnEvidenceStore(
                        "\(path) holds tables of another program (\(tables.sorted().joined(separator: ", ")))")
                }
                let format = try String.fetchOne(db, sql: "SELECT value FROM store_info WHERE key = 'format'")
                guard format == "\(Self.format) \(Self.formatVersion)" else {
                    throw EvidenceError.notAnEvidenceStore("its format is '\(format ?? "unknown")'")
                }
            }
        } catch let error as EvidenceError {
            throw error
        } catch {
            throw EvidenceError.damaged("\(path): \(error)")
        }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-evidence") { db in
            try db.execute(
                sql: """
                    CREATE TABLE store_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                    CREATE TABLE evidence (
                        sequence INTEGER PRIMARY KEY, recorded_at TEXT NOT NULL, kind TEXT NOT NULL,
                        subject TEXT NOT NULL, tool_version TEXT NOT NULL, input_sha256 TEXT NOT NULL, seed TEXT,
                        passed INTEGER NOT NULL, result_json TEXT NOT NULL, reports_json TEXT NOT NULL,
                        previous_hash TEXT NOT NULL, hash TEXT NOT NULL, signature TEXT);
                    """)
            try db.execute(
                sql: "INSERT INTO store_info (key, value) VALUES ('format', ?)",
                arguments: ["\(Self.format) \(Self.formatVersion)"])
        }
        return migrator
    }

    /// The hash of the chain before any row.
    public static let genesis = String(repeating: "0", count: 64)

    /// Appends entries in one transaction, chained after the last row; answers the records written.
    @discardableResult
    public func append(_ entries: [EvidenceEntry]) throws -> [EvidenceRecord] {
        // IMMEDIATE: the write lock is taken before the last hash is read, so concurrent runs chain in turn.
        try queue.writeWithoutTransaction { db in
            var written: [EvidenceRecord] = []
            try db.inTransaction(.immediate) {
                written = try appendRows(entries, db)
                return .commit
            }
            return written
        }
    }

    private func appendRows(_ entries: [EvidenceEntry], _ db: Database) throws -> [EvidenceRecord] {
        let last = try db.cachedStatement(sql: "SELECT sequence, hash FROM evidence ORDER BY sequence DESC LIMIT 1")
        var previous =
            try Row.fetchOne(last).map { (($0[0] as Int64?) ?? 0, ($0[1] as String?) ?? Self.genesis) } ?? (0, Self.genesis)
        var written: [EvidenceRecord] = []
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO evidence (sequence, recorded_at, kind, subject, tool_version, input_sha256, seed, passed,
                    result_json, reports_json, previous_hash, hash, signature)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for entry in entries {
            var record = EvidenceRecord(
                sequence: previous.0 + 1, recordedAt: entry.recordedAt, kind: entry.kind, subject: entry.subject,
                toolVersion: entry.toolVersion, inputSHA256: entry.inputSHA256, seed: entry.seed, passed: entry.passed,
                resultJSON: entry.resultJSON, reports: entry.reports, previousHash: previous.1, hash: "", signature: nil)
            let reportsText = Self.reportsJSON(record.reports)
            record.hash = Self.hash(record, reportsJSON: reportsText)
            record.signature = key.map { Self.signature(record.hash, key: $0) }
            try statement.execute(arguments: [
                record.sequence, record.recordedAt, record.kind, record.subject, record.toolVersion,
                record.inputSHA256, record.seed.map(String.init), record.passed, record.resultJSON,
                reportsText, record.previousHash, record.hash, record.signature,
            ])
            written.append(record)
            previous = (record.sequence, record.hash)
        }
        // The head of the chain, so that deleting the last rows is noticed too.
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO store_info (key, value) VALUES ('head', ?)")
            .execute(arguments: ["\(previous.0) \(previous.1)"])
        return written
    }

    /// Every record, in chain order (optionally of one subject, or since a time).
    public func records(subject: String? = nil, since: String? = nil) throws -> [EvidenceRecord] {
        try queue.read { db in
            var sql = "SELECT \(Self.columns) FROM evidence"
            var conditions: [String] = []
            var arguments: [(any DatabaseValueConvertible)?] = []
            if let subject {
                conditions.append("subject = ?")
                arguments.append(subject)
            }
            if let since {
                conditions.append("recorded_at >= ?")
                arguments.append(since)
            }
            if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
            sql += " ORDER BY sequence"
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { Self.record($0).record }
        }
    }

    /// Walks the chain: every row's hash, its link to the row before, the sequence without gaps, and the
    /// signature when a key is set. Answers the first row that fails.
    public func verify() throws -> EvidenceVerdict {
        try queue.read { db in try verify(db) }
    }

    private func verify(_ db: Database) throws -> EvidenceVerdict {
        let head = try String.fetchOne(db, sql: "SELECT value FROM store_info WHERE key = 'head'")
        let rows = try Row.fetchCursor(db, sql: "SELECT \(Self.columns) FROM evidence ORDER BY rowid")
        var previousHash = Self.genesis
        var expected: Int64 = 1
        var count = 0
        while let row = try rows.next() {
            count += 1
            let (record, reportsText) = Self.record(row, decodingReports: false)
            guard record.sequence == expected else {
                return record.sequence > expected
                    ? .broken(sequence: expected, reason: "is missing: it was deleted (the next row is \(record.sequence))")
                    : .broken(sequence: record.sequence, reason: "is out of order: it comes after row \(expected - 1)")
            }
            guard record.previousHash == previousHash else {
                return .broken(sequence: record.sequence, reason: "does not follow the row before it: rows were deleted or reordered")
            }
            guard Self.hash(record, reportsJSON: reportsText) == record.hash else {
                return .broken(sequence: record.sequence, reason: "was edited: its content no longer matches its hash")
            }
            if let key {
                guard let signature = record.signature, signature == Self.signature(record.hash, key: key) else {
                    return .broken(sequence: record.sequence, reason: "is not signed with the evidence key")
                }
            }
            previousHash = record.hash
            expected += 1
        }
        let recordedHead = head ?? "0 \(Self.genesis)"
        guard recordedHead == "\(expected - 1) \(previousHash)" else {
            let claimed = Int64(recordedHead.split(separator: " ").first ?? "") ?? 0
            return claimed > expected - 1
                ? .broken(sequence: expected, reason: "is missing: the chain ended at row \(claimed) but rows after \(expected - 1) were deleted")
                : .broken(sequence: max(expected - 1, 1), reason: "does not match the recorded head of the chain")
        }
        return .intact(rows: count)
    }

    /// The columns every read selects, in the order ``record(_:decodingReports:)`` reads them.
    static let columns =
        "sequence, recorded_at, kind, subject, tool_version, input_sha256, seed, passed, result_json, reports_json, previous_hash, hash, signature"

    /// Reads a row leniently: a field an editor emptied or retyped reads as a value whose hash cannot match.
    /// Answers the stored reports JSON as written too, which is what the hash covers.
    static func record(_ row: Row, decodingReports: Bool = true) -> (record: EvidenceRecord, reportsJSON: String) {
        func text(_ index: Int) -> String {
            let value: DatabaseValue = row[index]
            switch value.storage {
            case .null: return ""
            case .string(let text): return text
            case .int64(let number): return String(number)
            case .double(let number): return String(number)
            case .blob(let data): return String(decoding: data, as: UTF8.self)
            }
        }
        let reportsText = text(9)
        let signature = text(12)
        let reports =
            decodingReports
            ? (try? JSONDecoder().decode([String: String].self, from: Data(reportsText.utf8))) ?? [:] : [:]
        let record = EvidenceRecord(
            sequence: Int64(text(0)) ?? 0, recordedAt: text(1), kind: text(2), subject: text(3), toolVersion: text(4),
            inputSHA256: text(5), seed: UInt64(text(6)), passed: text(7) == "1", resultJSON: text(8), reports: reports,
            previousHash: text(10), hash: text(11), signature: signature.isEmpty ? nil : signature)
        return (record, reportsText)
    }

    /// The reports map as canonical JSON (sorted keys): what is stored and hashed.
    static func reportsJSON(_ reports: [String: String]) -> String {
        CanonicalJSON.string(.object(reports.mapValues { .string($0) }))
    }

    /// SHA-256 over the previous hash and every field of the row, each length-prefixed.
    static func hash(_ record: EvidenceRecord, reportsJSON: String) -> String {
        var hasher = SHA256()
        for field in [
            record.previousHash, String(record.sequence), record.recordedAt, record.kind, record.subject,
            record.toolVersion, record.inputSHA256, record.seed.map(String.init) ?? "", record.passed ? "1" : "0",
            record.resultJSON, reportsJSON,
        ] {
            var field = field
            field.withUTF8 { bytes in
                withUnsafeBytes(of: UInt64(bytes.count).bigEndian) { hasher.update(bufferPointer: $0) }
                hasher.update(bufferPointer: UnsafeRawBufferPointer(bytes))
            }
        }
        return Hex.encode(hasher.finalize())
    }

    /// SHA-256 of a record as it would be stored.
    static func hash(_ record: EvidenceRecord) -> String { hash(record, reportsJSON: reportsJSON(record.reports)) }

    static func signature(_ hash: String, key: SymmetricKey) -> String {
        Hex.encode(HMAC<SHA256>.authenticationCode(for: Data(hash.utf8), using: key))
    }
}
