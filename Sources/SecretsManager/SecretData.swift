/// The data of one secret version, by type, with the v2 field names. Every sensitive field is a
/// ``SecretPayload`` or a ``SecretObject``, so a printed `SecretData` shows no secret.
///
/// The v2 API flattens these fields into the secret or version object (`"payload": "..."` beside `"name"`);
/// ``Secret`` and ``SecretVersion`` do that flattening when they are encoded.
public enum SecretData: Hashable, Sendable {
    case arbitrary(payload: SecretPayload)
    case usernamePassword(username: String, password: SecretPayload)
    case kv(data: SecretObject)
    case iamCredentials(apiKey: SecretPayload?, apiKeyID: String?)
    case importedCert(certificate: SecretPayload, intermediate: SecretPayload?, privateKey: SecretPayload?)
    case publicCert(certificate: SecretPayload, intermediate: SecretPayload?, privateKey: SecretPayload?)
    case privateCert(certificate: SecretPayload, privateKey: SecretPayload?, issuingCA: SecretPayload?, caChain: [SecretPayload])
    case serviceCredentials(credentials: SecretObject)
    case customCredentials(credentialsContent: SecretObject)

    /// The type this data belongs to.
    public var secretType: SecretType {
        switch self {
        case .arbitrary: .arbitrary
        case .usernamePassword: .usernamePassword
        case .kv: .kv
        case .iamCredentials: .iamCredentials
        case .importedCert: .importedCert
        case .publicCert: .publicCert
        case .privateCert: .privateCert
        case .serviceCredentials: .serviceCredentials
        case .customCredentials: .customCredentials
        }
    }

    /// The JSON names of the data fields of each type: what is secret in an object of that type.
    public static func fieldNames(of type: SecretType) -> Set<String> {
        switch type {
        case .arbitrary: ["payload"]
        case .usernamePassword: ["username", "password"]
        case .kv: ["data"]
        case .iamCredentials: ["api_key", "api_key_id"]
        case .importedCert, .publicCert: ["certificate", "intermediate", "private_key"]
        case .privateCert: ["certificate", "private_key", "issuing_ca", "ca_chain"]
        case .serviceCredentials: ["credentials"]
        case .customCredentials: ["credentials_content"]
        }
    }

    func encode(into container: inout KeyedEncodingContainer<DynamicKey>) throws {
        switch self {
        case .arbitrary(let payload):
            try container.encode(payload, forKey: DynamicKey("payload"))
        case .usernamePassword(let username, let password):
            try container.encode(username, forKey: DynamicKey("username"))
            try container.encode(password, forKey: DynamicKey("password"))
        case .kv(let data):
            try container.encode(data, forKey: DynamicKey("data"))
        case .iamCredentials(let apiKey, let apiKeyID):
            try container.encodeIfPresent(apiKey, forKey: DynamicKey("api_key"))
            try container.encodeIfPresent(apiKeyID, forKey: DynamicKey("api_key_id"))
        case .importedCert(let certificate, let intermediate, let privateKey),
            .publicCert(let certificate, let intermediate, let privateKey):
            try container.encode(certificate, forKey: DynamicKey("certificate"))
            try container.encodeIfPresent(intermediate, forKey: DynamicKey("intermediate"))
            try container.encodeIfPresent(privateKey, forKey: DynamicKey("private_key"))
        case .privateCert(let certificate, let privateKey, let issuingCA, let caChain):
            try container.encode(certificate, forKey: DynamicKey("certificate"))
            try container.encodeIfPresent(privateKey, forKey: DynamicKey("private_key"))
            try container.encodeIfPresent(issuingCA, forKey: DynamicKey("issuing_ca"))
            try container.encode(caChain, forKey: DynamicKey("ca_chain"))
        case .serviceCredentials(let credentials):
            try container.encode(credentials, forKey: DynamicKey("credentials"))
        case .customCredentials(let content):
            try container.encode(content, forKey: DynamicKey("credentials_content"))
        }
    }

    /// Reads the data fields of `type` from an object, or nil when the object carries none of them (a
    /// metadata-only response, or a version whose data was removed).
    static func decode(type: SecretType, from container: KeyedDecodingContainer<DynamicKey>) throws -> SecretData? {
        let keys = Set(container.allKeys.map(\.stringValue))
        guard !keys.isDisjoint(with: fieldNames(of: type)) else { return nil }
        func payload(_ name: String) throws -> SecretPayload? {
            try container.decodeIfPresent(SecretPayload.self, forKey: DynamicKey(name))
        }
        func object(_ name: String) throws -> SecretObject {
            try container.decodeIfPresent(SecretObject.self, forKey: DynamicKey(name)) ?? SecretObject([:])
        }
        func required(_ name: String) throws -> SecretPayload {
            guard let value = try payload(name) else {
                throw DecodingError.keyNotFound(
                    DynamicKey(name),
                    .init(codingPath: container.codingPath, debugDescription: "\(type.rawValue) data needs '\(name)'"))
            }
            return value
        }
        switch type {
        case .arbitrary:
            return .arbitrary(payload: try required("payload"))
        case .usernamePassword:
            // A prototype may carry a username alone, asking the service to generate the password.
            guard let password = try payload("password") else { return nil }
            let username = try container.decodeIfPresent(String.self, forKey: DynamicKey("username")) ?? ""
            return .usernamePassword(username: username, password: password)
        case .kv:
            return .kv(data: try object("data"))
        case .iamCredentials:
            return .iamCredentials(
                apiKey: try payload("api_key"),
                apiKeyID: try container.decodeIfPresent(String.self, forKey: DynamicKey("api_key_id")))
        case .importedCert:
            return .importedCert(
                certificate: try required("certificate"), intermediate: try payload("intermediate"),
                privateKey: try payload("private_key"))
        case .publicCert:
            return .publicCert(
                certificate: try required("certificate"), intermediate: try payload("intermediate"),
                privateKey: try payload("private_key"))
        case .privateCert:
            return .privateCert(
                certificate: try required("certificate"), privateKey: try payload("private_key"),
                issuingCA: try payload("issuing_ca"),
                caChain: try container.decodeIfPresent([SecretPayload].self, forKey: DynamicKey("ca_chain")) ?? [])
        case .serviceCredentials:
            return .serviceCredentials(credentials: try object("credentials"))
        case .customCredentials:
            return .customCredentials(credentialsContent: try object("credentials_content"))
        }
    }

    /// The data as a JSON object of its v2 fields, keys sorted: the bytes the fake encrypts, and a stable
    /// fingerprint input.
    public func canonicalJSON() -> [UInt8] {
        // The two types drills write most, written straight; the rest through their JSON object.
        switch self {
        case .arbitrary(let payload):
            var output: [UInt8] = []
            output.reserveCapacity(payload.utf8Count + 14)
            output.append(contentsOf: #"{"payload":"#.utf8)
            CanonicalJSON.write(string: payload.reveal(), into: &output)
            output.append(0x7D)
            return output
        case .usernamePassword(let username, let password):
            var output: [UInt8] = []
            output.reserveCapacity(username.utf8.count + password.utf8Count + 28)
            output.append(contentsOf: #"{"password":"#.utf8)
            CanonicalJSON.write(string: password.reveal(), into: &output)
            output.append(contentsOf: #","username":"#.utf8)
            CanonicalJSON.write(string: username, into: &output)
            output.append(0x7D)
            return output
        default:
            return CanonicalJSON.bytes(.object(jsonObject))
        }
    }

    /// Reads bytes written by ``canonicalJSON()``.
    public static func fromCanonicalJSON(_ bytes: [UInt8], type: SecretType) throws -> SecretData {
        guard case .object(let fields) = try JSONReader.parse(bytes) else {
            throw JSONReader.SyntaxError(offset: 0, reason: "\(type.rawValue) data is not a JSON object")
        }
        return try SecretData(type: type, fields: fields)
    }

    /// The total size of the sensitive fields in bytes, for the size limits of each type.
    public var sensitiveSize: Int {
        switch self {
        case .arbitrary(let payload): payload.utf8Count
        case .usernamePassword(_, let password): password.utf8Count
        case .kv(let data), .serviceCredentials(let data), .customCredentials(let data):
            canonicalJSONCount(data.reveal())
        case .iamCredentials(let apiKey, _): apiKey?.utf8Count ?? 0
        case .importedCert(let certificate, let intermediate, let privateKey),
            .publicCert(let certificate, let intermediate, let privateKey):
            certificate.utf8Count + (intermediate?.utf8Count ?? 0) + (privateKey?.utf8Count ?? 0)
        case .privateCert(let certificate, let privateKey, let issuingCA, let caChain):
            certificate.utf8Count + (privateKey?.utf8Count ?? 0) + (issuingCA?.utf8Count ?? 0)
                + caChain.reduce(0) { $0 + $1.utf8Count }
        }
    }

    private func canonicalJSONCount(_ object: [String: JSONValue]) -> Int {
        CanonicalJSON.bytes(.object(object)).count
    }
}

import Foundation

/// Wraps ``SecretData`` as a standalone JSON object (its fields only).
struct SecretDataBox: Codable {
    static let typeKey = CodingUserInfoKey(rawValue: "smdrill.secretType")!
    var data: SecretData?

    init(data: SecretData) { self.data = data }

    init(from decoder: any Decoder) throws {
        guard let type = decoder.userInfo[Self.typeKey] as? SecretType else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "secret type not given"))
        }
        data = try SecretData.decode(type: type, from: decoder.container(keyedBy: DynamicKey.self))
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        try data?.encode(into: &container)
    }
}
