import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where output goes and how it looks: colour only on a terminal and only when not turned off.
struct Terminal {
    let color: Bool
    let progress: Bool

    init(color: Bool, progress: Bool) {
        self.color = color
        self.progress = progress
    }

    init(noColor: Bool, quiet: Bool) {
        let environment = ProcessInfo.processInfo.environment
        color = !noColor && environment["NO_COLOR"] == nil && isatty(STDOUT_FILENO) != 0
        progress = !quiet && isatty(STDERR_FILENO) != 0
    }

    func paint(_ text: String, _ code: String) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    func pass(_ text: String) -> String { paint(text, "32") }
    func fail(_ text: String) -> String { paint(text, "31;1") }
    func dim(_ text: String) -> String { paint(text, "2") }

    static func writeError(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    /// A progress bar on standard error, redrawn in place.
    final class ProgressBar {
        let label: String
        let total: Duration
        private var lastDrawn = -1

        init(label: String, total: Duration) {
            self.label = label
            self.total = total
        }

        func update(_ fraction: Double) {
            let percent = Int((fraction * 100).rounded(.down))
            guard percent != lastDrawn else { return }
            lastDrawn = percent
            let width = 30
            let filled = Int(Double(width) * fraction)
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            let done = Duration.seconds(total.seconds * fraction).compactDescription
            FileHandle.standardError.write(
                Data("\r\u{1B}[2K\(label) [\(bar)] \(percent)% \(done)/\(total.compactDescription)".utf8))
        }

        func finish() {
            FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
        }
    }
}

/// A plain text table with aligned columns.
struct TextTable {
    var header: [String]
    var rows: [[String]] = []

    func render(width: (String) -> Int = { $0.count }, decorate: (Int, Int, String) -> String = { $2 }) -> String {
        var widths = header.map(width)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], width(cell)) }
        }
        func line(_ cells: [String], row: Int) -> String {
            cells.enumerated().map { index, cell in
                let padded = cell + String(repeating: " ", count: widths[index] - width(cell))
                return decorate(row, index, padded)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([line(header, row: -1)] + rows.enumerated().map { line($1, row: $0) }).joined(separator: "\n")
    }
}
