import CLibXML2
import Foundation

/// Reads JUnit XML (what smdrill writes, or any report of the same shape) back into a ``JUnitReport``, for
/// merging the reports of sharded runs.
public enum JUnitReader {
    public static func read(_ data: Data, file: String) throws -> JUnitReport {
        xmlInitParser()
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        guard let document = data.withUnsafeBytes({ bytes in
            xmlReadMemory(
                bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count), file, "UTF-8", options)
        }) else {
            throw ReportError.unreadable("\(file): not well-formed XML")
        }
        defer { xmlFreeDoc(document) }
        guard let root = xmlDocGetRootElement(document) else { throw ReportError.unreadable("\(file): empty document") }
        var report = JUnitReport(name: attribute(root, "name") ?? "smdrill")
        switch name(root) {
        case "testsuites":
            for child in children(root) where name(child) == "testsuite" { report.suites.append(suite(child)) }
        case "testsuite":
            report.suites.append(suite(root))
        default:
            throw ReportError.unreadable("\(file): the root element is <\(name(root))>, expected <testsuites> or <testsuite>")
        }
        return report
    }

    private static func suite(_ node: xmlNodePtr) -> JUnitSuite {
        var suite = JUnitSuite(
            name: attribute(node, "name") ?? "", hostname: attribute(node, "hostname"),
            time: Double(attribute(node, "time")?.replacingOccurrences(of: ",", with: "") ?? "") ?? 0)
        if let stamp = attribute(node, "timestamp") {
            suite.timestamp = try? Date.ISO8601FormatStyle(timeZone: .gmt).parse(stamp + "Z")
        }
        for child in children(node) {
            switch name(child) {
            case "properties": suite.properties = properties(child)
            case "testcase": suite.cases.append(testCase(child))
            case "system-out": suite.systemOut = content(child)
            default: break
            }
        }
        return suite
    }

    private static func testCase(_ node: xmlNodePtr) -> JUnitCase {
        var testCase = JUnitCase(
            name: attribute(node, "name") ?? "", classname: attribute(node, "classname") ?? "",
            time: Double(attribute(node, "time") ?? "") ?? 0, file: attribute(node, "file"))
        for child in children(node) {
            let message = attribute(child, "message") ?? ""
            switch name(child) {
            case "failure":
                testCase.outcome = .failed(message: message, type: attribute(child, "type") ?? "", body: content(child))
            case "error":
                testCase.outcome = .error(message: message, type: attribute(child, "type") ?? "", body: content(child))
            case "skipped": testCase.outcome = .skipped(message: message, body: content(child))
            case "system-out": testCase.systemOut = content(child)
            case "properties": testCase.properties = properties(child)
            default: break
            }
        }
        return testCase
    }

    private static func properties(_ node: xmlNodePtr) -> [JUnitProperty] {
        children(node).filter { name($0) == "property" }.map {
            JUnitProperty(attribute($0, "name") ?? "", attribute($0, "value") ?? "")
        }
    }

    private static func children(_ node: xmlNodePtr) -> [xmlNodePtr] {
        var result: [xmlNodePtr] = []
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE { result.append(current) }
            child = current.pointee.next
        }
        return result
    }

    private static func name(_ node: xmlNodePtr) -> String {
        node.pointee.name.map { String(cString: $0) } ?? ""
    }

    private static func attribute(_ node: xmlNodePtr, _ attribute: String) -> String? {
        guard let value = withXMLChars(attribute, { xmlGetProp(node, $0) }) else { return nil }
        defer { smdrill_xml_free(value) }
        return String(cString: value)
    }

    private static func content(_ node: xmlNodePtr) -> String {
        guard let value = xmlNodeGetContent(node) else { return "" }
        defer { smdrill_xml_free(value) }
        return String(cString: value)
    }
}

/// Joins the reports of sharded runs into one; counts are recomputed from the cases. A suite that appears
/// in more than one report (the same drill run twice) keeps its last run.
public enum JUnitMerge {
    public static func merge(_ reports: [JUnitReport]) -> JUnitReport {
        var merged = JUnitReport(name: reports.first?.name ?? "smdrill")
        var index: [String: Int] = [:]
        for report in reports {
            for suite in report.suites {
                if let existing = index[suite.name] {
                    merged.suites[existing] = suite
                } else {
                    index[suite.name] = merged.suites.count
                    merged.suites.append(suite)
                }
            }
        }
        return merged
    }
}
