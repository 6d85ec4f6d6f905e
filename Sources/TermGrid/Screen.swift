/// What a screen hands the run loop: keys, a new size, and the signals that reach a terminal
/// program.
public enum ScreenEvent: Equatable, Sendable {
    /// A key press.
    case key(Key)
    /// The terminal changed size: read `size()` and draw again.
    case resized
    /// Ctrl-C (SIGINT).
    case interrupt
    /// A request to end now (SIGTERM, SIGHUP): restore the terminal, then end by that signal.
    case terminate(signal: Int32)
}

/// A terminal the console draws on: the curses backend, or a fake in tests. The run loop
/// blocks in `poll(2)` on `descriptors` and then takes every waiting event with `nextEvent()`.
/// Used from one thread.
public protocol Screen: AnyObject {
    /// Columns and rows.
    func size() -> (w: Int, h: Int)
    /// Shows the grid (a backend sends only what changed since the last one).
    func draw(_ grid: Grid)
    /// Forgets what the terminal shows, so the next `draw` repaints every cell (Ctrl-L).
    func invalidate()
    /// File descriptors that turn readable when `nextEvent()` has something.
    var descriptors: [Int32] { get }
    /// The next waiting event without blocking; nil when there is none. Call until nil before
    /// waiting on `descriptors` again (a backend may buffer input the descriptors no longer show).
    func nextEvent() -> ScreenEvent?
    /// Restores the terminal. The last call; safe to repeat.
    func end()
}
