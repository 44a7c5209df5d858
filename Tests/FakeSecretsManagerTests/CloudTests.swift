import Foundation
import SecretsManager
import Simulation
import Testing

@testable import FakeSecretsManager

struct CloudTests {
    @Test("notifications arrive after the delivery delay and die with their region")
    func notifications() throws {
        let world = try TestWorld()
        let events = world.cloud.createEventNotifications(region: "us-south")
        events.deliveryDelay = .seconds(5)
        let received = Box<[(SimulationInstant, String)]>([])
        events.subscribe { received.value.append((world.cloud.scheduler.now, $0.eventType)) }
        _ = try world.instance.createNotificationsRegistration(
            NotificationsRegistrationPrototype(instanceCRN: events.crn.description, sourceName: "smdrill"), by: world.manager)
        let secret = try world.arbitrary("db", "v1")
        _ = try world.instance.createSecretVersion(
            secretID: secret.id, SecretVersionPrototype(data: .arbitrary(payload: "v2")), by: world.manager)
        world.cloud.scheduler.run(until: .init(.seconds(10)))
        #expect(received.value.map(\.1) == [
            "com.ibm.cloud.secrets-manager.secret_created", "com.ibm.cloud.secrets-manager.secret_rotated",
        ])
        #expect(received.value.allSatisfy { $0.0 == .init(.seconds(5)) })

        _ = try world.instance.createSecretVersion(
            secretID: secret.id, SecretVersionPrototype(data: .arbitrary(payload: "v3")), by: world.manager)
        world.cloud.scheduler.schedule(after: .seconds(2)) { world.cloud.failRegion("us-south") }
        world.cloud.scheduler.run(until: .init(.seconds(20)))
        #expect(received.value.count == 2)
        #expect(events.lost == 1)
        #expect(status {
            _ = try world.instance.createNotificationsRegistration(
                NotificationsRegistrationPrototype(instanceCRN: "crn:v1:bluemix:public:kms:us-south:a/x:y::", sourceName: "x"),
                by: world.manager)
        } == 400)
    }

    @Test("the rate limit answers 429 beyond its rate")
    func rateLimit() throws {
        let world = try TestWorld(costModel: ServiceCostModel(latency: .constant(.zero), rateLimit: RateLimit(requestsPerSecond: 20, burst: 20)))
        let secret = try world.arbitrary("db", "v1")
        let client = world.client()
        let outcomes = Box<[Int]>([])
        let scheduler = world.cloud.scheduler
        try world.run {
            for _ in 0..<40 {
                do {
                    _ = try await client.getSecretMetadata(id: secret.id)
                    outcomes.value.append(200)
                } catch let error as SecretsManagerError {
                    outcomes.value.append(error.status)
                }
            }
            try await scheduler.clock.sleep(for: .seconds(1))
            _ = try await client.getSecretMetadata(id: secret.id)
        }
        #expect(outcomes.value.filter { $0 == 200 }.count == 20)
        #expect(outcomes.value.filter { $0 == 429 }.count == 20)
    }

    @Test("a call without latency is answered as the caller's next step; one with latency lets others run first")
    func zeroLatencyAnswersAtOnce() throws {
        for (latency, expected) in [(Duration.zero, ["a: called", "a: answered", "b"]), (.milliseconds(1), ["a: called", "b", "a: answered"])] {
            let world = try TestWorld(costModel: ServiceCostModel(latency: .constant(latency)))
            let secret = try world.arbitrary("db", "v1")
            let client = world.client()
            let steps = Box<[String]>([])
            let scheduler = world.cloud.scheduler
            let first = scheduler.spawn("a") {
                steps.value.append("a: called")
                _ = try await client.getSecretMetadata(id: secret.id)
                steps.value.append("a: answered")
            }
            let second = scheduler.spawn("b") { steps.value.append("b") }
            scheduler.run(until: first)
            scheduler.run(until: second)
            #expect(steps.value == expected, "latency \(latency)")
        }
        // A cancelled caller is still refused without latency.
        let world = try TestWorld()
        let secret = try world.arbitrary("db", "v1")
        let client = world.client()
        let outcome = Box<String>("")
        let process = world.cloud.scheduler.spawn("cancelled") {
            withUnsafeCurrentTask { $0?.cancel() }
            do {
                _ = try await client.getSecretMetadata(id: secret.id)
                outcome.value = "answered"
            } catch is CancellationError {
                outcome.value = "cancelled"
            }
        }
        world.cloud.scheduler.run(until: process)
        #expect(outcome.value == "cancelled")
    }

    @Test("every call costs its latency in virtual time; a dead node costs the timeout")
    func latency() throws {
        let world = try TestWorld(costModel: ServiceCostModel(latency: .constant(.milliseconds(50))))
        let secret = try world.arbitrary("db", "v1")
        let client = world.client(timeout: .seconds(2))
        let times = Box<[Duration]>([])
        let scheduler = world.cloud.scheduler
        try world.run {
            let start = scheduler.now
            _ = try await client.getSecret(id: secret.id)
            times.value.append(start.duration(to: scheduler.now))
            world.cloud.setZone(region: "us-south", zone: 1, alive: false)
            world.cloud.setZone(region: "us-south", zone: 2, alive: false)
            world.cloud.setZone(region: "us-south", zone: 3, alive: false)
            let second = scheduler.now
            do {
                _ = try await client.getSecret(id: secret.id)
            } catch let error as TransportError {
                #expect(error == .timeout(after: .seconds(2)))
            }
            times.value.append(second.duration(to: scheduler.now))
        }
        #expect(times.value == [.milliseconds(50), .seconds(2)])
    }

    @Test("a region comes back with its state intact, from the internal backup, or not at all")
    func regionRecovery() throws {
        for outcome in FakeCloud.RegionalStateOutcome.allCases {
            let world = try TestWorld()
            let early = try world.arbitrary("early", "before-backup")
            try world.cloud.takeInternalBackup(of: world.instance.id)
            let late = try world.arbitrary("late", "after-backup")
            world.cloud.failRegion("us-south")
            #expect(world.cloud.route(to: world.instance.id).isNoAnswer)
            try world.cloud.recoverRegion("us-south", state: outcome)
            world.cloud.scheduler.run(until: .init(.seconds(30)))
            switch outcome {
            case .intact:
                #expect(try world.instance.getSecret(id: late.id, by: world.manager).data == .arbitrary(payload: "after-backup"))
            case .corrupted:
                #expect(try world.instance.getSecret(id: early.id, by: world.manager).data == .arbitrary(payload: "before-backup"))
                #expect(status { _ = try world.instance.getSecret(id: late.id, by: world.manager) } == 404)
            case .lost:
                #expect(world.instance.status == .deleted)
                #expect(status { _ = try world.instance.getSecret(id: early.id, by: world.manager) } == 404)
            }
        }
    }

    @Test("the activity log records principal and outcome, never a payload")
    func activityLog() throws {
        let world = try TestWorld()
        let secret = try world.arbitrary("db", "the-payload-value")
        _ = try world.instance.getSecret(id: secret.id, by: world.manager)
        _ = status { _ = try world.instance.getSecret(id: secret.id, by: Principal("IBMid-stranger")) }
        let events = Array(world.instance.activity.recent)
        #expect(events.map(\.action) == [
            "secrets-manager.secret.create", "secrets-manager.secret.read", "secrets-manager.secret.read",
        ])
        #expect(events.map(\.outcome) == [.success, .success, .failure])
        #expect(events.last?.principal == "IBMid-stranger")
        #expect(events.last?.status == 403)
        let encoded = String(decoding: try JSONEncoder().encode(events), as: UTF8.self)
        #expect(!encoded.contains("the-payload-value"))
    }

    @Test("the activity log keeps the most recent events, oldest first, and counts them all")
    func activityLogWindow() {
        let log = ActivityLog(capacity: 3)
        // The two events overwritten (seconds 0 and 1) differ in every field from those that replace them.
        let operations: [ServiceOperation] = [.createSecret, .deleteSecret, .getSecret, .deleteSecret, .getSecret]
        // Targets longer than a slot holds inline spill to a side table, which follows the slot's reuse.
        let long0 = "configuration-" + String(repeating: "0", count: 60)
        let long4 = "configuration-" + String(repeating: "4", count: 60)
        let targets: [String?] = [long0, "t1", nil, "s3", long4]
        for (second, operation) in operations.enumerated() {
            log.record(
                time: SimulationInstant(nanosecondsSinceStart: Int64(second) * 1_000_000_000), operation: operation,
                principal: "p\(second)", outcome: second <= 2 ? .failure : .success, status: second <= 2 ? 403 : 200,
                target: targets[second])
        }
        #expect(log.recent.map(\.principal) == ["p2", "p3", "p4"])
        // Slots overwritten in place keep no field of the event they replace.
        #expect(log.recent.map(\.target) == [nil, "s3", long4])
        #expect(log.recent.map(\.status) == [403, 200, 200])
        #expect(log.recent.map(\.outcome) == [.failure, .success, .success])
        #expect(log.recent.map(\.operation) == [.getSecret, .deleteSecret, .getSecret])
        #expect(log.recent.map(\.time.nanosecondsSinceStart) == [2, 3, 4].map { Int64($0) * 1_000_000_000 })
        #expect(log.total == 5)
        #expect(log.count(.getSecret, .success) == 1)
        #expect(log.count(.getSecret, .failure) == 1)
        #expect(log.count("secrets-manager.secret.create", .failure) == 1)
        #expect(log.count(.deleteSecret, .failure) == 1)
        #expect(log.count(.deleteSecret, .success) == 1)
    }

    @Test("targets of every length and any text come back as recorded")
    func activityLogTargets() {
        let log = ActivityLog(capacity: 8)
        let targets = [
            "", "a", String(repeating: "x", count: 39), String(repeating: "y", count: 40),
            String(repeating: "z", count: 41), "ünïcødé-🔑-" + String(repeating: "é", count: 20), "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
        ]
        for (index, target) in targets.enumerated() {
            log.record(
                time: SimulationInstant(nanosecondsSinceStart: Int64(index)), operation: .getSecret,
                principal: index % 2 == 0 ? "even" : "odd", outcome: .success, status: 200, target: target)
        }
        #expect(log.recent.map(\.target) == targets)
        #expect(log.recent.map(\.principal) == targets.indices.map { $0 % 2 == 0 ? "even" : "odd" })
    }

    @Test("ids pack into 16 bytes only when they are canonical lowercase UUIDs, and unpack to the same text")
    func packedIDs() throws {
        var random = SeededRandom(seed: 11)
        for _ in 0..<200 {
            let id = random.uuid()
            #expect(try #require(ActivityLog.PackedID(id)).text == id)
        }
        for id in ["00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"] {
            #expect(ActivityLog.PackedID(id)?.text == id)
        }
        let refused = [
            "", "no-such-secret", "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f",
            "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f00", "0f1e2d3c4-b5a-6978-8796-a5b4c3d2e1f0", "0f1e2d3c-4b5a-6978-8796_a5b4c3d2e1f0",
            "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1fg", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f\u{e9}", "-f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
        ]
        for id in refused { #expect(ActivityLog.PackedID(id) == nil, "\(id)") }
    }

    @Test("packed targets come back as text, and overwrite spilled and inline targets cleanly")
    func activityLogPackedTargets() throws {
        let log = ActivityLog(capacity: 3)
        let id = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
        let long = "configuration-" + String(repeating: "9", count: 60)
        let packed = try #require(ActivityLog.PackedID(id))
        func at(_ second: Int) -> SimulationInstant { SimulationInstant(nanosecondsSinceStart: Int64(second)) }
        log.record(time: at(0), operation: .createConfiguration, principal: "p", outcome: .success, status: 201, target: long)
        log.record(time: at(1), operation: .getSecret, principal: "p", outcome: .success, status: 200, target: "short")
        log.record(time: at(2), operation: .getSecret, principal: "q", outcome: .failure, status: 404, target: packed)
        #expect(log.recent.map(\.target) == [long, "short", id])
        #expect(log.spilled.count == 1)
        // A packed event takes the spilled one's slot: the spill goes with it.
        log.record(time: at(3), operation: .createSecretVersion, principal: "q", outcome: .success, status: 201, target: packed)
        #expect(log.recent.map(\.target) == ["short", id, id])
        #expect(log.spilled.isEmpty)
        #expect(log.recent.map(\.operation) == [.getSecret, .getSecret, .createSecretVersion])
        #expect(log.recent.map(\.status) == [200, 404, 201])
        // Text events then take packed slots back.
        log.record(time: at(4), operation: .getSecret, principal: "p", outcome: .success, status: 200, target: nil)
        log.record(time: at(5), operation: .getSecret, principal: "p", outcome: .success, status: 200, target: long)
        log.record(time: at(6), operation: .getSecret, principal: "p", outcome: .success, status: 200, target: "x")
        #expect(log.recent.map(\.target) == [nil, long, "x"])
        // A spilled target over a spilled one, once the ring is full: the new one is kept.
        let longer = long + "-again"
        for second in 7...9 {
            log.record(time: at(second), operation: .getSecret, principal: "p", outcome: .success, status: 200, target: longer)
        }
        #expect(log.recent.map(\.target) == [longer, longer, longer])
        #expect(log.spilled.count == 3)
        log.record(time: at(10), operation: .getSecret, principal: "p", outcome: .success, status: 200, target: packed)
        #expect(log.spilled.count == 2)
        #expect(log.total == 11)
    }
}

extension RouteOutcome {
    var isNoAnswer: Bool {
        if case .noAnswer = self { return true }
        return false
    }
}
