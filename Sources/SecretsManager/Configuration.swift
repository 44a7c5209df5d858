import Foundation

/// The kinds of secrets-engine configuration, with their `config_type` names and the secret type each serves.
public enum ConfigurationType: String, CaseIterable, Codable, Sendable, Hashable {
    case publicCertCALetsEncrypt = "public_cert_configuration_ca_lets_encrypt"
    case publicCertDNSCloudInternetServices = "public_cert_configuration_dns_cloud_internet_services"
    case publicCertDNSClassicInfrastructure = "public_cert_configuration_dns_classic_infrastructure"
    case privateCertRootCA = "private_cert_configuration_root_ca"
    case privateCertIntermediateCA = "private_cert_configuration_intermediate_ca"
    case privateCertTemplate = "private_cert_configuration_template"
    case iamCredentials = "iam_credentials_configuration"

    public var secretType: SecretType {
        switch self {
        case .publicCertCALetsEncrypt, .publicCertDNSCloudInternetServices, .publicCertDNSClassicInfrastructure:
            .publicCert
        case .privateCertRootCA, .privateCertIntermediateCA, .privateCertTemplate: .privateCert
        case .iamCredentials: .iamCredentials
        }
    }

    /// The fields of this kind that are credentials: kept in ``Configuration/sensitive``, encrypted at rest.
    public static let sensitiveFieldNames: Set<String> = [
        "api_key", "lets_encrypt_private_key", "classic_infrastructure_password", "cloud_internet_services_apikey",
        "private_key",
    ]
}

/// A secrets-engine configuration: a certificate authority, a DNS provider, a certificate template or the
/// IAM credentials engine. At most 10 of each kind per instance.
public struct Configuration: Hashable, Sendable, Codable {
    public var name: String
    public var configType: ConfigurationType
    public var createdBy: String
    public var createdAt: Date
    public var updatedAt: Date
    /// The kind's other fields, by JSON name (`lets_encrypt_environment`, `max_ttl`, ...).
    public var properties: [String: JSONValue]
    /// The kind's credential fields; empty in list answers.
    public var sensitive: SecretObject

    public var secretType: SecretType { configType.secretType }

    public init(
        name: String, configType: ConfigurationType, createdBy: String, createdAt: Date, updatedAt: Date,
        properties: [String: JSONValue] = [:], sensitive: SecretObject = SecretObject([:])
    ) {
        self.name = name
        self.configType = configType
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.properties = properties
        self.sensitive = sensitive
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name
        case configType = "config_type"
        case secretType = "secret_type"
        case createdBy = "created_by"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        configType = try container.decode(ConfigurationType.self, forKey: .configType)
        createdBy = try container.decodeIfPresent(String.self, forKey: .createdBy) ?? ""
        createdAt = try container.decode(Date.self, forKey: .createdAt)
        updatedAt = try container.decodeIfPresent(Date.self, forKey: .updatedAt) ?? createdAt
        let extra = try decoder.container(keyedBy: DynamicKey.self)
            .extraFields(excluding: Set(CodingKeys.allCases.map(\.stringValue)))
        properties = extra.filter { !ConfigurationType.sensitiveFieldNames.contains($0.key) }
        sensitive = SecretObject(extra.filter { ConfigurationType.sensitiveFieldNames.contains($0.key) })
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(configType, forKey: .configType)
        try container.encode(secretType, forKey: .secretType)
        try container.encode(createdBy, forKey: .createdBy)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        var extra = encoder.container(keyedBy: DynamicKey.self)
        try extra.encodeExtraFields(properties.merging(sensitive.reveal()) { _, secret in secret })
    }
}

/// The body of `POST /configurations`.
public struct ConfigurationPrototype: Hashable, Sendable, Codable {
    public var name: String
    public var configType: ConfigurationType
    public var properties: [String: JSONValue]
    public var sensitive: SecretObject

    public init(
        name: String, configType: ConfigurationType, properties: [String: JSONValue] = [:],
        sensitive: SecretObject = SecretObject([:])
    ) {
        self.name = name
        self.configType = configType
        self.properties = properties
        self.sensitive = sensitive
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name
        case configType = "config_type"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        configType = try container.decode(ConfigurationType.self, forKey: .configType)
        let extra = try decoder.container(keyedBy: DynamicKey.self)
            .extraFields(excluding: Set(CodingKeys.allCases.map(\.stringValue)))
        properties = extra.filter { !ConfigurationType.sensitiveFieldNames.contains($0.key) }
        sensitive = SecretObject(extra.filter { ConfigurationType.sensitiveFieldNames.contains($0.key) })
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(configType, forKey: .configType)
        var extra = encoder.container(keyedBy: DynamicKey.self)
        try extra.encodeExtraFields(properties.merging(sensitive.reveal()) { _, secret in secret })
    }
}

/// A page of `GET /configurations`; the items carry no credential fields.
public struct ConfigurationsPage: Hashable, Sendable, Codable {
    public var totalCount: Int
    public var limit: Int
    public var offset: Int
    public var first: PageLink?
    public var next: PageLink?
    public var previous: PageLink?
    public var last: PageLink?
    public var configurations: [Configuration]

    public init(links: PageLinks, totalCount: Int, limit: Int, offset: Int, configurations: [Configuration]) {
        self.totalCount = totalCount
        self.limit = limit
        self.offset = offset
        first = links.first
        next = links.next
        previous = links.previous
        last = links.last
        self.configurations = configurations
    }

    enum CodingKeys: String, CodingKey {
        case limit, offset, first, next, previous, last, configurations
        case totalCount = "total_count"
    }
}
