import Compliance
import Drill
import Foundation
import Testing

struct WaiverTests {
    static func waivers(_ text: String) throws(InputError) -> [Waiver] {
        try WaiverLoader.parse(text, file: "waivers.yaml", controls: ControlCatalog.ids)
    }

    @Test("a waiver in force waives a failing control, with its justification and expiry")
    func waived() throws {
        var world = try ComplianceWorld()
        defer { world.remove() }
        world.sections["deleters"] = "deleters: [everyone]"
        let waivers = try Self.waivers(
            """
            waivers:
              - control: SM-PLAN-04
                justification: Break-glass group is being split; tracked in SEC-1234.
                expires: 2027-03-31
                approver: ciso@example.com
            """)
        let report = try world.check(waivers: waivers)
        let result = try #require(report.result("SM-PLAN-04"))
        #expect(result.status == .waived)
        #expect(result.reason.contains("waived until 2027-03-31 by ciso@example.com"))
        #expect(result.reason.contains("SEC-1234"))
        #expect(result.waiver?.expired == false)
        #expect(report.compliant)
    }

    @Test("an expired waiver waives nothing and says so")
    func expired() throws {
        var world = try ComplianceWorld()
        defer { world.remove() }
        world.sections["deleters"] = "deleters: [everyone]"
        let waivers = try Self.waivers(
            "waivers: [ { control: SM-PLAN-04, justification: accepted for the migration, expires: 2020-01-31, approver: ciso } ]")
        let result = try #require(try world.check(waivers: waivers).result("SM-PLAN-04"))
        #expect(result.status == .fail)
        #expect(result.reason.contains("the waiver expired on 2020-01-31"))
        #expect(result.waiver?.expired == true)
    }

    @Test("a waiver lasts through its expiry day")
    func expiryDay() throws {
        let waiver = try #require(
            try Self.waivers("waivers: [ { control: SM-EVD-01, justification: new database this quarter, expires: 2026-11-27, approver: x } ]").first)
        #expect(waiver.isActive(at: try Date("2026-11-27T23:59:00Z", strategy: .iso8601)))
        #expect(!waiver.isActive(at: try Date("2026-11-28T00:00:00Z", strategy: .iso8601)))
    }

    @Test("bad waivers are errors at file:line:column", arguments: [
        ("waivers: [ { control: SM-BAK-9, justification: something long enough, expires: 2027-01-01, approver: x } ]",
         "waivers.yaml:1:23: unknown control 'SM-BAK-9'; did you mean 'SM-BAK-01'?"),
        ("waivers: [ { control: SM-BAK-01, expires: 2027-01-01, approver: x } ]",
         "waivers.yaml:1:12: the waiver of SM-BAK-01 needs a 'justification'"),
        ("waivers: [ { control: SM-BAK-01, justification: ok, expires: 2027-01-01, approver: x } ]",
         "waivers.yaml:1:49: a justification must say why"),
        ("waivers: [ { control: SM-BAK-01, justification: something long enough, expires: next spring, approver: x } ]",
         "waivers.yaml:1:81: expected an expiry date such as 2027-03-31, found 'next spring'"),
        ("waivers: [ { control: SM-BAK-01, justification: something long enough, expires: 2027-01-01 } ]",
         "missing required key 'approver'"),
        ("waivers: [ { control: SM-BAK-01, justification: something long enough, expires: 2027-01-01, approver: x, until: y } ]",
         "unknown key 'until'"),
    ])
    func bad(text: String, expected: String) {
        do {
            _ = try Self.waivers(text)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }
}
