import IncidentCore
import TermGrid

/// Everything that can happen to the console: keys from a person, and results the run loop
/// brings back from effects, the ingestion thread and the journal watcher.
public enum ConsoleAction: Sendable, Equatable {
    case key(Key)
    case resize(width: Int, height: Int)
    /// Ctrl-C (SIGINT): asks like q; a second one while the question shows quits.
    case interrupt
    /// The wall clock moved on.
    case tick(Timestamp)
    /// New health, lines and counters from ingestion.
    case ingest(IngestFeed)
    /// The journal was re-read (another console or command wrote to it).
    case journal(IncidentState)
    /// A queued write reached the disk.
    case recorded(token: Int, event: JournalEvent)
    /// A queued write was refused or failed; nothing was written.
    case recordFailed(token: Int, message: String)
    /// Logins attached to the incident right now.
    case presence([String])
    /// This console took or lost the writer lock.
    case writerLock(Bool)
    /// Something to tell the person (export written, source error, theme warning).
    case notice(String, isError: Bool)
    /// A check is ready to run (the command as it will run, redacted), or cannot run (`error`).
    case checkPrepared(item: String, command: String, source: String, error: String?)
    /// A line of a running check's output, already made safe and redacted.
    case checkOutput(item: String, line: String)
    /// A check ended; the reducer journals the outcome.
    case checkFinished(item: String, outcome: CheckOutcome)
}

/// Work the reducer asks the run loop to do. The reducer never does I/O itself.
public enum Effect: Sendable, Equatable {
    /// Journal this command as `actor` on the background queue; answer with `.recorded` or
    /// `.recordFailed` carrying `token`.
    case record(token: Int, command: Command, actor: String)
    /// Write the postmortem draft.
    case export
    /// Repaint every cell (Ctrl-L).
    case redraw
    /// Start a source the responder confirmed.
    case attachSource(String)
    /// Send this call's entries from the call index with every ingest feed (nil stops).
    case watchCall(String?)
    /// Resolve an item's check against the environment and the incident's playbook snapshot;
    /// answer with `.checkPrepared`.
    case prepareCheck(item: String)
    /// Run the prepared check in the background; output arrives as `.checkOutput`, the end as
    /// `.checkFinished`.
    case runCheck(item: String)
    /// Stop the running check (its result is journaled as cancelled).
    case cancelCheck
    /// Leave: wait for pending writes, restore the terminal, exit.
    case quit
}
