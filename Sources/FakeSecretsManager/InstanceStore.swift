import Foundation
import GRDB
import SecretsManager

/// A service instance's regional state: one SQLite database in WAL mode, through GRDB.
///
/// Every row carries a checksum (SHA-256 of its other columns, 16 bytes) that ``load()`` verifies, so damage
/// that SQLite cannot see (bytes changed inside a page) is detected rather than served. Payloads are stored
/// sealed only (``SealedPayload``); no plaintext is written.
///
/// Rows are keyed by integers in insertion order, and found again through the keys the records in memory
/// keep: new secrets and versions append to the end of their tables instead of landing on random pages, so
/// an operation dirties as few pages as it can. Names and ids are unique because the service checks them.
///
/// Writes are committed in groups, as a database server commits concurrent transactions together: each
/// operation runs in its own savepoint inside a transaction that is committed every ``groupLimit``
/// operations, and always before anything reads, copies, damages or closes the file (``flush()``). Nothing
/// outside this process looks at the file, so no failure a drill injects can observe an acknowledged write
/// that is not on disk.
final class InstanceStore {
    /// Operations per committed group.
    static let groupLimit = 64
    private var pendingOperations = 0

    let path: String
    private var queue: DatabaseQueue?
    /// Why the database could not be opened the last time it was reopened (damage SQLite itself noticed).
    private var openFailure: String?

    init(path: String) throws {
        self.path = path
        queue = try Self.open(path: path)
    }

    /// Opens the database again after its file changed. A file SQLite cannot open leaves the store closed,
    /// with the reason kept for ``load()`` to report.
    private func reopen() {
        do {
            queue = try Self.open(path: path)
            openFailure = nil
        } catch {
            queue = nil
            openFailure = "\(error)"
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
        return migrator
    }

    private func database() throws -> DatabaseQueue {
        guard let queue else { throw openFailure.map(StoreError.unreadable) ?? StoreError.closed }
        return queue
    }

    /// Runs one operation's updates: all of them or none (a savepoint), committed with its group.
    func write(_ updates: (Database) throws -> Void) throws {
        try database().writeWithoutTransaction { db in
            if !db.isInsideTransaction { try db.beginTransaction(.immediate) }
            try db.run("SAVEPOINT operation", [])
            do {
                try updates(db)
            } catch {
                try db.run("ROLLBACK TO SAVEPOINT operation", [])
                try db.run("RELEASE SAVEPOINT operation", [])
                throw error
            }
            try db.run("RELEASE SAVEPOINT operation", [])
            pendingOperations += 1
            if pendingOperations >= Self.groupLimit {
                try db.commit()
                pendingOperations = 0
            }
        }
    }

    /// Commits the pending group.
    func flush() throws {
        guard let queue, pendingOperations > 0 else { return }
        try queue.writeWithoutTransaction { db in
            if db.isInsideTransaction { try db.commit() }
        }
        pendingOperations = 0
    }

    /// Closes the database; the file stays.
    func close() {
        try? flush()
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

        var description: String {
            switch self {
            case .closed: "the instance's database is closed"
            case .unreadable(let reason): "the instance's database cannot be opened: \(reason)"
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
                           rotation, expiration_date, created_by, created_at, updated_at, retrieved_at, downloaded,
                           state, next_sequence, checksum, key
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
                let stateNumber: Int = row[15]
                let record = SecretRecord(
                    id: id, secretType: SecretType(rawValue: typeName) ?? .arbitrary, name: row[2], groupID: row[3],
                    description: row[4], labels: labels ?? [], customMetadata: customMetadata ?? [:],
                    attributes: attributes ?? [:], rotation: rotation, expirationDate: Self.optionalDate(row[9]),
                    createdBy: row[10], createdAt: Self.date(row[11]), updatedAt: Self.date(row[12]),
                    retrievedAt: Self.optionalDate(row[13]), downloaded: row[14], state: SecretState(rawValue: stateNumber) ?? .active,
                    nextSequence: row[16])
                let intact =
                    SecretType(rawValue: typeName) != nil && labels != nil && customMetadata != nil
                    && attributes != nil && (rotationText == nil || rotation != nil)
                    && Checksums.of(Self.secretColumns(record)) == (row[17] as Data)
                record.storageKey = row[18]
                if !intact { record.integrityFailure = "the stored secret failed its integrity check" }
                secretsByKey[record.storageKey] = record
                state.secrets.append(record)
            }

            let versions = try Row.fetchCursor(
                db,
                sql: """
                    SELECT secret_key, sequence, id, created_by, created_at, auto_rotated, custom_metadata, attributes,
                           expiration_date, downloaded, root_key_id, wrapped_key, nonce, ciphertext, checksum, key
                    FROM secret_versions ORDER BY key
                    """)
            while let row = try versions.next() {
                let secretKey: Int64 = row[0]
                let customMetadata = StoredJSON.decode([String: JSONValue].self, row[6])
                let attributes = StoredJSON.decode([String: JSONValue].self, row[7])
                var sealed: SealedPayload?
                var unreadableSeal = false
                if let rootKeyID = row[10] as String?, let wrapped = row[11] as Data?, let nonce = row[12] as Data?,
                    let ciphertext = row[13] as Data?
                {
                    sealed = SealedPayload(rootKeyID: rootKeyID, wrappedKey: wrapped, nonce: nonce, ciphertext: ciphertext)
                    unreadableSeal = sealed == nil
                }
                var version = VersionRecord(
                    id: row[2], sequence: row[1], createdBy: row[3], createdAt: Self.date(row[4]),
                    autoRotated: row[5], customMetadata: customMetadata ?? [:], attributes: attributes ?? [:],
                    expirationDate: Self.optionalDate(row[8]), downloaded: row[9], sealed: sealed)
                version.storageKey = row[15]
                if customMetadata == nil || attributes == nil || unreadableSeal
                    || Checksums.of(Self.versionColumns(version, secretKey: secretKey)) != (row[14] as Data)
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

    // MARK: Writing (inside a `write` block)

    static func insertGroup(_ group: GroupRecord, _ db: Database) throws {
        try db.cachedStatement(
            sql: "INSERT INTO secret_groups (id, name, description, created_at, updated_at, checksum) VALUES (?, ?, ?, ?, ?, ?)"
        ).execute(arguments: [
            group.id, group.name, group.description, millis(group.createdAt), millis(group.updatedAt),
            Checksums.group(group),
        ])
    }

    static func updateGroup(_ group: GroupRecord, _ db: Database) throws {
        try db.cachedStatement(
            sql: "UPDATE secret_groups SET name = ?, description = ?, updated_at = ?, checksum = ? WHERE id = ?"
        ).execute(arguments: [group.name, group.description, millis(group.updatedAt), Checksums.group(group), group.id])
    }

    static func deleteGroup(id: String, _ db: Database) throws {
        try db.cachedStatement(sql: "DELETE FROM secret_groups WHERE id = ?").execute(arguments: [id])
    }

    /// Inserts a new secret's row (not its versions or locks), and keeps its key in the record.
    static func insertSecret(_ secret: SecretRecord, _ db: Database) throws {
        try db.run(
            """
            INSERT INTO secrets (id, secret_type, name, secret_group_id, description, labels,
                custom_metadata, attributes, rotation, expiration_date, created_by, created_at, updated_at,
                retrieved_at, downloaded, state, next_sequence, checksum)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, withChecksum(secretColumns(secret)))
        secret.storageKey = db.lastInsertedRowID
    }

    /// Writes an existing secret's row again (not its versions or locks).
    static func saveSecret(_ secret: SecretRecord, _ db: Database) throws {
        try db.run(
            """
            UPDATE secrets SET id = ?, secret_type = ?, name = ?, secret_group_id = ?, description = ?, labels = ?,
                custom_metadata = ?, attributes = ?, rotation = ?, expiration_date = ?, created_by = ?,
                created_at = ?, updated_at = ?, retrieved_at = ?, downloaded = ?, state = ?, next_sequence = ?,
                checksum = ?
            WHERE key = ?
            """, withChecksum(secretColumns(secret)) + [secret.storageKey.databaseValue])
    }

    /// Deletes a secret's row, its versions and its locks.
    static func deleteSecret(_ secret: SecretRecord, _ db: Database) throws {
        try db.run("DELETE FROM secrets WHERE key = ?", [secret.storageKey.databaseValue])
        for version in secret.versions { try deleteVersion(key: version.storageKey, db) }
        try db.run("DELETE FROM secret_locks WHERE secret_id = ?", [secret.id.databaseValue])
    }

    /// Inserts a new version row, and keeps its key in the record.
    static func insertVersion(_ version: inout VersionRecord, of secret: SecretRecord, _ db: Database) throws {
        try db.run(
            """
            INSERT INTO secret_versions (secret_key, sequence, id, created_by, created_at, auto_rotated,
                custom_metadata, attributes, expiration_date, downloaded, root_key_id, wrapped_key, nonce,
                ciphertext, checksum)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, withChecksum(versionColumns(version, secretKey: secret.storageKey)))
        version.storageKey = db.lastInsertedRowID
    }

    /// Writes an existing version row again.
    static func saveVersion(_ version: VersionRecord, of secret: SecretRecord, _ db: Database) throws {
        try db.run(
            """
            UPDATE secret_versions SET secret_key = ?, sequence = ?, id = ?, created_by = ?, created_at = ?,
                auto_rotated = ?, custom_metadata = ?, attributes = ?, expiration_date = ?, downloaded = ?,
                root_key_id = ?, wrapped_key = ?, nonce = ?, ciphertext = ?, checksum = ?
            WHERE key = ?
            """, withChecksum(versionColumns(version, secretKey: secret.storageKey)) + [version.storageKey.databaseValue])
    }

    static func deleteVersion(key: Int64, _ db: Database) throws {
        try db.run("DELETE FROM secret_versions WHERE key = ?", [key.databaseValue])
    }

    static func replaceLocks(secretID: String, _ locks: [LockRecord], _ db: Database) throws {
        try db.cachedStatement(sql: "DELETE FROM secret_locks WHERE secret_id = ?").execute(arguments: [secretID])
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO secret_locks (secret_id, name, version_id, description, attributes, created_by, created_at,
                    updated_at, checksum) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for lock in locks {
            try insert.execute(arguments: [
                secretID, lock.name, lock.versionID, lock.description, lock.attributes.map(StoredJSON.encode),
                lock.createdBy, millis(lock.createdAt), millis(lock.updatedAt), Checksums.lock(secretID: secretID, lock),
            ])
        }
    }

    static func saveConfiguration(_ configuration: ConfigurationRecord, _ db: Database) throws {
        let sealed = configuration.sealed
        try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO configurations (name, config_type, created_by, created_at, updated_at, properties,
                    root_key_id, wrapped_key, nonce, ciphertext, checksum) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            configuration.name, configuration.configType.rawValue, configuration.createdBy,
            millis(configuration.createdAt), millis(configuration.updatedAt), StoredJSON.encode(configuration.properties),
            sealed?.rootKeyID, sealed?.wrappedKey, sealed?.nonce, sealed?.ciphertext, Checksums.configuration(configuration),
        ])
    }

    static func deleteConfiguration(name: String, _ db: Database) throws {
        try db.cachedStatement(sql: "DELETE FROM configurations WHERE name = ?").execute(arguments: [name])
    }

    static func saveRegistration(_ registration: RegistrationRecord?, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM notifications_registration")
        guard let registration else { return }
        try db.execute(
            sql: "INSERT INTO notifications_registration (id, instance_crn, source_name, source_description, checksum) VALUES (1, ?, ?, ?, ?)",
            arguments: [
                registration.instanceCRN, registration.sourceName, registration.sourceDescription,
                Checksums.registration(registration),
            ])
    }

    // MARK: Columns

    static func secretColumns(_ secret: SecretRecord) -> [DatabaseValue] {
        [
            secret.id.databaseValue, secret.secretType.rawValue.databaseValue, secret.name.databaseValue,
            secret.groupID.databaseValue, secret.description.databaseValue,
            StoredJSON.encode(secret.labels).databaseValue, StoredJSON.encode(secret.customMetadata).databaseValue,
            StoredJSON.encode(secret.attributes).databaseValue, secret.rotation.map(StoredJSON.encode).databaseValue,
            secret.expirationDate.map(millis).databaseValue, secret.createdBy.databaseValue,
            millis(secret.createdAt).databaseValue, millis(secret.updatedAt).databaseValue,
            secret.retrievedAt.map(millis).databaseValue, secret.downloaded.databaseValue,
            secret.state.rawValue.databaseValue, secret.nextSequence.databaseValue,
        ]
    }

    static func versionColumns(_ version: VersionRecord, secretKey: Int64) -> [DatabaseValue] {
        let sealed = version.sealed
        return [
            secretKey.databaseValue, version.sequence.databaseValue, version.id.databaseValue,
            version.createdBy.databaseValue, millis(version.createdAt).databaseValue, version.autoRotated.databaseValue,
            StoredJSON.encode(version.customMetadata).databaseValue, StoredJSON.encode(version.attributes).databaseValue,
            version.expirationDate.map(millis).databaseValue, version.downloaded.databaseValue,
            sealed?.rootKeyID.databaseValue ?? .null, sealed?.wrappedKey.databaseValue ?? .null,
            sealed?.nonce.databaseValue ?? .null, sealed?.ciphertext.databaseValue ?? .null,
        ]
    }

    /// The columns followed by their checksum.
    static func withChecksum(_ columns: [DatabaseValue]) -> [DatabaseValue] {
        columns + [Checksums.of(columns).databaseValue]
    }

    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
    static func optionalDate(_ millis: Int64?) -> Date? { millis.map(date) }
}

/// JSON text columns: sorted keys, so the same value is always the same text (and the same checksum).
enum StoredJSON {
    private static let encoder = SecretsManagerJSON.makeEncoder()
    private static let decoder = SecretsManagerJSON.makeDecoder()

    static func encode(_ value: [String: JSONValue]) -> String { CanonicalJSON.string(.object(value)) }
    static func encode(_ value: [String]) -> String { CanonicalJSON.string(.array(value.map(JSONValue.string))) }

    static func encode<T: Encodable>(_ value: T) -> String {
        // Plain value types of this module; encoding them cannot fail.
        String(decoding: try! encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) -> T? {
        try? decoder.decode(type, from: Data(text.utf8))
    }
}

/// The row checksums: two independent 64-bit FNV-1a hashes of the row's other columns, each column tagged
/// with its type and length. They are there to detect damage (a failing disk, a torn page), not an adversary,
/// so a fast non-cryptographic hash is the right tool; SHA-256 cost more than the insert it protected.
/// (Written here: a dozen lines.)
enum Checksums {
    struct Digest {
        private var first: UInt64 = 0xCBF2_9CE4_8422_2325
        private var second: UInt64 = 0x8422_2325_CBF2_9CE4

        @inline(__always)
        private mutating func add(byte: UInt8) {
            first = (first ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            second = (second ^ UInt64(byte ^ 0x5A)) &* 0x0000_0100_0000_01B3
        }

        private mutating func add(word: UInt64) {
            var word = word
            for _ in 0..<8 {
                add(byte: UInt8(truncatingIfNeeded: word))
                word >>= 8
            }
        }

        mutating func add(_ value: DatabaseValue) {
            switch value.storage {
            case .null: add(byte: 0)
            case .int64(let number):
                add(byte: 1)
                add(word: UInt64(bitPattern: number))
            case .double(let number):
                add(byte: 2)
                add(word: number.bitPattern)
            case .string(let text):
                var text = text
                text.withUTF8 { addBytes(tag: 3, UnsafeRawBufferPointer($0)) }
            case .blob(let data):
                data.withUnsafeBytes { addBytes(tag: 4, $0) }
            }
        }

        private mutating func addBytes(tag: UInt8, _ bytes: UnsafeRawBufferPointer) {
            add(byte: tag)
            add(word: UInt64(bytes.count))
            for byte in bytes { add(byte: byte) }
        }

        func finish() -> Data {
            var words = (first.littleEndian, second.littleEndian)
            return withUnsafeBytes(of: &words) { Data($0) }
        }
    }

    static func of(_ columns: [DatabaseValue]) -> Data {
        var digest = Digest()
        for column in columns { digest.add(column) }
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
