import Testing

@testable import Simulation

struct SeededRandomTests {
    @Test("the same seed gives the same stream; another seed another")
    func reproducible() {
        var first = SeededRandom(seed: 7)
        var second = SeededRandom(seed: 7)
        var other = SeededRandom(seed: 8)
        let a = (0..<10).map { _ in first.next() }
        #expect(a == (0..<10).map { _ in second.next() })
        #expect(a != (0..<10).map { _ in other.next() })
    }

    @Test("forks are independent of draws made elsewhere")
    func forks() {
        var root = SeededRandom(seed: 7)
        var fork1 = root.fork("clients")
        _ = root.next()
        var fork2 = root.fork("clients")
        #expect(fork1.next() == fork2.next())
        var other = root.fork("faults")
        #expect(fork1.next() != other.next())
    }

    @Test("bytes are each word's bytes, least significant first, cut to the count, and use whole words")
    func bytes() {
        for count in 0...25 {
            var random = SeededRandom(seed: 3)
            var reference = SeededRandom(seed: 3)
            var expected: [UInt8] = []
            while expected.count < count {
                var word = reference.next()
                for _ in 0..<8 where expected.count < count {
                    expected.append(UInt8(truncatingIfNeeded: word))
                    word >>= 8
                }
            }
            #expect(random.bytes(count) == expected, "\(count) bytes")
            // The generator moves on by the words drawn, as the reference's did.
            #expect(random.next() == reference.next())
        }
        // None for a count of zero or less, and no word drawn.
        var random = SeededRandom(seed: 3)
        for count in [-1, -7, -8, -100] { #expect(random.bytes(count).isEmpty) }
        var untouched = SeededRandom(seed: 3)
        #expect(random.next() == untouched.next())
    }

    @Test("uuids are version 4 and unique")
    func uuids() {
        var random = SeededRandom(seed: 1)
        let ids = (0..<1000).map { _ in random.uuid() }
        #expect(Set(ids).count == 1000)
        for id in ids.prefix(5) {
            #expect(id.count == 36)
            #expect(Array(id)[14] == "4")
            #expect("89ab".contains(Array(id)[19]))
        }
        // The text is the two words drawn, in hexadecimal, with the version and variant bits set.
        var drawn = SeededRandom(seed: 9)
        var words = drawn
        for _ in 0..<200 {
            var high = words.next()
            var low = words.next()
            high = (high & ~0xF000) | 0x4000
            low = (low & ~(0xC << 60)) | (0x8 << 60)
            let hex = [high, low].map { word in
                let digits = String(word, radix: 16)
                return String(repeating: "0", count: 16 - digits.count) + digits
            }.joined()
            let characters = Array(hex)
            let expected = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
            #expect(drawn.uuid() == expected)
        }
    }

    @Test("distributions have the shape asked for")
    func distributions() {
        var random = SeededRandom(seed: 3)
        let count = 100_000
        let mean = (0..<count).map { _ in random.exponential(mean: 2.0) }.reduce(0, +) / Double(count)
        #expect(abs(mean - 2.0) < 0.05)
        let latency = LatencyDistribution(median: .milliseconds(20), p99: .milliseconds(120))
        let samples = (0..<count).map { _ in latency.sample(&random) }.sorted()
        let median = samples[count / 2]
        let p99 = samples[count * 99 / 100]
        #expect(median > .milliseconds(19) && median < .milliseconds(21))
        #expect(p99 > .milliseconds(110) && p99 < .milliseconds(130))
        #expect(LatencyDistribution.constant(.milliseconds(5)).sample(&random) == .milliseconds(5))
        let uniform = (0..<count).map { _ in random.uniform() }
        #expect(uniform.allSatisfy { $0 >= 0 && $0 < 1 })
    }

    @Test("durations print compactly")
    func durations() {
        #expect(Duration.seconds(90).compactDescription == "1m30s")
        #expect(Duration.milliseconds(250).compactDescription == "250ms")
        #expect(Duration.seconds(7200).compactDescription == "2h")
        #expect(Duration.seconds(1.5).compactDescription == "1.5s")
        #expect(Duration.seconds(93_600).compactDescription == "1d2h")
        #expect(Duration.zero.compactDescription == "0s")
        #expect(Duration.seconds(2).nanoseconds == 2_000_000_000)
    }
}
