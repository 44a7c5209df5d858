import SecretsManager

/// Every acknowledged write of a drill: per secret (and per regional variant), the fingerprints of the values
/// the clients were told were stored, with the virtual time of each acknowledgement. Reads are classified
/// against it, and the recovery point is measured against it.
public struct Ledger: Sendable {
    /// One acknowledged write.
    public struct Entry: Hashable, Sendable {
        public var time: Int64
        public var fingerprint: UInt64
    }

    /// What a read returned, compared with the ledger.
    public enum ReadClass: String, Sendable, Codable {
        /// The latest acknowledged value.
        case ok
        /// An older acknowledged value.
        case stale
        /// A value never acknowledged (garbage, another region's value, ...).
        case corrupt
    }

    /// Entries by slot (secret index x 2 + variant).
    private var entries: [[Entry]]
    /// The latest acknowledged fingerprint of each slot, kept apart for the hot path's first comparison.
    private var latest: [UInt64]
    /// Whether each slot has any entry.
    private var known: [Bool]
    public private(set) var writes = 0

    public init(secrets: Int) {
        entries = Array(repeating: [], count: secrets * 2)
        latest = Array(repeating: 0, count: secrets * 2)
        known = Array(repeating: false, count: secrets * 2)
    }

    /// Records a write of `fingerprint` to `secret`, acknowledged at `time`.
    public mutating func acknowledge(secret: Int, variant: Int = 0, fingerprint: UInt64, at time: Int64) {
        let slot = secret * 2 + variant
        entries[slot].append(Entry(time: time, fingerprint: fingerprint))
        latest[slot] = fingerprint
        known[slot] = true
        writes += 1
    }

    /// The writes of a secret, oldest first.
    public func writes(of secret: Int, variant: Int = 0) -> [Entry] { entries[secret * 2 + variant] }

    /// Whether any write of `secret` was acknowledged in `variant`.
    public func isKnown(secret: Int, variant: Int = 0) -> Bool { known[secret * 2 + variant] }

    /// Classifies a read of `secret` that returned `fingerprint`.
    @inline(__always)
    public func classify(secret: Int, variant: Int = 0, fingerprint: UInt64) -> ReadClass {
        let slot = secret * 2 + variant
        guard known[slot] else { return .corrupt }
        if latest[slot] == fingerprint { return .ok }
        return entries[slot].contains { $0.fingerprint == fingerprint } ? .stale : .corrupt
    }

    /// ``classify(secret:variant:fingerprint:)`` of a ledger held in a class, in place: called on the class's
    /// property, the ledger is copied first, its three arrays retained and released, on every read of a drill.
    @inline(__always)
    public static func classify(_ ledger: inout Ledger, secret: Int, variant: Int, fingerprint: UInt64) -> ReadClass {
        ledger.classify(secret: secret, variant: variant, fingerprint: fingerprint)
    }

    public var secretCount: Int { entries.count / 2 }
}

/// The fingerprint of a value's bytes, so the ledger keeps 8 bytes per write and never the value itself. Every
/// read pays for one, so it is the fast ``WordHash``, not a cryptographic digest.
public enum Fingerprint {
    @inlinable
    public static func of(_ bytes: [UInt8]) -> UInt64 { WordHash.hash(bytes) }
}
