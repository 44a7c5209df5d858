import Crypto
import Foundation
import SecretsManager

/// SHA-256 helpers for archives and comparisons.
enum Digests {
    static func sha256Hex(_ bytes: some DataProtocol) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// The same for contiguous bytes, hashed in one call: an archive has one entry per secret.
    static func sha256Hex(contiguous bytes: Data) -> String {
        bytes.withUnsafeBytes { hex(SHA256.hash(data: $0)) }
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        digest.withUnsafeBytes { Hex.encode($0) }
    }
}
