import Foundation

/// The body of `POST /notifications/registration`: connects the instance to an Event Notifications instance.
public struct NotificationsRegistrationPrototype: Hashable, Sendable, Codable {
    public var eventNotificationsInstanceCRN: String
    public var eventNotificationsSourceName: String
    public var eventNotificationsSourceDescription: String?

    public init(instanceCRN: String, sourceName: String, sourceDescription: String? = nil) {
        eventNotificationsInstanceCRN = instanceCRN
        eventNotificationsSourceName = sourceName
        eventNotificationsSourceDescription = sourceDescription
    }

    enum CodingKeys: String, CodingKey {
        case eventNotificationsInstanceCRN = "event_notifications_instance_crn"
        case eventNotificationsSourceName = "event_notifications_source_name"
        case eventNotificationsSourceDescription = "event_notifications_source_description"
    }
}

/// `GET /notifications/registration`.
public struct NotificationsRegistration: Hashable, Sendable, Codable {
    public var eventNotificationsInstanceCRN: String

    public init(eventNotificationsInstanceCRN: String) {
        self.eventNotificationsInstanceCRN = eventNotificationsInstanceCRN
    }

    enum CodingKeys: String, CodingKey {
        case eventNotificationsInstanceCRN = "event_notifications_instance_crn"
    }
}

/// The Event Notifications event types of Secrets Manager, without the `com.ibm.cloud.secrets-manager.`
/// prefix that ``SecretsManagerNotification/eventType`` carries on the wire.
public enum NotificationEventType: String, CaseIterable, Codable, Sendable, Hashable {
    case secretCreated = "secret_created"
    case secretCreationFailed = "secret_creation_failed"
    case secretRotated = "secret_rotated"
    case secretRotationFailed = "secret_rotation_failed"
    case secretAboutToExpire = "secret_about_to_expire"
    case secretExpired = "secret_expired"
    case secretRevoked = "secret_revoked"
    case secretDeleted = "secret_deleted"
    case secretDeletionFailed = "secret_deletion_failed"
    case secretDeletionBlocked = "secret_deletion_blocked"
    case secretRevocationBlocked = "secret_revocation_blocked"
    case secretRotationBlocked = "secret_rotation_blocked"
    case secretExpirationBlocked = "secret_expiration_blocked"
    case secretDataRemoved = "secret_data_removed"
    case secretVersionDataDeleted = "secret_version_data_deleted"
    case testEvent = "test_event"

    public static let prefix = "com.ibm.cloud.secrets-manager."

    /// The full name on the wire: `com.ibm.cloud.secrets-manager.secret_rotated`.
    public var qualifiedName: String { Self.prefix + rawValue }

    /// Reads a full or short event name.
    public init?(qualifiedName: String) {
        let short = qualifiedName.hasPrefix(Self.prefix) ? String(qualifiedName.dropFirst(Self.prefix.count)) : qualifiedName
        self.init(rawValue: short)
    }
}

/// One notification as Event Notifications delivers it. It names the secrets it is about and never carries
/// their data: a subscriber that needs the data reads it from the instance.
public struct SecretsManagerNotification: Hashable, Sendable, Codable {
    public struct SecretReference: Hashable, Sendable, Codable {
        public var id: String
        public var name: String?
        public var crn: String
        public var secretGroupID: String
        public var versionID: String?

        public init(id: String, name: String?, crn: String, secretGroupID: String, versionID: String?) {
            self.id = id
            self.name = name
            self.crn = crn
            self.secretGroupID = secretGroupID
            self.versionID = versionID
        }

        enum CodingKeys: String, CodingKey {
            case id, name, crn
            case secretGroupID = "secret_group_id"
            case versionID = "version_id"
        }
    }

    /// `com.ibm.cloud.secrets-manager.secret_rotated`, and so on.
    public var eventType: String
    public var eventSubType: String?
    public var secretType: SecretType?
    public var secrets: [SecretReference]
    /// The CRN of the instance that sent it.
    public var source: String
    public var time: Date

    public init(
        event: NotificationEventType, eventSubType: String? = nil, secretType: SecretType?,
        secrets: [SecretReference], source: String, time: Date
    ) {
        eventType = event.qualifiedName
        self.eventSubType = eventSubType
        self.secretType = secretType
        self.secrets = secrets
        self.source = source
        self.time = time
    }

    public var event: NotificationEventType? { NotificationEventType(qualifiedName: eventType) }

    enum CodingKeys: String, CodingKey {
        case secrets, source, time
        case eventType = "event_type"
        case eventSubType = "event_sub_type"
        case secretType = "secret_type"
    }
}
