import SecretsManager

/// How a recovery tool retries a call the service refused for now: 429, 5xx, or no answer. Exponential, with
/// a cap; deterministic (no jitter), because the tool is one caller, not a crowd.
public struct Backoff: Sendable, Hashable {
    public var attempts: Int
    public var base: Duration
    public var cap: Duration

    public init(attempts: Int = 8, base: Duration = .milliseconds(500), cap: Duration = .seconds(30)) {
        self.attempts = max(1, attempts)
        self.base = base
        self.cap = cap
    }

    /// Runs `operation`, retrying the answers worth retrying; `retries` counts the retries made.
    public func run<T>(
        clock: some Clock<Duration>, retries: inout Int, _ operation: () async throws -> T
    ) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await operation()
            } catch let error as SecretsManagerError where error.isRetryable && attempt < attempts {
                try await pause(attempt, clock: clock)
            } catch is TransportError where attempt < attempts {
                try await pause(attempt, clock: clock)
            }
            attempt += 1
            retries += 1
        }
    }

    private func pause(_ attempt: Int, clock: some Clock<Duration>) async throws {
        let delay = min(cap, base * (1 << min(attempt - 1, 20)))
        try await clock.sleep(for: delay)
    }
}
