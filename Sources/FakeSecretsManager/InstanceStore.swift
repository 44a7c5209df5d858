import DequeModule
import Foundation
import GRDB
import SecretsManager
import Synchronization

/// A service instance's regional state: one SQLite database in WAL mode, through GRDB.
///
/// Every row carries a checksum of its other columns (16 bytes, ``Checksums``) that ``load()`` verifies, so damage
/// that SQLite cannot see (bytes changed inside a page) is detected rather than served. Payloads are stored
/// sealed only (``SealedPayload``); no plaintext is written.
///
/// Rows are keyed by integers in insertion order, and found again through the keys the records in memory
/// keep: new secrets and versions append to the end of their tables instead of landing on random pages, so
/// an operation dirties as few pages as it can. Names and ids are unique because the service checks them.
///
/// Writes are committed in groups, as a database server commits concurrent transactions together: each
/// operation runs in its own savepoint (when it is more than one statement) inside a transaction that is
/// committed every ``groupLimit`` operations, and always before anything reads, copies, damages or closes
/// the file (``flush()``). Nothing outside this process looks at the file, so no failure a drill injects can
/// observe an acknowledged write that is not on disk.
///
/// The SQL runs on GRDB's writer queue, beside the simulation rather than in its way: an operation records
/// its row writes (the values, or a copy of a version record, taken on the caller's thread so later changes
/// to the records cannot leak in; the writer builds version columns and checksums) and hands them over in
/// shipments of ``shipmentSize``; the writer runs them in order.
/// Row keys are given out here, so no operation waits for an insert to learn its key. Every read, copy,
/// damage and close waits for the writer first (``flush()``). A write the writer could not apply stops it
/// (the file keeps a prefix of what was acknowledged, never a history with a hole) and fails every later
/// write and flush with ``StoreError/writeFailed(_:)``, until the store is reopened.
///
/// Thread confinement: the writer-side state (``PreparedStatements``, the group count) is touched only on
/// the writer queue; everything else only on the caller's thread; the failure crosses through a mutex.
final class InstanceStore: @unchecked Sendable {
    /// Operations per committed group.
    static let groupLimit = 256
    /// Operations handed to the writer at once.
    static let shipmentSize = 32
    /// Operations in the current group (writer queue only).
    private var groupOperations = 0

    let path: String
    private var queue: DatabaseQueue?
    /// The hot statements, prepared once per connection (writer queue only).
    private let statements = PreparedStatements()
    /// Why the database could not be opened the last time it was reopened (damage SQLite itself noticed).
    private var openFailure: String?
    /// Recorded operations not yet handed to the writer.
    private var pending: [RecordedOperation] = []
    /// Where the operations in ``pending`` write whole secret and version rows, and secrets' stamps.
    private let pendingRows = PendingRows()
    /// Whether operations were handed over since the last flush.
    private var shipped = false
    /// Shipments the writer may hold at once: the caller waits rather than queue without bound.
    private static let shipmentsInFlight = 64
    private let inFlight = DispatchSemaphore(value: shipmentsInFlight)
    /// The last shipments handed over, newest last: all the writer may not have applied yet.
    private var recentShipments = Deque<Shipment>()
    /// The first write the writer could not apply since the store was opened.
    private let failure = Mutex<String?>(nil)
    /// The next row keys to give out.
    let keys = RowKeys()

    init(path: String) throws {
        self.path = path
        queue = try Self.open(path: path)
        readKeys()
    }

    /// Opens the database again after its file changed. A file SQLite cannot open leaves the store closed,
    /// with the reason kept for ``load()`` to report.
    private func reopen() {
        do {
            queue = try Self.open(path: path)
            openFailure = nil
            failure.withLock { $0 = nil }
            readKeys()
        } catch {
            queue = nil
            openFailure = "\(error)"
        }
    }

    /// Continues the row keys after the largest in the file.
    /// A version row left by a damaged or unapplied write may name a secret key no secret row has; new secrets
    /// start after that too, so such a row can never join an unrelated secret. A file whose keys cannot be
    /// read takes no writes until it is reopened.
    private func readKeys() {
        do {
            let largest = try queue?.read { db in
                (
                    try Int64.fetchOne(
                        db,
                        sql: """
                            SELECT max(coalesce((SELECT max(key) FROM secrets), 0),
                                       coalesce((SELECT max(secret_key) FROM secret_versions), 0))
                            """) ?? 0,
                    try Int64.fetchOne(db, sql: "SELECT coalesce(max(key), 0) FROM secret_versions") ?? 0
                )
            }
            keys.nextSecret = (largest?.0 ?? 0) + 1
            keys.nextVersion = (largest?.1 ?? 0) + 1
        } catch {
            failure.withLock { $0 = "its row keys cannot be read: \(error)" }
        }
    }

    private static func open(path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.label = "smdrill.instance"
        // The group commit keeps a transaction open between operations.
        configuration.allowsUnsafeTransactions = true
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Checkpoint the WAL every 16 MiB rather than every 4 MiB: fewer, larger checkpoints.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 4096")
            // A page cache that holds a drill's state (64 MiB), and reads through a memory map.
            try db.execute(sql: "PRAGMA cache_size = -65536")
            try db.execute(sql: "PRAGMA mmap_size = 268435456")
        }
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try migrator.migrate(queue)
        return queue
    }

    /// The schema, as named migrations.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-regional-state") { db in
            try db.execute(
                sql: """
                    CREATE TABLE secret_groups (
                        id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, description TEXT,
                        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, checksum BLOB NOT NULL);
                    CREATE TABLE secrets (
                        key INTEGER PRIMARY KEY, id TEXT NOT NULL, secret_type TEXT NOT NULL, name TEXT NOT NULL,
                        secret_group_id TEXT NOT NULL, description TEXT, labels TEXT NOT NULL,
                        custom_metadata TEXT NOT NULL, attributes TEXT NOT NULL, rotation TEXT,
                        expiration_date INTEGER, created_by TEXT NOT NULL, created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL, retrieved_at INTEGER, downloaded INTEGER NOT NULL,
                        state INTEGER NOT NULL, next_sequence INTEGER NOT NULL, checksum BLOB NOT NULL);
                    CREATE TABLE secret_versions (
                        key INTEGER PRIMARY KEY, secret_key INTEGER NOT NULL, sequence INTEGER NOT NULL,
                        id TEXT NOT NULL, created_by TEXT NOT NULL, created_at INTEGER NOT NULL,
                        auto_rotated INTEGER NOT NULL, custom_metadata TEXT NOT NULL, attributes TEXT NOT NULL,
                        expiration_date INTEGER, downloaded INTEGER NOT NULL, root_key_id TEXT, wrapped_key BLOB,
                        nonce BLOB, ciphertext BLOB, checksum BLOB NOT NULL);
                    CREATE TABLE secret_locks (
                        secret_id TEXT NOT NULL, name TEXT NOT NULL, version_id TEXT NOT NULL, description TEXT,
                        attributes TEXT, created_by TEXT NOT NULL, created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL, checksum BLOB NOT NULL, PRIMARY KEY (secret_id, name)
                    ) WITHOUT ROWID;
                    CREATE TABLE configurations (
                        name TEXT PRIMARY KEY, config_type TEXT NOT NULL, created_by TEXT NOT NULL,
                        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, properties TEXT NOT NULL,
                        root_key_id TEXT, wrapped_key BLOB, nonce BLOB, ciphertext BLOB, checksum BLOB NOT NULL);
                    CREATE TABLE notifications_registration (
                        id INTEGER PRIMARY KEY CHECK (id = 1), instance_crn TEXT NOT NULL, source_name TEXT NOT NULL,
                        source_description TEXT, checksum BLOB NOT NULL);
                    """)
        }
        migrator.registerMigration("v2-retrieval-stamps-outside-checksums", migrate: restampChecksums)
        return migrator
    }

    /// Version 1 files checksummed the retrieval stamps with the rest of each secret and version row. Every
    /// row whose old checksum holds gets the checksum without them; a row whose old checksum fails stays as it
    /// is, and is refused at load as before.
    private static func restampChecksums(_ db: Database) throws {
        // `columns` in version 1's checksum order; `stamps`, the retrieval stamps' places among them.
        func rewrite(table: String, columns: String, stamps: Set<Int>) throws {
            let rows = try Row.fetchAll(db, sql: "SELECT \(columns), checksum, key FROM \(table)")
            let count = columns.split(separator: ",").count
            for row in rows {
                let values = (0..<count).map { row[$0] as DatabaseValue }
                let checksum: Data? = row[count]
                guard checksum == Checksums.of(values) else { continue }
                let kept = values.enumerated().filter { !stamps.contains($0.offset) }.map(\.element)
                try db.execute(
                    sql: "UPDATE \(table) SET checksum = ? WHERE key = ?",
                    arguments: [Checksums.of(kept), row[count + 1] as DatabaseValue])
            }
        }
        try rewrite(
            table: "secrets",
            columns: """
                id, secret_type, name, secret_group_id, description, labels, custom_metadata, attributes, rotation,
                expiration_date, created_by, created_at, updated_at, retrieved_at, downloaded, state, next_sequence
                """,
            stamps: [13, 14])
        try rewrite(
            table: "secret_versions",
            columns: """
                secret_key, sequence, id, created_by, created_at, auto_rotated, custom_metadata, attributes,
                expiration_date, downloaded, root_key_id, wrapped_key, nonce, ciphertext
                """,
            stamps: [9])
    }

    private func database() throws -> DatabaseQueue {
        guard let queue else { throw openFailure.map(StoreError.unreadable) ?? StoreError.closed }
        return queue
    }

    /// Records one operation's updates and hands them to the writer, to be applied all or none and committed
    /// with their group. Updates of more than one statement run in a savepoint; one statement needs none, as
    /// SQLite applies a statement whole or not at all. Throws when the store is closed, or when an earlier
    /// write failed.
    func write(_ updates: (StoreWriter) throws -> Void) throws {
        _ = try database()
        try checkFailure()
        let writer = StoreWriter(keys: keys, rows: pendingRows, operation: pending.count)
        let rowsBefore = pendingRows.rows.count
        do {
            try updates(writer)
        } catch {
            pendingRows.rows.removeSubrange(rowsBefore...)
            throw error
        }
        guard !writer.writes.isEmpty else { return }
        pending.append(RecordedOperation(writes: writer.writes))
        if pending.count >= Self.shipmentSize { try ship() }
    }

    /// Writes a secret's retrieval stamps (what ``StoreWriter/stampRetrieval(_:)`` would write) into the rows
    /// of operations not yet handed to the writer, when every row the stamps would update is written by one of
    /// them: a secret read back right after it was created or rotated, as a restore checks each secret it
    /// writes, then costs no update of its own. Every pending write of those rows takes the stamps, so the
    /// last one applied holds them. Answers false, changing nothing, when some row has no pending write.
    func absorbRetrieval(_ secret: SecretRecord) -> Bool {
        let rows = pendingRows.rows
        guard rows.contains(where: { $0.owner == secret.storageKey && $0.version == nil && !$0.stamps }),
            // A stamp update of the secret already pending would be applied after the rows, older stamps last.
            !rows.contains(where: { $0.owner == secret.storageKey && $0.stamps })
        else { return false }
        for index in secret.versions.indices where Self.stampsDownload(secret.versions[index]) {
            let key = secret.versions[index].storageKey
            guard rows.contains(where: { $0.owner == secret.storageKey && $0.version == key }) else { return false }
        }
        let stamps = Self.secretStamps(secret)
        for row in rows where row.owner == secret.storageKey {
            if row.stamps { continue }
            if let version = row.version {
                guard let index = secret.versions.firstIndex(where: { $0.storageKey == version }),
                    Self.stampsDownload(secret.versions[index])
                else { continue }
                pending[row.operation].writes[row.write].markDownloaded()
            } else {
                pending[row.operation].writes[row.write].replaceStamps(with: stamps)
            }
        }
        return true
    }

    /// Whether a retrieval stamp marks this version's row downloaded: it was read and still holds data.
    static func stampsDownload(_ version: VersionRecord) -> Bool { version.downloaded && version.sealed != nil }

    private func checkFailure() throws {
        if let reason = failure.withLock({ $0 }) { throw StoreError.writeFailed(reason) }
    }

    /// Hands the recorded operations to the writer queue.
    private func ship() throws {
        guard !pending.isEmpty else { return }
        let queue = try database()
        let operations = pending
        pending = []
        pendingRows.rows.removeAll(keepingCapacity: true)
        shipped = true
        if inFlight.wait(timeout: .now()) == .timedOut {
            // The writer is behind: rather than wait idle, make the sealed bytes it would make for these
            // operations.
            Self.makeSealedBytes(of: operations)
            inFlight.wait()
        }
        let shipment = Shipment(operations)
        recentShipments.append(shipment)
        if recentShipments.count > Self.shipmentsInFlight { recentShipments.removeFirst() }
        queue.asyncWriteWithoutTransaction { [self] db in
            defer { inFlight.signal() }
            // Taken out, so that they are released here when applied: freed on the thread that last touched
            // them, rather than by the caller, long after, from another core's cache.
            for operation in shipment.take() { apply(operation, db) }
        }
    }

    /// Makes the bytes of the payloads sealed for these operations' version rows, on the calling thread: the
    /// work the writer would do first when it builds the rows. Each payload's bytes are made once, by
    /// whichever thread asks first, so the caller can take on this work whenever it would otherwise wait.
    private static func makeSealedBytes(of operations: [RecordedOperation]) {
        for operation in operations {
            for case .version(_, let version, _, _, _) in operation.writes { version.sealed?.makeBytes() }
        }
    }

    /// Applies one operation on the writer queue. The first failure is kept for the caller, and nothing after
    /// it is applied, so the file holds a prefix of what was acknowledged, never a history with a hole.
    private func apply(_ operation: RecordedOperation, _ db: Database) {
        guard failure.withLock({ $0 == nil }) else { return }
        do {
            if !db.isInsideTransaction {
                try db.beginTransaction(.immediate)
                groupOperations = 0
            }
            if operation.writes.count == 1 {
                try run(operation.writes[0], db)
            } else {
                try db.run(statements.statement(.savepoint, db), [])
                do {
                    for write in operation.writes { try run(write, db) }
                } catch {
                    // The savepoint is gone when SQLite rolled the whole transaction back; the first error is
                    // the one to report either way.
                    try? db.run(statements.statement(.rollbackToSavepoint, db), [])
                    try? db.run(statements.statement(.releaseSavepoint, db), [])
                    throw error
                }
                try db.run(statements.statement(.releaseSavepoint, db), [])
            }
            groupOperations += 1
            if groupOperations >= Self.groupLimit {
                try db.commit()
                groupOperations = 0
            }
        } catch {
            // Some errors (a full disk, an I/O error) make SQLite roll back the whole open group.
            let lost = db.isInsideTransaction ? "" : "; the operations of the open group were rolled back with it"
            failure.withLock { if $0 == nil { $0 = "\(error)\(lost)" } }
        }
    }

    private func run(_ write: RowWrite, _ db: Database) throws {
        switch write {
        case .prepared(let key, let values): try db.run(statements.statement(key, db), values)
        case .checksummed(let key, let leading, let columns, let trailing):
            try db.run(
                statements.statement(key, db), leading: leading, columns,
                checksum: Checksums.of(columns, unchecked: Self.secretStampColumns).databaseValue, trailing: trailing)
        case .version(let key, let version, let secretKey, let leading, let trailing):
            let columns = Self.versionColumns(version, secretKey: secretKey)
            try db.run(
                statements.statement(key, db), leading: leading, columns,
                checksum: Checksums.of(columns, unchecked: Self.versionStampColumns).databaseValue, trailing: trailing)
        case .sql(let sql, let values): try db.run(db.cachedStatement(sql: sql), values)
        }
    }

    /// Waits for the writer to apply everything recorded, and commits the group. After a failed write it
    /// still commits what was applied before it (a prefix of what was acknowledged), then throws the failure.
    func flush() throws {
        guard let queue else {
            if !pending.isEmpty { throw openFailure.map(StoreError.unreadable) ?? StoreError.closed }
            return
        }
        if shipped || !pending.isEmpty {
            try ship()
            // While the writer works from the oldest shipment, help it from the newest.
            for shipment in recentShipments.reversed() { Self.makeSealedBytes(of: shipment.operations) }
            recentShipments.removeAll()
            try queue.writeWithoutTransaction { db in
                if db.isInsideTransaction { try db.commit() }
            }
            shipped = false
        }
        try checkFailure()
    }

    /// Closes the database; the file stays.
    func close() {
        try? flush()
        // A connection closes only once its statements are finalized.
        statements.finalize()
        try? queue?.close()
        queue = nil
    }

    /// Replaces the database file with `source` (an IBM restore) and reopens it.
    func replace(withContentsOf source: String) throws {
        close()
        let manager = FileManager.default
        for suffix in ["", "-wal", "-shm"] where manager.fileExists(atPath: path + suffix) {
            try manager.removeItem(atPath: path + suffix)
        }
        try manager.copyItem(atPath: source, toPath: path)
        reopen()
    }

    /// Writes `bytes` over the database file (damage, for the corruption hooks) and reopens it.
    func overwrite(with bytes: [UInt8]) throws {
        close()
        let manager = FileManager.default
        for suffix in ["-wal", "-shm"] where manager.fileExists(atPath: path + suffix) {
            try manager.removeItem(atPath: path + suffix)
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        reopen()
    }

    /// Deletes the database files for good (regional state lost), leaving the store closed.
    func destroy() {
        close()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    /// A consistent copy of the database at `destination` (SQLite's online backup).
    func backup(to destination: String) throws {
        try flush()
        try? FileManager.default.removeItem(atPath: destination)
        let target = try DatabaseQueue(path: destination)
        try database().backup(to: target)
        try target.close()
    }

    /// Moves every change from the WAL into the main file, so the main file alone holds the state.
    func checkpoint() throws {
        try flush()
        try database().writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }

    enum StoreError: Error, CustomStringConvertible {
        case closed
        case unreadable(String)
        case writeFailed(String)

        var description: String {
            switch self {
            case .closed: "the instance's database is closed"
            case .unreadable(let reason): "the instance's database cannot be opened: \(reason)"
            case .writeFailed(let reason): "the instance's database failed a write: \(reason)"
            }
        }
    }

    // MARK: Loading

    struct LoadedState {
        var groups: [GroupRecord] = []
        var secrets: [SecretRecord] = []
        var configurations: [ConfigurationRecord] = []
        var registration: RegistrationRecord?
        /// Rows that failed verification and could not even be attached to a secret.
        var unattachedDamage = 0
    }

    /// Reads and verifies the whole state. Throws when SQLite itself finds the file damaged.
    func load() throws -> LoadedState {
        try flush()
        return try database().read { db in
            var state = LoadedState()
            let groups = try Row.fetchCursor(
                db, sql: "SELECT id, name, description, created_at, updated_at, checksum FROM secret_groups ORDER BY created_at, id")
            while let row = try groups.next() {
                let group = GroupRecord(
                    id: row[0], name: row[1], description: row[2], createdAt: Self.date(row[3]),
                    updatedAt: Self.date(row[4]))
                if Checksums.group(group) == (row[5] as Data) {
                    state.groups.append(group)
                } else {
                    state.unattachedDamage += 1
                }
            }

            var secretsByKey: [Int64: SecretRecord] = [:]
            let secrets = try Row.fetchCursor(
                db,
                sql: """
                    SELECT id, secret_type, name, secret_group_id, description, labels, custom_metadata, attributes,
                           rotation, expiration_date, created_by, created_at, updated_at, state, next_sequence,
                           retrieved_at, downloaded, checksum, key
                    FROM secrets ORDER BY key
                    """)
            while let row = try secrets.next() {
                let id: String = row[0]
                let typeName: String = row[1]
                let labels = StoredJSON.decode([String].self, row[5])
                let customMetadata = StoredJSON.decode([String: JSONValue].self, row[6])
                let attributes = StoredJSON.decode([String: JSONValue].self, row[7])
                let rotationText: String? = row[8]
                let rotation = rotationText.flatMap { StoredJSON.decode(RotationPolicy.self, $0) }
                let stateNumber: Int = row[13]
                let record = SecretRecord(
                    id: id, secretType: SecretType(rawValue: typeName) ?? .arbitrary, name: row[2], groupID: row[3],
                    description: row[4], labels: labels ?? [], customMetadata: customMetadata ?? [:],
                    attributes: attributes ?? [:], rotation: rotation, expirationDate: Self.optionalDate(row[9]),
                    createdBy: row[10], createdAt: Self.date(row[11]), updatedAt: Self.date(row[12]),
                    retrievedAt: Self.optionalDate(row[15]), downloaded: row[16],
                    state: SecretState(rawValue: stateNumber) ?? .active, nextSequence: row[14])
                let intact =
                    SecretType(rawValue: typeName) != nil && labels != nil && customMetadata != nil
                    && attributes != nil && (rotationText == nil || rotation != nil)
                    && Checksums.of(Self.secretColumns(record), unchecked: Self.secretStampColumns) == (row[17] as Data)
                record.storageKey = row[18]
                if !intact { record.integrityFailure = "the stored secret failed its integrity check" }
                secretsByKey[record.storageKey] = record
                state.secrets.append(record)
            }

            let versions = try Row.fetchCursor(
                db,
                sql: """
                    SELECT secret_key, sequence, id, created_by, created_at, auto_rotated, custom_metadata, attributes,
                           expiration_date, root_key_id, wrapped_key, nonce, ciphertext, downloaded, checksum, key
                    FROM secret_versions ORDER BY key
                    """)
            while let row = try versions.next() {
                let secretKey: Int64 = row[0]
                let customMetadata = StoredJSON.decode([String: JSONValue].self, row[6])
                let attributes = StoredJSON.decode([String: JSONValue].self, row[7])
                var sealed: SealedPayload?
                var unreadableSeal = false
                if let rootKeyID = row[9] as String?, let wrapped = row[10] as Data?, let nonce = row[11] as Data?,
                    let ciphertext = row[12] as Data?
                {
                    sealed = SealedPayload(rootKeyID: rootKeyID, wrappedKey: wrapped, nonce: nonce, ciphertext: ciphertext)
                    unreadableSeal = sealed == nil
                }
                var version = VersionRecord(
                    id: row[2], sequence: row[1], createdBy: row[3], createdAt: Self.date(row[4]),
                    autoRotated: row[5], customMetadata: customMetadata ?? [:], attributes: attributes ?? [:],
                    expirationDate: Self.optionalDate(row[8]), downloaded: row[13], sealed: sealed)
                version.storageKey = row[15]
                if customMetadata == nil || attributes == nil || unreadableSeal
                    || Checksums.of(Self.versionColumns(version, secretKey: secretKey), unchecked: Self.versionStampColumns)
                        != (row[14] as Data)
                {
                    version.integrityFailure = "the stored version failed its integrity check"
                }
                if let secret = secretsByKey[secretKey] {
                    secret.versions.append(version)
                } else {
                    state.unattachedDamage += 1
                }
            }

            let locks = try Row.fetchCursor(
                db,
                sql: """
                    SELECT secret_id, name, version_id, description, attributes, created_by, created_at, updated_at, checksum
                    FROM secret_locks ORDER BY secret_id, created_at, name
                    """)
            // A rotation writes only its version row; the secret's update time and next sequence follow from it.
            for secret in state.secrets {
                guard let newest = secret.versions.last else { continue }
                secret.nextSequence = max(secret.nextSequence, newest.sequence + 1)
                secret.updatedAt = max(secret.updatedAt, newest.createdAt)
            }
            let secretsByID = Dictionary(uniqueKeysWithValues: state.secrets.map { ($0.id, $0) })
            while let row = try locks.next() {
                let secretID: String = row[0]
                let attributesText: String? = row[4]
                let lock = LockRecord(
                    name: row[1], versionID: row[2], description: row[3],
                    attributes: attributesText.flatMap { StoredJSON.decode([String: JSONValue].self, $0) },
                    createdBy: row[5], createdAt: Self.date(row[6]), updatedAt: Self.date(row[7]))
                guard let secret = secretsByID[secretID] else {
                    state.unattachedDamage += 1
                    continue
                }
                secret.locks.append(lock)
                if Checksums.lock(secretID: secretID, lock) != (row[8] as Data) {
                    secret.integrityFailure = "a stored lock of the secret failed its integrity check"
                }
            }

            let configurations = try Row.fetchCursor(
                db,
                sql: """
                    SELECT name, config_type, created_by, created_at, updated_at, properties, root_key_id, wrapped_key,
                           nonce, ciphertext, checksum
                    FROM configurations ORDER BY created_at, name
                    """)
            while let row = try configurations.next() {
                guard let type = ConfigurationType(rawValue: row[1]),
                    let properties = StoredJSON.decode([String: JSONValue].self, row[5])
                else {
                    state.unattachedDamage += 1
                    continue
                }
                var sealed: SealedPayload?
                if let rootKeyID = row[6] as String?, let wrapped = row[7] as Data?, let nonce = row[8] as Data?,
                    let ciphertext = row[9] as Data?
                {
                    sealed = SealedPayload(rootKeyID: rootKeyID, wrappedKey: wrapped, nonce: nonce, ciphertext: ciphertext)
                }
                let configuration = ConfigurationRecord(
                    name: row[0], configType: type, createdBy: row[2], createdAt: Self.date(row[3]),
                    updatedAt: Self.date(row[4]), properties: properties, sealed: sealed)
                if Checksums.configuration(configuration) == (row[10] as Data) {
                    state.configurations.append(configuration)
                } else {
                    state.unattachedDamage += 1
                }
            }

            if let row = try Row.fetchOne(
                db, sql: "SELECT instance_crn, source_name, source_description, checksum FROM notifications_registration")
            {
                let registration = RegistrationRecord(
                    instanceCRN: row[0], sourceName: row[1], sourceDescription: row[2])
                if Checksums.registration(registration) == (row[3] as Data) {
                    state.registration = registration
                } else {
                    state.unattachedDamage += 1
                }
            }
            return state
        }
    }

    // MARK: Columns

    /// A secret row's columns in statement order: those its checksum covers, then its retrieval stamps
    /// (`retrieved_at`, `downloaded`; see ``secretStampColumns``).
    static func secretColumns(_ secret: SecretRecord) -> [DatabaseValue] {
        [
            secret.id.databaseValue, secret.secretType.rawValue.databaseValue, secret.name.databaseValue,
            secret.groupID.databaseValue, secret.description.databaseValue,
            StoredJSON.encode(secret.labels).databaseValue, StoredJSON.encode(secret.customMetadata).databaseValue,
            StoredJSON.encode(secret.attributes).databaseValue, secret.rotation.map(StoredJSON.encode).databaseValue,
            secret.expirationDate.map(millis).databaseValue, secret.createdBy.databaseValue,
            millis(secret.createdAt).databaseValue, millis(secret.updatedAt).databaseValue,
            secret.state.rawValue.databaseValue, secret.nextSequence.databaseValue,
            secret.retrievedAt.map(millis).databaseValue, secret.downloaded.databaseValue,
        ]
    }

    /// How many of ``secretColumns(_:)``, at the end, are retrieval stamps. Every read changes them, so they
    /// are written by a narrow statement of their own and left out of the row checksum: usage stamps, not
    /// the secret's data or settings.
    static let secretStampColumns = 2

    /// The retrieval stamps of a secret row, as the last ``secretStampColumns`` of ``secretColumns(_:)`` are.
    static func secretStamps(_ secret: SecretRecord) -> [DatabaseValue] {
        [secret.retrievedAt.map(millis).databaseValue, secret.downloaded.databaseValue]
    }

    /// A version row's columns in statement order: those its checksum covers, then `downloaded`.
    static func versionColumns(_ version: VersionRecord, secretKey: Int64) -> [DatabaseValue] {
        let sealed = version.sealed
        return [
            secretKey.databaseValue, version.sequence.databaseValue, version.id.databaseValue,
            version.createdBy.databaseValue, millis(version.createdAt).databaseValue, version.autoRotated.databaseValue,
            StoredJSON.encode(version.customMetadata).databaseValue, StoredJSON.encode(version.attributes).databaseValue,
            version.expirationDate.map(millis).databaseValue,
            sealed?.rootKeyID.databaseValue ?? .null, sealed?.wrappedKey.databaseValue ?? .null,
            sealed?.nonce.databaseValue ?? .null, sealed?.ciphertext.databaseValue ?? .null,
            version.downloaded.databaseValue,
        ]
    }

    /// How many of ``versionColumns(_:secretKey:)``, at the end, are retrieval stamps (`downloaded`).
    static let versionStampColumns = 1

    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
    static func optionalDate(_ millis: Int64?) -> Date? { millis.map(date) }
}

/// One SQL statement of an operation, with its values.
enum RowWrite: Sendable {
    /// A hot statement, prepared once.
    case prepared(PreparedStatements.Key, [DatabaseValue])
    /// A hot statement whose secret row's columns are checksummed by the writer: `leading`, the columns,
    /// their checksum (which leaves out the retrieval stamps at their end), `trailing`, bound in that order.
    case checksummed(PreparedStatements.Key, leading: DatabaseValue?, columns: [DatabaseValue], trailing: DatabaseValue?)
    /// A version row, a copy of the record taken when the operation ran; the writer builds its columns.
    case version(PreparedStatements.Key, VersionRecord, secretKey: Int64, leading: DatabaseValue?, trailing: DatabaseValue?)
    /// Any other statement, through GRDB's statement cache.
    case sql(String, [DatabaseValue])

    /// A secret row's write with its retrieval stamps (the last columns) replaced. The columns are taken out of
    /// the write first, so they are changed in place rather than copied.
    mutating func replaceStamps(with stamps: [DatabaseValue]) {
        guard case .checksummed(let key, let leading, var columns, let trailing) = self else { return }
        self = .prepared(key, [])
        columns.replaceSubrange((columns.count - stamps.count)..., with: stamps)
        self = .checksummed(key, leading: leading, columns: columns, trailing: trailing)
    }

    /// A version row's write with the version marked downloaded.
    mutating func markDownloaded() {
        guard case .version(let key, var version, let secretKey, let leading, let trailing) = self, !version.downloaded
        else { return }
        self = .prepared(key, [])
        version.downloaded = true
        self = .version(key, version, secretKey: secretKey, leading: leading, trailing: trailing)
    }
}

/// The row writes of one operation, in order.
struct RecordedOperation: Sendable {
    var writes: [RowWrite]
}

/// Operations handed to the writer together. The writer takes them out when it starts on them; until then the
/// caller can still reach them, to make their sealed bytes while it would otherwise wait (``InstanceStore/flush()``).
private final class Shipment: Sendable {
    private let pending: Mutex<[RecordedOperation]>

    init(_ operations: [RecordedOperation]) { pending = Mutex(operations) }

    /// The operations, or none once the writer has taken them.
    var operations: [RecordedOperation] { pending.withLock { $0 } }

    /// Takes the operations out (the writer, once).
    func take() -> [RecordedOperation] {
        pending.withLock { operations in
            var taken: [RecordedOperation] = []
            swap(&taken, &operations)
            return taken
        }
    }
}

/// Where the operations not yet handed to the writer write whole secret and version rows, and secrets'
/// retrieval stamps, in order (caller's thread only): what ``InstanceStore/absorbRetrieval(_:)`` looks through instead of the writes themselves.
final class PendingRows {
    struct Row {
        /// The secret's row key: the row itself, or the owner of the version row.
        var owner: Int64
        /// The version's row key, for a version row.
        var version: Int64?
        /// Whether the write updates the secret's retrieval stamps only (``StoreWriter/stampRetrieval(_:)``).
        var stamps: Bool
        /// The operation's index in the pending operations, and the write's in the operation.
        var operation: Int
        var write: Int
    }

    var rows: [Row] = []
}

/// The next row keys of the secrets and versions tables (caller's thread only).
final class RowKeys {
    var nextSecret: Int64 = 1
    var nextVersion: Int64 = 1
}

/// What an operation's updates are written through: it records each row write, values and checksum taken
/// now, for ``InstanceStore`` to hand to its writer. New rows get their keys here.
final class StoreWriter {
    private(set) var writes: [RowWrite] = []
    private let keys: RowKeys
    private let rows: PendingRows
    private let operation: Int

    init(keys: RowKeys, rows: PendingRows, operation: Int) {
        self.keys = keys
        self.rows = rows
        self.operation = operation
    }

    /// Notes that the next write inserts or rewrites a whole secret row (`version` nil) or version row, or
    /// updates a secret's retrieval stamps (`stamps`).
    private func noteRow(secretKey: Int64, version: Int64?, stamps: Bool = false) {
        rows.rows.append(
            PendingRows.Row(owner: secretKey, version: version, stamps: stamps, operation: operation, write: writes.count))
    }

    private func record(_ key: PreparedStatements.Key, _ values: [DatabaseValue]) {
        writes.append(.prepared(key, values))
    }

    private func record(sql: String, _ values: [DatabaseValue]) {
        writes.append(.sql(sql, values))
    }

    func insertGroup(_ group: GroupRecord) {
        record(
            sql: "INSERT INTO secret_groups (id, name, description, created_at, updated_at, checksum) VALUES (?, ?, ?, ?, ?, ?)",
            [
                group.id.databaseValue, group.name.databaseValue, group.description.databaseValue,
                InstanceStore.millis(group.createdAt).databaseValue, InstanceStore.millis(group.updatedAt).databaseValue,
                Checksums.group(group).databaseValue,
            ])
    }

    func updateGroup(_ group: GroupRecord) {
        record(
            sql: "UPDATE secret_groups SET name = ?, description = ?, updated_at = ?, checksum = ? WHERE id = ?",
            [
                group.name.databaseValue, group.description.databaseValue,
                InstanceStore.millis(group.updatedAt).databaseValue, Checksums.group(group).databaseValue,
                group.id.databaseValue,
            ])
    }

    func deleteGroup(id: String) {
        record(sql: "DELETE FROM secret_groups WHERE id = ?", [id.databaseValue])
    }

    /// Inserts a new secret's row (not its versions or locks), under a new key kept in the record.
    func insertSecret(_ secret: SecretRecord) {
        secret.storageKey = keys.nextSecret
        keys.nextSecret += 1
        noteRow(secretKey: secret.storageKey, version: nil)
        writes.append(
            .checksummed(
                .insertSecret, leading: secret.storageKey.databaseValue, columns: InstanceStore.secretColumns(secret),
                trailing: nil))
    }

    /// Writes an existing secret's row again (not its versions or locks).
    func saveSecret(_ secret: SecretRecord) {
        noteRow(secretKey: secret.storageKey, version: nil)
        writes.append(
            .checksummed(
                .saveSecret, leading: nil, columns: InstanceStore.secretColumns(secret),
                trailing: secret.storageKey.databaseValue))
    }

    /// Deletes a secret's row, its versions and its locks.
    func deleteSecret(_ secret: SecretRecord) {
        record(.deleteSecret, [secret.storageKey.databaseValue])
        for version in secret.versions { deleteVersion(key: version.storageKey) }
        record(.deleteLocks, [secret.id.databaseValue])
    }

    /// Inserts a new version row, under a new key kept in the record.
    func insertVersion(_ version: inout VersionRecord, of secret: SecretRecord) {
        version.storageKey = keys.nextVersion
        keys.nextVersion += 1
        noteRow(secretKey: secret.storageKey, version: version.storageKey)
        writes.append(
            .version(
                .insertVersion, version, secretKey: secret.storageKey, leading: version.storageKey.databaseValue,
                trailing: nil))
    }

    /// Writes an existing version row again.
    func saveVersion(_ version: VersionRecord, of secret: SecretRecord) {
        noteRow(secretKey: secret.storageKey, version: version.storageKey)
        writes.append(
            .version(
                .saveVersion, version, secretKey: secret.storageKey, leading: nil,
                trailing: version.storageKey.databaseValue))
    }

    /// Writes a secret's retrieval stamps, and marks its downloaded versions that still hold data.
    func stampRetrieval(_ secret: SecretRecord) {
        noteRow(secretKey: secret.storageKey, version: nil, stamps: true)
        record(.stampSecret, InstanceStore.secretStamps(secret) + [secret.storageKey.databaseValue])
        for version in secret.versions where InstanceStore.stampsDownload(version) {
            record(.stampVersion, [version.storageKey.databaseValue])
        }
    }

    func deleteVersion(key: Int64) {
        record(.deleteVersion, [key.databaseValue])
    }

    func replaceLocks(secretID: String, _ locks: [LockRecord]) {
        record(sql: "DELETE FROM secret_locks WHERE secret_id = ?", [secretID.databaseValue])
        for lock in locks {
            record(
                sql: """
                    INSERT INTO secret_locks (secret_id, name, version_id, description, attributes, created_by, created_at,
                        updated_at, checksum) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                [
                    secretID.databaseValue, lock.name.databaseValue, lock.versionID.databaseValue,
                    lock.description.databaseValue, lock.attributes.map(StoredJSON.encode).databaseValue,
                    lock.createdBy.databaseValue, InstanceStore.millis(lock.createdAt).databaseValue,
                    InstanceStore.millis(lock.updatedAt).databaseValue,
                    Checksums.lock(secretID: secretID, lock).databaseValue,
                ])
        }
    }

    func saveConfiguration(_ configuration: ConfigurationRecord) {
        let sealed = configuration.sealed
        record(
            sql: """
                INSERT OR REPLACE INTO configurations (name, config_type, created_by, created_at, updated_at, properties,
                    root_key_id, wrapped_key, nonce, ciphertext, checksum) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            [
                configuration.name.databaseValue, configuration.configType.rawValue.databaseValue,
                configuration.createdBy.databaseValue, InstanceStore.millis(configuration.createdAt).databaseValue,
                InstanceStore.millis(configuration.updatedAt).databaseValue,
                StoredJSON.encode(configuration.properties).databaseValue, sealed?.rootKeyID.databaseValue ?? .null,
                sealed?.wrappedKey.databaseValue ?? .null, sealed?.nonce.databaseValue ?? .null,
                sealed?.ciphertext.databaseValue ?? .null, Checksums.configuration(configuration).databaseValue,
            ])
    }

    func deleteConfiguration(name: String) {
        record(sql: "DELETE FROM configurations WHERE name = ?", [name.databaseValue])
    }

    func saveRegistration(_ registration: RegistrationRecord?) {
        record(sql: "DELETE FROM notifications_registration", [])
        guard let registration else { return }
        record(
            sql: "INSERT INTO notifications_registration (id, instance_crn, source_name, source_description, checksum) VALUES (1, ?, ?, ?, ?)",
            [
                registration.instanceCRN.databaseValue, registration.sourceName.databaseValue,
                registration.sourceDescription.databaseValue, Checksums.registration(registration).databaseValue,
            ])
    }
}

/// The statements every operation runs, prepared once per connection and kept by the store: looking them up
/// by their SQL text in GRDB's cache hashed several hundred characters a statement.
final class PreparedStatements: @unchecked Sendable {
    enum Key: Int, CaseIterable {
        case savepoint, releaseSavepoint, rollbackToSavepoint
        case insertSecret, saveSecret, deleteSecret, deleteLocks, insertVersion, saveVersion, deleteVersion
        case stampSecret, stampVersion

        var sql: String {
            switch self {
            case .savepoint: "SAVEPOINT operation"
            case .releaseSavepoint: "RELEASE SAVEPOINT operation"
            case .rollbackToSavepoint: "ROLLBACK TO SAVEPOINT operation"
            case .insertSecret:
                """
                INSERT INTO secrets (key, id, secret_type, name, secret_group_id, description, labels,
                    custom_metadata, attributes, rotation, expiration_date, created_by, created_at, updated_at,
                    state, next_sequence, retrieved_at, downloaded, checksum)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
            case .saveSecret:
                """
                UPDATE secrets SET id = ?, secret_type = ?, name = ?, secret_group_id = ?, description = ?, labels = ?,
                    custom_metadata = ?, attributes = ?, rotation = ?, expiration_date = ?, created_by = ?,
                    created_at = ?, updated_at = ?, state = ?, next_sequence = ?, retrieved_at = ?, downloaded = ?,
                    checksum = ?
                WHERE key = ?
                """
            case .deleteSecret: "DELETE FROM secrets WHERE key = ?"
            case .deleteLocks: "DELETE FROM secret_locks WHERE secret_id = ?"
            case .insertVersion:
                """
                INSERT INTO secret_versions (key, secret_key, sequence, id, created_by, created_at, auto_rotated,
                    custom_metadata, attributes, expiration_date, root_key_id, wrapped_key, nonce, ciphertext,
                    downloaded, checksum)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
            case .saveVersion:
                """
                UPDATE secret_versions SET secret_key = ?, sequence = ?, id = ?, created_by = ?, created_at = ?,
                    auto_rotated = ?, custom_metadata = ?, attributes = ?, expiration_date = ?, root_key_id = ?,
                    wrapped_key = ?, nonce = ?, ciphertext = ?, downloaded = ?, checksum = ?
                WHERE key = ?
                """
            case .deleteVersion: "DELETE FROM secret_versions WHERE key = ?"
            case .stampSecret: "UPDATE secrets SET retrieved_at = ?, downloaded = ? WHERE key = ?"
            case .stampVersion: "UPDATE secret_versions SET downloaded = 1 WHERE key = ?"
            }
        }
    }

    private var prepared = [Statement?](repeating: nil, count: Key.allCases.count)

    func statement(_ key: Key, _ db: Database) throws -> Statement {
        if let statement = prepared[key.rawValue] { return statement }
        let statement = try db.makeStatement(sql: key.sql)
        prepared[key.rawValue] = statement
        return statement
    }

    /// Drops every statement, before their connection closes.
    func finalize() {
        prepared = [Statement?](repeating: nil, count: Key.allCases.count)
    }
}

/// JSON text columns: sorted keys, so the same value is always the same text (and the same checksum).
enum StoredJSON {
    private static let encoder = SecretsManagerJSON.makeEncoder()
    private static let decoder = SecretsManagerJSON.makeDecoder()

    static func encode(_ value: [String: JSONValue]) -> String {
        value.isEmpty ? "{}" : CanonicalJSON.string(.object(value))
    }
    static func encode(_ value: [String]) -> String {
        value.isEmpty ? "[]" : CanonicalJSON.string(.array(value.map(JSONValue.string)))
    }

    static func encode<T: Encodable>(_ value: T) -> String {
        // Plain value types of this module; encoding them cannot fail.
        String(decoding: try! encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) -> T? {
        try? decoder.decode(type, from: Data(text.utf8))
    }
}

/// The row checksums: two independent 64-bit multiply-xorshift hashes of the row's other columns, taken a
/// word (8 bytes) at a time, each column tagged with its type and length. They are there to detect damage (a
/// failing disk, a torn page), not an adversary, so a fast non-cryptographic hash is the right tool; SHA-256
/// cost more than the insert it protected, and byte-at-a-time FNV-1a was still a tenth of a write.
/// (Written here: a few dozen lines.)
enum Checksums {
    struct Digest {
        private var first: UInt64 = 0xCBF2_9CE4_8422_2325
        private var second: UInt64 = 0x8422_2325_CBF2_9CE4

        @inline(__always)
        private mutating func add(word: UInt64) {
            first = (first ^ word) &* 0x9E37_79B9_7F4A_7C15
            first ^= first >> 31
            second = (second ^ (word &+ 0x5A5A_5A5A_5A5A_5A5A)) &* 0xC2B2_AE3D_27D4_EB4F
            second ^= second >> 29
        }

        mutating func add(_ value: DatabaseValue) {
            switch value.storage {
            case .null: add(word: 0)
            case .int64(let number):
                add(word: 1)
                add(word: UInt64(bitPattern: number))
            case .double(let number):
                add(word: 2)
                add(word: number.bitPattern)
            case .string(let text):
                var text = text
                text.withUTF8 { addBytes(tag: 3, UnsafeRawBufferPointer($0)) }
            case .blob(let data):
                data.withUnsafeBytes { addBytes(tag: 4, $0) }
            }
        }

        private mutating func addBytes(tag: UInt64, _ bytes: UnsafeRawBufferPointer) {
            add(word: tag)
            add(word: UInt64(bytes.count))
            var offset = 0
            while offset + 8 <= bytes.count {
                add(word: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                offset += 8
            }
            if offset < bytes.count {
                var tail: UInt64 = 0
                for (shift, byte) in bytes[offset...].enumerated() { tail |= UInt64(byte) << (8 * UInt64(shift)) }
                add(word: tail)
            }
        }

        func finish() -> Data {
            var words = (first.littleEndian, second.littleEndian)
            return withUnsafeBytes(of: &words) { Data($0) }
        }
    }

    static func of(_ columns: [DatabaseValue]) -> Data {
        of(columns, unchecked: 0)
    }

    /// The checksum of `columns` but the last `unchecked`.
    static func of(_ columns: [DatabaseValue], unchecked: Int) -> Data {
        var digest = Digest()
        for column in columns[..<(columns.count - unchecked)] { digest.add(column) }
        return digest.finish()
    }

    static func of(_ columns: [(any DatabaseValueConvertible)?]) -> Data {
        of(columns.map { $0?.databaseValue ?? .null })
    }

    static func group(_ group: GroupRecord) -> Data {
        of([
            group.id, group.name, group.description, InstanceStore.millis(group.createdAt),
            InstanceStore.millis(group.updatedAt),
        ])
    }

    static func lock(secretID: String, _ lock: LockRecord) -> Data {
        of([
            secretID, lock.name, lock.versionID, lock.description, lock.attributes.map(StoredJSON.encode), lock.createdBy,
            InstanceStore.millis(lock.createdAt), InstanceStore.millis(lock.updatedAt),
        ])
    }

    static func configuration(_ configuration: ConfigurationRecord) -> Data {
        let sealed = configuration.sealed
        return of([
            configuration.name, configuration.configType.rawValue, configuration.createdBy,
            InstanceStore.millis(configuration.createdAt), InstanceStore.millis(configuration.updatedAt),
            StoredJSON.encode(configuration.properties), sealed?.rootKeyID, sealed?.wrappedKey, sealed?.nonce,
            sealed?.ciphertext,
        ])
    }

    static func registration(_ registration: RegistrationRecord) -> Data {
        of([registration.instanceCRN, registration.sourceName, registration.sourceDescription])
    }
}
