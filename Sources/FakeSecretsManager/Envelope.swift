import Crypto
import Foundation
import Simulation

/// A payload sealed by envelope encryption: encrypted with its own data key (AES-256-GCM), the data key
/// wrapped by a root key in a key-management instance. This is all that reaches the disk.
public struct SealedPayload: Hashable, Sendable {
    public var rootKeyID: String
    public var wrappedKey: [UInt8]
    public var nonce: [UInt8]
    /// Ciphertext followed by the 16-byte GCM tag.
    public var ciphertext: [UInt8]

    public init(rootKeyID: String, wrappedKey: [UInt8], nonce: [UInt8], ciphertext: [UInt8]) {
        self.rootKeyID = rootKeyID
        self.wrappedKey = wrappedKey
        self.nonce = nonce
        self.ciphertext = ciphertext
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
        return SealedPayload(
            rootKeyID: rootKey, wrappedKey: wrapped, nonce: nonceBytes, ciphertext: Array(box.ciphertext) + Array(box.tag))
    }

    /// Opens a sealed payload.
    static func open(_ sealed: SealedPayload, context: [UInt8], kms: KeyManagementService) throws(EnvelopeError) -> [UInt8] {
        let dataKey: SymmetricKey
        do {
            dataKey = try kms.unwrap(sealed.wrappedKey, with: sealed.rootKeyID)
        } catch {
            throw .keyManagement(error)
        }
        return try open(sealed, context: context, dataKey: dataKey)
    }

    static func open(_ sealed: SealedPayload, context: [UInt8], dataKey: SymmetricKey) throws(EnvelopeError) -> [UInt8] {
        guard sealed.ciphertext.count >= 16, sealed.nonce.count == 12 else { throw .authenticationFailed }
        do {
            let box = try AES.GCM.SealedBox(
                nonce: AES.GCM.Nonce(data: sealed.nonce), ciphertext: sealed.ciphertext.dropLast(16),
                tag: sealed.ciphertext.suffix(16))
            return Array(try AES.GCM.open(box, using: dataKey, authenticating: context))
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
