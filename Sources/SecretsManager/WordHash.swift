/// A fast 64-bit hash of bytes, taken a word (8 bytes) at a time with a multiply-xorshift and seeded with the
/// length. It tells values apart (the drill ledger's fingerprints, hash-table keys), never against an
/// adversary: where that matters, use SHA-256. It must give the same answer in every process. Use the value
/// whole (compare it, or feed it to `Hasher`): it has no final mixing, so its low bits are the weaker ones.
/// (Written here: a dozen lines; the standard library's `Hasher` is seeded per process and cost several times
/// more on the hot path.)
public enum WordHash {
    public static func hash(_ raw: UnsafeRawBufferPointer) -> UInt64 {
        var hash = 0xCBF2_9CE4_8422_2325 ^ UInt64(raw.count)
        var offset = 0
        while offset + 8 <= raw.count {
            mix(&hash, UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
            offset += 8
        }
        // The last 0-7 bytes, packed little-endian into the low bits: from the input's last word when there
        // is one (one load, shifted), else byte by byte.
        let remaining = raw.count - offset
        var tail: UInt64 = 0
        if remaining > 0, raw.count >= 8 {
            let last = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: raw.count - 8, as: UInt64.self))
            tail = last >> UInt64(64 - 8 * remaining)
        } else {
            for index in offset..<raw.count { tail |= UInt64(raw[index]) << (8 * UInt64(index - offset)) }
        }
        mix(&hash, tail)
        return hash
    }

    public static func hash(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { hash($0) }
    }

    /// The hash of a string's UTF-8.
    public static func hash(_ text: String) -> UInt64 {
        if let hash = text.utf8.withContiguousStorageIfAvailable({ hash(UnsafeRawBufferPointer($0)) }) { return hash }
        var text = text  // a bridged or foreign string: made contiguous first
        return text.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }

    @inline(__always)
    private static func mix(_ hash: inout UInt64, _ word: UInt64) {
        hash = (hash ^ word) &* 0x9E37_79B9_7F4A_7C15
        hash ^= hash >> 29
    }
}
