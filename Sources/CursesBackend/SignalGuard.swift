import CNcursesw
import Dispatch
import Foundation

/// Signal handling for a full-screen session.
///
/// - SIGWINCH: a DispatchSource reads the new size with `ioctl(TIOCGWINSZ)`; the screen applies
///   it (`resizeterm`, which queues KEY_RESIZE) on its own thread at the next `readKey`, because
///   ncurses is not thread-safe.
/// - SIGINT (Ctrl-C): when the screen's owner registered an interrupt handler, it is asked
///   first (the console shows its quit question; a second Ctrl-C there quits). When the owner
///   has not taken the previous interrupt within `stuckAfter` seconds (its loop is stuck), the
///   next one ends the process as SIGTERM does.
/// - SIGTERM, SIGHUP (and SIGINT without a handler): a DispatchSource (so ordinary code may run)
///   calls the cleanup hooks (the journal must not lose actions), restores the terminal and
///   ends the process by the same signal.
/// - Crashes (SEGV, BUS, ILL, FPE, ABRT, TRAP): a C handler in shim.h restores the terminal with
///   async-signal-safe calls only, then lets the default action run.
/// - SIGTSTP/SIGCONT: left to ncurses, whose own handler leaves and restores the screen.
///
/// Every call into shim.h's restore state is in this file: that state is per object file.
final class SignalGuard: @unchecked Sendable {
    /// The one guard; signals are process-wide.
    static let shared = SignalGuard()

    private let lock = NSLock()
    private let queue = DispatchQueue(label: "dialtone.signals")
    private var sources: [DispatchSourceSignal] = []
    private var hooks: [@Sendable () -> Void] = []
    private var pendingSize: (rows: Int32, cols: Int32)?
    private var installed = false
    private var onInterrupt: (@Sendable () -> Void)?
    /// When an interrupt was handed to `onInterrupt` and not yet taken (monotonic seconds).
    private var interruptPostedAt: UInt64?
    /// An interrupt not taken for this long means the owner's loop is stuck.
    static let stuckAfterNs: UInt64 = 2_000_000_000

    static let terminating: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// Saves the terminal modes; call before ncurses changes them.
    func saveTerminalModes() {
        if isatty(STDIN_FILENO) == 1 {
            _ = dt_save_termios(STDIN_FILENO)
        } else if isatty(STDOUT_FILENO) == 1 {
            _ = dt_save_termios(STDOUT_FILENO)
        }
    }

    /// Takes the signals over. Call before `newterm`, so ncurses does not install its own
    /// handlers for the signals handled here (it only does when they are at their default).
    func install() {
        lock.lock()
        defer { lock.unlock() }
        guard !installed else { return }
        installed = true
        for sig in [SIGWINCH] + SignalGuard.terminating {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler { [weak self] in self?.handle(sig) }
            source.resume()
            sources.append(source)
        }
    }

    /// Sets the bytes that put the terminal back (from terminfo) and arms the crash handler.
    func armCrashRestore(restoreBytes: [UInt8]) {
        restoreBytes.withUnsafeBufferPointer { buf in
            buf.baseAddress.map { base in
                base.withMemoryRebound(to: CChar.self, capacity: buf.count) {
                    dt_set_restore_bytes($0, buf.count)
                }
            }
        }
        dt_install_fatal_handlers()
    }

    /// Gives the signals back to their defaults (normal shutdown).
    func uninstall() {
        lock.lock()
        let old = sources
        sources = []
        installed = false
        onInterrupt = nil
        interruptPostedAt = nil
        lock.unlock()
        for source in old { source.cancel() }
        for sig in [SIGWINCH] + SignalGuard.terminating { signal(sig, SIG_DFL) }
        dt_remove_fatal_handlers()
    }

    /// Registers work to run before the process ends on SIGINT/SIGTERM/SIGHUP.
    func addCleanupHook(_ hook: @escaping @Sendable () -> Void) {
        lock.lock()
        hooks.append(hook)
        lock.unlock()
    }

    /// Routes SIGINT to `handler` (nil: SIGINT ends the process like SIGTERM).
    func setInterruptHandler(_ handler: (@Sendable () -> Void)?) {
        lock.lock()
        onInterrupt = handler
        interruptPostedAt = nil
        lock.unlock()
    }

    /// The owner took the interrupt it was handed: the next Ctrl-C asks again.
    func interruptTaken() {
        lock.lock()
        interruptPostedAt = nil
        lock.unlock()
    }

    /// The size seen by the last SIGWINCH, once.
    func takePendingResize() -> (rows: Int32, cols: Int32)? {
        lock.lock()
        defer { lock.unlock() }
        let size = pendingSize
        pendingSize = nil
        return size
    }

    private func handle(_ sig: Int32) {
        if sig == SIGWINCH {
            var rows: Int32 = 0
            var cols: Int32 = 0
            if dt_winsize(STDOUT_FILENO, &rows, &cols) == 0, rows > 0, cols > 0 {
                lock.lock()
                pendingSize = (rows, cols)
                lock.unlock()
            }
            return
        }
        if sig == SIGINT {
            lock.lock()
            let handler = onInterrupt
            let now = DispatchTime.now().uptimeNanoseconds
            let posted = interruptPostedAt
            let stuck = posted.map { now - $0 > SignalGuard.stuckAfterNs } ?? false
            if handler != nil, posted == nil { interruptPostedAt = now }
            lock.unlock()
            if let handler, !stuck {
                if posted == nil { handler() }
                return
            }
        }
        lock.lock()
        let toRun = hooks
        hooks = []
        lock.unlock()
        for hook in toRun { hook() }
        dt_restore_terminal()
        // End by the same signal so a parent shell sees why; _exit if it is somehow blocked.
        signal(sig, SIG_DFL)
        kill(getpid(), sig)
        usleep(200_000)
        _exit(128 + sig)
    }
}
