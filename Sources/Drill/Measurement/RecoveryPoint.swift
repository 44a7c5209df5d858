/// The recovery point of one fault: which acknowledged writes made before it survive in the state the
/// clients use after recovery.
public struct RecoveryPoint: Hashable, Sendable {
    /// Injection time minus the latest point up to which every acknowledged write survives; zero when none
    /// was lost.
    public var rpo: Duration
    public var lostWrites: Int
    public var lostSecrets: Int

    public static let nothingLost = RecoveryPoint(rpo: .zero, lostWrites: 0, lostSecrets: 0)

    /// Measures the recovery point of a fault injected at `faultTime` (nanoseconds), given for each secret
    /// the fingerprint of the value the clients now read (nil: unreadable or gone).
    ///
    /// For each secret the value found is matched with the latest acknowledged write of that value; every
    /// write acknowledged after it and before the fault is lost, and the first of them bounds the point up to
    /// which everything survives. A value found that matches no write loses all of the secret's writes before
    /// the fault. A value written after the fault supersedes the ones before it: nothing is lost there.
    public static func measure(
        ledger: Ledger, faultTime: Int64, variantOf: (Int) -> Int, current: (Int) -> UInt64?
    ) -> RecoveryPoint {
        var survivalPoint = faultTime
        var lostWrites = 0
        var lostSecrets = 0
        for secret in 0..<ledger.secretCount {
            let writes = ledger.writes(of: secret, variant: variantOf(secret))
            let before = writes.prefix { $0.time < faultTime }
            guard !before.isEmpty else { continue }
            let found = current(secret)
            var firstLost: Int?
            if let found, let match = writes.lastIndex(where: { $0.fingerprint == found }) {
                if match >= before.count - 1 { continue }  // the latest (or a later) write is there
                firstLost = match + 1
            } else {
                firstLost = 0
            }
            guard let firstLost else { continue }
            let lost = before.count - firstLost
            lostWrites += lost
            lostSecrets += 1
            survivalPoint = min(survivalPoint, before[before.startIndex + firstLost].time)
        }
        return RecoveryPoint(
            rpo: .nanoseconds(max(0, faultTime - survivalPoint)), lostWrites: lostWrites, lostSecrets: lostSecrets)
    }
}
