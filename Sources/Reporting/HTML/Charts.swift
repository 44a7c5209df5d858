import Drill
import Foundation
import Simulation

/// The clients' success ratio over virtual time, with the faults (red), the runbook steps (blue), each
/// fault's RTO (the shaded span from injection to recovery) and RPO (the bracket before the injection).
struct TimelineChart {
    let drill: DrillResult
    let width = 1000.0
    let height = 240.0
    let left = 48.0
    let right = 16.0
    let top = 16.0
    let bottom = 40.0

    var plotWidth: Double { width - left - right }
    var plotHeight: Double { height - top - bottom }

    func x(_ seconds: Double) -> Double {
        left + plotWidth * min(1, max(0, seconds / max(drill.durationSeconds, 1)))
    }

    func y(_ ratio: Double) -> Double { top + plotHeight * (1 - ratio) }

    func svg() -> String {
        var parts: [String] = []
        parts.append(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" role=\"img\" aria-label=\"\(escape("Client success ratio over time for \(drill.scenario)"))\">")
        parts.append("<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\" fill=\"#fafbfd\" stroke=\"#d6dae3\"/>")
        for ratio in [0.0, 0.5, 0.9, 1.0] {
            parts.append("<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(y(ratio)))\" y2=\"\(f(y(ratio)))\" stroke=\"#e3e6ee\"/>")
            parts.append("<text x=\"\(f(left - 6))\" y=\"\(f(y(ratio) + 4))\" font-size=\"11\" text-anchor=\"end\" fill=\"#5b6273\">\(Int(ratio * 100))%</text>")
        }
        // RTO spans and RPO brackets.
        for fault in drill.faults {
            let start = x(fault.atSeconds)
            let end = x(fault.atSeconds + (fault.rtoSeconds ?? drill.durationSeconds))
            parts.append("<rect x=\"\(f(start))\" y=\"\(f(top))\" width=\"\(f(max(1, end - start)))\" height=\"\(f(plotHeight))\" fill=\"#f9d5d3\" opacity=\"0.55\"><title>\(escape("RTO \(fault.rtoSeconds.map { Duration.seconds($0).compactDescription } ?? "unbounded")"))</title></rect>")
            if fault.rpoSeconds > 0 {
                let rpoStart = x(max(0, fault.atSeconds - fault.rpoSeconds))
                parts.append("<path d=\"M\(f(rpoStart)) \(f(top + plotHeight - 10)) v10 H\(f(start)) v-10\" fill=\"none\" stroke=\"#8e24aa\" stroke-width=\"2\"><title>\(escape("RPO \(Duration.seconds(fault.rpoSeconds).compactDescription)"))</title></path>")
            }
        }
        // The success ratio.
        var points: [String] = []
        for point in drill.series where point.succeeded + point.failed > 0 {
            let ratio = Double(point.succeeded) / Double(point.succeeded + point.failed)
            let clean = point.corruptReads > 0 ? min(ratio, 1 - Double(point.corruptReads) / Double(point.succeeded + point.failed)) : ratio
            points.append("\(f(x(point.startSeconds + point.widthSeconds / 2))),\(f(y(max(0, clean))))")
        }
        if !points.isEmpty {
            parts.append("<polyline points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"#1a73e8\" stroke-width=\"1.6\"/>")
        }
        for (index, fault) in drill.faults.enumerated() {
            let position = x(fault.atSeconds)
            // Labels step down so that faults close in time do not print over each other.
            let labelY = top + 24 + Double(index % 4) * 13
            parts.append("<line x1=\"\(f(position))\" x2=\"\(f(position))\" y1=\"\(f(top))\" y2=\"\(f(top + plotHeight))\" stroke=\"#d93025\" stroke-width=\"2\"><title>\(escape(fault.summary))</title></line>")
            parts.append("<text x=\"\(f(position + 3))\" y=\"\(f(labelY))\" font-size=\"11\" fill=\"#d93025\">\(escape(fault.kind))</text>")
        }
        for step in drill.steps {
            guard let started = step.startedSeconds else { continue }
            let position = x(step.endedSeconds ?? started)
            parts.append("<circle cx=\"\(f(position))\" cy=\"\(f(top + plotHeight + 10))\" r=\"4\" fill=\"\(step.passed ? "#1a73e8" : "#d93025")\"><title>\(escape("step \(step.index) \(step.name): \(step.message)"))</title></circle>")
        }
        // The time axis.
        for tick in 0...4 {
            let seconds = drill.durationSeconds * Double(tick) / 4
            parts.append("<text x=\"\(f(x(seconds)))\" y=\"\(f(height - 6))\" font-size=\"11\" text-anchor=\"middle\" fill=\"#5b6273\">t+\(escape(Duration.seconds(seconds).compactDescription))</text>")
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n")
    }
}

/// A scenario's RTO and RPO over the recorded runs.
struct HistoryChart {
    let points: [HistoryPoint]
    let width = 1000.0
    let height = 160.0

    func svg() -> String {
        let left = 60.0
        let right = 16.0
        let top = 12.0
        let bottom = 28.0
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let values: [Double] = points.flatMap { point -> [Double] in [point.rtoSeconds ?? 0, point.rpoSeconds] }
        let ceiling = max(1, values.max() ?? 1)
        func x(_ index: Int) -> Double { left + (points.count > 1 ? plotWidth * Double(index) / Double(points.count - 1) : plotWidth / 2) }
        func y(_ value: Double) -> Double { top + plotHeight * (1 - min(1, value / ceiling)) }
        var parts = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" role=\"img\" aria-label=\"RTO and RPO history\">",
            "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\" fill=\"#fafbfd\" stroke=\"#d6dae3\"/>",
            "<text x=\"\(f(left - 6))\" y=\"\(f(top + 10))\" font-size=\"11\" text-anchor=\"end\" fill=\"#5b6273\">\(escape(Duration.seconds(ceiling).compactDescription))</text>",
            "<text x=\"\(f(left - 6))\" y=\"\(f(top + plotHeight))\" font-size=\"11\" text-anchor=\"end\" fill=\"#5b6273\">0</text>",
        ]
        let rto = points.enumerated().map { "\(f(x($0.offset))),\(f(y($0.element.rtoSeconds ?? ceiling)))" }
        let rpo = points.enumerated().map { "\(f(x($0.offset))),\(f(y($0.element.rpoSeconds)))" }
        parts.append("<polyline points=\"\(rto.joined(separator: " "))\" fill=\"none\" stroke=\"#d93025\" stroke-width=\"1.6\"/>")
        parts.append("<polyline points=\"\(rpo.joined(separator: " "))\" fill=\"none\" stroke=\"#8e24aa\" stroke-width=\"1.6\" stroke-dasharray=\"4 3\"/>")
        for (index, point) in points.enumerated() {
            let label = "\(point.recordedAt): RTO \(point.rtoSeconds.map { Duration.seconds($0).compactDescription } ?? "unbounded"), RPO \(Duration.seconds(point.rpoSeconds).compactDescription)"
            parts.append("<circle cx=\"\(f(x(index)))\" cy=\"\(f(y(point.rtoSeconds ?? ceiling)))\" r=\"3\" fill=\"\(point.passed ? "#137333" : "#d93025")\"><title>\(escape(label))</title></circle>")
        }
        if let first = points.first, let last = points.last {
            parts.append("<text x=\"\(f(left))\" y=\"\(f(height - 8))\" font-size=\"11\" fill=\"#5b6273\">\(escape(first.recordedAt))</text>")
            parts.append("<text x=\"\(f(width - right))\" y=\"\(f(height - 8))\" font-size=\"11\" text-anchor=\"end\" fill=\"#5b6273\">\(escape(last.recordedAt))</text>")
        }
        parts.append("<text x=\"\(f(left + 8))\" y=\"\(f(top + 14))\" font-size=\"11\" fill=\"#d93025\">RTO</text>")
        parts.append("<text x=\"\(f(left + 40))\" y=\"\(f(top + 14))\" font-size=\"11\" fill=\"#8e24aa\">RPO</text>")
        parts.append("</svg>")
        return parts.joined(separator: "\n")
    }
}

/// A coordinate with one decimal.
func f(_ value: Double) -> String { String(format: "%.1f", value) }
