import Foundation
import Testing

@testable import SecretsManager

struct JSONReaderTests {
    @Test("what CanonicalJSON writes reads back the same")
    func roundTrip() throws {
        let values: [JSONValue] = [
            .null, .bool(true), .bool(false), .number(0), .number(-42), .number(3.25), .number(1e-7),
            .string(""), .string("plain"), .string("quote \" backslash \\ newline \n tab \t bell \u{7} nul \u{0}"),
            .string("é ü 漢字 \u{1F4A5}"),
            .array([]), .array([.number(1), .string("two"), .array([.null])]),
            .object([:]), .object(["b": .number(2), "a": .object(["nested": .array([.bool(true)])])]),
        ]
        for value in values {
            #expect(try JSONReader.parse(CanonicalJSON.bytes(value)) == value, "\(value)")
        }
    }

    @Test("the data written straight is byte for byte what its JSON object gives")
    func directDataJSON() {
        let awkward = "quote \" backslash \\ newline \n nul \u{0} é 漢字 \u{1F4A5}"
        let samples: [SecretData] = [
            .arbitrary(payload: SecretPayload("")), .arbitrary(payload: SecretPayload(awkward)),
            .usernamePassword(username: "", password: SecretPayload("")),
            .usernamePassword(username: awkward, password: SecretPayload(awkward)),
        ]
        for data in samples {
            #expect(data.canonicalJSON() == CanonicalJSON.bytes(.object(data.jsonObject)), "\(data.secretType)")
        }
    }

    @Test("strings are escaped exactly: quotes, backslashes, control characters; the rest is copied")
    func escapes() {
        let cases: [(String, String)] = [
            ("", #""""#),
            ("plain é 漢字", #""plain é 漢字""#),
            ("a\"b\\c\nd\re\tf\u{1}g\u{1F}", #""a\"b\\c\nd\re\tf\u0001g\u001f""#),
            ("\"", #""\"""#),
            ("\n\n", #""\n\n""#),
        ]
        for (value, expected) in cases {
            #expect(String(decoding: CanonicalJSON.bytes(.string(value)), as: UTF8.self) == expected, "\(value)")
        }
    }

    @Test("it reads JSON it did not write: spaces, escapes, surrogate pairs")
    func foreign() throws {
        let text = #" { "k" : [ 1 , 2.5e2 , "\u00e9\ud83d\udca5\/" ] , "t":true } "#
        #expect(
            try JSONReader.parse(Array(text.utf8))
                == .object(["k": .array([.number(1), .number(250), .string("é\u{1F4A5}/")]), "t": .bool(true)]))
    }

    @Test("bad JSON is refused with the offset", arguments: [
        "", "{", "[1,]", "{\"a\" 1}", "\"unterminated", "tru", "1 2", "{\"a\":1,}", "\"\\x\"", "\"a\u{1}b\"", "-", "1e999",
        String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
    ])
    func refused(text: String) {
        #expect(throws: JSONReader.SyntaxError.self) { try JSONReader.parse(Array(text.utf8)) }
    }

    @Test("a missing separator names what was expected, and where", arguments: [
        ("[1 2]", 3, "expected ',' or ']'"), (#"{"a":1 "b":2}"#, 7, "expected ',' or '}'"),
    ])
    func separators(text: String, offset: Int, reason: String) {
        #expect(throws: JSONReader.SyntaxError(offset: offset, reason: reason)) { try JSONReader.parse(Array(text.utf8)) }
    }

    @Test("every secret type's data survives canonicalJSON and fromCanonicalJSON")
    func secretData() throws {
        let samples: [(SecretType, SecretData)] = [
            (.arbitrary, .arbitrary(payload: SecretPayload("p\u{0}\"x"))),
            (.usernamePassword, .usernamePassword(username: "u", password: SecretPayload("pw"))),
            (.kv, .kv(data: SecretObject(["a": .object(["b": .array([.number(1)])])]))),
            (.iamCredentials, .iamCredentials(apiKey: SecretPayload("key"), apiKeyID: "ApiKey-1")),
            (.importedCert, .importedCert(certificate: SecretPayload("c"), intermediate: nil, privateKey: SecretPayload("k"))),
            (.publicCert, .publicCert(certificate: SecretPayload("c"), intermediate: SecretPayload("i"), privateKey: SecretPayload("k"))),
            (.privateCert, .privateCert(certificate: SecretPayload("c"), privateKey: SecretPayload("k"), issuingCA: nil, caChain: [SecretPayload("ca")])),
            (.serviceCredentials, .serviceCredentials(credentials: SecretObject(["apikey": "x"]))),
            (.customCredentials, .customCredentials(credentialsContent: SecretObject(["token": "t"]))),
        ]
        #expect(Set(samples.map(\.0)) == Set(SecretType.allCases))
        for (type, data) in samples {
            #expect(try SecretData.fromCanonicalJSON(data.canonicalJSON(), type: type) == data, "\(type)")
        }
        #expect(throws: (any Error).self) { try SecretData.fromCanonicalJSON(Array("{}".utf8), type: .arbitrary) }
        #expect(throws: (any Error).self) { try SecretData.fromCanonicalJSON(Array("{\"payload\":1}".utf8), type: .arbitrary) }
    }
}
