import Drill
import Foundation

/// Evaluates every control against a plan and the evidence, then applies the waivers: a failing control with
/// a waiver in force is waived; an expired waiver waives nothing and says so.
public enum ComplianceChecker {
    public static func check(
        _ context: ComplianceContext, waivers: [Waiver], failOn: Severity, controls: [Control] = ControlCatalog.all
    ) -> ComplianceReport {
        let waiverByControl = Dictionary(waivers.map { ($0.control, $0) }, uniquingKeysWith: { first, _ in first })
        let results = controls.map { control in
            let finding = control.evaluate(context)
            var result = ControlResult(
                id: control.id, title: control.title, severity: control.severity, source: control.source,
                status: finding.status, reason: finding.reason, evidence: finding.evidence,
                location: finding.location?.description, waiver: nil)
            if let waiver = waiverByControl[control.id] {
                let active = waiver.isActive(at: context.now)
                result.waiver = ControlResult.WaiverNote(
                    justification: waiver.justification, expires: waiver.expiresText, approver: waiver.approver,
                    expired: !active)
                switch (finding.status, active) {
                case (.fail, true), (.error, true):
                    result.status = .waived
                    result.reason =
                        "waived until \(waiver.expiresText) by \(waiver.approver): \(waiver.justification) (finding: \(finding.reason))"
                case (.fail, false), (.error, false):
                    result.reason = "the waiver expired on \(waiver.expiresText) and no longer applies; \(finding.reason)"
                default:
                    result.reason += active ? " (a waiver until \(waiver.expiresText) is not needed)" : ""
                }
            }
            return result
        }
        return ComplianceReport(
            plan: context.plan.name, planFile: context.plan.file, planSHA256: context.plan.sha256,
            checkedAt: context.now.formatted(Date.ISO8601FormatStyle(timeZone: .gmt)), failOn: failOn, results: results)
    }
}
