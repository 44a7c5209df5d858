import Foundation
import SecretsManager
import Simulation
import Testing

@testable import FakeSecretsManager

struct DeterminismTests {
    struct Trace: Equatable {
        var ids: [String]
        var versionIDs: [String]
        var times: [SimulationInstant]
        var crn: String
        var databaseBytes: Int
    }

    /// Creates, rotates and reads through the async client with the default latency model.
    func trace(seed: UInt64) throws -> Trace {
        let world = try TestWorld(seed: seed, costModel: ServiceCostModel())
        let client = world.client()
        let result = Box(Trace(ids: [], versionIDs: [], times: [], crn: world.instance.crn.description, databaseBytes: 0))
        let scheduler = world.cloud.scheduler
        try world.run {
            for index in 0..<20 {
                let secret = try await client.createSecret(
                    SecretPrototype(name: "s-\(index)", data: .arbitrary(payload: SecretPayload("v-\(index)"))))
                result.value.ids.append(secret.id)
                result.value.times.append(scheduler.now)
                let version = try await client.createSecretVersion(
                    secretID: secret.id, SecretVersionPrototype(data: .arbitrary(payload: "w")))
                result.value.versionIDs.append(version.id)
                _ = try await client.getSecret(id: secret.id)
                result.value.times.append(scheduler.now)
            }
        }
        try world.instance.flushRetrievals()
        try world.instance.store.checkpoint()
        result.value.databaseBytes = try world.databaseBytes().count
        return result.value
    }

    @Test("the same seed gives the same ids and timings")
    func sameSeed() throws {
        let first = try trace(seed: 42)
        let second = try trace(seed: 42)
        #expect(first == second)
        #expect(Set(first.ids).count == 20)
        #expect(first.times.last! > SimulationInstant(.seconds(1)))
    }

    @Test("another seed gives other ids and timings")
    func otherSeed() throws {
        let first = try trace(seed: 42)
        let other = try trace(seed: 43)
        #expect(first.ids != other.ids)
        #expect(first.times != other.times)
    }
}
