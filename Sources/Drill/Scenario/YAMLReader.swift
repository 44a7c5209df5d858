import Foundation
import Yams

/// A strict reader of a YAML document: every value knows where it is, every mapping refuses keys it does not
/// know (with a did-you-mean), and every conversion says what it expected. Scenario and plan loaders are
/// written with it.
///
/// ```swift
/// let root = try YAMLReader.parse(text, file: "scenarios/zone-loss.yaml")
/// let object = try root.object(keys: ["name", "duration"])
/// let duration = try object.required("duration").duration()
/// ```
public struct YAMLValue {
    public let node: Node
    public let file: String
    /// Where the value's parent key is, for errors about a value that is missing or empty.
    let fallback: SourceLocation

    public var location: SourceLocation {
        guard let mark = node.mark else { return fallback }
        return SourceLocation(file: file, line: mark.line, column: mark.column)
    }

    public func error(_ message: String) -> InputError { InputError(location, message) }

    /// The scalar text, or an error naming what was expected.
    public func scalar(_ expected: String) throws(InputError) -> String {
        guard case .scalar(let scalar) = node else { throw error("expected \(expected), found \(kindDescription)") }
        return scalar.string
    }

    var kindDescription: String {
        switch node {
        case .scalar(let scalar): scalar.string.isEmpty ? "nothing" : "'\(Self.clip(scalar.string))'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    static func clip(_ text: String) -> String {
        let cleaned = String(text.unicodeScalars.map { $0.value < 32 || $0.value == 127 ? "?" : Character($0) })
        return cleaned.count > 60 ? String(cleaned.prefix(57)) + "..." : cleaned
    }

    public func string() throws(InputError) -> String {
        let text = try scalar("a string")
        guard !text.isEmpty else { throw error("expected a string, found nothing") }
        return text
    }

    public func integer(in range: ClosedRange<Int>, _ what: String) throws(InputError) -> Int {
        let text = try scalar("\(what) (a whole number)")
        guard let value = Int(text) else { throw error("expected \(what) as a whole number, found '\(Self.clip(text))'") }
        guard range.contains(value) else {
            throw error("\(what) must be \(range.lowerBound) to \(range.upperBound), found \(value)")
        }
        return value
    }

    public func unsigned(_ what: String) throws(InputError) -> UInt64 {
        let text = try scalar("\(what) (a whole number)")
        guard let value = UInt64(text) else {
            throw error("expected \(what) as a whole number from 0 to \(UInt64.max), found '\(Self.clip(text))'")
        }
        return value
    }

    public func bool() throws(InputError) -> Bool {
        let text = try scalar("true or false")
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("expected true or false, found '\(Self.clip(text))'")
        }
    }

    /// A duration with its unit: `30s`, `5m`, `2h`, `1h30m`, `250ms`.
    public func duration(_ what: String = "a duration") throws(InputError) -> Duration {
        let text = try scalar("\(what) such as 30s, 5m or 2h")
        guard let value = Units.duration(text) else {
            if Double(text) != nil {
                throw error("expected \(what) with a unit (ms, s, m, h, d), such as \(text)s; found the bare number \(text)")
            }
            throw error("expected \(what) such as 250ms, 30s, 5m, 2h or 1d; found '\(Self.clip(text))'")
        }
        return value
    }

    /// A rate: `10/s`, `600/min`.
    public func rate(_ what: String = "a rate") throws(InputError) -> Double {
        let text = try scalar("\(what) such as 10/s")
        guard let value = Units.rate(text) else {
            throw error("expected \(what) such as 10/s, 600/min or 5/h; found '\(Self.clip(text))'")
        }
        return value
    }

    /// A percentage: `95%`, `99.9%`.
    public func percentage(_ what: String = "a percentage") throws(InputError) -> Double {
        let text = try scalar("\(what) such as 95%")
        guard let value = Units.percentage(text) else {
            throw error("expected \(what) from 0% to 100%, such as 99.9%; found '\(Self.clip(text))'")
        }
        return value
    }

    /// One of `choices`.
    public func choice<T>(_ choices: [(String, T)], _ what: String) throws(InputError) -> T {
        let text = try scalar(what)
        if let match = choices.first(where: { $0.0 == text }) { return match.1 }
        let names = choices.map(\.0)
        let hint = didYouMean(text, among: names).map { "; did you mean '\($0)'?" } ?? ""
        throw error("expected \(what): one of \(names.joined(separator: ", ")); found '\(Self.clip(text))'\(hint)")
    }

    /// A mapping whose keys must all be among `keys`.
    public func object(keys: [String], _ what: String = "a mapping") throws(InputError) -> YAMLObject {
        guard case .mapping(let mapping) = node else { throw error("expected \(what), found \(kindDescription)") }
        return try YAMLObject(mapping: mapping, file: file, location: location, allowed: keys)
    }

    /// A list.
    public func list(_ what: String = "a list") throws(InputError) -> [YAMLValue] {
        if case .scalar(let scalar) = node, scalar.string.isEmpty || scalar.string == "[]" { return [] }
        guard case .sequence(let sequence) = node else { throw error("expected \(what), found \(kindDescription)") }
        return sequence.map { YAMLValue(node: $0, file: file, fallback: location) }
    }

    /// Whether the value is empty or null.
    public var isNull: Bool {
        if case .scalar(let scalar) = node { return scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null" }
        return false
    }
}

/// A mapping being read: its keys were checked against the allowed ones when it was opened.
public struct YAMLObject {
    public let file: String
    public let location: SourceLocation
    private var values: [String: YAMLValue] = [:]
    private var keyLocations: [String: SourceLocation] = [:]
    /// The keys present, in file order.
    public private(set) var keys: [String] = []

    init(mapping: Node.Mapping, file: String, location: SourceLocation, allowed: [String]) throws(InputError) {
        self.file = file
        self.location = location
        for (keyNode, valueNode) in mapping {
            let keyLocation = keyNode.mark.map { SourceLocation(file: file, line: $0.line, column: $0.column) } ?? location
            guard case .scalar(let scalar) = keyNode else {
                throw InputError(keyLocation, "expected a key (a plain word), found \(YAMLValue(node: keyNode, file: file, fallback: keyLocation).kindDescription)")
            }
            let key = scalar.string
            guard allowed.contains(key) else {
                let hint = didYouMean(key, among: allowed).map { "; did you mean '\($0)'?" } ?? ""
                throw InputError(
                    keyLocation,
                    "unknown key '\(YAMLValue.clip(key))'\(hint) (expected one of: \(allowed.joined(separator: ", ")))")
            }
            guard values[key] == nil else { throw InputError(keyLocation, "the key '\(key)' appears twice") }
            values[key] = YAMLValue(node: valueNode, file: file, fallback: keyLocation)
            keyLocations[key] = keyLocation
            keys.append(key)
        }
    }

    public subscript(key: String) -> YAMLValue? { values[key] }

    /// The value of a key that must be there.
    public func required(_ key: String) throws(InputError) -> YAMLValue {
        guard let value = values[key], !value.isNull else {
            if let keyLocation = keyLocations[key] { throw InputError(keyLocation, "'\(key)' needs a value") }
            throw InputError(location, "missing required key '\(key)'")
        }
        return value
    }

    /// The value of a key that may be absent (or null).
    public func optional(_ key: String) -> YAMLValue? {
        guard let value = values[key], !value.isNull else { return nil }
        return value
    }

    /// Where a key is written.
    public func location(of key: String) -> SourceLocation { keyLocations[key] ?? location }
}

/// Parsing YAML text into a ``YAMLValue``, with syntax errors at their place.
public enum YAMLReader {
    public static func parse(_ text: String, file: String) throws(InputError) -> YAMLValue {
        let start = SourceLocation(file: file, line: 1, column: 1)
        if text.utf8.contains(0) {
            let line = text.prefix { $0 != "\0" }.filter { $0 == "\n" }.count + 1
            throw InputError(SourceLocation(file: file, line: line, column: 1), "the file contains a NUL byte; expected YAML text")
        }
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw InputError(start, "the file is empty; expected a YAML mapping")
            }
            return YAMLValue(node: node, file: file, fallback: start)
        } catch let error as InputError {
            throw error
        } catch let error as YamlError {
            throw Self.describe(error, file: file)
        } catch {
            throw InputError(start, "could not read YAML: \(error)")
        }
    }

    /// Reads a file as UTF-8 text and parses it.
    public static func load(_ path: String) throws(InputError) -> (text: String, value: YAMLValue) {
        let start = SourceLocation(file: path, line: 1, column: 1)
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                throw InputError(start, "is a folder; expected a YAML file")
            }
            throw InputError(start, "no such file")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw InputError(firstInvalidUTF8(data, file: path), "invalid UTF-8 byte; expected a YAML file in UTF-8")
        }
        return (text, try parse(text, file: path))
    }

    /// Where the first byte that is not UTF-8 is (line and column counted in characters before it).
    static func firstInvalidUTF8(_ data: Data, file: String) -> SourceLocation {
        let bytes = Array(data)
        var end = 0
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): end += UTF8.width(scalar)
            case .emptyInput, .error: break loop
            }
        }
        let before = String(decoding: bytes[..<end], as: UTF8.self)
        let lines = before.split(separator: "\n", omittingEmptySubsequences: false)
        return SourceLocation(file: file, line: lines.count, column: (lines.last?.count ?? 0) + 1)
    }

    static func describe(_ error: YamlError, file: String) -> InputError {
        func at(_ mark: Mark) -> SourceLocation { SourceLocation(file: file, line: mark.line, column: mark.column) }
        switch error {
        case .scanner(let context, let problem, let mark, let yaml):
            // A CRN ends in '::', which plain YAML reads as a mapping: say so.
            let line = yaml.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(max(0, mark.line - 1)).first ?? ""
            let hint =
                problem.contains("mapping values are not allowed") && line.contains("crn:")
                ? "; a CRN ends in '::', so write it in quotes: \"crn:v1:...::\"" : ""
            return InputError(at(mark), "YAML syntax: \(problem)\(context.map { " \($0.text)" } ?? "")\(hint)")
        case .parser(let context, let problem, let mark, _):
            return InputError(at(mark), "YAML syntax: \(problem)\(context.map { " \($0.text)" } ?? "")")
        case .composer(let context, let problem, let mark, _):
            return InputError(at(mark), "YAML syntax: \(problem)\(context.map { " \($0.text)" } ?? "")")
        case .reader(let problem, let offset, let value, let yaml):
            // libyaml counts the offset in bytes of the UTF-8 text.
            let prefix = yaml.utf8.prefix(offset ?? 0)
            let line = prefix.filter { $0 == 10 }.count + 1
            let lineStart = prefix.lastIndex(of: 10).map { prefix.index(after: $0) } ?? prefix.startIndex
            let column = String(decoding: prefix[lineStart...], as: UTF8.self).unicodeScalars.count + 1
            let character = value >= 0 ? String(format: " (U+%04X)", value) : ""
            return InputError(SourceLocation(file: file, line: line, column: column), "YAML: \(problem)\(character); expected YAML text")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return InputError(
                at(context.mark),
                "the key(s) \(duplicates.sorted().map { "'\(YAMLValue.clip($0))'" }.joined(separator: ", ")) appear twice in one mapping")
        default:
            return InputError(SourceLocation(file: file, line: 1, column: 1), "could not read YAML: \(error)")
        }
    }
}
