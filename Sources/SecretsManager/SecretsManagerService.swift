/// The operations of IBM Cloud Secrets Manager v2 that disaster recovery needs, shaped like the REST API
/// (`/api/v2/...`). Recovery code is written against this protocol only, so the same code runs against the
/// in-process fake in a drill and against a real instance through an HTTP client.
///
/// Every method throws ``SecretsManagerError`` for an HTTP error answer (with the status a real instance
/// sends) and ``TransportError`` when no answer came.
///
/// ```swift
/// func rotate(_ service: some SecretsManagerService, id: String, to value: String) async throws {
///     _ = try await service.createSecretVersion(
///         secretID: id, SecretVersionPrototype(data: .arbitrary(payload: SecretPayload(value))))
/// }
/// ```
public protocol SecretsManagerService: Sendable {
    // MARK: Secret groups

    /// `POST /secret_groups`: 201.
    func createSecretGroup(_ prototype: SecretGroupPrototype) async throws -> SecretGroup
    /// `GET /secret_groups`: every group, not paged.
    func listSecretGroups() async throws -> SecretGroupCollection
    /// `GET /secret_groups/{id}`.
    func getSecretGroup(id: String) async throws -> SecretGroup
    /// `PATCH /secret_groups/{id}`.
    func updateSecretGroup(id: String, _ patch: SecretGroupPatch) async throws -> SecretGroup
    /// `DELETE /secret_groups/{id}`: 204; a group that holds secrets cannot be deleted.
    func deleteSecretGroup(id: String) async throws

    // MARK: Secrets

    /// `POST /secrets`: 201.
    func createSecret(_ prototype: SecretPrototype) async throws -> Secret
    /// `GET /secrets`: one page.
    func listSecrets(_ options: ListSecretsOptions) async throws -> SecretMetadataPage
    /// `GET /secrets/{id}`: the secret with its current data.
    func getSecret(id: String) async throws -> Secret
    /// `GET /secret_groups/{group_name}/secret_types/{secret_type}/secrets/{name}`.
    func getSecretByNameAndType(groupName: String, secretType: SecretType, name: String) async throws -> Secret
    /// `GET /secrets/{id}/metadata`.
    func getSecretMetadata(id: String) async throws -> SecretMetadata
    /// `PATCH /secrets/{id}/metadata`.
    func updateSecretMetadata(id: String, _ patch: SecretMetadataPatch) async throws -> SecretMetadata
    /// `DELETE /secrets/{id}`: 204; 412 when the secret is locked.
    func deleteSecret(id: String) async throws

    // MARK: Versions

    /// `POST /secrets/{id}/versions`: a rotation, 201.
    func createSecretVersion(secretID: String, _ prototype: SecretVersionPrototype) async throws -> SecretVersion
    /// `GET /secrets/{id}/versions`: the metadata of up to 50 versions, newest first.
    func listSecretVersions(secretID: String) async throws -> SecretVersionMetadataCollection
    /// `GET /secrets/{id}/versions/{version}`: with data while the version keeps it.
    func getSecretVersion(secretID: String, version: VersionSelector) async throws -> SecretVersion
    /// `GET /secrets/{id}/versions/{version}/metadata`.
    func getSecretVersionMetadata(secretID: String, version: VersionSelector) async throws -> SecretVersionMetadata

    // MARK: Locks

    /// `POST /secrets/{id}/versions/{version}/locks_bulk`: 201.
    func createSecretLocks(
        secretID: String, version: VersionSelector, locks: [SecretLockPrototype], mode: LockMode?
    ) async throws -> SecretLocks
    /// `GET /secrets/{id}/locks`: one page.
    func listSecretLocks(secretID: String, offset: Int, limit: Int) async throws -> SecretLocksPage
    /// `GET /secrets_locks`: one page, a secret per item.
    func listSecretsLocks(offset: Int, limit: Int) async throws -> SecretsLocksPage
    /// `DELETE /secrets/{id}/locks_bulk?name=a,b`: every lock of the secret when `names` is nil.
    func deleteSecretLocks(secretID: String, names: [String]?) async throws -> SecretLocks

    // MARK: Configurations

    /// `POST /configurations`: 201.
    func createConfiguration(_ prototype: ConfigurationPrototype) async throws -> Configuration
    /// `GET /configurations`: one page, without credential fields.
    func listConfigurations(offset: Int, limit: Int) async throws -> ConfigurationsPage
    /// `GET /configurations/{name}`: with its credential fields.
    func getConfiguration(name: String) async throws -> Configuration
    /// `DELETE /configurations/{name}`: 204.
    func deleteConfiguration(name: String) async throws

    // MARK: Event Notifications

    /// `POST /notifications/registration`: 201.
    func createNotificationsRegistration(_ prototype: NotificationsRegistrationPrototype) async throws
        -> NotificationsRegistration
    /// `GET /notifications/registration`.
    func getNotificationsRegistration() async throws -> NotificationsRegistration
    /// `DELETE /notifications/registration`: 204.
    func deleteNotificationsRegistration() async throws
}

extension SecretsManagerService {
    /// Every secret's metadata, page by page, the way the SDK pagers do it: the next offset is read from
    /// the `next` link, and paging stops when a page has none.
    public func allSecrets(_ options: ListSecretsOptions = ListSecretsOptions(limit: ListSecretsOptions.maximumLimit))
        async throws -> [SecretMetadata]
    {
        var options = options
        var secrets: [SecretMetadata] = []
        while true {
            let page = try await listSecrets(options)
            secrets.append(contentsOf: page.secrets)
            guard let next = page.next?.offset, next > options.offset else { return secrets }
            options.offset = next
        }
    }

    /// Every configuration, page by page, with credential fields (one `get` per configuration).
    public func allConfigurations(pageSize: Int = ListSecretsOptions.maximumLimit) async throws -> [Configuration] {
        var offset = 0
        var names: [String] = []
        while true {
            let page = try await listConfigurations(offset: offset, limit: pageSize)
            names.append(contentsOf: page.configurations.map(\.name))
            guard let next = page.next?.offset, next > offset else { break }
            offset = next
        }
        var configurations: [Configuration] = []
        for name in names { configurations.append(try await getConfiguration(name: name)) }
        return configurations
    }
}
