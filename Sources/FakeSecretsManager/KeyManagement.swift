import Crypto
import Foundation
import SecretsManager
import Simulation

/// Which key-management service holds a root key.
public enum KeyManagementKind: String, Sendable, Hashable, Codable, CaseIterable {
    case keyProtect = "key-protect"
    case hyperProtectCrypto = "hpcs"

    /// The service name in the instance's CRN.
    public var serviceName: String {
        switch self {
        case .keyProtect: "kms"
        case .hyperProtectCrypto: "hs-crypto"
        }
    }
}

/// A root key in a key-management instance: what a service instance's data keys are wrapped with.
public struct RootKeyReference: Hashable, Sendable, Codable, CustomStringConvertible {
    public var kmsCRN: String
    public var keyID: String

    public init(kmsCRN: String, keyID: String) {
        self.kmsCRN = kmsCRN
        self.keyID = keyID
    }

    public var description: String { "\(keyID) in \(kmsCRN)" }
}

/// Why a key-management call failed.
public enum KeyManagementError: Error, Hashable, Sendable, CustomStringConvertible {
    case keyDeleted(RootKeyReference)
    case keyNotFound(RootKeyReference)
    case instanceNotFound(String)
    case unavailable(region: String)
    case unwrapFailed(RootKeyReference)

    public var description: String {
        switch self {
        case .keyDeleted(let key): "root key \(key) was deleted"
        case .keyNotFound(let key): "root key \(key) does not exist"
        case .instanceNotFound(let crn): "no key-management instance \(crn)"
        case .unavailable(let region): "the key-management service in \(region) is unavailable"
        case .unwrapFailed(let key): "a data key could not be unwrapped with root key \(key)"
        }
    }
}

/// A fake Key Protect or Hyper Protect Crypto Services instance: root keys that wrap and unwrap data keys
/// (AES key wrap, RFC 3394), and can be deleted.
///
/// A deleted key's material is kept aside, as the real services keep a deleted key restorable for a while:
/// only the support path (``supportRecoverDeletedKey(_:)``), which the BYOK-loss recovery drives, reaches it.
public final class KeyManagementService: @unchecked Sendable {
    public enum KeyState: String, Sendable, Hashable, Codable { case active, deleted }

    struct RootKey {
        var material: SymmetricKey
        var state: KeyState
        var deletedAt: SimulationInstant?
    }

    public let kind: KeyManagementKind
    public let region: String
    public let crn: CRN
    /// The CRN as text, as root-key references carry it.
    public let crnText: String
    private var keys: [String: RootKey] = [:]
    private var keyOrder: [String] = []
    private var random: SeededRandom
    private let isRegionUp: () -> Bool
    /// Bumped whenever a key stops being usable, so callers that cache data keys know to check again.
    public private(set) var generation: UInt64 = 0

    init(kind: KeyManagementKind, region: String, account: String, random: SeededRandom, isRegionUp: @escaping () -> Bool) {
        self.kind = kind
        self.region = region
        var random = random
        crn = CRN(serviceName: kind.serviceName, location: region, account: account, serviceInstance: random.uuid())
        crnText = crn.description
        self.random = random
        self.isRegionUp = isRegionUp
    }

    /// Creates a root key and answers its reference.
    public func createRootKey() -> RootKeyReference {
        let id = random.uuid()
        keys[id] = RootKey(material: SymmetricKey(data: random.bytes(32)), state: .active, deletedAt: nil)
        keyOrder.append(id)
        return RootKeyReference(kmsCRN: crnText, keyID: id)
    }

    /// Deletes a root key: every data key wrapped with it can no longer be unwrapped.
    public func deleteRootKey(_ keyID: String, at now: SimulationInstant) throws(KeyManagementError) {
        guard var key = keys[keyID] else { throw .keyNotFound(reference(keyID)) }
        key.state = .deleted
        key.deletedAt = now
        keys[keyID] = key
        generation &+= 1
    }

    /// Whether calls can reach this instance now (its region stands).
    public var isReachable: Bool { isRegionUp() }

    /// The state of a root key, or nil when it never existed here.
    public func state(of keyID: String) -> KeyState? { keys[keyID]?.state }

    /// Every key id, in creation order.
    public var keyIDs: [String] { keyOrder }

    /// Wraps a data key with an active root key.
    public func wrap(_ dataKey: SymmetricKey, with keyID: String) throws(KeyManagementError) -> Data {
        let key = try activeKey(keyID)
        do {
            return try AES.KeyWrap.wrap(dataKey, using: key.material)
        } catch {
            throw .unwrapFailed(reference(keyID))
        }
    }

    /// The material of an active root key, for a wrap made later from it (``SealedPayload``): the checks a
    /// wrap makes run now, and the wrap's bytes do not depend on when they are made.
    func wrappingKey(_ keyID: String) throws(KeyManagementError) -> SymmetricKey {
        try activeKey(keyID).material
    }

    /// Unwraps a data key with an active root key.
    public func unwrap(_ wrapped: some DataProtocol, with keyID: String) throws(KeyManagementError) -> SymmetricKey {
        let key = try activeKey(keyID)
        do {
            return try AES.KeyWrap.unwrap(wrapped, using: key.material)
        } catch {
            throw .unwrapFailed(reference(keyID))
        }
    }

    /// The support path of a BYOK loss: the material of a deleted key, which IBM support uses to re-wrap an
    /// instance's data keys under a new root key. Nil when the key never existed or is not deleted.
    public func supportRecoverDeletedKey(_ keyID: String) -> SymmetricKey? {
        guard let key = keys[keyID], key.state == .deleted else { return nil }
        return key.material
    }

    private func activeKey(_ keyID: String) throws(KeyManagementError) -> RootKey {
        guard isRegionUp() else { throw .unavailable(region: region) }
        guard let key = keys[keyID] else { throw .keyNotFound(reference(keyID)) }
        guard key.state == .active else { throw .keyDeleted(reference(keyID)) }
        return key
    }

    private func reference(_ keyID: String) -> RootKeyReference {
        RootKeyReference(kmsCRN: crnText, keyID: keyID)
    }
}
