import CLibXML2
import Foundation

/// smdrill's own XML Schemas for the JUnit it writes, one per dialect, and a validator on libxml2.
public enum JUnitSchema {
    /// The schema of a dialect, as text.
    public static func text(_ dialect: JUnitDialect) -> String {
        let extended = dialect == .extended
        let caseExtras =
            extended
            ? """
                      <xs:element name="properties" type="Properties" minOccurs="0"/>
              """ : ""
        let caseAttributes =
            extended
            ? """
                    <xs:attribute name="file" type="xs:string"/>
              """ : ""
        // junit-10.xsd has no `skipped` on <testsuites>, so the standard dialect must not write one.
        let suitesSkipped =
            extended
            ? """
                        <xs:attribute name="skipped" type="Count"/>
              """ : ""
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- smdrill JUnit report, \(dialect.rawValue) dialect. Written for smdrill. -->
            <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">
              <xs:simpleType name="Seconds">
                <xs:restriction base="xs:string">
                  <xs:pattern value="[0-9]+(\\.[0-9]{1,3})?"/>
                </xs:restriction>
              </xs:simpleType>
              <xs:simpleType name="Count">
                <xs:restriction base="xs:nonNegativeInteger"/>
              </xs:simpleType>
              <xs:complexType name="Properties">
                <xs:sequence>
                  <xs:element name="property" minOccurs="0" maxOccurs="unbounded">
                    <xs:complexType>
                      <xs:attribute name="name" type="xs:string" use="required"/>
                      <xs:attribute name="value" type="xs:string" use="required"/>
                    </xs:complexType>
                  </xs:element>
                </xs:sequence>
              </xs:complexType>
              <xs:complexType name="Outcome">
                <xs:simpleContent>
                  <xs:extension base="xs:string">
                    <xs:attribute name="message" type="xs:string" use="required"/>
                    <xs:attribute name="type" type="xs:string"/>
                  </xs:extension>
                </xs:simpleContent>
              </xs:complexType>
              <xs:complexType name="TestCase">
                <xs:sequence>
            \(caseExtras)
                  <xs:choice minOccurs="0">
                    <xs:element name="failure" type="Outcome"/>
                    <xs:element name="error" type="Outcome"/>
                    <xs:element name="skipped" type="Outcome"/>
                  </xs:choice>
                  <xs:element name="system-out" type="xs:string" minOccurs="0"/>
                </xs:sequence>
                <xs:attribute name="name" type="xs:string" use="required"/>
                <xs:attribute name="classname" type="xs:string" use="required"/>
                <xs:attribute name="time" type="Seconds" use="required"/>
            \(caseAttributes)
              </xs:complexType>
              <xs:complexType name="TestSuite">
                <xs:sequence>
                  <xs:element name="properties" type="Properties" minOccurs="0"/>
                  <xs:element name="testcase" type="TestCase" minOccurs="0" maxOccurs="unbounded"/>
                  <xs:element name="system-out" type="xs:string" minOccurs="0"/>
                </xs:sequence>
                <xs:attribute name="name" type="xs:string" use="required"/>
                <xs:attribute name="tests" type="Count" use="required"/>
                <xs:attribute name="failures" type="Count" use="required"/>
                <xs:attribute name="errors" type="Count" use="required"/>
                <xs:attribute name="skipped" type="Count" use="required"/>
                <xs:attribute name="time" type="Seconds" use="required"/>
                <xs:attribute name="timestamp" type="xs:dateTime"/>
                <xs:attribute name="hostname" type="xs:string"/>
                <xs:attribute name="id" type="xs:string"/>
              </xs:complexType>
              <xs:element name="testsuites">
                <xs:complexType>
                  <xs:sequence>
                    <xs:element name="testsuite" type="TestSuite" minOccurs="0" maxOccurs="unbounded"/>
                  </xs:sequence>
                  <xs:attribute name="name" type="xs:string"/>
                  <xs:attribute name="tests" type="Count" use="required"/>
                  <xs:attribute name="failures" type="Count" use="required"/>
                  <xs:attribute name="errors" type="Count" use="required"/>
            \(suitesSkipped)
                  <xs:attribute name="time" type="Seconds"/>
                </xs:complexType>
              </xs:element>
            </xs:schema>
            """
    }

    /// Checks an XML document against a schema (given as text). Answers the problems, each as
    /// `line: message`; empty when the document is valid.
    public static func validate(_ document: Data, schema: String) throws -> [String] {
        xmlInitParser()
        let collector = ProblemCollector()
        let context = Unmanaged.passUnretained(collector).toOpaque()
        let schemaData = Data(schema.utf8)
        guard let parser = schemaData.withUnsafeBytes({ bytes in
            xmlSchemaNewMemParserCtxt(bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count))
        }) else {
            throw ReportError.xml("libxml2 could not read the schema")
        }
        defer { xmlSchemaFreeParserCtxt(parser) }
        xmlSchemaSetParserStructuredErrors(parser, collectProblem, context)
        guard let parsed = xmlSchemaParse(parser) else {
            throw ReportError.xml("the schema is invalid: \(collector.problems.joined(separator: "; "))")
        }
        defer { xmlSchemaFree(parsed) }
        guard let validator = xmlSchemaNewValidCtxt(parsed) else { throw ReportError.xml("libxml2 could not validate") }
        defer { xmlSchemaFreeValidCtxt(validator) }
        xmlSchemaSetValidStructuredErrors(validator, collectProblem, context)
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        guard let doc = document.withUnsafeBytes({ bytes in
            xmlReadMemory(bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count), "report.xml", nil, options)
        }) else {
            return collector.problems.isEmpty ? ["1: not well-formed XML"] : collector.problems
        }
        defer { xmlFreeDoc(doc) }
        let result = xmlSchemaValidateDoc(validator, doc)
        if result < 0 { throw ReportError.xml("libxml2 failed while validating") }
        if result > 0 && collector.problems.isEmpty { return ["0: the document does not match the schema"] }
        return collector.problems
    }

    /// Checks a file against the schema of `dialect`, or against the schema in `schemaFile`.
    public static func validate(file: URL, dialect: JUnitDialect, schemaFile: URL? = nil) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw ReportError.unreadable("\(file.path): no such file")
        }
        let schema: String
        if let schemaFile {
            guard let schemaData = FileManager.default.contents(atPath: schemaFile.path) else {
                throw ReportError.unreadable("\(schemaFile.path): no such file")
            }
            schema = XMLText.decode(schemaData)
        } else {
            schema = text(dialect)
        }
        return try validate(data, schema: schema)
    }
}

/// Collects libxml2's structured errors as `line: message`.
final class ProblemCollector {
    var problems: [String] = []
}

private func collectProblem(_ context: UnsafeMutableRawPointer?, _ error: UnsafeMutablePointer<xmlError>?) {
    guard let context, let error else { return }
    let collector = Unmanaged<ProblemCollector>.fromOpaque(context).takeUnretainedValue()
    let message = error.pointee.message.map { String(cString: $0) }?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "error"
    collector.problems.append("\(error.pointee.line): \(message)")
}
