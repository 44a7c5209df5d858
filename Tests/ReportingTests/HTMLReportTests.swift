import Foundation
import Testing

@testable import Reporting

struct HTMLReportTests {
    static func render(_ report: HTMLReport) -> String { report.render() }

    @Test("one self-contained file: inline style and SVG, no script, nothing fetched")
    func selfContained() {
        let html = HTMLReport(
            generatedAt: "2026-11-27T12:00:00Z", toolVersion: "0.1.0",
            drills: [Fixtures.drill(), Fixtures.drill(scenario: "region-loss", passed: false, rto: nil, rpo: 600)],
            history: ["zone-loss": [HistoryPoint(recordedAt: "2026-11-01T00:00:00Z", rtoSeconds: 10, rpoSeconds: 0, passed: true)]]
        ).render()
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<style>"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("src="))
        #expect(!html.contains("href=\"http"))
        #expect(!html.contains("url("))
        #expect(!html.contains("@import"))
        #expect(!html.contains("<link"))
        // A chart per drill and one for the history.
        #expect(html.components(separatedBy: "<svg").count - 1 == 3)
        #expect(html.contains("<polyline"))
        #expect(html.contains("unbounded"))
        #expect(html.contains("1 of 2 drills met every objective"))
    }

    @Test("the success ratio is drawn where it belongs: 100% at the top, the dip lower")
    func chartPoints() throws {
        let svg = TimelineChart(drill: Fixtures.drill()).svg()
        let line = try #require(svg.split(separator: "\n").first { $0.hasPrefix("<polyline") })
        let points = line.split(separator: "\"")[1].split(separator: " ").map { pair in
            pair.split(separator: ",").map { Double($0)! }
        }
        #expect(points.count == 12)
        let chart = TimelineChart(drill: Fixtures.drill())
        #expect(points[0][1] == (chart.y(1) * 10).rounded() / 10)
        #expect(points[6][1] > points[0][1])  // 100 of 105 succeeded: lower on the page
    }

    @Test("hostile strings are escaped and cleaned, never markup")
    func hostile() {
        for hostile in Fixtures.hostile {
            let html = HTMLReport(
                generatedAt: hostile, toolVersion: hostile,
                drills: [Fixtures.drill(scenario: hostile, description: hostile, objectiveMessage: hostile, stepMessage: hostile, timelineText: hostile)],
                checklist: [ChecklistRow(id: "SM-X-01", title: hostile, severity: "high", status: "fail", reason: hostile)],
                history: [hostile: [HistoryPoint(recordedAt: hostile, rtoSeconds: nil, rpoSeconds: 1, passed: false)]]
            ).render()
            #expect(!html.contains("<script>"))
            #expect(!html.contains("\u{0}"))
            #expect(!html.contains("\u{1B}"))
            #expect(!html.contains("\u{FFFE}"))
            #expect(html.unicodeScalars.allSatisfy { XMLText.isAllowed($0) })
        }
    }

    @Test("the checklist matrix shows each control's status")
    func checklist() {
        let html = HTMLReport(
            generatedAt: "now", toolVersion: "0.1.0", drills: [],
            checklist: [
                ChecklistRow(id: "SM-BAK-01", title: "Backups", severity: "high", status: "pass", reason: "ok"),
                ChecklistRow(id: "SM-SYNC-01", title: "Sync", severity: "medium", status: "waived", reason: "until 2027"),
            ], checklistTitle: "DR plan payments"
        ).render()
        #expect(html.contains("DR plan payments"))
        #expect(html.contains("SM-BAK-01"))
        #expect(html.contains("status-waived"))
    }
}
