import SecretsManager
import Simulation

/// A fake Event Notifications instance: it takes Secrets Manager notifications and delivers them to its
/// subscribers (a Code Engine action, a live-sync tool) after a delivery delay, in virtual time.
///
/// It lives in a region: a notification whose delivery falls while that region is down is lost, as events in
/// flight die with the region that carries them.
public final class EventNotificationsInstance: @unchecked Sendable {
    public typealias Subscriber = (SecretsManagerNotification) -> Void

    public let crn: CRN
    public let region: String
    /// The time from publication to delivery.
    public var deliveryDelay: Duration
    private var subscribers: [Subscriber] = []
    private let scheduler: Scheduler
    private let isRegionUp: () -> Bool
    public private(set) var published = 0
    public private(set) var delivered = 0
    /// Notifications lost because the region was down when they were due.
    public private(set) var lost = 0

    init(crn: CRN, region: String, deliveryDelay: Duration, scheduler: Scheduler, isRegionUp: @escaping () -> Bool) {
        self.crn = crn
        self.region = region
        self.deliveryDelay = deliveryDelay
        self.scheduler = scheduler
        self.isRegionUp = isRegionUp
    }

    /// Adds a destination: every notification published from now on reaches it.
    public func subscribe(_ subscriber: @escaping Subscriber) {
        subscribers.append(subscriber)
    }

    /// Takes a notification for delivery after ``deliveryDelay``.
    public func publish(_ notification: SecretsManagerNotification) {
        published += 1
        guard isRegionUp() else {
            lost += 1
            return
        }
        scheduler.schedule(after: deliveryDelay) { [self] in
            guard isRegionUp() else {
                lost += 1
                return
            }
            delivered += 1
            for subscriber in subscribers { subscriber(notification) }
        }
    }
}
