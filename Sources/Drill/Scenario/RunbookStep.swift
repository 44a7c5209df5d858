import Simulation

/// One step of a runbook: the recovery a team would carry out, run as a simulation process in order.
public struct RunbookStep: Sendable {
    public var action: RunbookAction
    public var location: SourceLocation

    public init(action: RunbookAction, location: SourceLocation) {
        self.action = action
        self.location = location
    }
}

/// What a runbook step does.
public enum RunbookAction: Sendable {
    /// Pause.
    case wait(Duration)
    /// The customer declares a disaster: `after` a delay from the first fault, or as soon as a fault is
    /// detected (plus `after`, the time people take to decide).
    case declareDisaster(onDetection: Bool, after: Duration)
    /// Provision a recovery instance (zero footprint): it exists after the service's provisioning time.
    case provisionInstance
    /// Restore the latest backup taken at or before `asOf` (the last one when nil) into the recovery
    /// instance.
    case restoreBackup(asOf: Duration?, onConflict: ConflictChoice)
    /// Apply the source of truth as of `asOf` (the latest when nil) to the recovery instance, or to the
    /// primary when `toPrimary`.
    case applySourceOfTruth(asOf: Duration?, toPrimary: Bool)
    /// Restore damaged secrets of the primary from their previous versions.
    case restoreVersions(VersionDamage)
    /// Point every client at the recovery instance; the change takes `propagation` to reach them.
    case failover(propagation: Duration)
    /// Open a BYOK key-loss support case; IBM answers after `supportResponse` and re-wraps the data keys
    /// under a new root key, if the case holds everything the seed lists. `omit` leaves items out.
    case byokRecover(supportResponse: Duration, omit: [KeyLossItem])

    /// The step's name in scenario files and reports.
    public var name: String {
        switch self {
        case .wait: "wait"
        case .declareDisaster: "declare_disaster"
        case .provisionInstance: "provision_instance"
        case .restoreBackup: "restore_backup"
        case .applySourceOfTruth: "apply_source_of_truth"
        case .restoreVersions: "restore_versions"
        case .failover: "failover"
        case .byokRecover: "byok_recover"
        }
    }
}

/// `--on-conflict` of a restore, as the scenario spells it.
public enum ConflictChoice: String, Sendable, CaseIterable {
    case skip, overwrite, fail
}

/// How a version restore recognises damage.
public enum VersionDamage: Sendable {
    case writtenBy(String)
    case writtenAfter(Duration)
    /// Values that look like the garbage a broken writer leaves (they start with `garbage`).
    case failingCheck
}

/// The items of a BYOK support case, as a scenario names them to leave them out.
public enum KeyLossItem: String, Sendable, CaseIterable {
    case instanceCRN = "instance_crn"
    case backupKMSCRN = "backup_kms_crn"
    case newRootKeyID = "new_root_key_id"
    case originalKey = "original_key"
}
