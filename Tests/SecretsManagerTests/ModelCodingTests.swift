import Foundation
import Testing

@testable import SecretsManager

struct ModelCodingTests {
    let encoder = SecretsManagerJSON.makeEncoder()
    let decoder = SecretsManagerJSON.makeDecoder()
    let date = Date(timeIntervalSince1970: 1_649_805_650.5)

    func json(_ value: some Encodable) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: encoder.encode(value)) as! [String: Any]
    }

    @Test("a secret flattens its data beside its metadata, with the v2 names")
    func secretShape() throws {
        let secret = Secret(
            metadata: SecretMetadata(
                id: "id-1", crn: "crn:v1:bluemix:public:secrets-manager:us-south:a/acc:inst:secret:id-1", name: "db",
                secretType: .usernamePassword, labels: ["prod"], createdBy: "IBMid-1", createdAt: date, updatedAt: date,
                versionsTotal: 2, attributes: ["password_generation_policy": ["length": 32]]),
            data: .usernamePassword(username: "app", password: "s3cret-pass"))
        let object = try json(secret)
        #expect(object["secret_type"] as? String == "username_password")
        #expect(object["secret_group_id"] as? String == "default")
        #expect(object["versions_total"] as? Int == 2)
        #expect(object["state"] as? Int == 1)
        #expect(object["state_description"] as? String == "active")
        #expect(object["created_at"] as? String == "2022-04-12T23:20:50.500Z")
        #expect(object["username"] as? String == "app")
        #expect(object["password"] as? String == "s3cret-pass")
        #expect((object["password_generation_policy"] as? [String: Any])?["length"] as? Int == 32)
        let decoded = try decoder.decode(Secret.self, from: encoder.encode(secret))
        #expect(decoded == secret)
    }

    @Test("every type's data round-trips through JSON", arguments: SecretType.allCases)
    func everyType(type: SecretType) throws {
        let data: SecretData =
            switch type {
            case .arbitrary: .arbitrary(payload: "p")
            case .usernamePassword: .usernamePassword(username: "u", password: "password")
            case .kv: .kv(data: SecretObject(["a": 1, "b": ["c": true]]))
            case .iamCredentials: .iamCredentials(apiKey: "key", apiKeyID: "ApiKey-1")
            case .importedCert: .importedCert(certificate: "c", intermediate: "i", privateKey: "k")
            case .publicCert: .publicCert(certificate: "c", intermediate: nil, privateKey: "k")
            case .privateCert: .privateCert(certificate: "c", privateKey: "k", issuingCA: "ca", caChain: ["ca"])
            case .serviceCredentials: .serviceCredentials(credentials: SecretObject(["apikey": "x"]))
            case .customCredentials: .customCredentials(credentialsContent: SecretObject(["token": "t"]))
            }
        #expect(data.secretType == type)
        let bytes = data.canonicalJSON()
        #expect(try SecretData.fromCanonicalJSON(bytes, type: type) == data)
        let version = SecretVersion(
            metadata: SecretVersionMetadata(
                id: "v1", secretID: "s1", secretName: "n", secretType: type, secretGroupID: "default", createdBy: "me",
                createdAt: date, payloadAvailable: true, alias: .current),
            data: data)
        #expect(try decoder.decode(SecretVersion.self, from: encoder.encode(version)) == version)
        let keys = Set(try json(version).keys)
        #expect(keys.isSuperset(of: SecretData.fieldNames(of: type).subtracting(["intermediate"])))
    }

    @Test("payloads never show in descriptions")
    func redaction() {
        let data = SecretData.usernamePassword(username: "u", password: "hunter22")
        #expect(!"\(data)".contains("hunter22"))
        #expect(!String(reflecting: data).contains("hunter22"))
        #expect(!"\(SecretObject(["k": "hunter22"]))".contains("hunter22"))
        #expect("\(SecretPayload("hunter22"))" == "<redacted>")
    }

    @Test("a prototype carries type-specific fields and its data")
    func prototype() throws {
        let prototype = SecretPrototype(
            name: "iam", secretType: .iamCredentials, data: nil, secretGroupID: "g",
            attributes: ["ttl": "1d", "reuse_api_key": true])
        let object = try json(prototype)
        #expect(object["ttl"] as? String == "1d")
        #expect(object["reuse_api_key"] as? Bool == true)
        #expect(try decoder.decode(SecretPrototype.self, from: encoder.encode(prototype)) == prototype)
        let username = try decoder.decode(
            SecretPrototype.self, from: Data(#"{"name":"u","secret_type":"username_password","username":"app"}"#.utf8))
        #expect(username.data == nil)
        #expect(username.attributes["username"] == "app")
        let rotation = try decoder.expectingSecretType(.arbitrary)
            .decode(SecretVersionPrototype.self, from: Data(#"{"payload":"new"}"#.utf8))
        #expect(rotation.data == .arbitrary(payload: "new"))
    }

    @Test("pages, locks, configurations and errors use the v2 names")
    func otherShapes() throws {
        let links = PageLinks(
            base: "https://i.us-south.secrets-manager.appdomain.cloud/api/v2/secrets",
            query: [URLQueryItem(name: "limit", value: "10"), URLQueryItem(name: "offset", value: "0")], offset: 0,
            limit: 10, total: 25)
        #expect(links.next?.offset == 10)
        #expect(links.last?.offset == 20)
        #expect(links.previous == nil)
        let page = SecretMetadataPage(
            totalCount: 25, limit: 10, offset: 0, first: links.first, next: links.next, previous: nil, last: links.last,
            secrets: [])
        #expect(Set(try json(page).keys) == ["total_count", "limit", "offset", "first", "next", "last", "secrets"])
        let lock = SecretLocks(
            secretID: "s", secretGroupID: "default", secretType: .arbitrary,
            versions: [.init(versionID: "v", versionAlias: .current, locks: ["l"], payloadAvailable: true)])
        let lockObject = try json(lock)
        #expect(lockObject["secret_id"] as? String == "s")
        #expect(((lockObject["versions"] as? [[String: Any]])?.first?["version_alias"]) as? String == "current")
        let configuration = Configuration(
            name: "iam", configType: .iamCredentials, createdBy: "me", createdAt: date, updatedAt: date,
            properties: ["disabled": false], sensitive: SecretObject(["api_key": "key"]))
        let configurationObject = try json(configuration)
        #expect(configurationObject["config_type"] as? String == "iam_credentials_configuration")
        #expect(configurationObject["secret_type"] as? String == "iam_credentials")
        #expect(configurationObject["api_key"] as? String == "key")
        #expect(try decoder.decode(Configuration.self, from: encoder.encode(configuration)) == configuration)
        let error = SecretsManagerError.preconditionFailed("locked")
        let body = try json(error.body(trace: "t"))
        #expect(body["status_code"] as? Int == 412)
        #expect(((body["errors"] as? [[String: Any]])?.first?["code"]) as? String == "precondition_failed")
        let notification = SecretsManagerNotification(
            event: .secretRotated, secretType: .arbitrary,
            secrets: [.init(id: "s", name: "n", crn: "c", secretGroupID: "default", versionID: "v")], source: "src",
            time: date)
        #expect(try json(notification)["event_type"] as? String == "com.ibm.cloud.secrets-manager.secret_rotated")
        #expect(notification.event == .secretRotated)
    }

    @Test("CRNs parse, print and refuse what is not one")
    func crns() throws {
        let text = "crn:v1:bluemix:public:secrets-manager:us-south:a/acc-1:inst-1::"
        let crn = try CRN(parsing: text)
        #expect(crn.serviceName == "secrets-manager")
        #expect(crn.location == "us-south")
        #expect(crn.account == "acc-1")
        #expect(crn.serviceInstance == "inst-1")
        #expect(crn.description == text)
        #expect(crn.child(resourceType: "secret", resource: "s").description.hasSuffix(":inst-1:secret:s"))
        #expect(throws: CRN.ParseError.self) { try CRN(parsing: "crn:v1:bluemix:public") }
        #expect(throws: CRN.ParseError.self) { try CRN(parsing: "urn:v1:bluemix:public:sm:us-south:a/x:i::") }
        #expect(throws: CRN.ParseError.self) { try CRN(parsing: "crn:v1:bluemix:public:sm:us-south:b/x:i::") }
    }

    @Test("dates are RFC 3339 with milliseconds")
    func timestamps() {
        #expect(Timestamp.format(date) == "2022-04-12T23:20:50.500Z")
        // Rounded to the nearest millisecond, not cut.
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_649_805_650.52)) == "2022-04-12T23:20:50.520Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_649_805_650.9996)) == "2022-04-12T23:20:51.000Z")
        #expect(Timestamp.parse("2022-04-12T23:20:50.500Z") == date)
        #expect(Timestamp.parse("2022-04-12T23:20:50Z") != nil)
        #expect(Timestamp.parse("yesterday") == nil)
    }
}
