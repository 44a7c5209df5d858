import Foundation
import SecretsManager
import Testing

@testable import FakeSecretsManager

struct ListingTests {
    @Test("pages follow offset and limit, and next.href carries the next offset")
    func paging() throws {
        let world = try TestWorld()
        for index in 0..<25 { try world.arbitrary("secret-\(index)", "value-\(index)") }
        let first = try world.instance.listSecrets(ListSecretsOptions(limit: 10), by: world.manager)
        #expect(first.totalCount == 25)
        #expect(first.secrets.count == 10)
        #expect(first.next?.offset == 10)
        #expect(first.previous == nil)
        #expect(first.last?.offset == 20)
        #expect(first.next?.href.hasPrefix(world.instance.endpoint + "/api/v2/secrets?") == true)
        let last = try world.instance.listSecrets(ListSecretsOptions(offset: 20, limit: 10), by: world.manager)
        #expect(last.secrets.count == 5)
        #expect(last.next == nil)
        #expect(last.secrets.first?.name == "secret-20")
        #expect(status { _ = try world.instance.listSecrets(ListSecretsOptions(limit: 1001), by: world.manager) } == 400)
        #expect(status { _ = try world.instance.listSecrets(ListSecretsOptions(limit: 0), by: world.manager) } == 400)
    }

    @Test("listings keep creation order through deletions, between listings or not, and a reload")
    func orderThroughDeletions() throws {
        let world = try TestWorld()
        var ids = try (0..<8).map { try world.arbitrary("secret-\($0)", "v").id }
        func listed() throws -> [String] {
            try world.instance.listSecrets(ListSecretsOptions(limit: 100), by: world.manager).secrets.map(\.id)
        }
        for index in [6, 3, 1] { try world.instance.deleteSecret(id: ids.remove(at: index), by: world.manager) }
        #expect(world.instance.secretCount == 5)
        #expect(try listed() == ids)
        try world.instance.deleteSecret(id: ids.removeFirst(), by: world.manager)
        ids.append(try world.arbitrary("secret-1", "again").id)
        try world.instance.deleteSecret(id: ids.removeLast(), by: world.manager)
        ids.append(try world.arbitrary("secret-8", "new").id)
        #expect(try listed() == ids)
        #expect(world.instance.secretIDs == ids)
        try world.instance.reloadFromStorage()
        #expect(try listed() == ids)
        #expect(world.instance.secretCount == ids.count)
    }

    /// `count` bare records named by their index, for the order alone.
    static func records(_ count: Int) -> [SecretRecord] {
        (0..<count).map { index in
            SecretRecord(
                id: "id-\(index)", secretType: .arbitrary, name: "n-\(index)", groupID: "default", description: nil,
                labels: [], customMetadata: [:], attributes: [:], rotation: nil, expirationDate: nil, createdBy: "p",
                createdAt: Date(), updatedAt: Date(), retrievedAt: nil, downloaded: false, state: .active, nextSequence: 1)
        }
    }

    @Test("a secret taken out of the order and put back is in it once, at the end")
    func orderReinsert() {
        let order = SecretOrder()
        let records = Self.records(4)
        for record in records { order.append(record) }
        order.remove(records[1])
        order.remove(records[1])
        #expect(order.count == 3)
        order.append(records[1])
        #expect(order.all.map(\.id) == ["id-0", "id-2", "id-3", "id-1"])
        order.remove(records[0])
        order.remove(records[3])
        #expect(order.all.map(\.id) == ["id-2", "id-1"])
        #expect(order.count == 2)
    }

    @Test("removed secrets are dropped once they are half the order, though nothing reads it")
    func orderBounded() {
        let order = SecretOrder()
        let records = Self.records(300)
        for record in records { order.append(record) }
        for record in records.prefix(200) { order.remove(record) }
        #expect(order.count == 100)
        #expect(order.held < 300, "the removed records are not all still held")
        #expect(order.all.map(\.id) == records.suffix(100).map(\.id))
        #expect(order.held == 100)
    }

    @Test("the pager reads every secret")
    func pager() throws {
        let world = try TestWorld()
        for index in 0..<23 { try world.arbitrary("secret-\(index)", "value-\(index)") }
        let client = world.client()
        let all = Box<[SecretMetadata]>([])
        try world.run { all.value = try await client.allSecrets(ListSecretsOptions(limit: 5)) }
        #expect(all.value.count == 23)
        #expect(Set(all.value.map(\.id)).count == 23)
    }

    @Test("filters: groups, secret types, search, labels; sort")
    func filters() throws {
        let world = try TestWorld()
        let group = try world.instance.createSecretGroup(SecretGroupPrototype(name: "team-a"), by: world.manager)
        try world.arbitrary("db-primary", "v", labels: ["db", "prod"])
        try world.arbitrary("db-replica", "v", group: group.id, labels: ["db"])
        try world.arbitrary("api-token", "v", labels: ["prod", "api"])
        _ = try world.instance.createSecret(SecretPrototype(name: "config", data: .kv(data: SecretObject(["a": 1]))), by: world.manager)
        func names(_ options: ListSecretsOptions) throws -> [String] {
            try world.instance.listSecrets(options, by: world.manager).secrets.map(\.name)
        }
        #expect(try names(ListSecretsOptions(groups: [group.id])) == ["db-replica"])
        #expect(try names(ListSecretsOptions(secretTypes: [.kv])) == ["config"])
        #expect(try names(ListSecretsOptions(search: "DB")) == ["db-primary", "db-replica"])
        #expect(try names(ListSecretsOptions(search: "api")) == ["api-token"])
        #expect(try names(ListSecretsOptions(matchAllLabels: ["prod", "db"])) == ["db-primary"])
        #expect(try names(ListSecretsOptions(sort: "name")) == ["api-token", "config", "db-primary", "db-replica"])
        #expect(try names(ListSecretsOptions(sort: "-name")).first == "db-replica")
        #expect(status { _ = try world.instance.listSecrets(ListSecretsOptions(sort: "color"), by: world.manager) } == 400)
    }

    @Test("configurations are paged without their credentials, and read with them")
    func configurations() throws {
        let world = try TestWorld()
        _ = try world.instance.createConfiguration(
            ConfigurationPrototype(
                name: "root-ca", configType: .privateCertRootCA, properties: ["common_name": "example.com", "max_ttl": "8760h"]),
            by: world.manager)
        _ = try world.instance.createConfiguration(
            ConfigurationPrototype(
                name: "template", configType: .privateCertTemplate, properties: ["certificate_authority": "root-ca"]),
            by: world.manager)
        _ = try world.instance.createConfiguration(
            ConfigurationPrototype(name: "iam", configType: .iamCredentials, sensitive: SecretObject(["api_key": "the-key"])),
            by: world.manager)
        let page = try world.instance.listConfigurations(offset: 0, limit: 2, by: world.manager)
        #expect(page.totalCount == 3)
        #expect(page.next?.offset == 2)
        #expect(page.configurations.allSatisfy { $0.sensitive.reveal().isEmpty })
        try world.instance.reloadFromStorage()
        let iam = try world.instance.getConfiguration(name: "iam", by: world.manager)
        #expect(iam.sensitive.reveal()["api_key"] == "the-key")
        #expect(status {
            _ = try world.instance.createConfiguration(
                ConfigurationPrototype(name: "template-2", configType: .privateCertTemplate, properties: ["certificate_authority": "nope"]),
                by: world.manager)
        } == 400)
        for index in 1...9 {
            _ = try world.instance.createConfiguration(
                ConfigurationPrototype(name: "iam-\(index)", configType: .iamCredentials, sensitive: SecretObject(["api_key": "k"])),
                by: world.manager)
        }
        #expect(status {
            _ = try world.instance.createConfiguration(
                ConfigurationPrototype(name: "iam-10", configType: .iamCredentials, sensitive: SecretObject(["api_key": "k"])),
                by: world.manager)
        } == 400)
        let certificate = try world.instance.createSecret(
            SecretPrototype(
                name: "internal", secretType: .privateCert, data: nil,
                attributes: ["common_name": "app.example.com", "certificate_template": "template"]),
            by: world.manager)
        #expect(certificate.data != nil)
    }
}
