import SecretsManager
import Testing

struct WordHashTests {
    @Test("the hash is pinned: the same bytes give the same value in every process")
    func pinned() {
        #expect(WordHash.hash([UInt8]()) == 0xF8BB_92CE_2658_5846)
        #expect(WordHash.hash("abc") == 0x39D3_E45D_42E1_9C37)
        #expect(WordHash.hash("0123456789abcdef-secret") == 0x5C22_2A1F_19B0_5EAA)
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
