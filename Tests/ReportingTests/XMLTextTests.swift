import Testing

@testable import Reporting

struct XMLTextTests {
    @Test("characters XML 1.0 forbids become U+FFFD; tab, newline and return stay")
    func forbiddenCharacters() {
        let text = XMLText.sanitize("a\u{0}b\u{1B}c\u{7}d\te\nf\rg\u{FFFE}h\u{FFFF}i")
        #expect(text == "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\te\nf\rg\u{FFFD}h\u{FFFD}i")
        #expect(text.unicodeScalars.allSatisfy { XMLText.isAllowed($0) })
    }

    @Test("astral characters are kept")
    func astral() {
        #expect(XMLText.sanitize("\u{1F4A5}") == "\u{1F4A5}")
    }

    @Test("a runaway string is cut at the limit, with a note")
    func limit() {
        let text = XMLText.sanitize(String(repeating: "x", count: 500), limit: 100)
        #expect(text.hasPrefix(String(repeating: "x", count: 100)))
        #expect(text.hasSuffix("[cut at 100 characters]"))
        #expect(!text.contains(String(repeating: "x", count: 101)))
    }

    @Test("invalid UTF-8 from outside reads as replacement characters")
    func invalidUTF8() {
        let text = XMLText.decode([0x6F, 0x6B, 0xFF, 0xC3, 0x28])
        #expect(text.hasPrefix("ok\u{FFFD}"))
        #expect(text.unicodeScalars.allSatisfy { XMLText.isAllowed($0) })
    }
}
