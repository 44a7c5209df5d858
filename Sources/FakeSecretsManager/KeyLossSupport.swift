import SecretsManager

/// Why IBM support could not act on a BYOK key-loss case.
public struct KeyLossSupportError: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String
    public var description: String { "support cannot recover the instance: \(reason)" }
}

extension FakeCloud {
    /// IBM support's side of a BYOK key-loss case: with the instance's CRN, the backup key-management
    /// instance and its new root key, and the original key-management instance and key, support recovers the
    /// deleted key's material and re-wraps every data key of the instance under the new root key. Answers how
    /// many data keys were re-wrapped.
    public func resolveKeyLossCase(
        instanceCRN: String, backupKMSCRN: String, newRootKeyID: String, originalKMSCRN: String, originalKeyID: String
    ) throws(KeyLossSupportError) -> Int {
        guard let instance = instances.values.first(where: { $0.crn.description == instanceCRN }) else {
            throw KeyLossSupportError(reason: "no Secrets Manager instance has the CRN \(instanceCRN)")
        }
        guard let backup = keyManagement(backupKMSCRN) else {
            throw KeyLossSupportError(reason: "no key-management instance has the CRN \(backupKMSCRN)")
        }
        guard backup.state(of: newRootKeyID) == .active else {
            throw KeyLossSupportError(reason: "the new root key \(newRootKeyID) is not an active key of \(backupKMSCRN)")
        }
        guard let original = keyManagement(originalKMSCRN),
            let material = original.supportRecoverDeletedKey(originalKeyID)
        else {
            throw KeyLossSupportError(
                reason: "the original key \(originalKeyID) of \(originalKMSCRN) is not a deleted key that can be recovered")
        }
        guard instance.rootKey.keyID == originalKeyID else {
            throw KeyLossSupportError(reason: "the instance's data keys are not wrapped by \(originalKeyID)")
        }
        do {
            return try instance.rewrapDataKeys(
                to: RootKeyReference(kmsCRN: backupKMSCRN, keyID: newRootKeyID), recoveredMaterial: material)
        } catch {
            throw KeyLossSupportError(reason: "re-wrapping failed: \(error)")
        }
    }
}
