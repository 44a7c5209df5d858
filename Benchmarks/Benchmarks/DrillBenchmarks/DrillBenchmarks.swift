import Benchmark
import Crypto
import Drill
import Foundation
import Simulation

/// The kernel against SimPy on the same model, the zone-loss drill end to end, and the cost floor of one
/// AES-GCM open (the crypto every read pays).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .peakMemoryResident],
        maxDuration: .seconds(20),
        maxIterations: 10
    )

    // 50 clients, exponential inter-arrival at 20/s each, a 5 ms service delay: one request is two events.
    Benchmark(
        "Kernel: 1M requests of 50 clients (2 events each)",
        configuration: .init(metrics: [.wallClock, .throughput], scalingFactor: .mega)
    ) { benchmark in
        let model = KernelModel(clients: 50, rate: 20, serviceDelay: .milliseconds(5), requests: benchmark.scaledIterations.count)
        benchmark.startMeasurement()
        model.run()
        benchmark.stopMeasurement()
        blackHole(model.completed)
    }

    // The zone-loss drill of scenarios/zone-loss.yaml, scaled to about one million client requests: full
    // service work per request (routing, IAM, decryption, the ledger, measurement), durable SQLite.
    Benchmark(
        "Drill: zone-loss, about 1M client requests",
        configuration: .init(metrics: [.wallClock, .throughput, .peakMemoryResident], scalingFactor: .mega, maxIterations: 3)
    ) { benchmark in
        do {
            let scenario = try ScenarioLoader.parse(DrillScenarios.zoneLoss(requests: benchmark.scaledIterations.count), file: "zone-loss-1m.yaml")
            benchmark.startMeasurement()
            let result = try DrillEngine().run(scenario)
            benchmark.stopMeasurement()
            blackHole(result.requests.total)
        } catch {
            benchmark.error("the drill failed: \(error)")
        }
    }

    Benchmark(
        "Crypto: AES-GCM open of a 64-byte payload",
        configuration: .init(metrics: [.wallClock, .throughput], scalingFactor: .kilo)
    ) { benchmark in
        let key = SymmetricKey(size: .bits256)
        let context = Array("secret/version".utf8)
        let box = try! AES.GCM.seal(Array(repeating: UInt8(7), count: 64), using: key, authenticating: context)
        for _ in benchmark.scaledIterations {
            blackHole(try! AES.GCM.open(box, using: key, authenticating: context))
        }
    }
}

/// The SimPy peer's model (peers/simpy_kernel.py) on the kernel: each client draws an exponential pause,
/// then the request takes the service delay; `requests` requests in all.
final class KernelModel: EventHandler {
    let clients: Int
    let meanInterArrival: Double
    let serviceDelay: Int64
    let requests: Int
    @exclusivity(unchecked) var completed = 0
    @exclusivity(unchecked) var random = SeededRandom(seed: 1)
    let scheduler = Scheduler()
    private var id: Scheduler.HandlerID!

    init(clients: Int, rate: Double, serviceDelay: Duration, requests: Int) {
        self.clients = clients
        meanInterArrival = 1e9 / rate
        self.serviceDelay = serviceDelay.nanoseconds
        self.requests = requests
    }

    func run() {
        id = scheduler.register(self)
        for client in 0..<clients { scheduler.schedule(id, tag: client * 2, afterNanoseconds: pause()) }
        scheduler.run()
    }

    private func pause() -> Int64 { Int64(random.exponential(mean: meanInterArrival)) }

    func handle(tag: Int, scheduler: Scheduler) {
        if tag & 1 == 0 {
            scheduler.schedule(id, tag: tag | 1, afterNanoseconds: serviceDelay)  // the request starts
        } else {
            completed += 1  // the request ends; the client pauses again
            if completed + clients <= requests { scheduler.schedule(id, tag: tag & ~1, afterNanoseconds: pause()) }
        }
    }
}

/// The bundled zone-loss scenario with its traffic scaled to a number of requests.
enum DrillScenarios {
    static func zoneLoss(requests: Int) -> String {
        // 40 clients at 10/s make 400 requests a second.
        let seconds = max(60, requests / 400)
        return """
            name: zone-loss-scaled
            seed: 7
            duration: \(seconds)s
            service: { latency: { median: 20ms, p99: 120ms }, health_check: { interval: 5s, failures: 3 } }
            topology: { primary: { region: us-south, zones: 3, nodes_per_zone: 1 } }
            data: { secrets: 2000, groups: 8, types: { arbitrary: 50%, username_password: 30%, kv: 10%, imported_cert: 10% } }
            workload: { clients: 40, rate: 10/s, mix: { read: 95%, rotate: 5% }, retry: { attempts: 6, base: 200ms, cap: 10s, jitter: full, timeout: 2s } }
            faults: [ { at: \(seconds / 4)s, zone_loss: { zone: 2, for: \(seconds / 2)s } } ]
            objectives: { rto: 0s, rpo: 0s }
            """
    }
}
