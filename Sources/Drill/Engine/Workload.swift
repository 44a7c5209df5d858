import FakeSecretsManager
import Recovery
import SecretsManager
import Simulation

/// The simulated clients: each sends requests as a Poisson process, reads or rotates a random secret, follows
/// its retry policy, and fails over to the recovery instance after consecutive failures when told to. This
/// is the hot path, so it runs as kernel events: a request is a slot in an array, and an event's tag is the
/// slot (or, negative, the client whose next request arrives).
final class Workload: EventHandler {
    struct Client {
        var endpoint = 0
        var consecutiveFailures = 0
        var random: SeededRandom
        var rotations = 0
    }

    enum Phase: UInt8 { case waitingForAnswer, waitingForTimeout, backingOff }

    struct Request {
        var client: Int32 = 0
        var secret: Int32 = 0
        var attempt: Int32 = 0
        var isRead = true
        var phase: Phase = .waitingForAnswer
        var started: Int64 = 0
        var attemptStarted: Int64 = 0
    }

    let world: DrillWorld
    let measurement: Measurement
    let log: DrillLog
    let protection: ProtectionRunner
    let spec: WorkloadSpec
    let scheduler: Scheduler
    /// The principal the clients act as (the world's, kept here: read through the world, it is retained and
    /// released on every request).
    let application: Principal
    // The workload lives on the scheduler's thread; its hot state skips the runtime's exclusivity checks.
    @exclusivity(unchecked) private var clients: [Client]
    @exclusivity(unchecked) private var requests: [Request] = []
    @exclusivity(unchecked) private var free: [Int32] = []
    private let meanInterArrival: Double
    private let timeout: Int64
    private let readLatency: LatencyDistribution.Sampler
    private let writeLatency: LatencyDistribution.Sampler
    @exclusivity(unchecked) private var latencyRandom: SeededRandom
    /// The catalog's ids as handles, by endpoint then secret (see ``SecretHandle``), made again when the ids
    /// change.
    @exclusivity(unchecked) private var handles: [[SecretHandle]] = []
    private var handlesMadeAt = -1
    private(set) var failovers = 0
    private var stopped = false
    /// This workload as the scheduler knows it, for scheduling without a lookup.
    private var id: Scheduler.HandlerID!

    init(world: DrillWorld, measurement: Measurement, log: DrillLog, protection: ProtectionRunner, seed: UInt64) {
        self.world = world
        self.measurement = measurement
        self.log = log
        self.protection = protection
        spec = world.scenario.workload
        scheduler = world.cloud.scheduler
        application = world.application
        let root = SeededRandom(seed: seed)
        clients = (0..<spec.clients).map { Client(random: root.fork("client/\($0)")) }
        latencyRandom = root.fork("client-latency")
        meanInterArrival = 1e9 / spec.ratePerClient
        timeout = spec.retry.timeout.nanoseconds
        readLatency = world.cloud.costModel.latency(for: .read).sampler
        writeLatency = world.cloud.costModel.latency(for: .write).sampler
    }

    /// Schedules every client's first request.
    func start() {
        id = scheduler.register(self)
        for index in clients.indices {
            let first = Int64(clients[index].random.exponential(mean: meanInterArrival))
            scheduler.schedule(id, tag: -(index + 1), after: .nanoseconds(first))
        }
    }

    /// Stops new requests; those in flight still end.
    func stop() { stopped = true }

    /// Moves every client to endpoint `index` (a runbook's failover).
    func pointAll(at index: Int) {
        for client in clients.indices { clients[client].endpoint = index }
    }

    /// The endpoint most clients use now.
    var majorityEndpoint: Int {
        let onRecovery = clients.reduce(0) { $0 + ($1.endpoint == 1 ? 1 : 0) }
        return onRecovery * 2 > clients.count ? 1 : 0
    }

    func handle(tag: Int, scheduler: Scheduler) {
        if tag < 0 {
            arrive(client: -tag - 1)
            return
        }
        switch requests[tag].phase {
        case .waitingForAnswer: answer(tag)
        case .waitingForTimeout: attemptFailed(tag, retryable: true)
        case .backingOff: startAttempt(tag)
        }
    }

    private func arrive(client index: Int) {
        guard !stopped else { return }
        var client = clients[index]
        let slot: Int
        if let reused = free.popLast() {
            slot = Int(reused)
        } else {
            slot = requests.count
            requests.append(Request())
        }
        let now = scheduler.now.nanosecondsSinceStart
        requests[slot] = Request(
            client: Int32(index), secret: Int32(client.random.next() % UInt64(world.catalog.count)),
            attempt: 0, isRead: client.random.uniform() < spec.readShare, phase: .waitingForAnswer, started: now,
            attemptStarted: now)
        // The secret's record is far out of the cache by now; start loading it while the request travels.
        let secret = Int(requests[slot].secret)
        if handlesMadeAt == world.catalog.idsChanged, handles[client.endpoint].indices.contains(secret) {
            SecretHandle.prefetch(&handles[client.endpoint][secret])
        }
        let next = Int64(client.random.exponential(mean: meanInterArrival))
        clients[index] = client
        scheduler.schedule(id, tag: -(index + 1), afterNanoseconds: max(1, next))
        startAttempt(slot)
    }

    private func startAttempt(_ slot: Int) {
        let now = scheduler.now.nanosecondsSinceStart
        requests[slot].attempt += 1
        requests[slot].attemptStarted = now
        let latency = (requests[slot].isRead ? readLatency : writeLatency).nanoseconds(&latencyRandom)
        if latency >= timeout {
            requests[slot].phase = .waitingForTimeout
            scheduler.schedule(id, tag: slot, afterNanoseconds: timeout)
        } else {
            requests[slot].phase = .waitingForAnswer
            scheduler.schedule(id, tag: slot, afterNanoseconds: latency)
        }
    }

    /// The request reaches the service now.
    private func answer(_ slot: Int) {
        let request = requests[slot]
        let endpoint = clients[Int(request.client)].endpoint
        let instance = world.endpoints[endpoint]
        switch world.cloud.route(to: instance) {
        case .noAnswer:
            requests[slot].phase = .waitingForTimeout
            scheduler.schedule(
                self, tag: slot, at: SimulationInstant(nanosecondsSinceStart: request.attemptStarted + timeout))
        case .refused(let error):
            attemptFailed(slot, retryable: error.isRetryable)
        case .served:
            let secret = Int(request.secret)
            let catalog = world.catalog
            if handlesMadeAt != catalog.idsChanged {
                handles = catalog.ids.map { $0.map(SecretHandle.init(id:)) }
                handlesMadeAt = catalog.idsChanged
            }
            let now = scheduler.now.nanosecondsSinceStart
            do throws(SecretsManagerError) {
                let variant = world.variant(secret: secret, endpoint: endpoint)
                if request.isRead {
                    let bytes = try instance.readCurrentData(&handles[endpoint][secret], by: application)
                    var kind = Ledger.classify(&world.ledger, secret: secret, variant: variant, fingerprint: Fingerprint.of(bytes))
                    // A generated credential that a recovery re-issued was never acknowledged, and is as good.
                    if kind == .corrupt, variant == 1, !world.catalog.types[secret].acceptsDataOnRotation,
                        !world.ledger.isKnown(secret: secret, variant: 1)
                    {
                        kind = .ok
                    }
                    measurement.read(kind, at: now)
                } else {
                    let prototype = rotation(secret: secret, client: Int(request.client))
                    // With a source of truth, the change goes there first; without it, no write.
                    let change = world.sourceOfTruth == nil ? nil : desiredState(secret: secret, data: prototype.data)
                    if let change, let repository = world.sourceOfTruth {
                        do {
                            try repository.commit(upserts: [change], at: world.cloud.date(scheduler.now))
                        } catch {
                            attemptFailed(slot, retryable: true)
                            return
                        }
                    }
                    let bytes = try instance.rotateCurrentData(&handles[endpoint][secret], prototype, by: application)
                    world.ledger.acknowledge(secret: secret, variant: variant, fingerprint: Fingerprint.of(bytes), at: now)
                    if let change { protection.sourceOfTruthChanged(change) }
                }
                succeeded(slot)
            } catch {
                attemptFailed(slot, retryable: error.isRetryable)
            }
        }
    }

    /// New data for a rotation of `secret`; none for the types whose data the service makes.
    private func rotation(secret: Int, client: Int) -> SecretVersionPrototype {
        clients[client].rotations += 1
        let value = Self.rotatedValue(
            client: client, rotation: clients[client].rotations, random: clients[client].random.next() & 0xFFFF_FFFF)
        let data = DrillWorld.data(
            type: world.catalog.types[secret], username: world.catalog.usernames[secret], value: value)
        return SecretVersionPrototype(data: data)
    }

    /// `rotated-c<client>-<rotation>-<random>`: the text that interpolating them makes, written in one pass into
    /// one allocation (joining strings cost a twentieth of a drill's instructions on the simulation thread).
    static func rotatedValue(client: Int, rotation: Int, random: UInt64) -> String {
        let prefix = "rotated-c"
        // The prefix, three numbers of at most 20 digits each, and two separators.
        return String(unsafeUninitializedCapacity: prefix.utf8.count + 3 * 20 + 2) { buffer in
            var end = 0
            for byte in prefix.utf8 {
                buffer[end] = byte
                end += 1
            }
            for (index, number) in [UInt64(client), UInt64(rotation), random].enumerated() {
                if index > 0 {
                    buffer[end] = UInt8(ascii: "-")
                    end += 1
                }
                // Digits from the last, then reversed in place.
                let first = end
                var rest = number
                repeat {
                    buffer[end] = UInt8(ascii: "0") + UInt8(rest % 10)
                    end += 1
                    rest /= 10
                } while rest > 0
                buffer[first..<end].reverse()
            }
            return end
        }
    }

    /// The desired state of a secret after a rotation, as the source of truth records it.
    private func desiredState(secret: Int, data: SecretData?) -> SecretSnapshot {
        let catalog = world.catalog
        return SecretSnapshot(
            key: SecretKey(type: catalog.types[secret], name: catalog.names[secret]), groupName: catalog.groupNames[secret],
            labels: catalog.regional[secret] ? ["regional"] : [], current: data)
    }

    private func succeeded(_ slot: Int) {
        let request = requests[slot]
        let now = scheduler.now.nanosecondsSinceStart
        measurement.succeeded(at: now, latencyNanoseconds: now - request.started)
        clients[Int(request.client)].consecutiveFailures = 0
        free.append(Int32(slot))
    }

    private func attemptFailed(_ slot: Int, retryable: Bool) {
        let request = requests[slot]
        let clientIndex = Int(request.client)
        clients[clientIndex].consecutiveFailures += 1
        if let failover = spec.failover, clients[clientIndex].endpoint == 0, world.endpoints.count > 1,
            clients[clientIndex].consecutiveFailures >= failover.after
        {
            clients[clientIndex].endpoint = 1
            clients[clientIndex].consecutiveFailures = 0
            failovers += 1
            if failovers == 1 {
                log.add(.failover, "client \(clientIndex) fails over to the recovery instance after \(failover.after) consecutive failures")
            }
        }
        if retryable && Int(request.attempt) < spec.retry.attempts {
            requests[slot].phase = .backingOff
            let delay = spec.retry.delay(after: Int(request.attempt), random: &clients[clientIndex].random)
            scheduler.schedule(id, tag: slot, afterNanoseconds: delay.nanoseconds)
        } else {
            measurement.failed(at: scheduler.now.nanosecondsSinceStart)
            free.append(Int32(slot))
        }
    }
}
