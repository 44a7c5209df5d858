import Histogram
import Simulation

/// Counts of completed client requests over a span of virtual time.
public struct RequestCounts: Hashable, Sendable, Codable {
    public var succeeded: Int = 0
    public var failed: Int = 0
    public var staleReads: Int = 0
    public var corruptReads: Int = 0

    public init() {}

    public var completed: Int { succeeded + failed }

    /// Successes over completions; nil when nothing completed.
    public var successRatio: Double? { completed == 0 ? nil : Double(succeeded) / Double(completed) }

    mutating func add(_ other: RequestCounts) {
        succeeded += other.succeeded
        failed += other.failed
        staleReads += other.staleReads
        corruptReads += other.corruptReads
    }

    mutating func subtract(_ other: RequestCounts) {
        succeeded -= other.succeeded
        failed -= other.failed
        staleReads -= other.staleReads
        corruptReads -= other.corruptReads
    }
}

/// The clients' experience over time, downsampled to a bounded number of points: when the series is full,
/// neighbouring points merge and the point width doubles. Memory stays flat however long the drill.
public struct TimeSeries: Sendable {
    public struct Point: Hashable, Sendable, Codable {
        public var start: Duration
        public var counts: RequestCounts
    }

    public let capacity: Int
    public private(set) var width: Duration
    public private(set) var points: [Point] = []

    public init(width: Duration, capacity: Int = 1024) {
        self.width = width
        self.capacity = max(2, capacity)
    }

    mutating func add(_ counts: RequestCounts, at start: Duration) {
        var index = Int(start.nanoseconds / width.nanoseconds)
        while index >= capacity {
            compact()
            index = Int(start.nanoseconds / width.nanoseconds)
        }
        while points.count <= index {
            points.append(Point(start: width * points.count, counts: RequestCounts()))
        }
        points[index].counts.add(counts)
    }

    private mutating func compact() {
        var merged: [Point] = []
        merged.reserveCapacity(capacity / 2 + 1)
        var index = 0
        while index < points.count {
            var point = Point(start: points[index].start, counts: points[index].counts)
            if index + 1 < points.count { point.counts.add(points[index + 1].counts) }
            merged.append(point)
            index += 2
        }
        points = merged
        width = width * 2
    }
}

/// Recovery of one fault, watched as buckets close: the first window of `window` after the injection whose
/// success ratio reaches the threshold with no corrupt read ends it.
struct RecoveryWatch {
    let injectedAt: Int64
    var recentBuckets: [RequestCounts] = []
    var sum = RequestCounts()
    var recoveredAt: Int64?
    var firstSymptom: Int64?
}

/// Measures what the clients saw: totals, a latency histogram, a downsampled time series, and the recovery
/// time of each fault, bucket by bucket as virtual time passes.
public final class Measurement: EventHandler {
    public let resolution: Duration
    public let window: Duration
    public let threshold: Double
    private let bucketsPerWindow: Int
    @exclusivity(unchecked) private var bucket = RequestCounts()
    private var bucketStart: Int64 = 0
    public private(set) var totals = RequestCounts()
    @exclusivity(unchecked) public private(set) var latency: Histogram<UInt64>
    public private(set) var series: TimeSeries
    @exclusivity(unchecked) var watches: [RecoveryWatch] = []
    /// Called when fault `index` is seen recovered, at the start of its first good window.
    var onRecovered: ((Int, Int64) -> Void)?
    /// Called when fault `index` first shows itself.
    var onDetected: ((Int, Int64) -> Void)?
    @exclusivity(unchecked) private var undetected = 0

    init(measurement: MeasurementSpec, duration: Duration) {
        resolution = measurement.resolution
        window = measurement.window
        threshold = measurement.threshold
        bucketsPerWindow = Int(measurement.window.nanoseconds / measurement.resolution.nanoseconds)
        latency = Histogram(highestTrackableValue: 86_400_000_000, numberOfSignificantValueDigits: .three)
        let width = max(measurement.resolution, .nanoseconds(duration.nanoseconds / 512 + 1))
        series = TimeSeries(width: width)
    }

    /// Starts closing buckets every `resolution`.
    func start(on scheduler: Scheduler) {
        id = scheduler.register(self)
        scheduler.schedule(id, tag: 0, after: resolution)
    }

    private var id: Scheduler.HandlerID!

    @inline(__always)
    func succeeded(at now: Int64, latencyNanoseconds value: Int64) {
        bucket.succeeded += 1
        _ = latency.record(UInt64(max(0, value / 1000)))
    }

    @inline(__always)
    func failed(at now: Int64) {
        bucket.failed += 1
        noteSymptom(now)
    }

    @inline(__always)
    func read(_ kind: Ledger.ReadClass, at now: Int64) {
        switch kind {
        case .ok: break
        case .stale: bucket.staleReads += 1
        case .corrupt:
            bucket.corruptReads += 1
            noteSymptom(now)
        }
    }

    /// Records that a fault has shown itself (a failed request, a corrupt read, a load balancer removing a
    /// node): the faults not yet detected are detected now.
    func noteSymptom(_ now: Int64) {
        guard undetected > 0 else { return }
        for index in watches.indices where watches[index].firstSymptom == nil && watches[index].recoveredAt == nil {
            watches[index].firstSymptom = now
            undetected -= 1
            onDetected?(index, now)
        }
    }

    /// Begins watching a fault injected now; answers its index.
    func watch(injectedAt: Int64) -> Int {
        watches.append(RecoveryWatch(injectedAt: injectedAt))
        undetected += 1
        return watches.count - 1
    }

    public func handle(tag: Int, scheduler: Scheduler) {
        closeBucket(at: scheduler.now.nanosecondsSinceStart)
        scheduler.schedule(id, tag: 0, after: resolution)
    }

    /// Closes the bucket that ends at `end` (called every resolution, and once at the end of the drill).
    func closeBucket(at end: Int64) {
        let closed = bucket
        totals.add(closed)
        series.add(closed, at: .nanoseconds(bucketStart))
        for index in watches.indices where watches[index].recoveredAt == nil && bucketStart >= watches[index].injectedAt {
            watches[index].recentBuckets.append(closed)
            watches[index].sum.add(closed)
            if watches[index].recentBuckets.count > bucketsPerWindow {
                watches[index].sum.subtract(watches[index].recentBuckets.removeFirst())
            }
            if watches[index].recentBuckets.count == bucketsPerWindow, isGood(watches[index].sum) {
                let windowStart = end - window.nanoseconds
                watches[index].recoveredAt = windowStart
                if watches[index].firstSymptom == nil { undetected -= 1 }
                watches[index].recentBuckets = []
                onRecovered?(index, windowStart)
            }
        }
        bucket = RequestCounts()
        bucketStart = end
    }

    private func isGood(_ counts: RequestCounts) -> Bool {
        guard let ratio = counts.successRatio else { return false }
        return ratio >= threshold && counts.corruptReads == 0
    }
}
