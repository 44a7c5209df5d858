import Crypto
import Foundation
import SecretsManager

/// SHA-256 helpers for archives and comparisons.
enum Digests {
    static func sha256Hex(_ bytes: some DataProtocol) -> String {
        hex(SHA256.hash(data: bytes))
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        digest.withUnsafeBytes { Hex.encode($0) }
    }
}
