import FakeSecretsManager
import Foundation
import Logging
import Recovery
import SecretsManager
import Simulation

/// The secrets a drill knows by index: names, types, which are regional, and their ids in each instance.
final class SecretCatalog {
    var names: [String] = []
    var types: [SecretType] = []
    var groupNames: [String] = []
    var usernames: [String?] = []
    var regional: [Bool] = []
    /// The recovery region's value of each regional secret, as the team keeps it.
    var recoveryValues: [Int: SecretData] = [:]
    /// Each secret as first written, for a source of truth's first revision.
    var initialSnapshots: [SecretSnapshot] = []
    /// Secrets whose value belongs to the instance: the regional ones, and the types whose data the service
    /// makes (each instance issues its own credentials and certificates).
    var perInstance: [Bool] = []
    /// Ids by endpoint (0: primary, 1: recovery), then by secret index; "" where the instance lacks it.
    var ids: [[String]] = [[], []] {
        didSet { idsChanged &+= 1 }
    }
    /// Counts changes to ``ids``, so that handles made from them know when to be made again.
    private(set) var idsChanged = 0

    var count: Int { names.count }

    /// Fills the ids of endpoint `index` from an instance, by name and type.
    func resolve(endpoint index: Int, in instance: ServiceInstance, as principal: Principal) {
        var byKey: [String: String] = [:]
        var options = ListSecretsOptions(limit: ListSecretsOptions.maximumLimit)
        while let page = try? instance.listSecrets(options, by: principal) {
            for secret in page.secrets { byKey[secret.secretType.rawValue + "/" + secret.name] = secret.id }
            guard let next = page.next?.offset else { break }
            options.offset = next
        }
        ids[index] = (0..<count).map { byKey[types[$0].rawValue + "/" + names[$0]] ?? "" }
    }
}

/// A drill's world, built from its scenario: the fake cloud, the primary instance (and the recovery one when
/// the approach keeps one), the secrets they hold, the principals acting on them, and the ledger.
final class DrillWorld {
    let scenario: Scenario
    let directory: URL
    let cloud: FakeCloud
    let primaryKMS: KeyManagementService
    let primary: ServiceInstance
    /// The instances clients can point at: the primary, then the recovery instance when there is one.
    var endpoints: [ServiceInstance]
    let catalog = SecretCatalog()
    @exclusivity(unchecked) var ledger: Ledger
    var random: SeededRandom
    /// The recovery region's key-management instance, the backup one for BYOK recovery.
    private(set) var recoveryKMS: KeyManagementService?
    private(set) var backupKMS: KeyManagementService?
    /// The key of backup archives and of the source of truth; the team's, not the instance's.
    let backupKey: BackupKey
    private(set) var bucket: BackupBucket?
    private(set) var sourceOfTruth: SourceOfTruthRepository?
    /// The Event Notifications instance the primary reports to (for event-driven live sync).
    private(set) var eventNotifications: EventNotificationsInstance?

    /// Creates and rotates on the clients' behalf.
    let application = Principal("iam-ServiceId-application")
    /// Runs the runbook.
    let operations = Principal("iam-ServiceId-dr-operator")
    /// Reads state to measure the recovery point.
    let auditor = Principal("iam-ServiceId-smdrill-auditor")

    init(scenario: Scenario, seed: UInt64, directory: URL, logger: Logger) throws {
        self.scenario = scenario
        self.directory = directory
        random = SeededRandom(seed: seed).fork("world")
        let configuration = FakeCloudConfiguration(
            seed: seed, directory: directory, healthCheck: scenario.service.healthCheck,
            costModel: scenario.service.costModel, notificationDelay: scenario.service.notificationDelay)
        cloud = try FakeCloud(configuration: configuration, logger: logger)
        let topology = scenario.topology
        cloud.addRegion(topology.primary.region, zones: topology.primary.zones, nodesPerZone: topology.primary.nodesPerZone)
        primaryKMS = cloud.createKeyManagement(topology.primary.kms, region: topology.primary.region)
        primary = try cloud.createInstance(
            name: "primary", region: topology.primary.region, rootKey: primaryKMS.createRootKey(),
            policies: Self.policies(application: application, operations: operations, auditor: auditor))
        endpoints = [primary]
        ledger = Ledger(secrets: scenario.data.secrets)
        backupKey = BackupKey(using: &random)
        try populatePrimary()
        if let recovery = topology.recovery {
            cloud.addRegion(recovery.region, zones: 3, nodesPerZone: 1)
            let kms = cloud.createKeyManagement(recovery.kms, region: recovery.region)
            recoveryKMS = kms
            if recovery.approach == .minimalOperation || recovery.approach == .fullyOperational {
                let instance = try cloud.createInstance(
                    name: "recovery", region: recovery.region, rootKey: kms.createRootKey(),
                    policies: Self.policies(application: application, operations: operations, auditor: auditor))
                try populateRecovery(instance)
                endpoints.append(instance)
            }
        }
        try buildProtection()
    }

    /// A client of endpoint `index` (0: primary, 1: recovery) acting as `principal`.
    func client(endpoint index: Int, as principal: Principal? = nil) -> FakeSecretsManagerClient {
        FakeSecretsManagerClient(
            cloud: cloud, instanceID: endpoints[index].id, principal: principal ?? operations, timeout: .seconds(30))
    }

    /// Whether a region stands now.
    func isUp(_ region: String) -> Bool { cloud.regions[region]?.isUp ?? true }

    /// The recovery values of regional secrets, as a restore applies them (none when the team keeps none).
    var regionalOverrides: [SecretKey: SecretData] {
        guard scenario.protection.regionalValues else { return [:] }
        var overrides: [SecretKey: SecretData] = [:]
        for (index, value) in catalog.recoveryValues {
            overrides[SecretKey(type: catalog.types[index], name: catalog.names[index])] = value
        }
        return overrides
    }

    private func location(_ placement: BucketPlacement) -> BucketLocation {
        switch placement {
        case .region(let region): .regional(region)
        case .crossRegion: .crossRegion("global")
        }
    }

    private func availability(_ placement: BucketPlacement) -> @Sendable () -> Bool {
        switch placement {
        case .region(let region):
            let cloud = cloud
            return { cloud.regions[region]?.isUp ?? true }
        case .crossRegion:
            return { true }
        }
    }

    /// Buckets, repositories, registrations and keys that the scenario's protection needs.
    private func buildProtection() throws {
        let protection = scenario.protection
        if let region = protection.backupKMSRegion {
            cloud.addRegion(region)
            backupKMS = cloud.createKeyManagement(scenario.topology.primary.kms, region: region)
        }
        if let backups = protection.backups {
            bucket = BackupBucket(
                folder: directory.appendingPathComponent("backup-bucket"), location: location(backups.location),
                isAvailable: availability(backups.location))
        }
        if let sot = protection.sourceOfTruth {
            sourceOfTruth = try SourceOfTruthRepository(
                folder: directory.appendingPathComponent("source-of-truth"), location: location(sot.location),
                key: backupKey,
                initial: InstanceSnapshot(
                    groups: (0..<scenario.data.groups).map { GroupSnapshot(name: "group-\($0 + 1)") },
                    secrets: catalog.initialSnapshots),
                at: cloud.date(.start), isAvailable: availability(sot.location))
        }
        if let sync = protection.liveSync, sync.mode == .events {
            let events = cloud.createEventNotifications(region: scenario.topology.primary.region)
            _ = try primary.createNotificationsRegistration(
                NotificationsRegistrationPrototype(instanceCRN: events.crn.description, sourceName: "secrets-manager"),
                by: operations)
            eventNotifications = events
        }
    }

    static func policies(application: Principal, operations: Principal, auditor: Principal) -> [AccessPolicy] {
        [
            AccessPolicy(principal: application, role: .writer),
            AccessPolicy(principal: operations, role: .manager),
            AccessPolicy(principal: auditor, role: .secretsReader),
        ]
    }

    /// How many secrets of each type: the shares of the scenario, the rounding left over to the first type.
    static func typeCounts(_ data: DataSpec) -> [(SecretType, Int)] {
        var counts = data.types.map { ($0.0, Int((Double(data.secrets) * $0.1).rounded(.down))) }
        let assigned = counts.reduce(0) { $0 + $1.1 }
        if !counts.isEmpty { counts[0].1 += data.secrets - assigned }
        return counts
    }

    private func populatePrimary() throws {
        let data = scenario.data
        // The engines the generated types need.
        let types = Set(data.types.map(\.0))
        try primary.batch {
            try Self.createEngines(for: types, in: primary, by: operations)
            var groupIDs = [SecretGroup.defaultID]
            var groupNames = [SecretGroup.defaultID]
            for index in 0..<data.groups {
                let name = "group-\(index + 1)"
                groupIDs.append(try primary.createSecretGroup(SecretGroupPrototype(name: name), by: operations).id)
                groupNames.append(name)
            }
            var order: [SecretType] = []
            for (type, count) in Self.typeCounts(data) { order += Array(repeating: type, count: count) }
            var regionalIndices = Set<Int>()
            let regionalCount = Int((Double(data.secrets) * data.regional).rounded())
            var shuffled = Array(0..<data.secrets)
            shuffled.shuffle(using: &random)
            regionalIndices = Set(shuffled.prefix(regionalCount))
            catalog.ids[0].reserveCapacity(data.secrets)
            for index in 0..<data.secrets {
                let type = order[index]
                let group = index % groupIDs.count
                let name = "secret-\(index + 1)"
                let regional = regionalIndices.contains(index)
                let username: String? = type == .usernamePassword ? "user-\(index + 1)" : nil
                let prototype = Self.prototype(
                    name: name, type: type, group: groupIDs[group], regional: regional, username: username,
                    value: "initial-\(index + 1)-" + random.string(count: 16, alphabet: Self.alphabet))
                let secret = try primary.createSecret(prototype, by: operations)
                if regional, scenario.topology.recovery != nil,
                    let value = Self.data(
                        type: type, username: username,
                        value: "recovery-region-\(index + 1)-" + random.string(count: 16, alphabet: Self.alphabet))
                {
                    catalog.recoveryValues[index] = value
                    ledger.acknowledge(secret: index, variant: 1, fingerprint: Fingerprint.of(value.canonicalJSON()), at: 0)
                }
                catalog.initialSnapshots.append(
                    SecretSnapshot(
                        key: SecretKey(type: type, name: name), groupName: groupNames[group], labels: prototype.labels ?? [],
                        attributes: prototype.attributes, current: secret.data))
                catalog.names.append(name)
                catalog.types.append(type)
                catalog.groupNames.append(groupNames[group])
                catalog.usernames.append(username)
                catalog.regional.append(regional)
                catalog.perInstance.append(regional || !type.acceptsDataOnRotation)
                catalog.ids[0].append(secret.id)
                ledger.acknowledge(secret: index, fingerprint: Fingerprint.of(secret.data!.canonicalJSON()), at: 0)
            }
        }
    }

    /// The recovery instance starts as a copy of the primary, with the regional secrets holding their
    /// recovery-region values.
    private func populateRecovery(_ instance: ServiceInstance) throws {
        try instance.batch {
            try Self.createEngines(for: Set(catalog.types), in: instance, by: operations)
            for index in 0..<scenario.data.groups {
                _ = try instance.createSecretGroup(SecretGroupPrototype(name: "group-\(index + 1)"), by: operations)
            }
            let groupIDs = Dictionary(
                uniqueKeysWithValues: try instance.listSecretGroups(by: operations).secretGroups.map { ($0.name, $0.id) })
            var ids: [String] = []
            for index in 0..<catalog.count {
                let current = try primary.getSecret(id: catalog.ids[0][index], by: operations)
                var prototype = SecretPrototype(
                    name: current.name, secretType: current.secretType, data: current.data,
                    secretGroupID: groupIDs[catalog.groupNames[index]], labels: current.metadata.labels,
                    attributes: current.metadata.attributes)
                if !current.secretType.acceptsDataOnRotation { prototype.data = nil }
                if let value = catalog.recoveryValues[index] { prototype.data = value }
                let secret = try instance.createSecret(prototype, by: operations)
                ids.append(secret.id)
                if catalog.perInstance[index] && !catalog.regional[index] {
                    ledger.acknowledge(secret: index, variant: 1, fingerprint: Fingerprint.of(secret.data!.canonicalJSON()), at: 0)
                }
            }
            catalog.ids[1] = ids
        }
    }

    static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")

    /// The configurations that the generated secret types need.
    static func createEngines(for types: Set<SecretType>, in instance: ServiceInstance, by principal: Principal) throws {
        if types.contains(.iamCredentials) {
            _ = try instance.createConfiguration(
                ConfigurationPrototype(name: "iam-engine", configType: .iamCredentials, sensitive: SecretObject(["api_key": "engine-key"])),
                by: principal)
        }
        if types.contains(.publicCert) {
            _ = try instance.createConfiguration(
                ConfigurationPrototype(
                    name: "lets-encrypt", configType: .publicCertCALetsEncrypt,
                    properties: ["lets_encrypt_environment": "production"],
                    sensitive: SecretObject(["lets_encrypt_private_key": "account-key"])),
                by: principal)
            _ = try instance.createConfiguration(
                ConfigurationPrototype(
                    name: "cis-dns", configType: .publicCertDNSCloudInternetServices,
                    properties: ["cloud_internet_services_crn": "crn:v1:bluemix:public:internet-svcs:global:a/x:y::"]),
                by: principal)
        }
        if types.contains(.privateCert) {
            _ = try instance.createConfiguration(
                ConfigurationPrototype(
                    name: "root-ca", configType: .privateCertRootCA, properties: ["common_name": "example.internal", "max_ttl": "87600h"]),
                by: principal)
            _ = try instance.createConfiguration(
                ConfigurationPrototype(name: "default-template", configType: .privateCertTemplate, properties: ["certificate_authority": "root-ca"]),
                by: principal)
        }
    }

    /// A prototype for a new secret of `type`.
    static func prototype(
        name: String, type: SecretType, group: String, regional: Bool, username: String?, value: String
    ) -> SecretPrototype {
        var attributes: [String: JSONValue] = [:]
        switch type {
        case .iamCredentials: attributes = ["ttl": "30d", "service_id": "ServiceId-application"]
        case .publicCert: attributes = ["common_name": .string("\(name).example.com"), "ca": "lets-encrypt", "dns": "cis-dns"]
        case .privateCert: attributes = ["common_name": .string("\(name).example.internal"), "certificate_template": "default-template"]
        case .serviceCredentials: attributes = ["source_service": ["instance": ["crn": "crn:v1:bluemix:public:cloud-object-storage:global:a/x:y::"]]]
        case .customCredentials: attributes = ["configuration": "custom-engine"]
        default: break
        }
        return SecretPrototype(
            name: name, secretType: type, data: data(type: type, username: username, value: value), secretGroupID: group,
            labels: regional ? ["regional"] : nil, attributes: attributes)
    }

    /// Caller-written data of `type` holding `value`; nil for the types whose data the service makes.
    static func data(type: SecretType, username: String?, value: String) -> SecretData? {
        switch type {
        case .arbitrary: .arbitrary(payload: SecretPayload(value))
        case .usernamePassword: .usernamePassword(username: username ?? "user", password: SecretPayload(value))
        case .kv: .kv(data: SecretObject(["value": .string(value)]))
        case .importedCert:
            .importedCert(
                certificate: SecretPayload("-----BEGIN CERTIFICATE-----\n\(value)\n-----END CERTIFICATE-----"),
                intermediate: nil, privateKey: SecretPayload("-----BEGIN PRIVATE KEY-----\n\(value)\n-----END PRIVATE KEY-----"))
        case .iamCredentials, .publicCert, .privateCert, .serviceCredentials, .customCredentials: nil
        }
    }

    /// Adds a recovery instance (provisioned during the drill) as endpoint 1.
    func addRecoveryEndpoint(_ instance: ServiceInstance) {
        if endpoints.count > 1 { endpoints[1] = instance } else { endpoints.append(instance) }
        catalog.ids[1] = Array(repeating: "", count: catalog.count)
    }

    /// Which ledger variant a read of `secret` through endpoint `endpoint` is checked against.
    @inline(__always)
    func variant(secret: Int, endpoint: Int) -> Int {
        endpoint == 1 && catalog.perInstance[secret] ? 1 : 0
    }

    func close() {
        cloud.scheduler.shutDown()
        cloud.close()
        try? FileManager.default.removeItem(at: directory)
    }
}
