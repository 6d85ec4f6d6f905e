/// How a check run ended, as journaled (`check_run`). Text fields arrive redacted: the runner
/// redacts the command and the output before anything leaves it.
public struct CheckOutcome: Sendable, Equatable {
    public enum Result: String, Sendable, Equatable, CaseIterable {
        case passed, failed
        case timedOut = "timed_out"
        case cancelled
        /// The command could not be started (not installed, a variable not set).
        case notStarted = "not_started"
    }
    public var result: Result
    /// The command as others may see it.
    public var command: String
    public var durationMs: Int64
    public var exitCode: Int32?
    /// Why it passed or failed, one line ("time_total 0.21 < 1").
    public var reason: String
    /// The end of the output, bounded.
    public var excerpt: String
    /// Where the check was defined: the incident's playbook snapshot, and its SHA-256.
    public var playbookPath: String
    public var playbookSHA256: String

    public init(
        result: Result, command: String, durationMs: Int64, exitCode: Int32?, reason: String, excerpt: String,
        playbookPath: String, playbookSHA256: String
    ) {
        self.result = result
        self.command = command
        self.durationMs = durationMs
        self.exitCode = exitCode
        self.reason = reason
        self.excerpt = excerpt
        self.playbookPath = playbookPath
        self.playbookSHA256 = playbookSHA256
    }

    public static let maxExcerptBytes = 2_000
}

/// The last run of an item's check, for the checklist view.
public struct CheckRunRecord: Sendable, Equatable {
    public var result: CheckOutcome.Result
    public var reason: String
    public var by: String
    public var at: Timestamp
    public var eventID: String
}
