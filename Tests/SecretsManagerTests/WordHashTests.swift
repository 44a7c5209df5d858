import SecretsManager
import Testing

struct WordHashTests {
    @Test("the hash is pinned: the same bytes give the same value in every process")
    func pinned() {
        #expect(WordHash.hash([UInt8]()) == 0xF8BB_92CE_2658_5846)
        #expect(WordHash.hash("abc") == 0x39D3_E45D_42E1_9C37)
        #expect(WordHash.hash("0123456789abcdef-secret") == 0x5C22_2A1F_19B0_5EAA)
    }

    @Test("the tail read from the last word is the tail read byte by byte, at every length")
    func tailFromLastWord() {
        // The definition, a byte at a time: whole words, then the 0-7 bytes left packed little-endian.
        func reference(_ bytes: [UInt8]) -> UInt64 {
            func mix(_ hash: inout UInt64, _ word: UInt64) {
                hash = (hash ^ word) &* 0x9E37_79B9_7F4A_7C15
                hash ^= hash >> 29
            }
            var hash = 0xCBF2_9CE4_8422_2325 ^ UInt64(bytes.count)
            var offset = 0
            while offset + 8 <= bytes.count {
                var word: UInt64 = 0
                for index in 0..<8 { word |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
                mix(&hash, word)
                offset += 8
            }
            var tail: UInt64 = 0
            for index in offset..<bytes.count { tail |= UInt64(bytes[index]) << (8 * UInt64(index - offset)) }
            mix(&hash, tail)
            return hash
        }
        let bytes = (0..<40).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        for length in 0...bytes.count {
            let prefix = Array(bytes[..<length])
            #expect(WordHash.hash(prefix) == reference(prefix), "length \(length)")
        }
    }

    @Test("a string hashes as its UTF-8 bytes")
    func stringsAsBytes() {
        for text in ["", "a", "é漢字\u{1F4A5}", "a-36-character-secret-id-0000000000000"] {
            #expect(WordHash.hash(text) == WordHash.hash(Array(text.utf8)), "\(text)")
        }
    }

    @Test("changing any byte, or only the length, changes the hash")
    func sensitivity() {
        let base = Array("0123456789abcdef-secret".utf8)  // two whole words and a tail
        for index in base.indices {
            var changed = base
            changed[index] ^= 1
            #expect(WordHash.hash(changed) != WordHash.hash(base), "byte \(index)")
        }
        #expect(WordHash.hash([0x61]) != WordHash.hash([0x61, 0x00]))
        #expect(WordHash.hash([UInt8](repeating: 0, count: 8)) != WordHash.hash([UInt8](repeating: 0, count: 16)))
    }
}
