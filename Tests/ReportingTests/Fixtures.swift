import Drill
import Foundation

/// Drill results built from their JSON form, so a test can put any string (hostile ones included) in any
/// field without running a drill.
enum Fixtures {
    /// Strings a report must survive: ANSI escapes, NUL and other C0 controls, invalid UTF-8 (decoded as
    /// replacement characters, as smdrill reads every outside byte), markup, and a 100 KB line.
    static let hostile: [String] = [
        "\u{1B}[31;1mred\u{1B}[0m and \u{07}bell",
        "nul\u{0}inside",
        String(decoding: [0x62, 0x61, 0x64, 0xFF, 0xFE, 0xC3, 0x28, 0x21], as: UTF8.self),
        "<script>alert('x')</script> & \"quoted\" ]]> <!-- -->",
        String(repeating: "long line ", count: 10_240),
        "\u{FFFE}\u{FFFF} noncharacters, \u{1F4A5} astral",
    ]

    static func drill(
        scenario: String = "zone-loss", description: String = "One zone fails.", passed: Bool = true,
        rto: Double? = 12, rpo: Double = 0, objectiveMessage: String = "RTO 12s within objective 1m",
        stepMessage: String = "disaster declared", timelineText: String = "zone us-south-2 is lost"
    ) -> DrillResult {
        let json: [String: Any] = [
            "scenario": scenario, "description": description, "file": "scenarios/\(scenario).yaml",
            "file_sha256": String(repeating: "ab", count: 32), "seed": 7, "passed": passed,
            "rto_seconds": rto.map { $0 as Any } ?? NSNull(), "rpo_seconds": rpo, "availability": 0.9987,
            "lost_writes": 0, "stale_reads": 0, "corrupt_reads": 0, "duration_seconds": 3600,
            "requests": ["total": 1000, "succeeded": 998, "failed": 2, "writes_acknowledged": 50, "failovers": 0],
            "latency_ms": ["p50": 20.5, "p90": 40, "p99": 120.25, "p999": 400, "max": 2000],
            "faults": [
                [
                    "kind": "zone_loss", "summary": timelineText, "at_seconds": 1800,
                    "rto_seconds": rto.map { $0 as Any } ?? NSNull(), "rpo_seconds": rpo,
                    "detected_after_seconds": 10.5, "lost_writes": 0, "lost_secrets": 0,
                ]
            ],
            "objectives": [
                [
                    "name": "rto", "target": "1m", "measured": rto.map { "\($0)s" } ?? "unbounded", "passed": passed,
                    "message": objectiveMessage,
                ],
                ["name": "lost_writes", "target": "0", "measured": "0", "passed": true, "message": "0 lost"],
            ],
            "steps": [
                [
                    "index": 1, "name": "declare_disaster", "started_seconds": 1800, "ended_seconds": 1860.1234,
                    "passed": passed, "message": stepMessage,
                ]
            ],
            "timeline": [
                ["at_seconds": 1800, "kind": "fault", "text": timelineText],
                ["at_seconds": 1812, "kind": "recovered", "text": "recovered"],
            ],
            "series": (0..<12).map { index in
                [
                    "start_seconds": Double(index) * 300, "width_seconds": 300, "succeeded": 100,
                    "failed": index == 6 ? 5 : 0, "corrupt_reads": 0, "stale_reads": 0,
                ] as [String: Any]
            },
        ]
        let data = try! JSONSerialization.data(withJSONObject: json)
        return try! JSONDecoder().decode(DrillResult.self, from: data)
    }

    /// A folder of its own under the temporary directory, removed by the caller.
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("smdrill-reporting-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
