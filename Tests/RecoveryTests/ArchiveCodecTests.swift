import Crypto
import Foundation
import SecretsManager
import Testing

@testable import Recovery

struct ArchiveCodecTests {
    @Test("work spread over the cores keeps every result, in order", arguments: [0, 1, 31, 32, 33, 1_000, 10_007])
    func parallelMapKeepsOrder(count: Int) {
        let items = (0..<count).map { $0 * 7 }
        let results = Parallel.map(items, minimumChunk: 16) { "item-\($0)" }
        #expect(results == items.map { "item-\($0)" })
    }

    static let key = BackupKey(Array(repeating: UInt8(9), count: 32))

    static func snapshot(secrets: Int) -> InstanceSnapshot {
        var snapshot = InstanceSnapshot(groups: [GroupSnapshot(name: "team-a")])
        for index in 0..<secrets {
            snapshot.secrets.append(
                SecretSnapshot(
                    key: SecretKey(type: .arbitrary, name: "secret-\(index)"), groupName: "team-a",
                    current: .arbitrary(payload: SecretPayload("value-\(index)"))))
        }
        return snapshot
    }

    /// Opens `archive` with the key, lets `change` edit the payload (the manifest line, then the entries at
    /// the offsets given by name), and seals it again as a valid archive: what only a holder of the key could do.
    static func resealed(_ archive: Data, _ change: (inout [UInt8], [String: Int]) -> Void) throws -> Data {
        var (header, body) = try BackupArchive.header(of: archive)
        let nonce = try AES.GCM.Nonce(data: Data(base64Encoded: header.nonce)!)
        let box = try AES.GCM.SealedBox(nonce: nonce, ciphertext: body.dropLast(16), tag: body.suffix(16))
        var payload = Array(try AES.GCM.open(box, using: key.key, authenticating: BackupArchive.associatedData(header)))
        let newline = payload.firstIndex(of: 0x0A)!
        let manifest = try BackupArchive.Manifest(json: JSONReader.parse(Array(payload[..<newline])))
        var offsets: [String: Int] = [:]
        var offset = newline + 1
        for entry in manifest.entries {
            offsets[entry.name] = offset
            offset += entry.length
        }
        change(&payload, offsets)
        header.payloadLength = payload.count + 16
        let sealed = try AES.GCM.seal(payload, using: key.key, nonce: nonce, authenticating: BackupArchive.associatedData(header))
        let newBody = sealed.ciphertext + sealed.tag
        if header.formatVersion == 1 { header.payloadSHA256 = Digests.sha256Hex(newBody) }
        var resealed = try BackupArchive.headerLine(header)
        resealed.append(0x0A)
        resealed.append(newBody)
        return resealed
    }

    static func refusal(_ archive: Data) -> String? {
        do {
            _ = try BackupArchive.decode(archive, key: key)
            return nil
        } catch {
            return error.description
        }
    }

    @Test("of several bad entries, read on different cores, the first in the manifest's order is the one refused")
    func firstRefusalInOrder() throws {
        let archive = try BackupArchive.encode(
            Self.snapshot(secrets: 3_000), key: Self.key, nonce: Array(repeating: 4, count: 12),
            createdAt: Date(timeIntervalSince1970: 0), sourceCRN: "crn:v1:bluemix:public:secrets-manager:us-south:a/x:y::",
            sourceRegion: "us-south")
        #expect(Self.refusal(archive) == nil)
        let twoBad = try Self.resealed(archive) { payload, offsets in
            payload[offsets["secrets/0002900"]! + 5] ^= 1
            payload[offsets["secrets/0000005"]! + 5] ^= 1
        }
        #expect(Self.refusal(twoBad) == "the archive was tampered with: entry secrets/0000005 does not match its SHA-256")
        // A bad entry comes before a cut-short one, however the work is split.
        let badThenShort = try Self.resealed(archive) { payload, offsets in
            payload[offsets["groups"]! + 1] ^= 1
            payload.removeLast()
        }
        #expect(Self.refusal(badThenShort) == "the archive was tampered with: entry groups does not match its SHA-256")
        let short = try Self.resealed(archive) { payload, _ in payload.removeLast() }
        #expect(Self.refusal(short) == "the archive was tampered with: entry secrets/0002999 is cut short")
    }

    @Test("an archive of thousands of secrets, made and checked on every core, reads back the same, in order")
    func largeArchiveRoundTrips() throws {
        var snapshot = InstanceSnapshot(groups: [GroupSnapshot(name: "team-a")])
        for index in 0..<3_000 {
            let kv = index % 3 == 0
            func data(_ text: String) -> SecretData {
                kv ? .kv(data: SecretObject(["n": .string(text)])) : .arbitrary(payload: SecretPayload(text))
            }
            snapshot.secrets.append(
                SecretSnapshot(
                    key: SecretKey(type: kv ? .kv : .arbitrary, name: "secret-\(index)"), groupName: "team-a",
                    labels: index % 2 == 0 ? ["even"] : [], versionsTotal: 1 + index % 4, current: data("value-\(index)"),
                    previous: index % 4 == 0 ? data("old-\(index)") : nil))
        }
        let key = BackupKey(Array(repeating: UInt8(9), count: 32))
        let archive = try BackupArchive.encode(
            snapshot, key: key, nonce: Array(repeating: 3, count: 12), createdAt: Date(timeIntervalSince1970: 0),
            sourceCRN: "crn:v1:bluemix:public:secrets-manager:us-south:a/x:y::", sourceRegion: "us-south")
        let (header, read) = try BackupArchive.decode(archive, key: key)
        #expect(header.entries == 3_003)
        #expect(header.secrets == 3_000)
        let same = read == snapshot  // compared whole, but not printed whole when they differ
        #expect(same)
        // The same snapshot makes the same bytes, however the work was spread.
        let again = try BackupArchive.encode(
            snapshot, key: key, nonce: Array(repeating: 3, count: 12), createdAt: Date(timeIntervalSince1970: 0),
            sourceCRN: "crn:v1:bluemix:public:secrets-manager:us-south:a/x:y::", sourceRegion: "us-south")
        let identical = again == archive
        #expect(identical)
        // Entries made in batches on other threads while the secrets come in, a part batch at the end.
        let entries = BackupArchive.SecretEntries()
        for secret in snapshot.secrets { entries.add(secret) }
        let streamed = try BackupArchive.encode(
            snapshot, entries: entries, key: key, nonce: Array(repeating: 3, count: 12),
            createdAt: Date(timeIntervalSince1970: 0), sourceCRN: "crn:v1:bluemix:public:secrets-manager:us-south:a/x:y::",
            sourceRegion: "us-south")
        let streamedIdentical = streamed == archive
        #expect(streamedIdentical)
        #expect(3_000 % BackupArchive.SecretEntries.batchSize != 0, "the last batch is a part batch")
    }

    @Test("entries made in batches come back in order for any count of secrets", arguments: [0, 1, 255, 256, 257, 1_000])
    func secretEntriesInOrder(count: Int) {
        let snapshot = Self.snapshot(secrets: count)
        let entries = BackupArchive.SecretEntries()
        for secret in snapshot.secrets { entries.add(secret) }
        let made = entries.finish()
        let expected = snapshot.secrets.map(BackupArchive.secretEntry)
        #expect(made.map(\.bytes) == expected.map(\.bytes))
        #expect(made.map(\.sha256) == expected.map(\.sha256))
    }

    static func fields(_ manifest: BackupArchive.Manifest) -> [String] {
        manifest.entries.map { "\($0.name)|\($0.length)|\($0.sha256)" } + [manifest.sha256]
    }

    @Test("the manifest line is written straight as canonical JSON, and read straight or through JSON the same")
    func manifestLine() throws {
        typealias Entry = BackupArchive.Manifest.Entry
        let manifests = [
            BackupArchive.Manifest(entries: [], sha256: "e3b0"),
            BackupArchive.Manifest(
                entries: [
                    Entry(name: "groups", length: 0, sha256: String(repeating: "ab", count: 32)),
                    Entry(name: "secrets/0000001", length: 9, sha256: "0"),
                    Entry(name: "secrets/0000002", length: 10, sha256: ""),
                    Entry(name: "big", length: 12_345_678_901_234, sha256: "x"),
                ], sha256: "whole"),
            // What the direct reader leaves to JSON: escapes, control characters, non-ASCII, 15 digits.
            BackupArchive.Manifest(
                entries: [
                    Entry(name: "biggest", length: 999_999_999_999_999, sha256: "x"),
                    Entry(name: #"a "quoted" \ name"#, length: 1, sha256: "s"),
                    Entry(name: "tab\there\u{1}", length: 2, sha256: "s"), Entry(name: "café", length: 3, sha256: "s"),
                ], sha256: "w"),
        ]
        for manifest in manifests {
            #expect(manifest.bytes == CanonicalJSON.bytes(manifest.json))
            let read = try BackupArchive.Manifest(line: manifest.bytes)
            #expect(Self.fields(read) == Self.fields(manifest))
        }
        #expect(BackupArchive.Manifest.direct(manifests[0].bytes) != nil)
        #expect(BackupArchive.Manifest.direct(manifests[1].bytes) != nil, "what the writer writes is read directly")
        #expect(BackupArchive.Manifest.direct(manifests[2].bytes) == nil)
        // Other forms of the same JSON read through JSONReader to the same manifest.
        let spaced = #"{ "sha256" : "whole", "entries" : [ { "sha256":"0", "name":"secrets/0000001", "length":9 } ] }"#
        #expect(Self.fields(try BackupArchive.Manifest(line: Array(spaced.utf8))) == ["secrets/0000001|9|0", "whole"])
        // Forms close to the written one that are not manifests are refused.
        let canonical = String(decoding: manifests[1].bytes, as: UTF8.self)
        for broken in [
            canonical.replacingOccurrences(of: #""length":9"#, with: #""length":-9"#),
            canonical.replacingOccurrences(of: #""length":9"#, with: #""length":"9""#),
            canonical.replacingOccurrences(of: #""length":9"#, with: #""length":9.5"#),
            canonical.replacingOccurrences(of: #""length":9"#, with: #""length":1e16"#),
            canonical.replacingOccurrences(of: #""name":"big""#, with: #""name":7"#),
            String(canonical.dropLast()), canonical + "x", canonical + "}",
        ] {
            #expect(throws: JSONReader.SyntaxError.self, "\(broken)") { try BackupArchive.Manifest(line: Array(broken.utf8)) }
        }
    }

    static func encode(_ snapshot: InstanceSnapshot, version: Int) throws -> Data {
        try BackupArchive.encode(
            snapshot, key: key, nonce: Array(repeating: 4, count: 12), createdAt: Date(timeIntervalSince1970: 0),
            sourceCRN: "crn:v1:bluemix:public:secrets-manager:us-south:a/x:y::", sourceRegion: "us-south",
            version: version)
    }

    @Test("version 1 archives are still read, with their payload hash checked; version 2 has none")
    func versionOneStillRead() throws {
        let snapshot = Self.snapshot(secrets: 50)
        let old = try Self.encode(snapshot, version: 1)
        let (oldHeader, oldSnapshot) = try BackupArchive.decode(old, key: Self.key)
        #expect(oldHeader.formatVersion == 1 && oldHeader.payloadSHA256?.count == 64)
        #expect(oldSnapshot.secrets.map(\.key) == snapshot.secrets.map(\.key))
        #expect(oldSnapshot.secrets.map(\.current) == snapshot.secrets.map(\.current))

        let current = try Self.encode(snapshot, version: 2)
        let (header, decoded) = try BackupArchive.decode(current, key: Self.key)
        #expect(header.formatVersion == 2 && header.payloadSHA256 == nil)
        #expect(!String(decoding: current.prefix(while: { $0 != 0x0A }), as: UTF8.self).contains("payload_sha256"))
        #expect(decoded.secrets.map(\.current) == snapshot.secrets.map(\.current))

        // Version 1: a wrong payload hash in the header is refused as such.
        let newline = old.firstIndex(of: 0x0A)!
        let line = String(decoding: old[..<newline], as: UTF8.self)
            .replacingOccurrences(of: oldHeader.payloadSHA256!, with: String(repeating: "0", count: 64))
        let wrongHash = Data(line.utf8) + old[newline...]
        #expect(Self.refusal(wrongHash) == "the archive was tampered with: the payload's SHA-256 does not match the header")
        // A version 1 header without its payload hash, a version 2 header with one: both refused, and said so.
        func headerEdited(_ archive: Data, _ edit: (String) -> String) -> Data {
            let end = archive.firstIndex(of: 0x0A)!
            return Data(edit(String(decoding: archive[..<end], as: UTF8.self)).utf8) + archive[end...]
        }
        let unhashed = headerEdited(old) { $0.replacingOccurrences(of: #""payload_sha256":"\#(oldHeader.payloadSHA256!)","#, with: "") }
        #expect(Self.refusal(unhashed) == "the archive was tampered with: the header has no payload_sha256")
        let hashed = headerEdited(try Self.encode(snapshot, version: 2)) {
            $0.replacingOccurrences(of: #""payload_length""#, with: #""payload_sha256":"00","payload_length""#)
        }
        #expect(Self.refusal(hashed) == "the archive was tampered with: a version 2 header has no payload_sha256")
        // Each version's whole-archive digest is checked: a manifest whose digest was changed is refused.
        for archive in [old, current] {
            let wrongWhole = try Self.resealed(archive) { payload, _ in
                let newline = payload.firstIndex(of: 0x0A)!
                var manifest = try! BackupArchive.Manifest(json: JSONReader.parse(Array(payload[..<newline])))
                manifest.sha256 = String(repeating: "1", count: 64)
                payload.replaceSubrange(..<newline, with: CanonicalJSON.bytes(manifest.json))
            }
            #expect(Self.refusal(wrongWhole) == "the archive was tampered with: the entries do not match the manifest's SHA-256")
        }
    }

    @Test("version 2's whole-archive digest is SHA-256 over one line per entry")
    func listDigest() {
        let entries = [
            BackupArchive.Manifest.Entry(name: "groups", length: 2, sha256: String(repeating: "a", count: 64)),
            BackupArchive.Manifest.Entry(name: "secrets/0000000", length: 117, sha256: String(repeating: "b", count: 64)),
        ]
        let lines = "groups 2 \(String(repeating: "a", count: 64))\nsecrets/0000000 117 \(String(repeating: "b", count: 64))\n"
        #expect(BackupArchive.listDigest(entries) == Digests.hex(SHA256.hash(data: Data(lines.utf8))))
    }

    @Test("an entry is checked against its own hash before it is read, and named when refused")
    func entryRefusals() throws {
        let bytes = Data(CanonicalJSON.bytes(SecretSnapshot(key: SecretKey(type: .arbitrary, name: "a"), groupName: "g", current: nil).json))
        let hash = Digests.hex(SHA256.hash(data: bytes))
        let good = BackupArchive.readEntry(BackupArchive.Manifest.Entry(name: "secrets/0000001", length: bytes.count, sha256: hash), bytes)
        guard case .success(.secret(let secret)) = good else {
            Issue.record("a good entry was refused: \(good)")
            return
        }
        #expect(secret.key.name == "a")
        let wrongHash = BackupArchive.readEntry(
            BackupArchive.Manifest.Entry(name: "secrets/0000002", length: bytes.count, sha256: String(repeating: "0", count: 64)), bytes)
        #expect(wrongHash.failure == .tampered("entry secrets/0000002 does not match its SHA-256"))
        let garbage = Data("{not json".utf8)
        let unreadable = BackupArchive.readEntry(
            BackupArchive.Manifest.Entry(name: "secrets/0000003", length: garbage.count, sha256: Digests.hex(SHA256.hash(data: garbage))),
            garbage)
        #expect(unreadable.failure == .tampered("entry secrets/0000003 is unreadable"))
    }
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let failure) = self { return failure }
        return nil
    }
}
