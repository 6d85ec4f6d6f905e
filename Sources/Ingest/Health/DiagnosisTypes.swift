/// "What broke" for one stack, read from the same window as its light.
public struct StackDiagnosis: Sendable, Equatable {
    /// Error templates, most frequent first.
    public var errors: [ErrorSignature] = []
    /// Dimension values over-represented among failures, most telling first; only those that
    /// pass the significance test in `CohortTable`.
    public var cohorts: [Cohort] = []
    /// Failures whose durations pile up at one value (a default timeout somewhere).
    public var timeouts: [TimeoutCluster] = []

    public init(errors: [ErrorSignature] = [], cohorts: [Cohort] = [], timeouts: [TimeoutCluster] = []) {
        self.errors = errors
        self.cohorts = cohorts
        self.timeouts = timeouts
    }

    public var isEmpty: Bool { errors.isEmpty && cohorts.isEmpty && timeouts.isEmpty }
}

/// One error template: the text with its variable parts masked as `<*>`.
public struct ErrorSignature: Sendable, Equatable {
    public var signature: String
    /// Errors with this signature in the window.
    public var count: Int
    /// Its share of the stack's errors in the window, 0-100.
    public var sharePct: Double
    /// First and last time seen (first may predate the window: it is when the template was
    /// first counted).
    public var firstSeen: Double
    public var lastSeen: Double
    /// One raw text of this template, secrets redacted (still unsanitised for a terminal).
    public var example: String

    public init(signature: String, count: Int, sharePct: Double, firstSeen: Double, lastSeen: Double, example: String) {
        self.signature = signature
        self.count = count
        self.sharePct = sharePct
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.example = example
    }
}

/// A dimension value failing records carry far more often than records overall.
public struct Cohort: Sendable, Equatable {
    public var dimension: String
    public var value: String
    /// Share of the stack's failing records (with this dimension known) that carry the value.
    public var failingSharePct: Double
    /// Share of all records (with this dimension known) that carry the value.
    public var overallSharePct: Double
    /// Failing records with the value.
    public var failing: Int

    public init(dimension: String, value: String, failingSharePct: Double, overallSharePct: Double, failing: Int) {
        self.dimension = dimension
        self.value = value
        self.failingSharePct = failingSharePct
        self.overallSharePct = overallSharePct
        self.failing = failing
    }
}

/// Failures of one operation whose durations cluster at one value.
public struct TimeoutCluster: Sendable, Equatable {
    public var operation: String
    /// The value they cluster at, in ms.
    public var atMs: Double
    public var count: Int
    /// Their share of that operation's failures in the window, 0-100.
    public var sharePct: Double

    public init(operation: String, atMs: Double, count: Int, sharePct: Double) {
        self.operation = operation
        self.atMs = atMs
        self.count = count
        self.sharePct = sharePct
    }
}
