import ArgumentParser
import Logging

extension Logger.Level: @retroactive ExpressibleByArgument {}

enum CLILog {
    /// A logger writing to standard error from `level` up. Logs carry drill events (faults, steps,
    /// recoveries) in virtual time, never a secret's payload.
    static func makeLogger(level: Logger.Level) -> Logger {
        var logger = Logger(label: "smdrill", factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = level
        return logger
    }
}
