/// Compact JSON text with keys in sorted order, written by hand for speed: the fake writes several small
/// JSON values per operation (labels, metadata, the data it encrypts), and `JSONEncoder` costs more than the
/// rest of the operation. The output is plain JSON that `JSONDecoder` reads back.
public enum CanonicalJSON {
    /// The bytes of `value`.
    public static func bytes(_ value: JSONValue) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(64)
        write(value, into: &output)
        return output
    }

    /// The text of `value`.
    public static func string(_ value: JSONValue) -> String {
        String(decoding: bytes(value), as: UTF8.self)
    }

    static func write(_ value: JSONValue, into output: inout [UInt8]) {
        switch value {
        case .null: output.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case .bool(let flag): output.append(contentsOf: flag ? Array("true".utf8) : Array("false".utf8))
        case .number(let number):
            if number.rounded() == number, abs(number) < 9.0e15 {
                output.append(contentsOf: String(Int64(number)).utf8)
            } else if number.isFinite {
                output.append(contentsOf: "\(number)".utf8)
            } else {
                output.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
            }
        case .string(let text): write(string: text, into: &output)
        case .array(let items):
            output.append(0x5B)
            for (index, item) in items.enumerated() {
                if index > 0 { output.append(0x2C) }
                write(item, into: &output)
            }
            output.append(0x5D)
        case .object(let fields):
            output.append(0x7B)
            for (index, key) in fields.keys.sorted().enumerated() {
                if index > 0 { output.append(0x2C) }
                write(string: key, into: &output)
                output.append(0x3A)
                write(fields[key]!, into: &output)
            }
            output.append(0x7D)
        }
    }

    static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    static func write(string: String, into output: inout [UInt8]) {
        output.append(0x22)
        for byte in string.utf8 {
            switch byte {
            case 0x22: output.append(contentsOf: [0x5C, 0x22])
            case 0x5C: output.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: output.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: output.append(contentsOf: [0x5C, 0x72])
            case 0x09: output.append(contentsOf: [0x5C, 0x74])
            case 0..<0x20:
                output.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: output.append(byte)
            }
        }
        output.append(0x22)
    }
}

extension SecretData {
    /// The data's fields as a JSON object, by their v2 names.
    public var jsonObject: [String: JSONValue] {
        switch self {
        case .arbitrary(let payload): return ["payload": .string(payload.reveal())]
        case .usernamePassword(let username, let password):
            return ["username": .string(username), "password": .string(password.reveal())]
        case .kv(let data): return ["data": .object(data.reveal())]
        case .iamCredentials(let apiKey, let apiKeyID):
            var object: [String: JSONValue] = [:]
            if let apiKey { object["api_key"] = .string(apiKey.reveal()) }
            if let apiKeyID { object["api_key_id"] = .string(apiKeyID) }
            return object
        case .importedCert(let certificate, let intermediate, let privateKey),
            .publicCert(let certificate, let intermediate, let privateKey):
            var object: [String: JSONValue] = ["certificate": .string(certificate.reveal())]
            if let intermediate { object["intermediate"] = .string(intermediate.reveal()) }
            if let privateKey { object["private_key"] = .string(privateKey.reveal()) }
            return object
        case .privateCert(let certificate, let privateKey, let issuingCA, let caChain):
            var object: [String: JSONValue] = [
                "certificate": .string(certificate.reveal()), "ca_chain": .array(caChain.map { .string($0.reveal()) }),
            ]
            if let privateKey { object["private_key"] = .string(privateKey.reveal()) }
            if let issuingCA { object["issuing_ca"] = .string(issuingCA.reveal()) }
            return object
        case .serviceCredentials(let credentials): return ["credentials": .object(credentials.reveal())]
        case .customCredentials(let content): return ["credentials_content": .object(content.reveal())]
        }
    }
}
