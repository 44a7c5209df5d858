import Crypto
import Dispatch
import Foundation
import SecretsManager
import Synchronization

/// The key that encrypts backup archives. It is the customer's, kept apart from the instance's KMS, so a
/// lost root key or a lost region does not take the backups with it.
public struct BackupKey: Sendable {
    let key: SymmetricKey

    public init(_ bytes: some ContiguousBytes) { key = SymmetricKey(data: bytes) }

    /// A 256-bit key from a generator (a drill's seeded one, or the system's).
    public init<G: RandomNumberGenerator>(using generator: inout G) {
        var bytes = [UInt8](repeating: 0, count: 32)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255, using: &generator) }
        key = SymmetricKey(data: bytes)
    }

    /// A short public fingerprint of the key, written in archive headers to tell a wrong key from tampering.
    public var id: String {
        key.withUnsafeBytes { bytes in
            String(Digests.sha256Hex(Data("smdrill-backup-key".utf8) + Data(bytes)).prefix(16))
        }
    }
}

/// The backup archive format (docs/backup-format.md): one header line of JSON, then the AES-256-GCM
/// ciphertext and tag of the payload. The payload is a manifest line (every entry's name, length and
/// SHA-256, and a SHA-256 over them all) followed by the entries.
///
/// Version 2 (written now) hashes every byte once, entry by entry, on every core: its whole-archive digest
/// is over the manifest's list of entries and their digests. Version 1 (still read) also hashed all the
/// entries' bytes again in one stream and the ciphertext in another, in a header field: two passes over
/// the whole archive, on one core, each way.
public enum BackupArchive {
    public static let formatName = "smdrill-backup"
    public static let formatVersion = 2
    /// The versions this reader opens.
    public static let readableVersions: ClosedRange<Int> = 1...2

    /// The archive's public header; authenticated as the cipher's associated data.
    public struct Header: Codable, Sendable, Hashable {
        public var format: String
        public var formatVersion: Int
        public var createdAt: Date
        public var sourceInstanceCRN: String
        public var sourceRegion: String
        public var keyID: String
        public var cipher: String
        public var nonce: String
        public var payloadLength: Int
        /// Version 1 only: the SHA-256 of the ciphertext and tag.
        public var payloadSHA256: String?
        public var entries: Int
        public var secrets: Int

        enum CodingKeys: String, CodingKey {
            case format, cipher, nonce, entries, secrets
            case formatVersion = "format_version"
            case createdAt = "created_at"
            case sourceInstanceCRN = "source_instance_crn"
            case sourceRegion = "source_region"
            case keyID = "key_id"
            case payloadLength = "payload_length"
            case payloadSHA256 = "payload_sha256"
        }
    }

    /// The payload's first line, written and read as plain JSON by `CanonicalJSON` and `JSONReader`: a
    /// manifest has an entry per secret, and `Codable` was a third of encoding and checking an archive.
    struct Manifest {
        struct Entry {
            var name: String
            var length: Int
            var sha256: String
        }

        var entries: [Entry]
        var sha256: String

        init(entries: [Entry], sha256: String) {
            self.entries = entries
            self.sha256 = sha256
        }

        var json: JSONValue {
            .object([
                "entries": .array(
                    entries.map {
                        .object(["name": .string($0.name), "length": .number(Double($0.length)), "sha256": .string($0.sha256)])
                    }),
                "sha256": .string(sha256),
            ])
        }

        /// The manifest line: `CanonicalJSON.bytes(json)`, written straight rather than through a `JSONValue`
        /// of an object per entry (its fields in sorted order: length, name, sha256).
        var bytes: [UInt8] {
            var output: [UInt8] = []
            output.reserveCapacity(entries.count * 112 + 96)
            output.append(contentsOf: #"{"entries":["#.utf8)
            for (index, entry) in entries.enumerated() {
                output.append(contentsOf: index == 0 ? #"{"length":"#.utf8 : #",{"length":"#.utf8)
                output.append(contentsOf: String(entry.length).utf8)
                output.append(contentsOf: #","name":"#.utf8)
                CanonicalJSON.write(string: entry.name, into: &output)
                output.append(contentsOf: #","sha256":"#.utf8)
                CanonicalJSON.write(string: entry.sha256, into: &output)
                output.append(0x7D)
            }
            output.append(contentsOf: #"],"sha256":"#.utf8)
            CanonicalJSON.write(string: sha256, into: &output)
            output.append(0x7D)
            return output
        }

        /// Reads a manifest line: in the form ``bytes`` writes, directly; in any other JSON form, through
        /// `JSONReader` and ``init(json:)``, which a manifest read directly would give the same value.
        init(line: some Collection<UInt8>) throws(JSONReader.SyntaxError) {
            let bytes = Array(line)
            if let manifest = Self.direct(bytes) {
                self = manifest
            } else {
                try self.init(json: JSONReader.parse(bytes))
            }
        }

        /// The manifest, when `bytes` are exactly in the form ``bytes`` writes with strings of printable ASCII
        /// and no escapes; nil otherwise.
        static func direct(_ bytes: [UInt8]) -> Manifest? {
            bytes.withUnsafeBufferPointer { bytes -> Manifest? in
                var position = 0
                func literal(_ text: StaticString) -> Bool {
                    let count = text.utf8CodeUnitCount
                    guard bytes.count - position >= count,
                        memcmp(bytes.baseAddress! + position, text.utf8Start, count) == 0
                    else { return false }
                    position += count
                    return true
                }
                func string() -> String? {
                    guard position < bytes.count, bytes[position] == 0x22 else { return nil }
                    let start = position + 1
                    var end = start
                    while end < bytes.count, bytes[end] != 0x22 {
                        guard bytes[end] >= 0x20, bytes[end] < 0x7F, bytes[end] != 0x5C else { return nil }
                        end += 1
                    }
                    guard end < bytes.count else { return nil }
                    position = end + 1
                    return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
                }
                func length() -> Int? {
                    var value = 0
                    let start = position
                    while position < bytes.count, (0x30...0x39).contains(bytes[position]), position - start < 15 {
                        value = value * 10 + Int(bytes[position] - 0x30)
                        position += 1
                    }
                    let digits = position - start
                    guard digits > 0, digits < 15, bytes[start] != 0x30 || digits == 1 else { return nil }
                    return value
                }
                guard literal(#"{"entries":["#) else { return nil }
                var entries: [Entry] = []
                entries.reserveCapacity(bytes.count / 112)
                if !literal("]") {
                    repeat {
                        guard literal(#"{"length":"#), let length = length(), literal(#","name":"#), let name = string(),
                            literal(#","sha256":"#), let sha256 = string(), literal("}")
                        else { return nil }
                        entries.append(Entry(name: name, length: length, sha256: sha256))
                    } while literal(",")
                    guard literal("]") else { return nil }
                }
                guard literal(#","sha256":"#), let sha256 = string(), literal("}"), position == bytes.count else {
                    return nil
                }
                return Manifest(entries: entries, sha256: sha256)
            }
        }

        init(json: JSONValue) throws(JSONReader.SyntaxError) {
            func fail() -> JSONReader.SyntaxError { JSONReader.SyntaxError(offset: 0, reason: "not a manifest") }
            guard case .object(let object) = json, case .array(let items)? = object["entries"],
                case .string(let sha256)? = object["sha256"]
            else { throw fail() }
            var entries: [Entry] = []
            entries.reserveCapacity(items.count)
            for item in items {
                guard case .object(let fields) = item, case .string(let name)? = fields["name"],
                    case .number(let length)? = fields["length"], case .string(let digest)? = fields["sha256"],
                    length >= 0, length == length.rounded(), length < 1e15
                else { throw fail() }
                entries.append(Entry(name: name, length: Int(length), sha256: digest))
            }
            self.init(entries: entries, sha256: sha256)
        }
    }

    /// Why an archive was refused, before anything was written to a target.
    public enum ArchiveError: Error, Sendable, Hashable, CustomStringConvertible {
        case notAnArchive(String)
        case unsupportedVersion(Int)
        case truncated(have: Int, expected: Int)
        case wrongKey(archiveKeyID: String, givenKeyID: String)
        case tampered(String)

        public var description: String {
            switch self {
            case .notAnArchive(let reason): "not a smdrill backup archive: \(reason)"
            case .unsupportedVersion(let version):
                "the archive has format version \(version); this smdrill reads versions "
                    + "\(BackupArchive.readableVersions.lowerBound) to \(BackupArchive.readableVersions.upperBound)"
            case .truncated(let have, let expected):
                "the archive is truncated: its payload has \(have) of \(expected) bytes"
            case .wrongKey(let archive, let given):
                "the archive was encrypted with key \(archive), not with the key given (\(given))"
            case .tampered(let reason): "the archive was tampered with: \(reason)"
            }
        }
    }

    /// Encodes a snapshot as archive bytes, in the current format version (`version` is for tests of the
    /// reader).
    public static func encode(
        _ snapshot: InstanceSnapshot, key: BackupKey, nonce: [UInt8], createdAt: Date, sourceCRN: String,
        sourceRegion: String
    ) throws -> Data {
        try encode(
            snapshot, key: key, nonce: nonce, createdAt: createdAt, sourceCRN: sourceCRN, sourceRegion: sourceRegion,
            version: formatVersion)
    }

    /// ``encode(_:key:nonce:createdAt:sourceCRN:sourceRegion:)`` with the secrets' entries already made by
    /// `entries`, which was handed every secret of the snapshot, in order, as they were read.
    static func encode(
        _ snapshot: InstanceSnapshot, entries: SecretEntries, key: BackupKey, nonce: [UInt8], createdAt: Date,
        sourceCRN: String, sourceRegion: String
    ) throws -> Data {
        try encode(
            snapshot, key: key, nonce: nonce, createdAt: createdAt, sourceCRN: sourceCRN, sourceRegion: sourceRegion,
            version: formatVersion, secretEntries: entries.finish())
    }

    /// A secret's entry: its canonical JSON, and the SHA-256 of that in hex.
    static func secretEntry(_ secret: SecretSnapshot) -> (bytes: Data, sha256: String) {
        let bytes = Data(CanonicalJSON.bytes(secret.json))
        return (bytes, Digests.hex(SHA256.hash(data: bytes)))
    }

    /// Secrets' entries (``secretEntry(_:)``) made on other threads while the caller goes on: a backup hands
    /// each secret over as it reads it, and the entries are ready, or nearly, when the reading ends. The
    /// entries are the same, in the same order, as those made from the whole snapshot at once.
    ///
    /// Thread confinement: ``add(_:)`` and ``finish()`` on the caller's thread. Batches wait in a queue under a
    /// lock; a job on a global queue takes the oldest, and so does ``finish()`` until none is left, rather than
    /// wait idle for the jobs to get to them.
    final class SecretEntries: @unchecked Sendable {
        /// Secrets encoded together on one thread.
        static let batchSize = 256
        typealias Entry = (bytes: Data, sha256: String)
        private var batch: [SecretSnapshot] = []
        private var batches = 0
        private let state = Mutex<(waiting: [(index: Int, secrets: [SecretSnapshot])], encoded: [Int: [Entry]])>(([], [:]))
        private let group = DispatchGroup()

        init() { batch.reserveCapacity(Self.batchSize) }

        /// The next secret of the snapshot.
        func add(_ secret: SecretSnapshot) {
            batch.append(secret)
            if batch.count == Self.batchSize { submit() }
        }

        private func submit() {
            guard !batch.isEmpty else { return }
            let secrets = batch
            let index = batches
            batch.removeAll(keepingCapacity: true)
            batches += 1
            state.withLock { $0.waiting.append((index, secrets)) }
            DispatchQueue.global().async(group: group) { [self] in _ = encodeOldest() }
        }

        /// Encodes the oldest waiting batch, if any is left; answers whether there was one.
        private func encodeOldest() -> Bool {
            guard let (index, secrets) = state.withLock({ $0.waiting.isEmpty ? nil : $0.waiting.removeFirst() }) else {
                return false
            }
            let entries = secrets.map(BackupArchive.secretEntry)
            state.withLock { $0.encoded[index] = entries }
            return true
        }

        /// Every entry, in the order the secrets were added, once all are made.
        func finish() -> [Entry] {
            submit()
            while encodeOldest() {}
            group.wait()
            return state.withLock { state in
                var entries: [Entry] = []
                entries.reserveCapacity(batches * Self.batchSize)
                for index in 0..<batches { entries.append(contentsOf: state.encoded[index] ?? []) }
                return entries
            }
        }
    }

    static func encode(
        _ snapshot: InstanceSnapshot, key: BackupKey, nonce: [UInt8], createdAt: Date, sourceCRN: String,
        sourceRegion: String, version: Int, secretEntries: [(bytes: Data, sha256: String)]? = nil
    ) throws -> Data {
        precondition(readableVersions.contains(version), "no format version \(version)")
        let encoder = SecretsManagerJSON.makeEncoder()
        var entries: [(name: String, bytes: Data, sha256: String)] = try [
            ("groups", encoder.encode(snapshot.groups)),
            ("configurations", encoder.encode(snapshot.configurations)),
            ("notifications_registration", encoder.encode(snapshot.notificationsRegistration)),
        ].map { name, bytes in (name, bytes, Digests.hex(SHA256.hash(data: bytes))) }
        // Each secret's entry and its hash depend on that secret alone: made on every core.
        let secrets = secretEntries ?? Parallel.map(snapshot.secrets, secretEntry)
        precondition(secrets.count == snapshot.secrets.count, "an entry for every secret of the snapshot")
        entries.reserveCapacity(entries.count + secrets.count)
        for (index, (bytes, sha256)) in secrets.enumerated() {
            entries.append(("secrets/" + zeroPadded(index, width: 7), bytes, sha256))
        }
        let listed = entries.map { Manifest.Entry(name: $0.name, length: $0.bytes.count, sha256: $0.sha256) }
        let whole: String
        if version == 1 {
            var all = SHA256()
            for entry in entries { all.update(data: entry.bytes) }
            whole = Digests.hex(all.finalize())
        } else {
            whole = listDigest(listed)
        }
        let manifest = Manifest(entries: listed, sha256: whole)
        var payload = Data(manifest.bytes)
        payload.reserveCapacity(payload.count + 1 + entries.reduce(0) { $0 + $1.bytes.count } + 16)
        payload.append(0x0A)
        for entry in entries { payload.append(entry.bytes) }

        var header = Header(
            format: formatName, formatVersion: version, createdAt: createdAt, sourceInstanceCRN: sourceCRN,
            sourceRegion: sourceRegion, keyID: key.id, cipher: "AES-256-GCM", nonce: Data(nonce).base64EncodedString(),
            payloadLength: payload.count + 16, payloadSHA256: nil, entries: entries.count,
            secrets: snapshot.secrets.count)
        let box = try AES.GCM.seal(
            payload, using: key.key, nonce: AES.GCM.Nonce(data: nonce), authenticating: associatedData(header))
        var archive = Data()
        archive.reserveCapacity(payload.count + 16 + 1_024)
        if version == 1 {
            // The payload hash covers the ciphertext, which depends on the header (associated data) without it.
            var body = box.ciphertext
            body.append(box.tag)
            header.payloadSHA256 = Digests.sha256Hex(body)
        }
        archive.append(try headerLine(header))
        archive.append(0x0A)
        archive.append(box.ciphertext)
        archive.append(box.tag)
        return archive
    }

    /// Version 2's whole-archive digest: SHA-256 over one line per entry, `<name> <length> <sha256>\n`, in order.
    static func listDigest(_ entries: [Manifest.Entry]) -> String {
        var lines: [UInt8] = []
        lines.reserveCapacity(entries.count * 96)
        for entry in entries {
            lines.append(contentsOf: entry.name.utf8)
            lines.append(0x20)
            lines.append(contentsOf: String(entry.length).utf8)
            lines.append(0x20)
            lines.append(contentsOf: entry.sha256.utf8)
            lines.append(0x0A)
        }
        return Digests.hex(SHA256.hash(data: lines))
    }

    /// `42` as `0000042`.
    static func zeroPadded(_ value: Int, width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// The header line as written.
    static func headerLine(_ header: Header) throws -> Data {
        try SecretsManagerJSON.makeEncoder().encode(header)
    }

    /// What GCM authenticates besides the payload: the header, with version 1's payload hash (which is over the
    /// ciphertext) set to the empty string.
    static func associatedData(_ header: Header) throws -> Data {
        var copy = header
        copy.payloadSHA256 = header.formatVersion == 1 ? "" : nil
        return try headerLine(copy)
    }

    /// The index of the first line feed, found in the contiguous bytes rather than one `Data` index at a time.
    static func firstNewline(in data: Data) -> Data.Index? {
        data.withUnsafeBytes { buffer in buffer.firstIndex(of: 0x0A) }.map { data.startIndex + $0 }
    }

    /// Reads the header alone (for listings), checking that the bytes look like an archive.
    public static func header(of archive: Data) throws(ArchiveError) -> (Header, Data) {
        guard let newline = firstNewline(in: archive) else {
            throw .notAnArchive("no header line")
        }
        let headerData = archive[archive.startIndex..<newline]
        guard let header = try? SecretsManagerJSON.makeDecoder().decode(Header.self, from: headerData) else {
            if let loose = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any],
                loose["format"] as? String == formatName, let version = loose["format_version"] as? Int,
                !readableVersions.contains(version)
            {
                throw .unsupportedVersion(version)
            }
            throw .notAnArchive("the header is not a smdrill backup header")
        }
        guard header.format == formatName else { throw .notAnArchive("its format is '\(header.format)'") }
        guard readableVersions.contains(header.formatVersion) else { throw .unsupportedVersion(header.formatVersion) }
        return (header, archive[archive.index(after: newline)...])
    }

    /// Opens and checks an archive completely: the format version, its length, the key, the payload hash,
    /// the authentication tag, every entry's hash. Nothing is trusted before all of it holds.
    public static func decode(_ archive: Data, key: BackupKey) throws(ArchiveError) -> (Header, InstanceSnapshot) {
        let (header, body) = try header(of: archive)
        guard body.count >= header.payloadLength else {
            throw .truncated(have: body.count, expected: header.payloadLength)
        }
        guard body.count == header.payloadLength else {
            throw .tampered("\(body.count - header.payloadLength) bytes follow the payload")
        }
        guard header.keyID == key.id else { throw .wrongKey(archiveKeyID: header.keyID, givenKeyID: key.id) }
        if header.formatVersion == 1 {
            guard let expected = header.payloadSHA256 else { throw .tampered("the header has no payload_sha256") }
            guard Digests.sha256Hex(body) == expected else {
                throw .tampered("the payload's SHA-256 does not match the header")
            }
        } else if header.payloadSHA256 != nil {
            // Version 2 authenticates its header as written; a field it does not have was added afterwards.
            throw .tampered("a version \(header.formatVersion) header has no payload_sha256")
        }
        let payload: Data
        do {
            guard let nonceBytes = Data(base64Encoded: header.nonce) else { throw ArchiveError.tampered("bad nonce") }
            let box = try AES.GCM.SealedBox(
                nonce: AES.GCM.Nonce(data: nonceBytes), ciphertext: body.dropLast(16), tag: body.suffix(16))
            payload = try AES.GCM.open(box, using: key.key, authenticating: try associatedData(header))
        } catch {
            throw .tampered("the header or payload does not authenticate")
        }
        guard let newline = firstNewline(in: payload),
            let manifest = try? Manifest(line: payload[payload.startIndex..<newline])
        else {
            throw .tampered("the manifest is unreadable")
        }
        var ranges: [Range<Data.Index>] = []
        ranges.reserveCapacity(manifest.entries.count)
        var offset = payload.index(after: newline)
        for (index, entry) in manifest.entries.enumerated() {
            guard payload.endIndex - offset >= entry.length else {
                // The entries before it come first in the manifest's order: their refusal, if any, is the one.
                for (earlier, range) in zip(manifest.entries[..<index], ranges) {
                    if case .failure(let refusal) = Self.readEntry(earlier, payload[range]) { throw refusal }
                }
                throw .tampered("entry \(entry.name) is cut short")
            }
            ranges.append(offset..<(offset + entry.length))
            offset += entry.length
        }
        let whole: String
        if header.formatVersion == 1 {
            var all = SHA256()
            for range in ranges { all.update(data: payload[range]) }
            whole = Digests.hex(all.finalize())
        } else {
            whole = listDigest(manifest.entries)
        }
        // Each entry is checked against its hash and read alone: on every core. The first refusal, in the
        // manifest's order, is the one reported.
        let entries = Parallel.map(Array(zip(manifest.entries, ranges))) { entry, range in
            Self.readEntry(entry, payload[range])
        }
        var snapshot = InstanceSnapshot()
        snapshot.secrets.reserveCapacity(entries.count)
        for entry in entries {
            switch entry {
            case .failure(let refusal): throw refusal
            case .success(.groups(let groups)): snapshot.groups = groups
            case .success(.configurations(let configurations)): snapshot.configurations = configurations
            case .success(.notificationsRegistration(let registration)): snapshot.notificationsRegistration = registration
            case .success(.secret(let secret)): snapshot.secrets.append(secret)
            }
        }
        guard whole == manifest.sha256 else {
            throw .tampered("the entries do not match the manifest's SHA-256")
        }
        return (header, snapshot)
    }

    /// What one entry holds.
    enum EntryContent: Sendable {
        case groups([GroupSnapshot])
        case configurations([Configuration])
        case notificationsRegistration(NotificationsRegistration?)
        case secret(SecretSnapshot)
    }

    /// Checks one entry against its hash in the manifest, then reads it.
    static func readEntry(_ entry: Manifest.Entry, _ bytes: Data) -> Result<EntryContent, ArchiveError> {
        guard Digests.hex(SHA256.hash(data: bytes)) == entry.sha256 else {
            return .failure(.tampered("entry \(entry.name) does not match its SHA-256"))
        }
        do {
            switch entry.name {
            case "groups":
                return .success(.groups(try SecretsManagerJSON.makeDecoder().decode([GroupSnapshot].self, from: bytes)))
            case "configurations":
                return .success(
                    .configurations(try SecretsManagerJSON.makeDecoder().decode([Configuration].self, from: bytes)))
            case "notifications_registration":
                return .success(
                    .notificationsRegistration(
                        try SecretsManagerJSON.makeDecoder().decode(NotificationsRegistration?.self, from: bytes)))
            default:
                return .success(.secret(try SecretSnapshot(json: JSONReader.parse(Array(bytes)))))
            }
        } catch {
            return .failure(.tampered("entry \(entry.name) is unreadable"))
        }
    }
}
