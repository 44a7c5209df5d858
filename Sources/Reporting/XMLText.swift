/// Text made safe for XML 1.0 before it reaches the writer: characters XML 1.0 forbids (NUL, ESC, BEL and the
/// other C0 controls but tab, newline and return; U+FFFE and U+FFFF) become U+FFFD, and a string is cut at
/// `limit` characters with a note, so a hostile or runaway value cannot make a report unreadable.
/// (libxml2's writer escapes only markup characters, and a NUL would cut its C string short.)
public enum XMLText {
    public static func sanitize(_ text: String, limit: Int = 65_536) -> String {
        var output = String.UnicodeScalarView()
        output.reserveCapacity(min(text.unicodeScalars.count, limit))
        var count = 0
        for scalar in text.unicodeScalars {
            if count == limit {
                output.append(contentsOf: " [cut at \(limit) characters]".unicodeScalars)
                break
            }
            output.append(isAllowed(scalar) ? scalar : "\u{FFFD}")
            count += 1
        }
        return String(output)
    }

    /// XML 1.0's Char production.
    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD: true
        case 0x20...0xD7FF: true
        case 0xE000...0xFFFD: true
        case 0x10000...0x10FFFF: true
        default: false
        }
    }

    /// Bytes read from outside (a file, a process) as text: invalid UTF-8 becomes U+FFFD.
    public static func decode(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: Array(bytes), as: UTF8.self)
    }
}
