import FakeSecretsManager
import Foundation
import Recovery
import SecretsManager
import Simulation
import Testing

struct LiveSyncTests {
    @Test("event-driven sync copies creations, rotations and deletions, but not regional secrets")
    func events() throws {
        let world = try RecoveryWorld()
        let events = world.cloud.createEventNotifications(region: "us-south")
        _ = try world.primary.createNotificationsRegistration(
            NotificationsRegistrationPrototype(instanceCRN: events.crn.description, sourceName: "sm"), by: world.manager)
        let copies = Box<[LiveSync.Copy]>([])
        events.subscribe { notification in
            world.cloud.scheduler.spawn("action") {
                copies.value += try await LiveSync().copy(
                    notification, from: world.primaryClient, to: world.targetClient, clock: world.clock)
            }
        }
        let created = try world.primary.createSecret(SecretPrototype(name: "db", data: .arbitrary(payload: "v1")), by: world.manager)
        _ = try world.primary.createSecret(
            SecretPrototype(name: "conn", data: .arbitrary(payload: "south"), labels: ["regional"]), by: world.manager)
        world.cloud.scheduler.run(until: .init(.seconds(10)))
        _ = try world.primary.createSecretVersion(secretID: created.id, SecretVersionPrototype(data: .arbitrary(payload: "v2")), by: world.manager)
        world.cloud.scheduler.run(until: .init(.seconds(20)))
        #expect(try world.contents(world.target) == [SecretKey(type: .arbitrary, name: "db"): .arbitrary(payload: "v2")])
        #expect(copies.value.contains(.excluded(SecretKey(type: .arbitrary, name: "conn"))))
        try world.primary.deleteSecret(id: created.id, by: world.manager)
        world.cloud.scheduler.run(until: .init(.seconds(30)))
        #expect(try world.contents(world.target).isEmpty)
        #expect(copies.value.contains(.deleted(SecretKey(type: .arbitrary, name: "db"))))
    }

    @Test("periodic sync copies differences, corruption included")
    func periodicCopiesCorruption() throws {
        let world = try RecoveryWorld()
        let secrets = try world.populate(count: 10)
        let first = try world.run { try await LiveSync().synchronize(from: world.primaryClient, to: world.targetClient, clock: world.clock) }
        #expect(first.created.count == 8)  // the two regional ones stay out
        let writer = Principal("iam-ServiceId-broken-pipeline")
        world.primary.accessControl.grant(AccessPolicy(principal: writer, role: .writer))
        _ = world.primary.corruptLogically(secretIDs: [secrets[1].id], by: writer)
        let second = try world.run { try await LiveSync().synchronize(from: world.primaryClient, to: world.targetClient, clock: world.clock) }
        #expect(second.updated.map(\.name) == ["secret-1"])
        let copied = try world.contents(world.target)[SecretKey(type: .usernamePassword, name: "secret-1")]
        guard case .usernamePassword(_, let password)?? = copied else {
            Issue.record("expected the secret to be copied")
            return
        }
        #expect(password.reveal().hasPrefix("garbage"))
    }

    @Test("notifications in flight die with the primary region")
    func inFlight() throws {
        let world = try RecoveryWorld()
        let events = world.cloud.createEventNotifications(region: "us-south")
        events.deliveryDelay = .seconds(5)
        _ = try world.primary.createNotificationsRegistration(
            NotificationsRegistrationPrototype(instanceCRN: events.crn.description, sourceName: "sm"), by: world.manager)
        events.subscribe { notification in
            world.cloud.scheduler.spawn("action") {
                _ = try await LiveSync().copy(notification, from: world.primaryClient, to: world.targetClient, clock: world.clock)
            }
        }
        _ = try world.primary.createSecret(SecretPrototype(name: "late", data: .arbitrary(payload: "v1")), by: world.manager)
        world.cloud.scheduler.schedule(after: .seconds(2)) { world.cloud.failRegion("us-south") }
        world.cloud.scheduler.run(until: .init(.seconds(30)))
        #expect(world.target.secretCount == 0)
        #expect(events.lost == 1)
    }
}
