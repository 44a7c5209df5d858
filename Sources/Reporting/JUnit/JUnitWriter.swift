import Foundation

/// Writes a ``JUnitReport`` as JUnit XML through libxml2's text writer.
public enum JUnitWriter {
    public static func render(_ report: JUnitReport, dialect: JUnitDialect = .standard) throws -> Data {
        let xml = XMLWriter()
        xml.startDocument()
        xml.start("testsuites")
        xml.attribute("name", report.name)
        xml.attribute("tests", String(report.tests))
        xml.attribute("failures", String(report.failures))
        xml.attribute("errors", String(report.errors))
        // junit-10.xsd has no `skipped` on <testsuites>; each suite carries its own count.
        xml.attribute("time", seconds(report.time))
        for (index, suite) in report.suites.enumerated() {
            xml.start("testsuite")
            xml.attribute("name", suite.name)
            xml.attribute("tests", String(suite.tests))
            xml.attribute("failures", String(suite.failures))
            xml.attribute("errors", String(suite.errors))
            xml.attribute("skipped", String(suite.skipped))
            xml.attribute("time", seconds(suite.time))
            if let timestamp = suite.timestamp { xml.attribute("timestamp", Self.timestamp(timestamp)) }
            if let hostname = suite.hostname { xml.attribute("hostname", hostname) }
            xml.attribute("id", String(index))
            if !suite.properties.isEmpty {
                xml.start("properties")
                for property in suite.properties { write(property, to: xml) }
                xml.end()
            }
            for testCase in suite.cases { write(testCase, to: xml, dialect: dialect) }
            if let systemOut = suite.systemOut {
                xml.start("system-out")
                xml.text(systemOut)
                xml.end()
            }
            xml.end()
        }
        xml.end()
        return try xml.finish()
    }

    private static func write(_ property: JUnitProperty, to xml: XMLWriter) {
        xml.start("property")
        xml.attribute("name", property.name)
        xml.attribute("value", property.value)
        xml.end()
    }

    private static func write(_ testCase: JUnitCase, to xml: XMLWriter, dialect: JUnitDialect) {
        xml.start("testcase")
        xml.attribute("name", testCase.name)
        xml.attribute("classname", testCase.classname)
        xml.attribute("time", seconds(testCase.time))
        if dialect == .extended, let file = testCase.file { xml.attribute("file", file) }
        if dialect == .extended, !testCase.properties.isEmpty {
            xml.start("properties")
            for property in testCase.properties { write(property, to: xml) }
            xml.end()
        }
        switch testCase.outcome {
        case .passed: break
        case .failed(let message, let type, let body), .error(let message, let type, let body):
            if case .failed = testCase.outcome { xml.start("failure") } else { xml.start("error") }
            xml.attribute("message", message)
            xml.attribute("type", type)
            xml.text(body)
            xml.end()
        case .skipped(let message, let body):
            xml.start("skipped")
            xml.attribute("message", message)
            xml.text(body)
            xml.end()
        }
        if let systemOut = testCase.systemOut {
            xml.start("system-out")
            xml.text(systemOut)
            xml.end()
        }
        xml.end()
    }

    /// Seconds with at most three decimals and never an exponent: `12.5`, `0`, `7200.123`.
    public static func seconds(_ value: Double) -> String {
        guard value.isFinite, value > 0 else { return "0" }
        var text = String(format: "%.3f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// `2026-01-01T00:00:00` (ISO 8601 without zone, as junit-10.xsd's timestamp wants).
    static func timestamp(_ date: Date) -> String {
        let format = Date.ISO8601FormatStyle(timeZone: .gmt)
        return String(date.formatted(format).dropLast())  // drop the "Z"
    }
}
