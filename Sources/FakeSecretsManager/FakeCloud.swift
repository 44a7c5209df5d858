import Foundation
import Logging
import SecretsManager
import Simulation

/// The settings of a fake cloud.
public struct FakeCloudConfiguration: Sendable {
    public var seed: UInt64
    /// The account that owns every resource.
    public var account: String
    /// The wall-clock date of virtual time zero: dates in answers are this plus the virtual time.
    public var epoch: Date
    /// Where instance databases and internal backups are kept.
    public var directory: URL
    public var healthCheck: HealthCheckPolicy
    public var costModel: ServiceCostModel
    /// From publication to delivery of an Event Notifications notification.
    public var notificationDelay: Duration

    public init(
        seed: UInt64, directory: URL, account: String = "b0a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5",
        epoch: Date = Date(timeIntervalSince1970: 1_767_225_600),  // 2026-01-01T00:00:00Z
        healthCheck: HealthCheckPolicy = HealthCheckPolicy(), costModel: ServiceCostModel = ServiceCostModel(),
        notificationDelay: Duration = .seconds(5)
    ) {
        self.seed = seed
        self.account = account
        self.epoch = epoch
        self.directory = directory
        self.healthCheck = healthCheck
        self.costModel = costModel
        self.notificationDelay = notificationDelay
    }
}

/// Where a request to an instance ends up.
public enum RouteOutcome: Sendable {
    /// A live node takes it. (Which one is the balancer's business: carrying it would retain and release the
    /// node on every request.)
    case served
    /// It reached a dead node, or a region that does not answer: the client hears nothing until its timeout.
    case noAnswer(String)
    /// An answer that is an error: no healthy node left, rate limited, the instance unavailable.
    case refused(SecretsManagerError)
}

/// The fake IBM Cloud a drill runs in: regions of zones and nodes behind global load balancers,
/// key-management and Event Notifications instances, and Secrets Manager instances, all on one scheduler.
/// It holds the hooks that break things: a node, a zone, a region; logical and physical corruption; a
/// deleted root key.
public final class FakeCloud: @unchecked Sendable {
    public let scheduler: Scheduler
    public let configuration: FakeCloudConfiguration
    public var costModel: ServiceCostModel
    public private(set) var regions: [String: Region] = [:]
    public private(set) var instances: [String: ServiceInstance] = [:]
    private var keyManagementInstances: [String: KeyManagementService] = [:]
    private var eventNotificationsInstances: [String: EventNotificationsInstance] = [:]
    /// Each instance's last internal daily backup (IBM's, not the customer's), by instance id.
    public private(set) var internalBackups: [String: (path: String, takenAt: SimulationInstant)] = [:]
    var random: SeededRandom
    var latencyRandom: SeededRandom
    let logger: Logger

    public init(configuration: FakeCloudConfiguration, scheduler: Scheduler = Scheduler(), logger: Logger? = nil) throws {
        self.scheduler = scheduler
        self.configuration = configuration
        costModel = configuration.costModel
        let root = SeededRandom(seed: configuration.seed)
        random = root.fork("cloud")
        latencyRandom = root.fork("latency")
        self.logger = logger ?? Logger(label: "smdrill.fake-cloud")
        try FileManager.default.createDirectory(at: configuration.directory, withIntermediateDirectories: true)
    }

    /// The wall-clock date of a virtual instant.
    public func date(_ instant: SimulationInstant) -> Date {
        configuration.epoch.addingTimeInterval(instant.seconds)
    }

    // MARK: Building the world

    /// Adds a region with `zones` zones of `nodesPerZone` nodes each.
    @discardableResult
    public func addRegion(_ name: String, zones: Int = 3, nodesPerZone: Int = 1) -> Region {
        if let existing = regions[name] { return existing }
        let region = Region(
            name: name, zones: zones, nodesPerZone: nodesPerZone, healthCheck: configuration.healthCheck,
            scheduler: scheduler, random: random.fork("health-check/\(name)"))
        regions[name] = region
        return region
    }

    /// Creates a Key Protect or Hyper Protect Crypto Services instance in a region.
    public func createKeyManagement(_ kind: KeyManagementKind, region: String) -> KeyManagementService {
        let region = addRegion(region)
        let service = KeyManagementService(
            kind: kind, region: region.name, account: configuration.account,
            random: random.fork("kms/\(keyManagementInstances.count)"), isRegionUp: { region.isUp })  // a region holds no key-management instance: no cycle
        keyManagementInstances[service.crn.description] = service
        return service
    }

    /// The key-management instance with this CRN.
    public func keyManagement(_ crn: String) -> KeyManagementService? { keyManagementInstances[crn] }

    /// Creates an Event Notifications instance in a region.
    public func createEventNotifications(region: String) -> EventNotificationsInstance {
        let region = addRegion(region)
        let crn = CRN(
            serviceName: "event-notifications", location: region.name, account: configuration.account,
            serviceInstance: random.uuid())
        let instance = EventNotificationsInstance(
            crn: crn, region: region.name, deliveryDelay: configuration.notificationDelay, scheduler: scheduler,
            isRegionUp: { region.isUp })  // a region holds no Event Notifications instance: no cycle
        eventNotificationsInstances[crn.description] = instance
        return instance
    }

    /// The Event Notifications instance with this CRN.
    public func eventNotifications(_ crn: String) -> EventNotificationsInstance? { eventNotificationsInstances[crn] }

    /// Creates a Secrets Manager instance at once, its payloads wrapped by `rootKey`. For an instance created
    /// during a drill, use ``provisionInstance(name:region:rootKey:policies:)``, which takes the provisioning
    /// time.
    public func createInstance(
        name: String, region: String, rootKey: RootKeyReference, policies: [AccessPolicy] = []
    ) throws -> ServiceInstance {
        addRegion(region)
        let id = random.uuid()
        let instance = try ServiceInstance(
            id: id, name: name, region: region, account: configuration.account, rootKey: rootKey,
            databasePath: configuration.directory.appendingPathComponent("instance-\(id).sqlite").path, cloud: self,
            random: random.fork("instance/\(id)"), rateLimit: costModel.rateLimit)
        for policy in policies { instance.accessControl.grant(policy) }
        instances[id] = instance
        logger.debug("created instance", metadata: ["crn": "\(instance.crn)"])
        return instance
    }

    /// Provisions an instance as a customer would during recovery: it exists after the modelled provisioning
    /// time.
    public func provisionInstance(
        name: String, region: String, rootKey: RootKeyReference, policies: [AccessPolicy] = []
    ) async throws -> ServiceInstance {
        try await scheduler.clock.sleep(for: costModel.provisioning)
        guard regions[region]?.isUp ?? true else {
            throw SecretsManagerError.serviceUnavailable("region \(region) is down; no instance can be provisioned there")
        }
        return try createInstance(name: name, region: region, rootKey: rootKey, policies: policies)
    }

    // MARK: The network in front of instances

    /// Routes one request to an instance at the current time: through its region's load balancer to a node,
    /// then past the instance's rate limit and status.
    public func route(to instanceID: String) -> RouteOutcome {
        guard let instance = instances[instanceID] else {
            return .noAnswer("no instance \(instanceID) exists")
        }
        return route(to: instance)
    }

    /// Routes one request to `instance` at the current time.
    public func route(to instance: ServiceInstance) -> RouteOutcome {
        guard let region = instance.regionRef ?? regions[instance.region] else {
            return .noAnswer("no region \(instance.region)")
        }
        guard let node = region.loadBalancer.route() else {
            if !region.isUp { return .noAnswer("region \(region.name) is down") }
            return .refused(.serviceUnavailable("no healthy node in \(region.name)"))
        }
        guard node.isAlive else { return .noAnswer("node \(node.id) is down") }
        guard instance.admitRequest() else {
            return .refused(.tooManyRequests("rate limit of instance \(instance.id) exceeded"))
        }
        if instance.status != .active {
            do { try instance.checkAvailable() } catch { return .refused(error) }
        }
        return .served
    }

    /// One draw of the latency of an operation.
    public func sampleLatency(_ operation: ServiceOperation) -> Duration {
        costModel.latency(for: OperationClass(operation)).sample(&latencyRandom)
    }

    // MARK: Failures

    /// Takes a node down (or back up). The load balancer finds out through its health checks.
    public func setNode(region: String, zone: Int, node index: Int, alive: Bool) {
        guard let zoneNodes = regions[region]?.zone(zone), zoneNodes.indices.contains(index - 1) else { return }
        zoneNodes[index - 1].isAlive = alive
    }

    /// Takes every node of a zone down (or back up).
    public func setZone(region: String, zone: Int, alive: Bool) {
        for node in regions[region]?.zone(zone) ?? [] { node.isAlive = alive }
    }

    /// Takes a whole region down: its nodes, its key-management and Event Notifications instances. Its
    /// instances' state stays on disk, untouched, until ``recoverRegion(_:state:)`` says what became of it.
    public func failRegion(_ name: String) {
        guard let region = regions[name] else { return }
        region.isUp = false
        for node in region.nodes { node.isAlive = false }
    }

    /// What became of the regional state when a region comes back.
    public enum RegionalStateOutcome: String, Sendable, Codable, CaseIterable {
        /// IBM restores the instance from its regional state: nothing lost.
        case intact
        /// The state is corrupted: IBM restores its last daily internal backup, losing what came after.
        case corrupted
        /// Nothing can be restored: the instance is gone.
        case lost
    }

    /// Brings a region back; each of its instances comes back according to `state`.
    public func recoverRegion(_ name: String, state: RegionalStateOutcome) throws {
        guard let region = regions[name] else { return }
        for instance in instances.values where instance.region == name {
            switch state {
            case .intact:
                instance.status = .active
            case .corrupted:
                if let backup = internalBackups[instance.id] {
                    try instance.store.replace(withContentsOf: backup.path)
                    instance.status = .active
                    try instance.reloadFromStorage()
                } else {
                    instance.store.destroy()
                    instance.status = .deleted
                }
            case .lost:
                instance.store.destroy()
                instance.status = .deleted
            }
        }
        region.isUp = true
        for node in region.nodes { node.isAlive = true }
    }

    /// IBM's daily internal backup of an instance, into a cross-region bucket the customer cannot reach.
    public func takeInternalBackup(of instanceID: String) throws {
        guard let instance = instances[instanceID], instance.status == .active else { return }
        try instance.flushRetrievals()
        let path = configuration.directory.appendingPathComponent("ibm-internal-backup-\(instanceID).sqlite").path
        try instance.store.backup(to: path)
        internalBackups[instanceID] = (path, scheduler.now)
    }

    /// Marks an instance unavailable (while IBM restores it, for example) or available again.
    public func setAvailability(of instanceID: String, unavailableBecause reason: String?) {
        guard let instance = instances[instanceID] else { return }
        if let reason { instance.status = .unavailable(reason) } else if instance.status != .deleted { instance.status = .active }
    }

    /// Closes every instance's database. The cloud is unusable afterwards.
    public func close() {
        for instance in instances.values { instance.store.close() }
    }
}
