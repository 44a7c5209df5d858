import Foundation

/// A link of a paged collection: `{"href": "https://.../api/v2/secrets?limit=200&offset=200"}`.
public struct PageLink: Hashable, Sendable, Codable {
    public var href: String

    public init(href: String) { self.href = href }

    /// The `offset` query parameter inside ``href``: what the SDK pagers read to fetch the next page.
    public var offset: Int? {
        guard let components = URLComponents(string: href) else { return nil }
        return components.queryItems?.first { $0.name == "offset" }?.value.flatMap(Int.init)
    }
}

/// The query of `GET /secrets`.
///
/// ```swift
/// var options = ListSecretsOptions(limit: 500)
/// options.groups = ["default"]
/// options.secretTypes = [.arbitrary, .kv]
/// ```
public struct ListSecretsOptions: Hashable, Sendable {
    /// The largest page the API serves.
    public static let maximumLimit = 1000
    /// The page size when none is asked for.
    public static let defaultLimit = 200

    public var offset: Int
    public var limit: Int
    /// A field to sort by (`id`, `created_at`, `updated_at`, `expiration_date`, `secret_type`, `name`),
    /// `-` first for descending order.
    public var sort: String?
    /// Matches names, labels and ids that contain this text.
    public var search: String?
    public var groups: [String]?
    public var secretTypes: [SecretType]?
    public var matchAllLabels: [String]?

    public init(
        offset: Int = 0, limit: Int = ListSecretsOptions.defaultLimit, sort: String? = nil, search: String? = nil,
        groups: [String]? = nil, secretTypes: [SecretType]? = nil, matchAllLabels: [String]? = nil
    ) {
        self.offset = offset
        self.limit = limit
        self.sort = sort
        self.search = search
        self.groups = groups
        self.secretTypes = secretTypes
        self.matchAllLabels = matchAllLabels
    }

    /// The query string the real API takes, in a fixed order (`limit=...&offset=...&...`).
    public var queryItems: [URLQueryItem] {
        var items = [URLQueryItem(name: "limit", value: String(limit)), URLQueryItem(name: "offset", value: String(offset))]
        if let sort { items.append(.init(name: "sort", value: sort)) }
        if let search { items.append(.init(name: "search", value: search)) }
        if let groups { items.append(.init(name: "groups", value: groups.joined(separator: ","))) }
        if let secretTypes {
            items.append(.init(name: "secret_types", value: secretTypes.map(\.rawValue).joined(separator: ",")))
        }
        if let matchAllLabels {
            items.append(.init(name: "match_all_labels", value: matchAllLabels.joined(separator: ",")))
        }
        return items
    }
}

/// One page of `GET /secrets`.
public struct SecretMetadataPage: Hashable, Sendable, Codable {
    public var totalCount: Int
    public var limit: Int
    public var offset: Int
    public var first: PageLink?
    public var next: PageLink?
    public var previous: PageLink?
    public var last: PageLink?
    public var secrets: [SecretMetadata]

    public init(
        totalCount: Int, limit: Int, offset: Int, first: PageLink?, next: PageLink?, previous: PageLink?,
        last: PageLink?, secrets: [SecretMetadata]
    ) {
        self.totalCount = totalCount
        self.limit = limit
        self.offset = offset
        self.first = first
        self.next = next
        self.previous = previous
        self.last = last
        self.secrets = secrets
    }

    enum CodingKeys: String, CodingKey {
        case limit, offset, first, next, previous, last, secrets
        case totalCount = "total_count"
    }
}

/// The `first`, `next`, `previous` and `last` links of a page at `offset` of `limit` items out of `total`.
public struct PageLinks: Hashable, Sendable {
    public var first: PageLink?
    public var next: PageLink?
    public var previous: PageLink?
    public var last: PageLink?

    /// Links under `base` (`https://host/api/v2/secrets`), keeping the other query items of the request.
    public init(base: String, query: [URLQueryItem], offset: Int, limit: Int, total: Int) {
        func link(_ newOffset: Int) -> PageLink {
            var components = URLComponents(string: base) ?? URLComponents()
            components.queryItems = query.map {
                $0.name == "offset" ? URLQueryItem(name: "offset", value: String(newOffset)) : $0
            }
            return PageLink(href: components.string ?? base)
        }
        first = link(0)
        next = offset + limit < total ? link(offset + limit) : nil
        previous = offset > 0 ? link(max(0, offset - limit)) : nil
        last = total > 0 ? link(limit > 0 ? ((total - 1) / limit) * limit : 0) : nil
    }
}
