import Console
import Foundation
import IncidentCore
import IncidentStore
import Ingest
import Notify
import TermGrid

/// What the console needs to start. The command line resolves it (config, themes, playbooks,
/// the environment); the runner itself reads no environment.
public struct ConsoleSetup {
    public var store: IncidentStore
    public var id: String
    public var actor: String
    public var sources: [SourceSpec]
    /// Remembered command sources that need this responder's yes first.
    public var offered: [String]
    public var ascii: Bool
    public var theme: Theme
    public var keys: [String: String]
    public var notices: [String]
    /// Now in the logs' time, for ingestion (the demo's fleet runs faster than the wall clock).
    public var clock: @Sendable () -> Double = { Date().timeIntervalSince1970 }
    public var freshness = FreshnessConfig()
    /// Joining a running incident: the read-in shows first (Esc closes it).
    public var readIn = false
    /// Send from the outbox while writer (off for the demo: a rehearsal tells nobody).
    public var notify = true
    /// The notify: section, when `notify` is on and there is one.
    public var notifyConfig: NotifyConfig?
    /// Why the notify: section could not be used (shown with the other warnings).
    public var notifyProblems: [String] = []
    /// The other playbooks `:checklist NAME` can attach.
    public var library: [Playbook] = []
    /// The environment checks and channels run with.
    public var environment: [String: String] = [:]

    public init(
        store: IncidentStore, id: String, actor: String, sources: [SourceSpec], offered: [String], ascii: Bool, theme: Theme,
        keys: [String: String], notices: [String]
    ) {
        self.store = store
        self.id = id
        self.actor = actor
        self.sources = sources
        self.offered = offered
        self.ascii = ascii
        self.theme = theme
        self.keys = keys
        self.notices = notices
    }
}

/// How the console ended.
public enum ConsoleExit: Equatable, Sendable {
    /// The person quit.
    case quit
    /// SIGTERM or SIGHUP (or the terminal hung up): the terminal is restored; end by this signal.
    case signal(Int32)
}
