import Foundation
import SecretsManager

/// The backup a customer writes: read the instance through the API, write an encrypted archive to a bucket,
/// keep the last `retention` archives. Run once, or every `interval` as a process.
public struct BackupJob: Sendable {
    public var bucket: BackupBucket
    public var key: BackupKey
    public var reader: SnapshotReader
    public var retention: Int

    public init(bucket: BackupBucket, key: BackupKey, reader: SnapshotReader = SnapshotReader(), retention: Int = 7) {
        self.bucket = bucket
        self.key = key
        self.reader = reader
        self.retention = max(1, retention)
    }

    /// One backup taken.
    public struct Outcome: Sendable, Hashable {
        public var name: String
        public var secrets: Int
        public var bytes: Int
        public var unreadable: [SecretKey: String]
        public var retries: Int
    }

    /// Backs `service` up now. `nonce` must be fresh for each archive made with the same key.
    public func run(
        _ service: some SecretsManagerService, clock: some Clock<Duration>, now: Date, nonce: [UInt8], sourceCRN: String,
        sourceRegion: String
    ) async throws -> Outcome {
        // Each secret's entry is made on another core while the next secrets are read.
        let entries = BackupArchive.SecretEntries()
        let (snapshot, report) = try await reader.read(service, clock: clock) { entries.add($0) }
        let archive = try BackupArchive.encode(
            snapshot, entries: entries, key: key, nonce: nonce, createdAt: now, sourceCRN: sourceCRN,
            sourceRegion: sourceRegion)
        let name = Self.archiveName(at: now)
        try bucket.write(name, archive)
        let names = try bucket.list()
        for old in names.dropLast(retention) { try? bucket.delete(old) }
        return Outcome(
            name: name, secrets: snapshot.secrets.count, bytes: archive.count, unreadable: report.unreadable,
            retries: report.retries)
    }

    /// `backup-20260101T020000.000Z.smbackup`: names sort by time.
    public static func archiveName(at date: Date) -> String {
        let stamp = Timestamp.format(date).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
        return "backup-\(stamp).smbackup"
    }

    /// The newest archive in the bucket taken at or before `date` (all when nil).
    public func latest(atOrBefore date: Date? = nil) throws -> String? {
        let names = try bucket.list().filter { $0.hasSuffix(".smbackup") }
        guard let date else { return names.last }
        let limit = Self.archiveName(at: date)
        return names.last { $0 <= limit }
    }
}
