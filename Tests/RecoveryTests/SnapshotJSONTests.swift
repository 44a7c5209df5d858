import Foundation
import Recovery
import SecretsManager
import Testing

struct SnapshotJSONTests {
    static let full = SecretSnapshot(
        key: SecretKey(type: .privateCert, name: "api-cert"), groupName: "team-a", description: "the API's certificate",
        labels: ["regional", "tier-1"], customMetadata: ["owner": "payments", "ticket": .number(42)],
        attributes: ["common_name": "api.example.internal"], expirationDate: Date(timeIntervalSince1970: 1_900_000_000.125),
        rotation: RotationPolicy(autoRotate: true, interval: 30, unit: .day), versionsTotal: 7,
        current: .privateCert(
            certificate: SecretPayload("cert \"1\"\n"), privateKey: SecretPayload("key"), issuingCA: nil,
            caChain: [SecretPayload("ca")]),
        previous: .privateCert(certificate: SecretPayload("cert 0"), privateKey: nil, issuingCA: SecretPayload("ca"), caChain: []),
        currentVersionCustomMetadata: ["build": "1.2.3"])

    @Test("the hand-built JSON reads back the same, and matches what the Codable form reads")
    func roundTrip() throws {
        let minimal = SecretSnapshot(key: SecretKey(type: .arbitrary, name: "a"), groupName: "default", current: nil)
        for snapshot in [Self.full, minimal] {
            let bytes = CanonicalJSON.bytes(snapshot.json)
            #expect(try SecretSnapshot(json: JSONReader.parse(bytes)) == snapshot)
            // Archives written by the Codable form read the same way, and the other way round.
            let codable = try SecretsManagerJSON.makeEncoder().encode(snapshot)
            #expect(try SecretSnapshot(json: JSONReader.parse(Array(codable))) == snapshot)
            #expect(try SecretsManagerJSON.makeDecoder().decode(SecretSnapshot.self, from: Data(bytes)) == snapshot)
        }
    }

    @Test("malformed snapshots are refused", arguments: [
        "[]", "{}", "{\"key\":{\"type\":\"nope\",\"name\":\"a\"},\"group_name\":\"g\"}",
        "{\"key\":{\"type\":\"arbitrary\",\"name\":\"a\"},\"group_name\":\"g\",\"current\":{\"payload\":3}}",
        "{\"key\":{\"type\":\"arbitrary\",\"name\":\"a\"},\"group_name\":\"g\",\"expiration_date\":\"soon\"}",
    ])
    func refused(text: String) {
        #expect(throws: JSONReader.SyntaxError.self) { try SecretSnapshot(json: JSONReader.parse(Array(text.utf8))) }
    }
}
