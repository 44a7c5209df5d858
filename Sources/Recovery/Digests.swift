import Crypto
import Foundation
import SecretsManager

/// SHA-256 helpers for archives and comparisons.
enum Digests {
    static func sha256Hex(_ bytes: some DataProtocol) -> String {
        Hex.encode(SHA256.hash(data: bytes))
    }
}
