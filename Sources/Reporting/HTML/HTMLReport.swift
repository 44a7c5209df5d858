import Drill
import Foundation
import Simulation

/// One row of a checklist matrix in the report (a control of the compliance checker).
public struct ChecklistRow: Sendable, Hashable {
    public var id: String
    public var title: String
    public var severity: String
    /// `pass`, `fail`, `waived`, `not applicable`, `error`.
    public var status: String
    public var reason: String

    public init(id: String, title: String, severity: String, status: String, reason: String) {
        self.id = id
        self.title = title
        self.severity = severity
        self.status = status
        self.reason = reason
    }
}

/// One point of a scenario's history: when it ran, and what it measured.
public struct HistoryPoint: Sendable, Hashable {
    public var recordedAt: String
    public var rtoSeconds: Double?
    public var rpoSeconds: Double
    public var passed: Bool

    public init(recordedAt: String, rtoSeconds: Double?, rpoSeconds: Double, passed: Bool) {
        self.recordedAt = recordedAt
        self.rtoSeconds = rtoSeconds
        self.rpoSeconds = rpoSeconds
        self.passed = passed
    }
}

/// The auditors' report: one self-contained HTML file (inline CSS and SVG, no script, nothing fetched).
/// A summary, then per drill a timeline chart (the clients' success ratio over virtual time, faults,
/// runbook steps, RTO and RPO), the objectives and faults; the checklist matrix when one was evaluated; and
/// the history of each scenario's RTO and RPO from the evidence store.
public struct HTMLReport {
    public var title = "smdrill report"
    public var generatedAt: String
    public var toolVersion: String
    public var drills: [DrillResult]
    public var checklist: [ChecklistRow]?
    public var checklistTitle: String?
    /// History by scenario name, oldest first.
    public var history: [String: [HistoryPoint]]

    public init(
        generatedAt: String, toolVersion: String, drills: [DrillResult], checklist: [ChecklistRow]? = nil,
        checklistTitle: String? = nil, history: [String: [HistoryPoint]] = [:]
    ) {
        self.generatedAt = generatedAt
        self.toolVersion = toolVersion
        self.drills = drills
        self.checklist = checklist
        self.checklistTitle = checklistTitle
        self.history = history
    }

    public func render() -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title))</title>
            <style>\(Self.style)</style>
            </head>
            <body>
            <header><h1>\(escape(title))</h1>
            <p class="meta">Generated \(escape(generatedAt)) by smdrill \(escape(toolVersion)).
            Times are virtual: drills run in simulated time, deterministically for their seed.</p></header>
            """
        html += summary()
        if let checklist { html += checklistSection(checklist) }
        for (index, drill) in drills.enumerated() { html += section(drill, index: index) }
        if !history.isEmpty { html += historySection() }
        html += "\n<footer>smdrill \(escape(toolVersion))</footer>\n</body>\n</html>\n"
        return html
    }

    // MARK: Sections

    private func summary() -> String {
        guard !drills.isEmpty else { return "" }
        let passed = drills.filter(\.passed).count
        var rows = ""
        for (index, drill) in drills.enumerated() {
            rows += """
                <tr><td><a href="#drill-\(index)">\(escape(drill.scenario))</a></td>\
                <td>\(verdict(drill.passed))</td><td>\(escape(rto(drill.rtoSeconds)))</td>\
                <td>\(escape(Duration.seconds(drill.rpoSeconds).compactDescription))</td>\
                <td>\(escape(Units.format(percentage: drill.availability)))</td><td>\(drill.lostWrites)</td></tr>

                """
        }
        return """

            <section><h2>Summary</h2>
            <p>\(passed) of \(drills.count) drills met every objective.</p>
            <table><thead><tr><th>Scenario</th><th>Verdict</th><th>RTO</th><th>RPO</th><th>Availability</th><th>Lost writes</th></tr></thead>
            <tbody>
            \(rows)</tbody></table></section>
            """
    }

    private func checklistSection(_ rows: [ChecklistRow]) -> String {
        var body = ""
        for row in rows {
            body += """
                <tr class="status-\(cssClass(row.status))"><td><code>\(escape(row.id))</code></td><td>\(escape(row.title))</td>\
                <td>\(escape(row.severity))</td><td>\(escape(row.status))</td><td>\(escape(row.reason))</td></tr>

                """
        }
        return """

            <section><h2>\(escape(checklistTitle ?? "Responsibility checklist"))</h2>
            <table><thead><tr><th>Control</th><th>Title</th><th>Severity</th><th>Result</th><th>Reason</th></tr></thead>
            <tbody>
            \(body)</tbody></table></section>
            """
    }

    private func section(_ drill: DrillResult, index: Int) -> String {
        var objectives = ""
        for objective in drill.objectives {
            objectives += """
                <tr><td>\(escape(DrillJUnit.caseName(objective)))</td><td>\(escape(objective.measured))</td>\
                <td>\(verdict(objective.passed))</td><td>\(escape(objective.message))</td></tr>

                """
        }
        var faults = ""
        for fault in drill.faults {
            faults += """
                <tr><td>\(escape(Duration.seconds(fault.atSeconds).compactDescription))</td><td>\(escape(fault.summary))</td>\
                <td>\(escape(fault.detectedAfterSeconds.map { Duration.seconds($0).compactDescription } ?? "never"))</td>\
                <td>\(escape(rto(fault.rtoSeconds)))</td><td>\(escape(Duration.seconds(fault.rpoSeconds).compactDescription))</td>\
                <td>\(fault.lostWrites)</td></tr>

                """
        }
        var steps = ""
        for step in drill.steps {
            steps += """
                <tr><td>\(step.index)</td><td>\(escape(step.name))</td>\
                <td>\(escape(step.startedSeconds.map { Duration.seconds($0).compactDescription } ?? "-"))</td>\
                <td>\(escape(step.endedSeconds.map { Duration.seconds($0).compactDescription } ?? "-"))</td>\
                <td>\(verdict(step.passed))</td><td>\(escape(step.message))</td></tr>

                """
        }
        return """

            <section id="drill-\(index)"><h2>\(escape(drill.scenario)) \(verdict(drill.passed))</h2>
            <p class="description">\(escape(drill.description))</p>
            <p class="meta">\(escape(drill.file)) (SHA-256 \(escape(String(drill.fileSHA256.prefix(16))))...), seed \(drill.seed), \
            \(escape(Duration.seconds(drill.durationSeconds).compactDescription)) of virtual time, \(drill.requests.total) requests, \
            latency p50 \(escape(String(drill.latencyMilliseconds.p50))) ms, p99 \(escape(String(drill.latencyMilliseconds.p99))) ms.</p>
            \(TimelineChart(drill: drill).svg())
            <h3>Objectives</h3>
            <table><thead><tr><th>Objective</th><th>Measured</th><th>Verdict</th><th>Detail</th></tr></thead><tbody>
            \(objectives.isEmpty ? "<tr><td colspan=\"4\">No objectives.</td></tr>" : objectives)</tbody></table>
            <h3>Faults</h3>
            <table><thead><tr><th>At</th><th>Fault</th><th>Detected after</th><th>RTO</th><th>RPO</th><th>Lost writes</th></tr></thead><tbody>
            \(faults.isEmpty ? "<tr><td colspan=\"6\">No faults.</td></tr>" : faults)</tbody></table>
            \(steps.isEmpty ? "" : "<h3>Runbook</h3>\n<table><thead><tr><th>#</th><th>Step</th><th>Started</th><th>Ended</th><th>Verdict</th><th>Detail</th></tr></thead><tbody>\n\(steps)</tbody></table>")
            </section>
            """
    }

    private func historySection() -> String {
        var body = "\n<section><h2>History</h2>\n<p>Each scenario's RTO and RPO in the runs the evidence store records, oldest first.</p>\n"
        for name in history.keys.sorted() {
            let points = history[name] ?? []
            body += "<h3>\(escape(name))</h3>\n" + HistoryChart(points: points).svg() + "\n"
        }
        return body + "</section>\n"
    }

    // MARK: Helpers

    private func verdict(_ passed: Bool) -> String {
        passed ? "<span class=\"pass\">PASS</span>" : "<span class=\"fail\">FAIL</span>"
    }

    private func rto(_ seconds: Double?) -> String {
        seconds.map { Duration.seconds($0).compactDescription } ?? "unbounded"
    }

    private func cssClass(_ status: String) -> String {
        status.lowercased().filter { $0.isLetter }
    }

    static let style = """
        body{font:15px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1d2230;margin:0 auto;max-width:1100px;padding:24px}
        h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:32px 0 8px;border-bottom:1px solid #d6dae3;padding-bottom:4px}
        h3{font-size:16px;margin:18px 0 6px}.meta{color:#5b6273;font-size:13px}.description{max-width:900px}
        table{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:13px}
        th,td{border:1px solid #d6dae3;padding:4px 8px;text-align:left;vertical-align:top;white-space:nowrap}
        td:last-child,th:last-child{white-space:normal;overflow-wrap:anywhere;width:100%}
        th{background:#f2f4f8}.pass{color:#137333;font-weight:600}.fail{color:#b3261e;font-weight:600}
        tr.status-fail td{background:#fdecea}tr.status-waived td{background:#fff8e1}tr.status-error td{background:#fdecea}
        tr.status-notapplicable td{color:#5b6273}svg{display:block;margin:8px 0;max-width:100%;height:auto}
        footer{margin-top:40px;color:#5b6273;font-size:12px}code{font-size:12px}
        """
}

/// Escapes text for HTML and removes what XML 1.0 forbids (control characters and the like).
func escape(_ text: String) -> String {
    var output = ""
    output.reserveCapacity(text.utf8.count)
    for character in XMLText.sanitize(text, limit: 20_000) {
        switch character {
        case "&": output += "&amp;"
        case "<": output += "&lt;"
        case ">": output += "&gt;"
        case "\"": output += "&quot;"
        case "'": output += "&#39;"
        default: output.append(character)
        }
    }
    return output
}
