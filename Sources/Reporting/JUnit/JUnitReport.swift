import Foundation

/// A JUnit report as smdrill writes it: suites of test cases, each passed, failed, in error or skipped.
/// Counts are computed, never stored, so a merged report cannot disagree with its cases.
public struct JUnitReport: Sendable, Hashable {
    public var name: String
    public var suites: [JUnitSuite]

    public init(name: String = "smdrill", suites: [JUnitSuite] = []) {
        self.name = name
        self.suites = suites
    }

    public var tests: Int { suites.reduce(0) { $0 + $1.tests } }
    public var failures: Int { suites.reduce(0) { $0 + $1.failures } }
    public var errors: Int { suites.reduce(0) { $0 + $1.errors } }
    public var skipped: Int { suites.reduce(0) { $0 + $1.skipped } }
    public var time: Double { suites.reduce(0) { $0 + $1.time } }
}

public struct JUnitSuite: Sendable, Hashable {
    public var name: String
    public var timestamp: Date?
    public var hostname: String?
    /// Seconds.
    public var time: Double
    /// Name and value, in order.
    public var properties: [JUnitProperty]
    public var cases: [JUnitCase]
    public var systemOut: String?

    public init(
        name: String, timestamp: Date? = nil, hostname: String? = nil, time: Double = 0,
        properties: [JUnitProperty] = [], cases: [JUnitCase] = [], systemOut: String? = nil
    ) {
        self.name = name
        self.timestamp = timestamp
        self.hostname = hostname
        self.time = time
        self.properties = properties
        self.cases = cases
        self.systemOut = systemOut
    }

    public var tests: Int { cases.count }
    public var failures: Int { cases.filter { if case .failed = $0.outcome { true } else { false } }.count }
    public var errors: Int { cases.filter { if case .error = $0.outcome { true } else { false } }.count }
    public var skipped: Int { cases.filter { if case .skipped = $0.outcome { true } else { false } }.count }
}

public struct JUnitProperty: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

public struct JUnitCase: Sendable, Hashable {
    public enum Outcome: Sendable, Hashable {
        case passed
        /// `message` and `type` attributes; `body` the element's text (GitLab reads the text, not the message).
        case failed(message: String, type: String, body: String)
        case error(message: String, type: String, body: String)
        case skipped(message: String, body: String)
    }

    public var name: String
    public var classname: String
    public var time: Double
    public var outcome: Outcome
    public var systemOut: String?
    /// The extended dialect only: the file the case comes from, and properties of the case.
    public var file: String?
    public var properties: [JUnitProperty]

    public init(
        name: String, classname: String, time: Double = 0, outcome: Outcome = .passed, systemOut: String? = nil,
        file: String? = nil, properties: [JUnitProperty] = []
    ) {
        self.name = name
        self.classname = classname
        self.time = time
        self.outcome = outcome
        self.systemOut = systemOut
        self.file = file
        self.properties = properties
    }
}

/// The two JUnit dialects smdrill writes.
public enum JUnitDialect: String, Sendable, CaseIterable {
    /// What the strictest common schema (Jenkins xUnit's junit-10.xsd) accepts.
    case standard
    /// Adds testcase `file` and testcase `properties`, which GitLab and mikepenz/action-junit-report read.
    case extended
}
