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
            // Sorted as pairs, so no value is looked up again by its key.
            for (index, field) in fields.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { output.append(0x2C) }
                write(string: field.key, into: &output)
                output.append(0x3A)
                write(field.value, into: &output)
            }
            output.append(0x7D)
        }
    }

    static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Writes `string` quoted and escaped; runs of bytes that need no escape are copied at once.
    public static func write(string: String, into output: inout [UInt8]) {
        output.append(0x22)
        var string = string
        string.withUTF8 { bytes in
            var plain = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plain..<index]))
                plain = index + 1
                output.append(0x5C)
                switch byte {
                case 0x22, 0x5C: output.append(byte)
                case 0x0A: output.append(0x6E)
                case 0x0D: output.append(0x72)
                case 0x09: output.append(0x74)
                default: output.append(contentsOf: [0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plain...]))
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

/// A JSON reader for the small values the fake and the backups read back (payloads, labels, metadata), written
/// by hand because `JSONDecoder` (a decoder per value, the Codable machinery) cost more than the operation
/// that needed it. It reads any JSON text (RFC 8259), not only canonical output.
public enum JSONReader {
    public struct SyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
        public var offset: Int
        public var reason: String
        public var description: String { "JSON syntax error at byte \(offset): \(reason)" }

        public init(offset: Int, reason: String) {
            self.offset = offset
            self.reason = reason
        }
    }

    public static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer throws(SyntaxError) in
            var parser = Parser(bytes: buffer)
            parser.skipSpace()
            let value = try parser.value(depth: 0)
            parser.skipSpace()
            guard parser.index == buffer.count else { throw parser.error("unexpected text after the value") }
            return value
        }
    }

    struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        static let maximumDepth = 512

        func error(_ reason: String) -> SyntaxError { SyntaxError(offset: index, reason: reason) }

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func expect(_ literal: StaticString, _ value: JSONValue) throws(SyntaxError) -> JSONValue {
            let count = literal.utf8CodeUnitCount
            guard index + count <= bytes.count else { throw error("unexpected end") }
            for offset in 0..<count where bytes[index + offset] != literal.utf8Start[offset] {
                throw error("expected \(literal)")
            }
            index += count
            return value
        }

        mutating func value(depth: Int) throws(SyntaxError) -> JSONValue {
            guard depth < Self.maximumDepth else { throw error("nested too deeply") }
            guard index < bytes.count else { throw error("unexpected end") }
            switch bytes[index] {
            case 0x7B: return try object(depth: depth)
            case 0x5B: return try array(depth: depth)
            case 0x22: return .string(try string())
            case 0x74: return try expect("true", .bool(true))
            case 0x66: return try expect("false", .bool(false))
            case 0x6E: return try expect("null", .null)
            case 0x2D, 0x30...0x39: return .number(try number())
            default: throw error("unexpected character")
            }
        }

        mutating func object(depth: Int) throws(SyntaxError) -> JSONValue {
            index += 1
            var fields: [String: JSONValue] = [:]
            skipSpace()
            if index < bytes.count, bytes[index] == 0x7D {
                index += 1
                return .object(fields)
            }
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == 0x22 else { throw error("expected a key") }
                let key = try string()
                skipSpace()
                guard index < bytes.count, bytes[index] == 0x3A else { throw error("expected ':'") }
                index += 1
                skipSpace()
                fields[key] = try value(depth: depth + 1)
                if try closesAfterMember(0x7D) { return .object(fields) }
            }
        }

        /// After an object's or array's member: consumes a comma (answers false) or the closing byte `close`
        /// (answers true).
        mutating func closesAfterMember(_ close: UInt8) throws(SyntaxError) -> Bool {
            skipSpace()
            guard index < bytes.count else { throw error("unexpected end") }
            let byte = bytes[index]
            guard byte == 0x2C || byte == close else {
                throw error("expected ',' or '\(Character(Unicode.Scalar(close)))'")
            }
            index += 1
            return byte == close
        }

        mutating func array(depth: Int) throws(SyntaxError) -> JSONValue {
            index += 1
            var items: [JSONValue] = []
            skipSpace()
            if index < bytes.count, bytes[index] == 0x5D {
                index += 1
                return .array(items)
            }
            while true {
                skipSpace()
                items.append(try value(depth: depth + 1))
                if try closesAfterMember(0x5D) { return .array(items) }
            }
        }

        mutating func string() throws(SyntaxError) -> String {
            index += 1
            let start = index
            // The common case: no escapes, the bytes are the string.
            while index < bytes.count, bytes[index] != 0x22, bytes[index] != 0x5C {
                guard bytes[index] >= 0x20 else { throw error("a control character in a string") }
                index += 1
            }
            guard index < bytes.count else { throw error("unterminated string") }
            if bytes[index] == 0x22 {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            }
            var output = Array(bytes[start..<index])
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case 0x22:
                    index += 1
                    return String(decoding: output, as: UTF8.self)
                case 0x5C:
                    index += 1
                    guard index < bytes.count else { throw error("unterminated escape") }
                    let escaped = bytes[index]
                    index += 1
                    switch escaped {
                    case 0x22, 0x5C, 0x2F: output.append(escaped)
                    case 0x62: output.append(0x08)
                    case 0x66: output.append(0x0C)
                    case 0x6E: output.append(0x0A)
                    case 0x72: output.append(0x0D)
                    case 0x74: output.append(0x09)
                    case 0x75:
                        var scalar = try hex4()
                        if (0xD800...0xDBFF).contains(scalar), index + 1 < bytes.count, bytes[index] == 0x5C,
                            bytes[index + 1] == 0x75
                        {
                            index += 2
                            let low = try hex4()
                            guard (0xDC00...0xDFFF).contains(low) else { throw error("a lone surrogate") }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                        let character = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                        output.append(contentsOf: String(character).utf8)
                    default: throw error("an unknown escape")
                    }
                default:
                    guard byte >= 0x20 else { throw error("a control character in a string") }
                    output.append(byte)
                    index += 1
                }
            }
            throw error("unterminated string")
        }

        mutating func hex4() throws(SyntaxError) -> UInt32 {
            guard index + 4 <= bytes.count else { throw error("a short \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt32
                switch byte {
                case 0x30...0x39: digit = UInt32(byte - 0x30)
                case 0x41...0x46: digit = UInt32(byte - 0x41 + 10)
                case 0x61...0x66: digit = UInt32(byte - 0x61 + 10)
                default: throw error("a bad \\u escape")
                }
                value = value << 4 | digit
                index += 1
            }
            return value
        }

        mutating func number() throws(SyntaxError) -> Double {
            let start = index
            if bytes[index] == 0x2D { index += 1 }
            while index < bytes.count, (0x30...0x39).contains(bytes[index]) || [0x2E, 0x65, 0x45, 0x2B, 0x2D].contains(bytes[index]) {
                index += 1
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            guard let number = Double(text), number.isFinite else { throw error("a bad number '\(text)'") }
            return number
        }
    }
}

extension SecretData {
    /// The data of `type` from its fields by v2 name (the inverse of ``jsonObject``).
    public init(type: SecretType, fields: [String: JSONValue]) throws(JSONReader.SyntaxError) {
        func text(_ name: String) throws(JSONReader.SyntaxError) -> String? {
            switch fields[name] {
            case nil, .null?: return nil
            case .string(let value)?: return value
            default: throw JSONReader.SyntaxError(offset: 0, reason: "\(type.rawValue) field '\(name)' is not a string")
            }
        }
        func required(_ name: String) throws(JSONReader.SyntaxError) -> String {
            guard let value = try text(name) else {
                throw JSONReader.SyntaxError(offset: 0, reason: "\(type.rawValue) data needs '\(name)'")
            }
            return value
        }
        func object(_ name: String) throws(JSONReader.SyntaxError) -> SecretObject {
            switch fields[name] {
            case nil, .null?: return SecretObject([:])
            case .object(let value)?: return SecretObject(value)
            default: throw JSONReader.SyntaxError(offset: 0, reason: "\(type.rawValue) field '\(name)' is not an object")
            }
        }
        func payload(_ name: String) throws(JSONReader.SyntaxError) -> SecretPayload? { try text(name).map { SecretPayload($0) } }
        switch type {
        case .arbitrary: self = .arbitrary(payload: SecretPayload(try required("payload")))
        case .usernamePassword:
            self = .usernamePassword(username: try text("username") ?? "", password: SecretPayload(try required("password")))
        case .kv: self = .kv(data: try object("data"))
        case .iamCredentials: self = .iamCredentials(apiKey: try payload("api_key"), apiKeyID: try text("api_key_id"))
        case .importedCert:
            self = .importedCert(
                certificate: SecretPayload(try required("certificate")), intermediate: try payload("intermediate"),
                privateKey: try payload("private_key"))
        case .publicCert:
            self = .publicCert(
                certificate: SecretPayload(try required("certificate")), intermediate: try payload("intermediate"),
                privateKey: try payload("private_key"))
        case .privateCert:
            var chain: [SecretPayload] = []
            if case .array(let items)? = fields["ca_chain"] {
                for item in items {
                    guard case .string(let value) = item else {
                        throw JSONReader.SyntaxError(offset: 0, reason: "private_cert field 'ca_chain' holds a non-string")
                    }
                    chain.append(SecretPayload(value))
                }
            }
            self = .privateCert(
                certificate: SecretPayload(try required("certificate")), privateKey: try payload("private_key"),
                issuingCA: try payload("issuing_ca"), caChain: chain)
        case .serviceCredentials: self = .serviceCredentials(credentials: try object("credentials"))
        case .customCredentials: self = .customCredentials(credentialsContent: try object("credentials_content"))
        }
    }
}
