import Foundation
import SecretsManager

extension ServiceInstance {
    /// Creates a secret and its first version. Every type starts `active`: the fake issues certificates at
    /// once, where the real service keeps a public certificate in pre-activation until its order completes.
    public func createSecret(_ prototype: SecretPrototype, by principal: Principal) throws(SecretsManagerError) -> Secret {
        try perform(.createSecret, by: principal, target: nil) { () throws(SecretsManagerError) in
            let groupID = prototype.secretGroupID ?? SecretGroup.defaultID
            try authorize(principal, .createSecret, groupID: groupID)
            guard groups[groupID] != nil else {
                throw .badRequest(field: "secret_group_id", "secret group \(groupID) does not exist")
            }
            try ServiceLimits.name(prototype.name)
            try ServiceLimits.description(prototype.description)
            try ServiceLimits.labels(prototype.labels)
            try ServiceLimits.customMetadata(prototype.customMetadata, field: "custom_metadata")
            try ServiceLimits.customMetadata(prototype.versionCustomMetadata, field: "version_custom_metadata")
            try ServiceLimits.rotation(prototype.rotation, type: prototype.secretType)
            let date = now
            if let expiration = prototype.expirationDate, expiration <= date {
                throw .badRequest(field: "expiration_date", "expiration_date must be in the future")
            }
            if let data = prototype.data {
                guard data.secretType == prototype.secretType else {
                    throw .badRequest(
                        field: "secret_type",
                        "the data given is \(data.secretType.rawValue) data, but secret_type is \(prototype.secretType.rawValue)")
                }
            }
            guard namesByType[prototype.secretType]?[prototype.name] == nil else {
                throw .conflict(
                    "a \(prototype.secretType.rawValue) secret named '\(prototype.name)' already exists in this instance")
            }
            let data = try initialData(prototype)
            try ServiceLimits.data(data)

            let secretID = random.uuid()
            let versionID = random.uuid()
            let (sealed, opened) = try sealVersion(data.canonicalJSON(), secretID: secretID, versionID: versionID)
            var version = VersionRecord(
                id: versionID, sequence: 1, createdBy: principal.id, createdAt: date, autoRotated: false,
                customMetadata: prototype.versionCustomMetadata ?? [:], attributes: [:],
                expirationDate: prototype.expirationDate, downloaded: false, sealed: sealed)
            version.opened = opened
            let record = SecretRecord(
                id: secretID, secretType: prototype.secretType, name: prototype.name, groupID: groupID,
                description: prototype.description, labels: prototype.labels ?? [],
                customMetadata: prototype.customMetadata ?? [:], attributes: prototype.attributes,
                rotation: prototype.rotation, expirationDate: prototype.expirationDate, createdBy: principal.id,
                createdAt: date, updatedAt: date, retrievedAt: nil, downloaded: false,
                state: .active, nextSequence: 2, versions: [version])
            try persist { db in
                db.insertSecret(record)
                db.insertVersion(&version, of: record)
            }
            record.versions[0].storageKey = version.storageKey
            if case .usernamePassword(let username, _) = data { record.username = username }
            insertSecret(record)
            publish(.secretCreated, record, versionID: versionID)
            return Secret(metadata: metadata(record), data: data)
        }
    }

    public func listSecrets(_ options: ListSecretsOptions, by principal: Principal) throws(SecretsManagerError)
        -> SecretMetadataPage
    {
        try perform(.listSecrets, by: principal, target: nil) { () throws(SecretsManagerError) in
            try checkPaging(offset: options.offset, limit: options.limit)
            let allowed = accessControl.groups(for: principal, .listSecrets)
            if let allowed, allowed.isEmpty { try authorize(principal, .listSecrets, groupID: nil) }
            let groupFilter = options.groups.map(Set.init)
            let typeFilter = options.secretTypes.map(Set.init)
            let search = options.search?.lowercased()
            let labels = options.matchAllLabels ?? []
            let unfiltered = allowed == nil && groupFilter == nil && typeFilter == nil && (search?.isEmpty ?? true) && labels.isEmpty
            // Nothing to filter: every secret in creation order, without a pass over them.
            var matching = unfiltered ? secrets.all : []
            for secret in unfiltered ? [] : secrets.all {
                if let allowed, !allowed.contains(secret.groupID) { continue }
                if let groupFilter, !groupFilter.contains(secret.groupID) { continue }
                if let typeFilter, !typeFilter.contains(secret.secretType) { continue }
                if let search, !search.isEmpty,
                    !secret.name.lowercased().contains(search),
                    !secret.labels.contains(where: { $0.lowercased().contains(search) })
                {
                    continue
                }
                if !labels.isEmpty, !labels.allSatisfy(secret.labels.contains) { continue }
                matching.append(secret)
            }
            if let sort = options.sort { try sortSecrets(&matching, by: sort) }
            let page = matching.dropFirst(options.offset).prefix(options.limit)
            for secret in page { try checkIntegrity(secret) }
            let links = pageLinks(
                path: "/secrets", query: options.queryItems, offset: options.offset, limit: options.limit,
                total: matching.count)
            return SecretMetadataPage(
                totalCount: matching.count, limit: options.limit, offset: options.offset, first: links.first,
                next: links.next, previous: links.previous, last: links.last, secrets: page.map(metadata))
        }
    }

    private func sortSecrets(_ secrets: inout [SecretRecord], by sort: String) throws(SecretsManagerError) {
        let descending = sort.hasPrefix("-")
        let field = descending ? String(sort.dropFirst()) : sort
        let before: (SecretRecord, SecretRecord) -> Bool
        switch field {
        case "id": before = { $0.id < $1.id }
        case "created_at": before = { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        case "updated_at": before = { ($0.updatedAt, $0.id) < ($1.updatedAt, $1.id) }
        case "expiration_date":
            before = {
                ($0.expirationDate ?? .distantFuture, $0.id) < ($1.expirationDate ?? .distantFuture, $1.id)
            }
        case "secret_type": before = { ($0.secretType.rawValue, $0.id) < ($1.secretType.rawValue, $1.id) }
        case "name": before = { ($0.name, $0.id) < ($1.name, $1.id) }
        default:
            throw .badParameter(
                "sort", "sort must be one of id, created_at, updated_at, expiration_date, secret_type, name (with '-' for descending), got '\(sort)'")
        }
        secrets.sort(by: descending ? { before($1, $0) } : before)
    }

    public func getSecret(id: String, by principal: Principal) throws(SecretsManagerError) -> Secret {
        try perform(.getSecret, by: principal, target: id) { () throws(SecretsManagerError) in
            let secret = try secret(id)
            try authorize(principal, .getSecret, groupID: secret.groupID)
            return try secretWithData(secret)
        }
    }

    public func getSecretByNameAndType(
        groupName: String, secretType: SecretType, name: String, by principal: Principal
    ) throws(SecretsManagerError) -> Secret {
        try perform(.getSecret, by: principal, target: name) { () throws(SecretsManagerError) in
            guard let group = groups.values.first(where: { $0.name == groupName }) else {
                throw .notFound("secret group '\(groupName)' does not exist")
            }
            try authorize(principal, .getSecret, groupID: group.id)
            guard let id = namesByType[secretType]?[name], let secret = record(id: id), secret.groupID == group.id else {
                throw .notFound("no \(secretType.rawValue) secret named '\(name)' in secret group '\(groupName)'")
            }
            return try secretWithData(secret)
        }
    }

    private func secretWithData(_ secret: SecretRecord) throws(SecretsManagerError) -> Secret {
        try checkIntegrity(secret)
        guard effectiveState(secret) != .destroyed, !secret.versions.isEmpty else {
            return Secret(metadata: metadata(secret), data: nil)
        }
        let bytes = try openData(secret, at: secret.versions.count - 1)
        markRetrieved(secret, versionIndex: secret.versions.count - 1)
        return Secret(metadata: metadata(secret), data: try decodeData(bytes, secret))
    }

    /// The current data of a secret as the canonical JSON bytes of its fields: what a client gets on the wire,
    /// without building model values. The drill's clients read through this.
    public func readCurrentData(secretID: String, by principal: Principal) throws(SecretsManagerError) -> [UInt8] {
        try perform(.getSecret, by: principal, target: secretID) { () throws(SecretsManagerError) in
            try currentData(of: secret(secretID), by: principal)
        }
    }

    /// ``readCurrentData(secretID:by:)`` for a caller that reads the same secrets many times: the handle
    /// remembers what its id resolved to, and is resolved again whenever the instance's set of secrets has
    /// changed since. Same answers, same activity, without the lookup by id.
    public func readCurrentData(_ handle: inout SecretHandle, by principal: Principal) throws(SecretsManagerError)
        -> [UInt8]
    {
        let secret = resolve(&handle)
        return try perform(.getSecret, by: principal, target: handle.packedID, text: handle.id) { () throws(SecretsManagerError) in
            guard let secret else { throw Self.missingSecret(handle.id) }
            return try currentData(of: secret, by: principal)
        }
    }

    private func currentData(of secret: SecretRecord, by principal: Principal) throws(SecretsManagerError) -> [UInt8] {
        try authorize(principal, .getSecret, groupID: secret.groupID)
        // What was servable is still: neither the versions nor the secret's integrity changed since (so the
        // secret is intact, and has a current version, intact and downloaded); the state and the root key are
        // checked as on the full path.
        if let servable = secret.servable, effectiveState(secret) != .destroyed, isStillValid(servable) {
            markRetrieved(secret, versionIndex: nil)
            return servable.plaintext
        }
        try checkIntegrity(secret)
        guard effectiveState(secret) != .destroyed, !secret.versions.isEmpty else {
            throw .notFound("secret \(secret.id) is destroyed and has no data")
        }
        let current = secret.versions.count - 1
        let bytes = try openData(secret, at: current)
        markRetrieved(secret, versionIndex: current)
        secret.servable = secret.versions[current].opened
        return bytes
    }

    /// The plaintext of a version: from memory when it was opened before and nothing has made it suspect
    /// since, otherwise unwrapped, decrypted and authenticated (then kept in memory).
    func openData(_ secret: SecretRecord, at index: Int) throws(SecretsManagerError) -> [UInt8] {
        if let failure = secret.versions[index].integrityFailure {
            throw .serviceUnavailable(
                code: "storage_corruption_detected",
                "version \(secret.versions[index].id) of secret \(secret.id) cannot be served: \(failure)")
        }
        // Opened data exists only while the sealed data does (dropping it drops the opened copy).
        if let opened = secret.versions[index].opened, isStillValid(opened) { return opened.plaintext }
        guard let sealed = secret.versions[index].sealed else {
            throw .notFound("version \(secret.versions[index].id) of secret \(secret.id) no longer has data")
        }
        let key = try dataKey(sealed)
        let plaintext = try open(
            sealed, context: context(secretID: secret.id, versionID: secret.versions[index].id), dataKey: key.key,
            secretID: secret.id)
        secret.versions[index].opened = OpenedPayload(plaintext: plaintext, generation: key.generation)
        return plaintext
    }

    func decodeData(_ bytes: [UInt8], _ secret: SecretRecord) throws(SecretsManagerError) -> SecretData {
        do {
            return try SecretData.fromCanonicalJSON(bytes, type: secret.secretType)
        } catch {
            throw .serviceUnavailable(code: "storage_corruption_detected", "the data of secret \(secret.id) is unreadable")
        }
    }

    /// Stamps a read of the secret's version at `versionIndex`; nil for a version known to be downloaded.
    private func markRetrieved(_ secret: SecretRecord, versionIndex: Int?) {
        secret.retrievedAt = now
        secret.downloaded = true
        // Most reads are of a version already downloaded: leave the versions array untouched then.
        if let versionIndex, !secret.versions[versionIndex].downloaded { secret.versions[versionIndex].downloaded = true }
        noteRetrieval(secret)
    }

    public func getSecretMetadata(id: String, by principal: Principal) throws(SecretsManagerError) -> SecretMetadata {
        try perform(.getSecretMetadata, by: principal, target: id) { () throws(SecretsManagerError) in
            let secret = try secret(id)
            try authorize(principal, .getSecretMetadata, groupID: secret.groupID)
            try checkIntegrity(secret)
            return metadata(secret)
        }
    }

    public func updateSecretMetadata(id: String, _ patch: SecretMetadataPatch, by principal: Principal)
        throws(SecretsManagerError) -> SecretMetadata
    {
        try perform(.updateSecretMetadata, by: principal, target: id) { () throws(SecretsManagerError) in
            let secret = try secret(id)
            try authorize(principal, .updateSecretMetadata, groupID: secret.groupID)
            try checkIntegrity(secret)
            if let name = patch.name {
                try ServiceLimits.name(name)
                if let holder = namesByType[secret.secretType]?[name], holder != id {
                    throw .conflict("a \(secret.secretType.rawValue) secret named '\(name)' already exists in this instance")
                }
            }
            try ServiceLimits.description(patch.description)
            try ServiceLimits.labels(patch.labels)
            try ServiceLimits.customMetadata(patch.customMetadata, field: "custom_metadata")
            try ServiceLimits.rotation(patch.rotation, type: secret.secretType)
            if let expiration = patch.expirationDate, expiration <= now {
                throw .badRequest(field: "expiration_date", "expiration_date must be in the future")
            }
            let oldName = secret.name
            let before = (
                secret.name, secret.description, secret.labels, secret.customMetadata, secret.expirationDate,
                secret.rotation, secret.updatedAt
            )
            if let name = patch.name { secret.name = name }
            if let description = patch.description { secret.description = description }
            if let labels = patch.labels { secret.labels = labels }
            if let customMetadata = patch.customMetadata { secret.customMetadata = customMetadata }
            if let expiration = patch.expirationDate { secret.expirationDate = expiration }
            if let rotation = patch.rotation { secret.rotation = rotation }
            secret.updatedAt = now
            do throws(SecretsManagerError) {
                try persist { db in db.saveSecret(secret) }
            } catch {
                (
                    secret.name, secret.description, secret.labels, secret.customMetadata, secret.expirationDate,
                    secret.rotation, secret.updatedAt
                ) = before
                throw error
            }
            // The row written carries the secret's own stamps; it stays pending for its versions' `downloaded`.
            if oldName != secret.name {
                namesByType[secret.secretType]?[oldName] = nil
                namesByType[secret.secretType, default: [:]][secret.name] = id
            }
            return metadata(secret)
        }
    }

    /// Deletes a secret. A secret with any lock answers 412.
    public func deleteSecret(id: String, by principal: Principal) throws(SecretsManagerError) {
        try perform(.deleteSecret, by: principal, target: id) { () throws(SecretsManagerError) in
            let secret = try secret(id)
            try authorize(principal, .deleteSecret, groupID: secret.groupID)
            guard secret.locks.isEmpty else {
                throw .preconditionFailed(
                    "secret \(id) has \(secret.locks.count) lock(s) (\(secret.locks.map(\.name).joined(separator: ", "))); remove them before deleting it")
            }
            try persist { db in db.deleteSecret(secret) }
            removeSecret(secret)
            secret.retrievalUnsaved = false
            publish(.secretDeleted, secret, versionID: nil)
        }
    }

    // MARK: Data the service makes

    /// The data of a new secret: the caller's, or generated for the types whose data the service makes.
    private func initialData(_ prototype: SecretPrototype) throws(SecretsManagerError) -> SecretData {
        let attributes = prototype.attributes
        switch prototype.secretType {
        case .arbitrary, .kv, .importedCert:
            guard let data = prototype.data else {
                let field = SecretData.fieldNames(of: prototype.secretType).sorted().first ?? "payload"
                throw .badRequest(field: field, "\(prototype.secretType.rawValue) secrets need their data ('\(field)')")
            }
            return data
        case .usernamePassword:
            if let data = prototype.data { return data }
            guard let username = attributes["username"]?.stringValue else {
                throw .badRequest(field: "username", "username_password secrets need a username")
            }
            return .usernamePassword(username: username, password: generatedPassword())
        case .iamCredentials:
            try rejectData(prototype.data, type: .iamCredentials)
            _ = try ServiceLimits.ttl(attributes["ttl"])
            guard attributes["service_id"] != nil || attributes["access_groups"] != nil else {
                throw .badRequest(field: "access_groups", "iam_credentials secrets need access_groups or service_id")
            }
            guard configurations.values.contains(where: { $0.configType == .iamCredentials }) else {
                throw .badRequest(
                    "iam_credentials secrets need an iam_credentials_configuration; create the configuration first")
            }
            return generatedData(.iamCredentials)
        case .publicCert:
            try rejectData(prototype.data, type: .publicCert)
            try requireAttribute("common_name", attributes)
            try requireConfiguration(attributes, field: "ca", kinds: [.publicCertCALetsEncrypt])
            try requireConfiguration(
                attributes, field: "dns", kinds: [.publicCertDNSCloudInternetServices, .publicCertDNSClassicInfrastructure])
            return generatedData(.publicCert)
        case .privateCert:
            try rejectData(prototype.data, type: .privateCert)
            try requireAttribute("common_name", attributes)
            try requireConfiguration(attributes, field: "certificate_template", kinds: [.privateCertTemplate])
            return generatedData(.privateCert)
        case .serviceCredentials:
            try rejectData(prototype.data, type: .serviceCredentials)
            guard attributes["source_service"]?.objectValue != nil else {
                throw .badRequest(field: "source_service", "service_credentials secrets need a source_service object")
            }
            if attributes["ttl"] != nil { _ = try ServiceLimits.ttl(attributes["ttl"]) }
            return generatedData(.serviceCredentials)
        case .customCredentials:
            try rejectData(prototype.data, type: .customCredentials)
            try requireAttribute("configuration", attributes)
            return generatedData(.customCredentials)
        }
    }

    private func rejectData(_ data: SecretData?, type: SecretType) throws(SecretsManagerError) {
        guard data == nil else {
            let field = SecretData.fieldNames(of: type).sorted().first ?? "payload"
            throw .badRequest(field: field, "\(type.rawValue) data is generated by the service and cannot be given")
        }
    }

    private func requireAttribute(_ name: String, _ attributes: [String: JSONValue]) throws(SecretsManagerError) {
        guard let value = attributes[name]?.stringValue, !value.isEmpty else {
            throw .badRequest(field: name, "\(name) is required")
        }
    }

    private func requireConfiguration(
        _ attributes: [String: JSONValue], field: String, kinds: Set<ConfigurationType>
    ) throws(SecretsManagerError) {
        guard let name = attributes[field]?.stringValue else {
            throw .badRequest(field: field, "\(field) must name a configuration")
        }
        guard let configuration = configurations[name], kinds.contains(configuration.configType) else {
            throw .badRequest(
                field: field,
                "configuration '\(name)' does not exist or is not a \(kinds.map(\.rawValue).sorted().joined(separator: " or "))")
        }
    }

    static let passwordAlphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!@#$%^&*-_=+")
    static let keyAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

    func generatedPassword() -> SecretPayload {
        SecretPayload(random.string(count: 32, alphabet: Self.passwordAlphabet))
    }

    /// New data for a type whose data the service makes: keys and certificates from the seeded generator.
    func generatedData(_ type: SecretType) -> SecretData {
        func pem(_ label: String) -> SecretPayload {
            let body = Data(random.bytes(48)).base64EncodedString()
            return SecretPayload("-----BEGIN \(label)-----\n\(body)\n-----END \(label)-----")
        }
        func key() -> String { random.string(count: 44, alphabet: Self.keyAlphabet) }
        switch type {
        case .iamCredentials:
            return .iamCredentials(apiKey: SecretPayload(key()), apiKeyID: "ApiKey-" + random.uuid())
        case .publicCert:
            return .publicCert(
                certificate: pem("CERTIFICATE"), intermediate: pem("CERTIFICATE"), privateKey: pem("PRIVATE KEY"))
        case .privateCert:
            return .privateCert(
                certificate: pem("CERTIFICATE"), privateKey: pem("PRIVATE KEY"), issuingCA: pem("CERTIFICATE"),
                caChain: [pem("CERTIFICATE")])
        case .serviceCredentials:
            return .serviceCredentials(
                credentials: SecretObject(["apikey": .string(key()), "resource_key_guid": .string(random.uuid())]))
        case .customCredentials:
            return .customCredentials(credentialsContent: SecretObject(["token": .string(key())]))
        case .usernamePassword:
            return .usernamePassword(username: "user", password: generatedPassword())
        case .arbitrary:
            return .arbitrary(payload: SecretPayload(key()))
        case .kv:
            return .kv(data: SecretObject(["value": .string(key())]))
        case .importedCert:
            return .importedCert(certificate: pem("CERTIFICATE"), intermediate: nil, privateKey: pem("PRIVATE KEY"))
        }
    }
}
