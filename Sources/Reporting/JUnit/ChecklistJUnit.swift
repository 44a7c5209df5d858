import Compliance
import Foundation

/// A compliance check as JUnit: one suite for the checklist, one test case per control. A failing control is a
/// `<failure>`, a control that could not be evaluated an `<error>`, a waived or not-applicable control a
/// `<skipped>` whose message carries the justification and expiry (or why it does not apply).
public enum ChecklistJUnit {
    public static func report(_ report: ComplianceReport, toolVersion: String, timestamp: Date?) -> JUnitReport {
        JUnitReport(name: "smdrill checklist", suites: [suite(report, toolVersion: toolVersion, timestamp: timestamp)])
    }

    public static func suite(_ report: ComplianceReport, toolVersion: String, timestamp: Date?) -> JUnitSuite {
        let classname = "smdrill.checklist." + report.plan
        let cases = report.results.map { result in
            var testCase = JUnitCase(
                name: "\(result.id) \(result.title)", classname: classname, file: report.planFile,
                properties: [
                    JUnitProperty("severity", result.severity.rawValue), JUnitProperty("source", result.source),
                    JUnitProperty("status", result.status.rawValue),
                    JUnitProperty("evidence_rows", result.evidence.map(String.init).joined(separator: ",")),
                ])
            let body = ([result.reason] + (result.location.map { ["plan: \($0)"] } ?? [])
                + (result.evidence.isEmpty ? [] : ["evidence rows: " + result.evidence.map(String.init).joined(separator: ", ")]))
                .joined(separator: "\n")
            switch result.status {
            case .pass:
                testCase.systemOut = body
            case .fail:
                testCase.outcome = .failed(
                    message: "\(result.severity.rawValue): \(result.reason)", type: "ControlFailed", body: body)
            case .error:
                testCase.outcome = .error(
                    message: "\(result.severity.rawValue): \(result.reason)", type: "ControlError", body: body)
            case .waived:
                let waiver = result.waiver
                testCase.outcome = .skipped(
                    message:
                        "waived until \(waiver?.expires ?? "?") by \(waiver?.approver ?? "?"): \(waiver?.justification ?? "")",
                    body: body)
                if let waiver {
                    testCase.properties += [
                        JUnitProperty("waiver_expires", waiver.expires), JUnitProperty("waiver_approver", waiver.approver),
                        JUnitProperty("waiver_justification", waiver.justification),
                    ]
                }
            case .notApplicable:
                testCase.outcome = .skipped(message: "not applicable: \(result.reason)", body: body)
            }
            return testCase
        }
        var properties = [
            JUnitProperty("plan_file", report.planFile), JUnitProperty("plan_sha256", report.planSHA256),
            JUnitProperty("tool_version", toolVersion), JUnitProperty("checked_at", report.checkedAt),
            JUnitProperty("fail_on", report.failOn.rawValue), JUnitProperty("compliant", String(report.compliant)),
        ]
        for status in ControlStatus.allCases {
            properties.append(JUnitProperty("controls_\(status.rawValue)", String(report.count(status))))
        }
        return JUnitSuite(
            name: "checklist \(report.plan)", timestamp: timestamp, properties: properties, cases: cases,
            systemOut: report.results.map { "\($0.id)  \($0.status.label)  \($0.reason)" }.joined(separator: "\n"))
    }
}

extension ChecklistRow {
    /// A control's result as a row of the report's checklist matrix.
    public init(_ result: ControlResult) {
        self.init(
            id: result.id, title: result.title, severity: result.severity.rawValue, status: result.status.label,
            reason: result.reason)
    }
}
