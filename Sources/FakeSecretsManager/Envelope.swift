import Crypto
import Foundation
import Simulation
import Synchronization

/// A payload sealed by envelope encryption: encrypted with its own data key (AES-256-GCM), the data key
/// wrapped by a root key in a key-management instance. This is all that reaches the disk.
///
/// A payload the instance has just sealed carries its inputs rather than its bytes: the key-management
/// checks ran when it was sealed, and the cipher runs when the bytes are first asked for, normally on the
/// storage writer's thread, beside the simulation rather than in its way. Both forms answer the same bytes.
public struct SealedPayload: Sendable {
    public var rootKeyID: String
    /// The 12-byte nonce, as stored.
    public let nonce: Data
    private var storedWrappedKey: Data?
    private let storedCiphertext: Data?
    private let inputs: SealInputs?

    /// Reassembles a sealed payload from its stored columns; nil when they cannot be one (damage).
    init?(rootKeyID: String, wrappedKey: Data, nonce: Data, ciphertext: Data) {
        guard nonce.count == 12, ciphertext.count >= 16 else { return nil }
        self.rootKeyID = rootKeyID
        self.nonce = nonce
        storedWrappedKey = wrappedKey
        storedCiphertext = ciphertext
        inputs = nil
    }

    /// A payload sealed from `inputs` with `nonce`, its bytes made when first asked for.
    fileprivate init(rootKeyID: String, nonce: Data, inputs: SealInputs) {
        self.rootKeyID = rootKeyID
        self.nonce = nonce
        storedWrappedKey = nil
        storedCiphertext = nil
        self.inputs = inputs
    }

    /// The data key wrapped by the root key, as stored.
    public var wrappedKey: Data {
        get {
            if let storedWrappedKey { return storedWrappedKey }
            return inputs!.wrappedKey
        }
        set { storedWrappedKey = newValue }
    }

    /// The ciphertext followed by the 16-byte GCM tag, as stored.
    public var ciphertext: Data {
        if let storedCiphertext { return storedCiphertext }
        return inputs!.ciphertext
    }

    /// Makes the bytes of a payload sealed from its inputs now, on the calling thread, if no thread has yet.
    func makeBytes() { _ = inputs?.ciphertext }

    /// The box that opens it: nonce, ciphertext and tag.
    var box: AES.GCM.SealedBox {
        get throws { try AES.GCM.SealedBox(combined: nonce + ciphertext) }
    }
}

extension SealedPayload: CustomReflectable {
    /// What `dump` and the debugger show: never the inputs of a payload whose bytes are not made yet.
    public var customMirror: Mirror {
        Mirror(self, children: ["rootKeyID": rootKeyID, "nonce": nonce], displayStyle: .struct)
    }
}

/// What a payload is sealed from, until its bytes are made: any thread may ask for them; they are made once,
/// under a lock, and then the plaintext and the keys are dropped.
private final class SealInputs: Sendable {
    private enum State {
        case pending(plaintext: [UInt8], context: [UInt8], dataKey: KeyWords, nonce: Data, rootKey: SymmetricKey)
        case made(ciphertext: Data, wrappedKey: Data)
    }

    private let state: Mutex<State>

    /// A 256-bit data key as four words, whose bytes (each word's, least significant first) are the key.
    typealias KeyWords = (UInt64, UInt64, UInt64, UInt64)

    /// `rootKey` is the root key's material, taken while the key was active. The data key stays words until
    /// the payload is made: building a `SymmetricKey` allocates, and is work for whichever thread seals.
    init(plaintext: [UInt8], context: [UInt8], dataKey: KeyWords, nonce: Data, rootKey: SymmetricKey) {
        state = Mutex(.pending(plaintext: plaintext, context: context, dataKey: dataKey, nonce: nonce, rootKey: rootKey))
    }

    var ciphertext: Data { bytes.ciphertext }
    var wrappedKey: Data { bytes.wrappedKey }

    private var bytes: (ciphertext: Data, wrappedKey: Data) {
        state.withLock { state in
            switch state {
            case .made(let ciphertext, let wrappedKey):
                return (ciphertext, wrappedKey)
            case .pending(let plaintext, let context, let words, let nonce, let rootKey):
                let littleEndian = (words.0.littleEndian, words.1.littleEndian, words.2.littleEndian, words.3.littleEndian)
                let dataKey = withUnsafeBytes(of: littleEndian) { SymmetricKey(data: $0) }
                // A 12-byte nonce and 256-bit keys are always valid, and RFC 3394 key wrap has no randomness,
                // so neither can fail, and both make the same bytes every time.
                let box = try! AES.GCM.seal(
                    plaintext, using: dataKey, nonce: try! AES.GCM.Nonce(data: nonce), authenticating: context)
                var ciphertext = Data(box.ciphertext)
                ciphertext.append(contentsOf: box.tag)
                let wrappedKey = try! AES.KeyWrap.wrap(dataKey, using: rootKey)
                state = .made(ciphertext: ciphertext, wrappedKey: wrappedKey)
                return (ciphertext, wrappedKey)
            }
        }
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
        // The bytes `random.bytes(32)` then `random.bytes(12)` would give (each word's, least significant first),
        // taken as words: no array is made for either on the caller's thread.
        let dataKey = SealInputs.KeyWords(random.next(), random.next(), random.next(), random.next())
        let nonce = withUnsafeBytes(of: (random.next().littleEndian, random.next().littleEndian)) {
            Data(bytes: $0.baseAddress!, count: 12)
        }
        let inputs = SealInputs(
            plaintext: plaintext, context: context, dataKey: dataKey, nonce: nonce,
            rootKey: try kms.wrappingKey(rootKey))
        return SealedPayload(rootKeyID: rootKey, nonce: nonce, inputs: inputs)
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
