import Foundation

/// A seeded random number generator: xoshiro256** (Blackman and Vigna), seeded through SplitMix64.
///
/// Every random draw inside a simulation comes from one of these, so the same seed gives the same run.
/// Independent consumers take their own stream with ``fork(_:)``, so adding draws to one consumer never
/// shifts another's. (Written here: none of the allowed packages offers a seedable generator.)
///
/// ```swift
/// var random = SeededRandom(seed: 7)
/// let delay = random.exponential(mean: .milliseconds(50))
/// ```
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)
    /// The seed this stream was made from, kept so forks are a function of (seed, label) alone.
    public let seed: UInt64

    public init(seed: UInt64) {
        self.seed = seed
        var splitMix = seed
        state = (
            Self.splitMix64(&splitMix), Self.splitMix64(&splitMix), Self.splitMix64(&splitMix),
            Self.splitMix64(&splitMix)
        )
    }

    static func splitMix64(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inlinable
    static func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = Self.rotateLeft(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = Self.rotateLeft(state.3, 45)
        return result
    }

    /// An independent stream named by `label`: the same (seed, label) always gives the same stream.
    public func fork(_ label: String) -> SeededRandom {
        // FNV-1a over the label, mixed with the seed.
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in label.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        var mix = seed ^ hash
        return SeededRandom(seed: Self.splitMix64(&mix))
    }

    /// Uniform in [0, 1).
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// An exponentially distributed value with the given mean (inter-arrival times of a Poisson process).
    public mutating func exponential(mean: Double) -> Double {
        -mean * log(1 - uniform())
    }

    /// An exponentially distributed span with the given mean.
    public mutating func exponential(mean: Duration) -> Duration {
        .nanoseconds(Int64(exponential(mean: Double(mean.nanoseconds)).rounded()))
    }

    /// A standard normal value (Box-Muller).
    public mutating func standardNormal() -> Double {
        let u1 = 1 - uniform()
        let u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// A uniformly distributed span in `0 ... upperBound`.
    public mutating func duration(upTo upperBound: Duration) -> Duration {
        let limit = upperBound.nanoseconds
        guard limit > 0 else { return .zero }
        return .nanoseconds(Int64(uniform() * Double(limit)))
    }

    /// A random lowercase RFC 4122 version-4 UUID string.
    public mutating func uuid() -> String {
        let high = next()
        let low = next()
        // A lowercase hexadecimal digit's ASCII code.
        @inline(__always) func digit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x57 + nibble }
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var position = 0
            for index in 0..<16 {
                var byte = UInt8(truncatingIfNeeded: (index < 8 ? high : low) >> (56 - 8 * UInt64(index % 8)))
                if index == 6 { byte = (byte & 0x0F) | 0x40 }
                if index == 8 { byte = (byte & 0x3F) | 0x80 }
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    buffer[position] = 0x2D
                    position += 1
                }
                buffer[position] = digit(byte >> 4)
                buffer[position + 1] = digit(byte & 0x0F)
                position += 2
            }
            return position
        }
    }

    /// `count` random bytes: key material and nonces inside the simulation.
    public mutating func bytes(_ count: Int) -> [UInt8] {
        guard count > 0 else { return [] }
        // Each word's bytes, least significant first, a word at a time; the last word's extra bytes are dropped.
        var result = [UInt8](repeating: 0, count: (count + 7) & ~7)
        result.withUnsafeMutableBytes { raw in
            for offset in stride(from: 0, to: raw.count, by: 8) {
                raw.storeBytes(of: next().littleEndian, toByteOffset: offset, as: UInt64.self)
            }
        }
        result.removeLast(result.count - count)
        return result
    }

    /// A random string of `count` characters from `alphabet`.
    public mutating func string(count: Int, alphabet: [Character]) -> String {
        var text = ""
        text.reserveCapacity(count)
        for _ in 0..<count { text.append(alphabet[Int(next() % UInt64(alphabet.count))]) }
        return text
    }
}

/// A log-normal distribution of spans given by its median and 99th percentile: the shape of API latency.
public struct LatencyDistribution: Hashable, Sendable, Codable {
    public var median: Duration
    public var p99: Duration

    public init(median: Duration, p99: Duration) {
        self.median = median
        self.p99 = max(p99, median)
    }

    /// A fixed latency.
    public static func constant(_ value: Duration) -> LatencyDistribution {
        LatencyDistribution(median: value, p99: value)
    }

    /// sigma of the underlying normal: ln(p99 / median) / z(0.99).
    public var sigma: Double {
        let median = Double(median.nanoseconds)
        guard median > 0 else { return 0 }
        return log(Double(p99.nanoseconds) / median) / 2.326_347_874
    }

    /// One draw.
    public func sample(_ random: inout SeededRandom) -> Duration {
        .nanoseconds(sampler.nanoseconds(&random))
    }

    /// The distribution with its parameters worked out once, for drawing many times.
    public var sampler: Sampler { Sampler(median: Double(median.nanoseconds), sigma: sigma) }

    /// Draws from a ``LatencyDistribution`` in nanoseconds, its median and sigma worked out in advance.
    public struct Sampler: Sendable {
        let median: Double
        let sigma: Double

        /// One draw, in nanoseconds.
        @inline(__always)
        public func nanoseconds(_ random: inout SeededRandom) -> Int64 {
            if sigma == 0 { return Int64(median) }
            return Int64((median * exp(sigma * random.standardNormal())).rounded())
        }
    }
}
