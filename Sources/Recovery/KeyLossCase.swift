import SecretsManager

/// The support case a customer opens after deleting a BYOK root key by accident. The seed lists what it must
/// include: the instance's CRN, the backup key-management instance's CRN, the new root key's id, and the
/// original key-management instance's CRN and key id if available. Missing information blocks recovery.
public struct KeyLossCase: Sendable, Hashable, Codable {
    public var instanceCRN: String?
    public var backupKMSCRN: String?
    public var newRootKeyID: String?
    public var originalKMSCRN: String?
    public var originalKeyID: String?

    public init(
        instanceCRN: String?, backupKMSCRN: String?, newRootKeyID: String?, originalKMSCRN: String?,
        originalKeyID: String?
    ) {
        self.instanceCRN = instanceCRN
        self.backupKMSCRN = backupKMSCRN
        self.newRootKeyID = newRootKeyID
        self.originalKMSCRN = originalKMSCRN
        self.originalKeyID = originalKeyID
    }

    /// What the case lacks, in the seed's words. Support cannot act on a case that lacks any of the first
    /// three; the original key's identity is needed to recover its material ("if available" in the seed, but
    /// without it nothing can be unwrapped).
    public var missing: [String] {
        var missing: [String] = []
        if !Self.isCRN(instanceCRN, service: "secrets-manager") { missing.append("the service instance's CRN") }
        if !Self.isCRN(backupKMSCRN) { missing.append("the backup Key Protect or HPCS instance's CRN") }
        if newRootKeyID?.isEmpty ?? true { missing.append("the new Key Protect or HPCS root key ID") }
        if !Self.isCRN(originalKMSCRN) || (originalKeyID?.isEmpty ?? true) {
            missing.append("the original Key Protect or HPCS instance's CRN and key ID")
        }
        return missing
    }

    public var isComplete: Bool { missing.isEmpty }

    static func isCRN(_ text: String?, service: String? = nil) -> Bool {
        guard let text, let crn = try? CRN(parsing: text) else { return false }
        return service.map { crn.serviceName == $0 } ?? true
    }
}
