import Crypto
import Foundation
import Simulation

/// A payload sealed by envelope encryption: encrypted with its own data key (AES-256-GCM), the data key
/// wrapped by a root key in a key-management instance. This is all that reaches the disk.
public struct SealedPayload: Sendable {
    public var rootKeyID: String
    public var wrappedKey: Data
    /// The 12-byte nonce, as stored.
    public let nonce: Data
    /// The ciphertext followed by the 16-byte GCM tag, as stored.
    public let ciphertext: Data

    /// Reassembles a sealed payload from its stored columns; nil when they cannot be one (damage).
    init?(rootKeyID: String, wrappedKey: Data, nonce: Data, ciphertext: Data) {
        guard nonce.count == 12, ciphertext.count >= 16 else { return nil }
        self.rootKeyID = rootKeyID
        self.wrappedKey = wrappedKey
        self.nonce = nonce
        self.ciphertext = ciphertext
    }

    /// The box that opens it: nonce, ciphertext and tag.
    var box: AES.GCM.SealedBox {
        get throws { try AES.GCM.SealedBox(combined: nonce + ciphertext) }
    }
}

/// Why sealed data could not be opened.
enum EnvelopeError: Error {
    case keyManagement(KeyManagementError)
    case authenticationFailed
}

/// Envelope encryption. Keys and nonces come from the simulation's seeded generator, so a drill encrypts the
/// same way every time it runs with the same seed; each data key is used for one payload only.
enum Envelope {
    /// Seals `plaintext`, binding it to `context` (the secret and version ids), so a sealed payload moved to
    /// another row no longer opens.
    static func seal(
        _ plaintext: [UInt8], context: [UInt8], rootKey: String, kms: KeyManagementService, random: inout SeededRandom
    ) throws(KeyManagementError) -> SealedPayload {
        let dataKey = SymmetricKey(data: random.bytes(32))
        let nonceBytes = random.bytes(12)
        let wrapped = try kms.wrap(dataKey, with: rootKey)
        // A 12-byte nonce and a 256-bit key are always valid, so sealing cannot fail.
        let box = try! AES.GCM.seal(
            plaintext, using: dataKey, nonce: try! AES.GCM.Nonce(data: nonceBytes), authenticating: context)
        // The combined form of a box with a 12-byte nonce is always there: nonce, ciphertext, tag.
        let combined = box.combined!
        return SealedPayload(
            rootKeyID: rootKey, wrappedKey: wrapped, nonce: Data(nonceBytes),
            ciphertext: Data(combined.dropFirst(12)))!
    }

    /// Unwraps the data key of a sealed payload.
    static func dataKey(of sealed: SealedPayload, kms: KeyManagementService) throws(KeyManagementError) -> SymmetricKey {
        try kms.unwrap(sealed.wrappedKey, with: sealed.rootKeyID)
    }

    /// Opens a sealed payload with its data key.
    static func open(_ sealed: SealedPayload, context: [UInt8], dataKey: SymmetricKey) throws(EnvelopeError) -> [UInt8] {
        do {
            return Array(try AES.GCM.open(try sealed.box, using: dataKey, authenticating: context))
        } catch {
            throw .authenticationFailed
        }
    }

    /// Re-wraps the data key of `sealed` under another root key, given the old root key's material. The
    /// payload itself is untouched.
    static func rewrap(
        _ sealed: SealedPayload, oldRootKey: SymmetricKey, newRootKey: String, kms: KeyManagementService
    ) throws(KeyManagementError) -> SealedPayload {
        guard let dataKey = try? AES.KeyWrap.unwrap(sealed.wrappedKey, using: oldRootKey) else {
            throw .unwrapFailed(RootKeyReference(kmsCRN: kms.crn.description, keyID: sealed.rootKeyID))
        }
        var copy = sealed
        copy.wrappedKey = try kms.wrap(dataKey, with: newRootKey)
        copy.rootKeyID = newRootKey
        return copy
    }
}
