import Foundation
import SecretsManager
import Testing

@testable import FakeSecretsManager

struct GroupTests {
    @Test("the default group always exists and cannot be deleted or changed")
    func defaultGroup() throws {
        let world = try TestWorld()
        let groups = try world.instance.listSecretGroups(by: world.manager)
        #expect(groups.secretGroups.map(\.id) == ["default"])
        #expect(try world.instance.getSecretGroup(id: "default", by: world.manager).name == "default")
        #expect(status { try world.instance.deleteSecretGroup(id: "default", by: world.manager) } == 400)
        #expect(status {
            _ = try world.instance.updateSecretGroup(id: "default", SecretGroupPatch(name: "other"), by: world.manager)
        } == 400)
        let secret = try world.arbitrary("in-default", "value")
        #expect(secret.metadata.secretGroupID == "default")
    }

    @Test("a group with secrets cannot be deleted; names are unique; the limit is 200")
    func groupRules() throws {
        let world = try TestWorld()
        let group = try world.instance.createSecretGroup(SecretGroupPrototype(name: "team-a", description: "Team A"), by: world.manager)
        #expect(status { _ = try world.instance.createSecretGroup(SecretGroupPrototype(name: "team-a"), by: world.manager) } == 409)
        let secret = try world.arbitrary("in-a", "value", group: group.id)
        #expect(status { try world.instance.deleteSecretGroup(id: group.id, by: world.manager) } == 412)
        try world.instance.deleteSecret(id: secret.id, by: world.manager)
        try world.instance.deleteSecretGroup(id: group.id, by: world.manager)
        #expect(status { _ = try world.instance.getSecretGroup(id: group.id, by: world.manager) } == 404)
        #expect(status { try world.arbitrary("orphan", "value", group: group.id) } == 400)

        for index in 0..<200 {
            _ = try world.instance.createSecretGroup(SecretGroupPrototype(name: "g-\(index)"), by: world.manager)
        }
        #expect(status { _ = try world.instance.createSecretGroup(SecretGroupPrototype(name: "g-200"), by: world.manager) } == 400)
        try world.instance.reloadFromStorage()
        #expect(try world.instance.listSecretGroups(by: world.manager).totalCount == 201)
    }

    @Test("renaming a group is durable")
    func rename() throws {
        let world = try TestWorld()
        let group = try world.instance.createSecretGroup(SecretGroupPrototype(name: "team-a"), by: world.manager)
        _ = try world.instance.updateSecretGroup(id: group.id, SecretGroupPatch(name: "team-b"), by: world.manager)
        try world.instance.reloadFromStorage()
        #expect(try world.instance.getSecretGroup(id: group.id, by: world.manager).name == "team-b")
        let secret = try world.arbitrary("named", "value", group: group.id)
        let byName = try world.instance.getSecretByNameAndType(
            groupName: "team-b", secretType: .arbitrary, name: "named", by: world.manager)
        #expect(byName.id == secret.id)
        #expect(status {
            _ = try world.instance.getSecretByNameAndType(groupName: "default", secretType: .arbitrary, name: "named", by: world.manager)
        } == 404)
    }
}
