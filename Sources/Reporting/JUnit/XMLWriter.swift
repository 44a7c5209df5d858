import CLibXML2
import Foundation

/// A small Swift face on libxml2's text writer, writing to memory. Every string is sanitised for XML 1.0
/// before libxml2 sees it.
final class XMLWriter {
    private let buffer: xmlBufferPtr
    private let writer: xmlTextWriterPtr
    private(set) var failed = false

    init() {
        xmlInitParser()
        buffer = xmlBufferCreate()
        writer = xmlNewTextWriterMemory(buffer, 0)
        xmlTextWriterSetIndent(writer, 1)
        _ = withXMLChars("  ") { xmlTextWriterSetIndentString(writer, $0) }
    }

    deinit {
        xmlFreeTextWriter(writer)
        xmlBufferFree(buffer)
    }

    private func check(_ code: Int32) {
        if code < 0 { failed = true }
    }

    func startDocument() {
        check(xmlTextWriterStartDocument(writer, "1.0", "UTF-8", nil))
    }

    func start(_ element: String) {
        check(withXMLChars(element) { xmlTextWriterStartElement(writer, $0) })
    }

    func attribute(_ name: String, _ value: String) {
        let clean = XMLText.sanitize(value)
        check(withXMLChars(name) { name in withXMLChars(clean) { xmlTextWriterWriteAttribute(writer, name, $0) } })
    }

    func text(_ value: String) {
        let clean = XMLText.sanitize(value, limit: 1_000_000)
        check(withXMLChars(clean) { xmlTextWriterWriteString(writer, $0) })
    }

    func end() {
        check(xmlTextWriterEndElement(writer))
    }

    /// Ends the document and answers its bytes.
    func finish() throws -> Data {
        check(xmlTextWriterEndDocument(writer))
        xmlTextWriterFlush(writer)
        guard !failed, let content = xmlBufferContent(buffer) else { throw ReportError.xml("libxml2 could not write the document") }
        return Data(bytes: content, count: Int(xmlBufferLength(buffer)))
    }
}

/// Passes a Swift string to libxml2 as `const xmlChar *` (UTF-8, NUL-terminated).
func withXMLChars<T>(_ text: String, _ body: (UnsafePointer<xmlChar>) -> T) -> T {
    text.withCString { pointer in
        pointer.withMemoryRebound(to: xmlChar.self, capacity: text.utf8.count + 1) { body($0) }
    }
}

/// Why a report could not be written or read.
public enum ReportError: Error, Sendable, CustomStringConvertible {
    case xml(String)
    case invalid(file: String, problems: [String])
    case unreadable(String)
    case io(String)

    public var description: String {
        switch self {
        case .xml(let reason): reason
        case .invalid(let file, let problems): problems.map { "\(file):\($0)" }.joined(separator: "\n")
        case .unreadable(let reason): reason
        case .io(let reason): reason
        }
    }
}
