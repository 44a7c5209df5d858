import Drill
import Foundation

/// An accepted exception to a control: who approved it, why, and until when.
public struct Waiver: Sendable, Hashable, Codable {
    public var control: String
    public var justification: String
    /// The last day the waiver holds (through the end of that day, UTC).
    public var expires: Date
    public var approver: String
    public var location: SourceLocation

    /// `2027-03-31`.
    public var expiresText: String { Waiver.dayFormat.format(expires) }

    public func isActive(at now: Date) -> Bool { now < expires.addingTimeInterval(86_400) }

    static let dayFormat = Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day()
}

/// Reads a waivers file strictly: every waiver names a known control, gives a justification, an expiry date
/// and an approver; anything else is an error at `file:line:column`.
public enum WaiverLoader {
    public static func load(_ path: String, controls: Set<String>) throws(InputError) -> [Waiver] {
        try read(try YAMLReader.load(path).value, controls: controls)
    }

    public static func parse(_ text: String, file: String, controls: Set<String>) throws(InputError) -> [Waiver] {
        try read(try YAMLReader.parse(text, file: file), controls: controls)
    }

    static func read(_ root: YAMLValue, controls: Set<String>) throws(InputError) -> [Waiver] {
        let top = try root.object(keys: ["waivers"], "a waivers file (a mapping with 'waivers')")
        guard let list = top.optional("waivers") else { return [] }
        var waivers: [Waiver] = []
        var seen: [String: SourceLocation] = [:]
        for item in try list.list("a list of waivers") {
            let fields = try item.object(
                keys: ["control", "justification", "expires", "approver"],
                "a waiver ({ control, justification, expires, approver })")
            let controlValue = try fields.required("control")
            let control = try controlValue.string()
            guard controls.contains(control) else {
                let hint = didYouMean(control, among: controls.sorted()).map { "; did you mean '\($0)'?" } ?? ""
                throw controlValue.error("unknown control '\(control)'\(hint) (smdrill list controls shows them)")
            }
            if let earlier = seen[control] {
                throw controlValue.error("control '\(control)' is already waived at \(earlier)")
            }
            seen[control] = controlValue.location
            guard let justificationValue = fields.optional("justification") else {
                throw InputError(fields.location, "the waiver of \(control) needs a 'justification': why the risk is accepted")
            }
            let justification = try justificationValue.string().trimmingCharacters(in: .whitespacesAndNewlines)
            guard justification.count >= 10 else {
                throw justificationValue.error("a justification must say why the risk is accepted (at least 10 characters)")
            }
            let expiresValue = try fields.required("expires")
            let expiresText = try expiresValue.scalar("an expiry date such as 2027-03-31")
            guard let expires = try? Waiver.dayFormat.parse(expiresText) else {
                throw expiresValue.error("expected an expiry date such as 2027-03-31, found '\(expiresText)'")
            }
            waivers.append(
                Waiver(
                    control: control, justification: justification, expires: expires,
                    approver: try fields.required("approver").string(), location: controlValue.location))
        }
        return waivers
    }
}
