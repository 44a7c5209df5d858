import Foundation
import SecretsManager

extension ServiceInstance {
    /// The fields each configuration kind cannot do without.
    static func requiredFields(_ type: ConfigurationType) -> [String] {
        switch type {
        case .publicCertCALetsEncrypt: ["lets_encrypt_environment", "lets_encrypt_private_key"]
        case .publicCertDNSCloudInternetServices: ["cloud_internet_services_crn"]
        case .publicCertDNSClassicInfrastructure: ["classic_infrastructure_username", "classic_infrastructure_password"]
        case .privateCertRootCA: ["common_name", "max_ttl"]
        case .privateCertIntermediateCA: ["common_name", "signing_method"]
        case .privateCertTemplate: ["certificate_authority"]
        case .iamCredentials: ["api_key"]
        }
    }

    public func createConfiguration(_ prototype: ConfigurationPrototype, by principal: Principal)
        throws(SecretsManagerError) -> Configuration
    {
        try perform(.createConfiguration, by: principal, target: prototype.name) { () throws(SecretsManagerError) in
            try authorize(principal, .createConfiguration, groupID: nil)
            guard (2...128).contains(prototype.name.count),
                prototype.name.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" })
            else {
                throw .badRequest(field: "name", "name must be 2 to 128 letters, digits or '-'")
            }
            guard configurations[prototype.name] == nil else {
                throw .conflict("a configuration named '\(prototype.name)' already exists")
            }
            let sameKind = configurations.values.filter { $0.configType == prototype.configType }.count
            guard sameKind < ServiceLimits.configurationsPerKind else {
                throw .badRequest(
                    field: "config_type",
                    "the instance already has the maximum of \(ServiceLimits.configurationsPerKind) \(prototype.configType.rawValue) configurations")
            }
            let sensitive = prototype.sensitive.reveal()
            for field in Self.requiredFields(prototype.configType)
            where prototype.properties[field] == nil && sensitive[field] == nil {
                throw .badRequest(field: field, "a \(prototype.configType.rawValue) configuration needs '\(field)'")
            }
            if prototype.configType == .privateCertTemplate {
                let authority = prototype.properties["certificate_authority"]?.stringValue ?? ""
                guard let ca = configurations[authority],
                    ca.configType == .privateCertRootCA || ca.configType == .privateCertIntermediateCA
                else {
                    throw .badRequest(
                        field: "certificate_authority", "certificate_authority must name a root or intermediate CA configuration")
                }
            }
            let date = now
            var record = ConfigurationRecord(
                name: prototype.name, configType: prototype.configType, createdBy: principal.id, createdAt: date,
                updatedAt: date, properties: prototype.properties, sealed: nil)
            if !sensitive.isEmpty {
                record.sealed = try seal(
                    Array(StoredJSON.encode(sensitive).utf8), context: Array("configuration/\(prototype.name)".utf8))
            }
            let saved = record
            try persist { db in db.saveConfiguration(saved) }
            configurations[saved.name] = saved
            return configuration(saved, sensitive: prototype.sensitive)
        }
    }

    public func listConfigurations(offset: Int, limit: Int, by principal: Principal) throws(SecretsManagerError)
        -> ConfigurationsPage
    {
        try perform(.listConfigurations, by: principal, target: nil) { () throws(SecretsManagerError) in
            try authorize(principal, .listConfigurations, groupID: nil)
            try checkPaging(offset: offset, limit: limit)
            let all = Array(configurations.values)
            let links = pageLinks(
                path: "/configurations",
                query: [URLQueryItem(name: "limit", value: String(limit)), URLQueryItem(name: "offset", value: String(offset))],
                offset: offset, limit: limit, total: all.count)
            return ConfigurationsPage(
                links: links, totalCount: all.count, limit: limit, offset: offset,
                configurations: all.dropFirst(offset).prefix(limit).map { configuration($0, sensitive: SecretObject([:])) })
        }
    }

    public func getConfiguration(name: String, by principal: Principal) throws(SecretsManagerError) -> Configuration {
        try perform(.getConfiguration, by: principal, target: name) { () throws(SecretsManagerError) in
            try authorize(principal, .getConfiguration, groupID: nil)
            guard let record = configurations[name] else { throw .notFound("configuration '\(name)' does not exist") }
            var sensitive: [String: JSONValue] = [:]
            if let sealed = record.sealed {
                let bytes = try open(sealed, context: Array("configuration/\(name)".utf8), secretID: "configuration/\(name)")
                guard let decoded = StoredJSON.decode([String: JSONValue].self, String(decoding: bytes, as: UTF8.self))
                else {
                    throw .serviceUnavailable(
                        code: "storage_corruption_detected", "configuration '\(name)' is unreadable")
                }
                sensitive = decoded
            }
            return configuration(record, sensitive: SecretObject(sensitive))
        }
    }

    public func deleteConfiguration(name: String, by principal: Principal) throws(SecretsManagerError) {
        try perform(.deleteConfiguration, by: principal, target: name) { () throws(SecretsManagerError) in
            try authorize(principal, .deleteConfiguration, groupID: nil)
            guard configurations[name] != nil else { throw .notFound("configuration '\(name)' does not exist") }
            try persist { db in db.deleteConfiguration(name: name) }
            configurations.removeValue(forKey: name)
        }
    }

    // MARK: Event Notifications

    public func createNotificationsRegistration(_ prototype: NotificationsRegistrationPrototype, by principal: Principal)
        throws(SecretsManagerError) -> NotificationsRegistration
    {
        try perform(.createNotificationsRegistration, by: principal, target: nil) { () throws(SecretsManagerError) in
            try authorize(principal, .createNotificationsRegistration, groupID: nil)
            let crn: CRN
            do throws(CRN.ParseError) {
                crn = try CRN(parsing: prototype.eventNotificationsInstanceCRN)
            } catch {
                throw .badRequest(field: "event_notifications_instance_crn", error.description)
            }
            guard crn.serviceName == "event-notifications" else {
                throw .badRequest(
                    field: "event_notifications_instance_crn",
                    "expected the CRN of an event-notifications instance, got one of '\(crn.serviceName)'")
            }
            guard cloud.eventNotifications(crn.description) != nil else {
                throw .badRequest(
                    field: "event_notifications_instance_crn", "no Event Notifications instance \(crn) is reachable")
            }
            guard (2...256).contains(prototype.eventNotificationsSourceName.count) else {
                throw .badRequest(field: "event_notifications_source_name", "the source name must be 2 to 256 characters")
            }
            let record = RegistrationRecord(
                instanceCRN: crn.description, sourceName: prototype.eventNotificationsSourceName,
                sourceDescription: prototype.eventNotificationsSourceDescription)
            try persist { db in db.saveRegistration(record) }
            registration = record
            return NotificationsRegistration(eventNotificationsInstanceCRN: record.instanceCRN)
        }
    }

    public func getNotificationsRegistration(by principal: Principal) throws(SecretsManagerError)
        -> NotificationsRegistration
    {
        try perform(.getNotificationsRegistration, by: principal, target: nil) { () throws(SecretsManagerError) in
            try authorize(principal, .getNotificationsRegistration, groupID: nil)
            guard let registration else { throw .notFound("the instance is not registered with Event Notifications") }
            return NotificationsRegistration(eventNotificationsInstanceCRN: registration.instanceCRN)
        }
    }

    public func deleteNotificationsRegistration(by principal: Principal) throws(SecretsManagerError) {
        try perform(.deleteNotificationsRegistration, by: principal, target: nil) { () throws(SecretsManagerError) in
            try authorize(principal, .deleteNotificationsRegistration, groupID: nil)
            guard registration != nil else { throw .notFound("the instance is not registered with Event Notifications") }
            try persist { db in db.saveRegistration(nil) }
            registration = nil
        }
    }
}
