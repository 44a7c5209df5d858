import Foundation

/// Where a bucket keeps its objects: in one region, or replicated across regions (a Cloud Object Storage
/// cross-region bucket).
public enum BucketLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    case regional(String)
    case crossRegion(String)

    /// Whether the bucket can still be read when `region` is down.
    public func survives(lossOf region: String) -> Bool {
        switch self {
        case .regional(let home): home != region
        case .crossRegion: true
        }
    }

    public var description: String {
        switch self {
        case .regional(let region): "regional bucket in \(region)"
        case .crossRegion(let geography): "cross-region bucket (\(geography))"
        }
    }
}

/// Why a bucket could not be used.
public enum BucketError: Error, Sendable, Hashable, CustomStringConvertible {
    case unavailable(String)
    case missing(String)
    case io(String)

    public var description: String {
        switch self {
        case .unavailable(let reason): "the bucket is unavailable: \(reason)"
        case .missing(let name): "no object named \(name) in the bucket"
        case .io(let reason): "bucket I/O failed: \(reason)"
        }
    }
}

/// A bucket of backup archives, kept in a folder. Objects are written atomically (a temporary file, then a
/// rename), so a reader never sees half an archive. Whether the bucket answers is up to its
/// `isAvailable` check: a drill ties it to the bucket's region.
public final class BackupBucket: @unchecked Sendable {
    public let folder: URL
    public let location: BucketLocation
    private let isAvailable: @Sendable () -> Bool

    public init(folder: URL, location: BucketLocation, isAvailable: @escaping @Sendable () -> Bool = { true }) {
        self.folder = folder
        self.location = location
        self.isAvailable = isAvailable
    }

    private func check() throws(BucketError) {
        guard isAvailable() else { throw .unavailable("its \(location) cannot be reached") }
    }

    public func write(_ name: String, _ data: Data) throws(BucketError) {
        try check()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let temporary = folder.appendingPathComponent(".\(name).partial")
            try data.write(to: temporary)
            let target = folder.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: target.path) { try FileManager.default.removeItem(at: target) }
            try FileManager.default.moveItem(at: temporary, to: target)
        } catch {
            throw .io("\(error)")
        }
    }

    public func read(_ name: String) throws(BucketError) -> Data {
        try check()
        guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) else {
            throw .missing(name)
        }
        return data
    }

    /// The archive names, oldest first (names sort by time).
    public func list() throws(BucketError) -> [String] {
        try check()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted()
    }

    public func delete(_ name: String) throws(BucketError) {
        try check()
        do { try FileManager.default.removeItem(at: folder.appendingPathComponent(name)) } catch { throw .io("\(error)") }
    }
}
