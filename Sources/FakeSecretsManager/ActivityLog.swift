import Foundation
import Simulation

/// One Activity Tracker event: who did what to which resource, and how it ended. Never a payload.
public struct ActivityEvent: Hashable, Sendable, Codable {
    public enum Outcome: String, Hashable, Sendable, Codable { case success, failure }

    public var time: SimulationInstant
    public var operation: ServiceOperation
    public var principal: String
    public var outcome: Outcome
    /// The HTTP status answered.
    public var status: Int
    /// The secret, group or configuration acted on, when there is one.
    public var target: String?

    /// `secrets-manager.secret.read`, ...
    public var action: String { operation.action }

    enum CodingKeys: String, CodingKey {
        case time, action, principal, outcome, status, target
    }

    public init(
        time: SimulationInstant, operation: ServiceOperation, principal: String, outcome: Outcome, status: Int,
        target: String?
    ) {
        self.time = time
        self.operation = operation
        self.principal = principal
        self.outcome = outcome
        self.status = status
        self.target = target
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        time = try container.decode(SimulationInstant.self, forKey: .time)
        let action = try container.decode(String.self, forKey: .action)
        guard let operation = ServiceOperation.allCases.first(where: { $0.action == action }) else {
            throw DecodingError.dataCorruptedError(forKey: .action, in: container, debugDescription: "unknown action \(action)")
        }
        self.operation = operation
        principal = try container.decode(String.self, forKey: .principal)
        outcome = try container.decode(Outcome.self, forKey: .outcome)
        status = try container.decode(Int.self, forKey: .status)
        target = try container.decodeIfPresent(String.self, forKey: .target)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(time, forKey: .time)
        try container.encode(action, forKey: .action)
        try container.encode(principal, forKey: .principal)
        try container.encode(outcome, forKey: .outcome)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(target, forKey: .target)
    }
}

/// The activity log of an instance: the most recent events (a bounded window, so a long drill's memory stays
/// flat) and counts of every event by operation and outcome.
///
/// Every request writes an event, so the window is kept compact and free of reference counting: a slot holds
/// the principal as an index into a table of the principals seen, and the target's UTF-8 bytes inline (an id
/// fits; a longer name spills to a side table). Overwriting a slot then releases nothing (but a spilled
/// target), where an event of strings released the target of ten thousand requests ago, long out of the
/// cache. The table of principals only grows: it holds each distinct principal once.
public final class ActivityLog: @unchecked Sendable {
    public let capacity: Int
    /// A ring: once full, the next event overwrites the oldest, at `oldest`.
    @exclusivity(unchecked) private var ring: [Slot] = []
    @exclusivity(unchecked) private var oldest = 0
    @exclusivity(unchecked) public private(set) var total = 0
    /// Counts by operation (its raw value) and outcome: successes at even positions, failures at odd ones.
    @exclusivity(unchecked) private var counts = [Int](repeating: 0, count: ServiceOperation.allCases.count * 2)
    /// Every principal seen, by the index slots hold; the last one looked up, which is nearly always the next.
    @exclusivity(unchecked) private var principals: [String] = []
    @exclusivity(unchecked) private var principalIndex: [String: Int32] = [:]
    @exclusivity(unchecked) private var lastPrincipal: (name: String, index: Int32)?
    /// Targets longer than a slot holds, by slot.
    @exclusivity(unchecked) private(set) var spilled: [Int: String] = [:]

    /// A target that is a canonical lowercase UUID (as every id the instance makes), packed into 16 bytes:
    /// a caller that keeps one (a ``SecretHandle``) logs without reading the id's text, which lives in its
    /// own allocation, a likely cache miss.
    public struct PackedID: Hashable, Sendable {
        let high: UInt64
        let low: UInt64

        init(high: UInt64, low: UInt64) {
            self.high = high
            self.low = low
        }

        /// Nil unless `text` is 36 characters: lowercase hexadecimal digits in groups of 8-4-4-4-12, joined by '-'.
        public init?(_ text: String) {
            var high: UInt64 = 0
            var low: UInt64 = 0
            var digits = 0
            var position = 0
            for byte in text.utf8 {
                defer { position += 1 }
                if position == 8 || position == 13 || position == 18 || position == 23 {
                    guard byte == UInt8(ascii: "-") else { return nil }
                    continue
                }
                let value: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): value = byte - UInt8(ascii: "a") + 10
                default: return nil
                }
                guard digits < 32 else { return nil }
                if digits < 16 { high = high << 4 | UInt64(value) } else { low = low << 4 | UInt64(value) }
                digits += 1
            }
            guard position == 36, digits == 32 else { return nil }
            self.high = high
            self.low = low
        }

        /// The text it was packed from.
        public var text: String {
            let hex = Array("0123456789abcdef".utf8)
            var bytes = [UInt8]()
            bytes.reserveCapacity(36)
            for index in 0..<32 {
                if index == 8 || index == 12 || index == 16 || index == 20 { bytes.append(UInt8(ascii: "-")) }
                let word = index < 16 ? high : low
                bytes.append(hex[Int(word >> UInt64(60 - (index % 16) * 4) & 0xF)])
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// One event, compact: see the type's description.
    private struct Slot {
        static let inlineCapacity = 40
        static let packed: UInt8 = 0xFD
        static let absent: UInt8 = 0xFE
        static let spilled: UInt8 = 0xFF

        var time: SimulationInstant
        var target: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
        var principal: Int32
        var status: Int16
        var operation: UInt8
        var outcomeIsSuccess: Bool
        /// The target's length in bytes, or ``packed`` (a ``PackedID`` in its first 16 bytes), ``absent`` or
        /// ``spilled``.
        var targetLength: UInt8 = Slot.absent
    }

    public init(capacity: Int = 10_000) { self.capacity = max(1, capacity) }

    /// The most recent events (at most ``capacity``), oldest first: a new array on every access, for reports
    /// and tests rather than a loop.
    public var recent: [ActivityEvent] {
        (Array(oldest..<ring.count) + Array(0..<oldest)).map(event(at:))
    }

    private func event(at index: Int) -> ActivityEvent {
        let slot = ring[index]
        var target: String?
        switch slot.targetLength {
        case Slot.absent: target = nil
        case Slot.spilled: target = spilled[index]
        case Slot.packed: target = PackedID(high: slot.target.0, low: slot.target.1).text
        default:
            target = withUnsafeBytes(of: slot.target) { String(decoding: $0.prefix(Int(slot.targetLength)), as: UTF8.self) }
        }
        return ActivityEvent(
            time: slot.time, operation: ServiceOperation(rawValue: Int(slot.operation)) ?? .getSecret,
            principal: principals[Int(slot.principal)], outcome: slot.outcomeIsSuccess ? .success : .failure,
            status: Int(slot.status), target: target)
    }

    /// Records an event whose target is a packed id (see ``PackedID``), in place of the oldest once the ring is
    /// full.
    func record(
        time: SimulationInstant, operation: ServiceOperation, principal: String, outcome: ActivityEvent.Outcome,
        status: Int, target: PackedID
    ) {
        var slot = newSlot(time: time, operation: operation, principal: principal, outcome: outcome, status: status)
        slot.target.0 = target.high
        slot.target.1 = target.low
        slot.targetLength = Slot.packed
        store(slot)
    }

    /// Records an event, in place of the oldest once the ring is full.
    func record(
        time: SimulationInstant, operation: ServiceOperation, principal: String, outcome: ActivityEvent.Outcome,
        status: Int, target: String?
    ) {
        var slot = newSlot(time: time, operation: operation, principal: principal, outcome: outcome, status: status)
        let position = ring.count == capacity ? oldest : ring.count
        if let target {
            let fits = target.utf8.withContiguousStorageIfAvailable { bytes in
                guard bytes.count <= Slot.inlineCapacity else { return false }
                withUnsafeMutableBytes(of: &slot.target) { inline in
                    inline.copyMemory(from: UnsafeRawBufferPointer(bytes))
                }
                slot.targetLength = UInt8(bytes.count)
                return true
            }
            if fits != true {
                slot.targetLength = Slot.spilled
                spilled[position] = target
            }
        }
        store(slot)
    }

    /// A slot for an event, counted, its target absent.
    @inline(__always)
    private func newSlot(
        time: SimulationInstant, operation: ServiceOperation, principal: String, outcome: ActivityEvent.Outcome, status: Int
    ) -> Slot {
        total += 1
        counts[Self.slot(operation, outcome)] += 1
        return Slot(
            time: time, principal: index(of: principal), status: Int16(clamping: status),
            operation: UInt8(truncatingIfNeeded: operation.rawValue), outcomeIsSuccess: outcome == .success)
    }

    /// Stores a slot at the next position: appended until the ring is full, then over the oldest. A spilled
    /// target is kept in ``spilled`` by the caller, at this same position.
    @inline(__always)
    private func store(_ slot: Slot) {
        guard ring.count == capacity else {
            ring.append(slot)
            return
        }
        let position = oldest
        // The overwritten slot is read only when some target spilled: it is ten thousand events old, far out
        // of the cache.
        if !spilled.isEmpty, slot.targetLength != Slot.spilled, ring[position].targetLength == Slot.spilled {
            spilled[position] = nil
        }
        ring[position] = slot
        oldest = position + 1 == capacity ? 0 : position + 1
    }

    /// The index of a principal in ``principals``, added when new.
    @inline(__always)
    private func index(of principal: String) -> Int32 {
        if let last = lastPrincipal, last.name == principal { return last.index }
        let index: Int32
        if let known = principalIndex[principal] {
            index = known
        } else {
            index = Int32(principals.count)
            principals.append(principal)
            principalIndex[principal] = index
        }
        lastPrincipal = (principal, index)
        return index
    }

    /// How many events of `action` (`secrets-manager.secret.read`) ended with `outcome`.
    public func count(_ action: String, _ outcome: ActivityEvent.Outcome) -> Int {
        guard let operation = ServiceOperation.allCases.first(where: { $0.action == action }) else { return 0 }
        return count(operation, outcome)
    }

    /// How many events of `operation` ended with `outcome`.
    public func count(_ operation: ServiceOperation, _ outcome: ActivityEvent.Outcome) -> Int {
        counts[Self.slot(operation, outcome)]
    }

    @inline(__always)
    private static func slot(_ operation: ServiceOperation, _ outcome: ActivityEvent.Outcome) -> Int {
        operation.rawValue * 2 + (outcome == .success ? 0 : 1)
    }
}
