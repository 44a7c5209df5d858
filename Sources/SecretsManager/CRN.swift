/// A Cloud Resource Name: `crn:v1:bluemix:public:secrets-manager:us-south:a/<account>:<instance>::`.
///
/// ```swift
/// let crn = try CRN(parsing: "crn:v1:bluemix:public:secrets-manager:us-south:a/acc:1234::")
/// crn.serviceName  // "secrets-manager"
/// ```
public struct CRN: Hashable, Sendable, CustomStringConvertible, Codable {
    public var cloudName: String
    public var cloudType: String
    public var serviceName: String
    public var location: String
    public var scope: String
    public var serviceInstance: String
    public var resourceType: String
    public var resource: String

    public init(
        cloudName: String = "bluemix", cloudType: String = "public", serviceName: String, location: String,
        account: String, serviceInstance: String, resourceType: String = "", resource: String = ""
    ) {
        self.cloudName = cloudName
        self.cloudType = cloudType
        self.serviceName = serviceName
        self.location = location
        scope = "a/" + account
        self.serviceInstance = serviceInstance
        self.resourceType = resourceType
        self.resource = resource
    }

    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        public var text: String
        public var reason: String
        public var description: String { "'\(text)' is not a CRN: \(reason)" }
    }

    /// Reads the ten colon-separated segments; `crn` and `v1` first, a service name and a location required.
    public init(parsing text: String) throws(ParseError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 10 else {
            throw ParseError(
                text: text,
                reason: "expected 10 segments 'crn:v1:cloud:type:service:location:scope:instance:resource-type:resource', found \(parts.count)")
        }
        guard parts[0] == "crn", parts[1] == "v1" else {
            throw ParseError(text: text, reason: "expected it to start with 'crn:v1:'")
        }
        guard !parts[4].isEmpty else { throw ParseError(text: text, reason: "the service name (5th segment) is empty") }
        guard !parts[5].isEmpty else { throw ParseError(text: text, reason: "the location (6th segment) is empty") }
        guard parts[6].isEmpty || parts[6].hasPrefix("a/") || parts[6].hasPrefix("o/") || parts[6].hasPrefix("s/")
        else {
            throw ParseError(text: text, reason: "the scope (7th segment) must start with 'a/', 'o/' or 's/'")
        }
        cloudName = parts[2]
        cloudType = parts[3]
        serviceName = parts[4]
        location = parts[5]
        scope = parts[6]
        serviceInstance = parts[7]
        resourceType = parts[8]
        resource = parts[9]
    }

    /// The account id of an `a/` scope.
    public var account: String? { scope.hasPrefix("a/") ? String(scope.dropFirst(2)) : nil }

    public var description: String {
        ["crn", "v1", cloudName, cloudType, serviceName, location, scope, serviceInstance, resourceType, resource]
            .joined(separator: ":")
    }

    /// This CRN with a resource type and resource: the CRN of a secret within an instance.
    public func child(resourceType: String, resource: String) -> CRN {
        var copy = self
        copy.resourceType = resourceType
        copy.resource = resource
        return copy
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(parsing: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
