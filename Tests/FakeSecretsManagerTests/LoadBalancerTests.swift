import Foundation
import SecretsManager
import Simulation
import Testing

@testable import FakeSecretsManager

struct LoadBalancerTests {
    /// Sends a request every 100 ms from `start` for `span`, and records when each failed.
    func failures(world: TestWorld, secretID: String, from start: Duration, for span: Duration) throws -> [SimulationInstant] {
        let failed = Box<[SimulationInstant]>([])
        let client = world.client(timeout: .seconds(1))
        let scheduler = world.cloud.scheduler
        try world.run {
            try await scheduler.clock.sleep(until: SimulationInstant(start))
            let end = scheduler.now.advanced(by: span)
            while scheduler.now < end {
                let sent = scheduler.now
                do {
                    _ = try await client.getSecret(id: secretID)
                } catch is TransportError {
                    failed.value.append(sent)
                }
                try await scheduler.clock.sleep(until: sent.advanced(by: .milliseconds(100)))
            }
        }
        return failed.value
    }

    @Test("a dead node gets requests until its health checks fail, then none")
    func detectionWindow() throws {
        let policy = HealthCheckPolicy(interval: .seconds(5), failures: 3)
        let world = try TestWorld(healthCheck: policy)
        let secret = try world.arbitrary("db", "value-0")
        world.cloud.scheduler.schedule(at: SimulationInstant(.seconds(100))) {
            world.cloud.setZone(region: "us-south", zone: 2, alive: false)
        }
        let failed = try failures(world: world, secretID: secret.id, from: .seconds(90), for: .seconds(40))
        #expect(!failed.isEmpty, "requests routed to the dead node before detection must fail")
        #expect(failed.allSatisfy { $0 >= SimulationInstant(.seconds(100)) })
        let lastFailure = try #require(failed.max())
        // Detection takes between (failures - 1) and failures probe intervals after the death.
        #expect(lastFailure <= SimulationInstant(.seconds(100)).advanced(by: policy.worstCaseDetection))
        let balancer = try #require(world.cloud.regions["us-south"]?.loadBalancer)
        let removal = try #require(balancer.lastRemoval[1])
        #expect(removal >= SimulationInstant(.seconds(110)))
        #expect(removal <= SimulationInstant(.seconds(115)))
        #expect(balancer.inRotation == [true, false, true])
    }

    @Test("the window follows the policy's parameters")
    func windowScalesWithPolicy() throws {
        let fast = try TestWorld(healthCheck: HealthCheckPolicy(interval: .seconds(1), failures: 2))
        let slow = try TestWorld(healthCheck: HealthCheckPolicy(interval: .seconds(10), failures: 4))
        var windows: [Duration] = []
        for world in [fast, slow] {
            let secret = try world.arbitrary("db", "value-0")
            world.cloud.scheduler.schedule(at: SimulationInstant(.seconds(100))) {
                world.cloud.setNode(region: "us-south", zone: 1, node: 1, alive: false)
            }
            let failed = try failures(world: world, secretID: secret.id, from: .seconds(95), for: .seconds(60))
            windows.append(SimulationInstant(.seconds(100)).duration(to: try #require(failed.max())))
        }
        #expect(windows[0] <= .seconds(2))
        #expect(windows[1] > .seconds(20))
        #expect(windows[1] <= .seconds(40))
    }

    @Test("a node that comes back rejoins after one good probe")
    func rejoin() throws {
        let world = try TestWorld(healthCheck: HealthCheckPolicy(interval: .seconds(5), failures: 3))
        let balancer = try #require(world.cloud.regions["us-south"]?.loadBalancer)
        let changes = Box<[(String, Bool)]>([])
        balancer.onRotationChange { node, inRotation, _ in changes.value.append((node.id, inRotation)) }
        world.cloud.scheduler.schedule(at: SimulationInstant(.seconds(10))) {
            world.cloud.setZone(region: "us-south", zone: 3, alive: false)
        }
        world.cloud.scheduler.schedule(at: SimulationInstant(.seconds(60))) {
            world.cloud.setZone(region: "us-south", zone: 3, alive: true)
        }
        world.cloud.scheduler.run(until: SimulationInstant(.seconds(70)))
        #expect(changes.value.map(\.1) == [false, true])
        #expect(balancer.inRotation == [true, true, true])
    }

    @Test("a whole region down: no answers at all")
    func regionDown() throws {
        let world = try TestWorld()
        let secret = try world.arbitrary("db", "value-0")
        world.cloud.failRegion("us-south")
        let failed = try failures(world: world, secretID: secret.id, from: .zero, for: .seconds(5))
        #expect(failed.count > 0)
        #expect(world.kmsError() as? KeyManagementError == .unavailable(region: "us-south"))
    }
}

extension TestWorld {
    /// What the region's key-management instance answers while the region is down.
    func kmsError() -> any Error {
        do {
            _ = try kms.unwrap([UInt8](repeating: 0, count: 40), with: rootKey.keyID)
            return CancellationError()
        } catch {
            return error
        }
    }
}
