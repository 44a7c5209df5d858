/// A place in an input file: `scenarios/zone-loss.yaml:12:5`.
public struct SourceLocation: Hashable, Sendable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// A problem with an input file, at a place in it, saying what was expected.
///
/// ```text
/// scenarios/zone-loss.yaml:12:5: unknown key 'rpo_objectiv'; did you mean 'rpo'?
/// ```
public struct InputError: Error, Hashable, Sendable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}

/// Several input problems, reported together.
public struct InputErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [InputError]

    public init(_ errors: [InputError]) { self.errors = errors }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// The closest of `candidates` to `word`, when it is close enough to be a likely typo.
public func didYouMean(_ word: String, among candidates: some Sequence<String>) -> String? {
    var best: (String, Int)?
    for candidate in candidates {
        let distance = editDistance(word.lowercased(), candidate.lowercased())
        if distance < (best?.1 ?? .max) { best = (candidate, distance) }
    }
    guard let best else { return nil }
    let limit = max(2, min(word.count, best.0.count) / 3)
    return best.1 <= limit || best.0.hasPrefix(word) || word.hasPrefix(best.0) ? best.0 : nil
}

/// Levenshtein distance (two rows; written here because it is twenty lines).
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
