import Crypto
import Foundation
import SecretsManager

/// An external source of truth: the desired state of the secrets, kept with its history so any point in time
/// can be recovered (the seed asks for "point in time recovery like versioned buckets or Github
/// repositories"). The seed's rule: change the source of truth first, then apply it to the instances.
///
/// On disk it is one file in a folder: a header line, then revisions, each sealed with the repository's key
/// (AES-256-GCM) and prefixed by its length. Revision 1 holds a whole state; later ones hold the secrets
/// they change. Whether the folder can be reached is up to `isAvailable` (a drill ties it to a region).
public final class SourceOfTruthRepository: @unchecked Sendable {
    /// One change to the desired state.
    public struct Revision: Codable, Sendable {
        public var number: Int
        public var at: Date
        /// Secrets added or changed.
        public var upserts: [SecretSnapshot]
        /// Secrets removed.
        public var removals: [SecretKey]
        /// A whole state (the first revision), when present.
        public var base: InstanceSnapshot?
    }

    public enum RepositoryError: Error, Sendable, CustomStringConvertible {
        case unavailable(String)
        case damaged(String)

        public var description: String {
            switch self {
            case .unavailable(let reason): "the source of truth is unavailable: \(reason)"
            case .damaged(let reason): "the source of truth is damaged: \(reason)"
            }
        }
    }

    public let file: URL
    public let location: BucketLocation
    private let key: BackupKey
    private let isAvailable: @Sendable () -> Bool
    private var nonceCounter: UInt64 = 0
    private(set) public var revisions: [Revision] = []
    /// The latest desired snapshot of each secret (nil: removed), for lookups without a replay.
    private var latest: [SecretKey: SecretSnapshot?] = [:]

    /// Opens the repository at `folder`, creating it with `initial` as its first revision when it is new.
    public init(
        folder: URL, location: BucketLocation, key: BackupKey, initial: InstanceSnapshot, at date: Date,
        isAvailable: @escaping @Sendable () -> Bool = { true }
    ) throws {
        file = folder.appendingPathComponent("source-of-truth.smsot")
        self.location = location
        self.key = key
        self.isAvailable = isAvailable
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        if FileManager.default.fileExists(atPath: file.path) {
            revisions = try Self.read(file, key: key)
            nonceCounter = UInt64(revisions.count)
            for revision in revisions { index(revision) }
        } else {
            try Data("smdrill-source-of-truth 1 key=\(key.id)\n".utf8).write(to: file)
            try append(Revision(number: 1, at: date, upserts: [], removals: [], base: initial))
        }
    }

    private func check() throws(RepositoryError) {
        guard isAvailable() else { throw .unavailable("its \(location) cannot be reached") }
    }

    /// Commits a change; it is durable when this returns.
    public func commit(upserts: [SecretSnapshot], removals: [SecretKey] = [], at date: Date) throws {
        try check()
        try append(
            Revision(number: revisions.count + 1, at: date, upserts: upserts, removals: removals, base: nil))
    }

    private func append(_ revision: Revision) throws {
        nonceCounter += 1
        var nonce = [UInt8](repeating: 0, count: 12)
        withUnsafeBytes(of: nonceCounter.bigEndian) { for (index, byte) in $0.enumerated() { nonce[4 + index] = byte } }
        let plaintext = try SecretsManagerJSON.makeEncoder().encode(revision)
        let box = try AES.GCM.seal(plaintext, using: key.key, nonce: AES.GCM.Nonce(data: nonce))
        var record = Data()
        var length = UInt32(box.combined!.count).bigEndian
        withUnsafeBytes(of: &length) { record.append(contentsOf: $0) }
        record.append(box.combined!)
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: record)
        revisions.append(revision)
        index(revision)
    }

    private func index(_ revision: Revision) {
        if let base = revision.base {
            latest = [:]
            for secret in base.secrets { latest[secret.key] = secret }
        }
        for secret in revision.upserts { latest[secret.key] = secret }
        for key in revision.removals { latest[key] = .some(nil) }
    }

    static func read(_ file: URL, key: BackupKey) throws -> [Revision] {
        let data = try Data(contentsOf: file)
        guard let newline = data.firstIndex(of: 0x0A),
            String(decoding: data[..<newline], as: UTF8.self).hasPrefix("smdrill-source-of-truth 1")
        else {
            throw RepositoryError.damaged("\(file.path) is not a smdrill source of truth")
        }
        var offset = data.index(after: newline)
        var revisions: [Revision] = []
        let decoder = SecretsManagerJSON.makeDecoder()
        while offset < data.endIndex {
            guard data.endIndex - offset >= 4 else { throw RepositoryError.damaged("a revision is cut short") }
            let length = data[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            offset += 4
            guard data.endIndex - offset >= length,
                let box = try? AES.GCM.SealedBox(combined: data[offset..<(offset + length)]),
                let plaintext = try? AES.GCM.open(box, using: key.key),
                let revision = try? decoder.decode(Revision.self, from: plaintext)
            else {
                throw RepositoryError.damaged("revision \(revisions.count + 1) does not open with this key")
            }
            offset += length
            revisions.append(revision)
        }
        return revisions
    }

    /// The desired state as of `date` (the latest when nil): point-in-time recovery.
    public func state(at date: Date? = nil) throws -> InstanceSnapshot {
        try check()
        var snapshot = InstanceSnapshot()
        var secrets: [SecretKey: SecretSnapshot] = [:]
        var order: [SecretKey] = []
        for revision in revisions where date.map({ revision.at <= $0 }) ?? true {
            if let base = revision.base {
                snapshot = base
                secrets = Dictionary(base.secrets.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
                order = base.secrets.map(\.key)
            }
            for secret in revision.upserts {
                if secrets[secret.key] == nil { order.append(secret.key) }
                secrets[secret.key] = secret
            }
            for key in revision.removals { secrets[key] = nil }
        }
        snapshot.secrets = order.compactMap { secrets.removeValue(forKey: $0) }
        return snapshot
    }

    /// The desired snapshot of one secret now.
    public func current(_ key: SecretKey) -> SecretSnapshot? {
        latest[key] ?? nil
    }
}
