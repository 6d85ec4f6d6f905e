import CNcursesw
import Foundation
import Synchronization

/// Signal handling for a full-screen session.
///
/// - SIGINT, SIGTERM, SIGHUP and SIGWINCH: a C handler in shim.h counts the signal and writes a
///   byte to a pipe whose read end (`descriptor`) the run loop polls with the terminal; the loop
///   takes them (`take()`) as events, so a resize, Ctrl-C or a request to end is handled on the
///   loop's own thread, between two draws, never during one. When the loop has not taken a
///   terminating signal within two seconds (it is stuck), the next one restores the terminal
///   and ends the process at once.
/// - Crashes (SEGV, BUS, ILL, FPE, ABRT, TRAP): a C handler in shim.h restores the terminal with
///   async-signal-safe calls only, then lets the default action run.
/// - SIGTSTP/SIGCONT: left to ncurses, whose own handler leaves and restores the screen.
///
/// Every call into shim.h's restore state is in this file: that state is per object file.
final class SignalGuard: Sendable {
    /// The one guard; signals are process-wide.
    static let shared = SignalGuard()

    /// What arrived since the last `take()`.
    struct Taken: Equatable {
        var interrupts = 0
        /// SIGTERM or SIGHUP, when one arrived (SIGHUP first: the terminal is gone).
        var terminate: Int32?
        var resized = false
    }

    private let installed = Mutex(false)
    /// The pipe the handler writes to: made once, kept for the process (the handler may run on
    /// any thread at any time, so its descriptor never closes).
    private let pipeRead: Int32
    private let pipeWrite: Int32

    private init() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
        }
        pipeRead = fds[0]
        pipeWrite = fds[1]
    }

    /// Readable when a signal is waiting to be taken.
    var descriptor: Int32 { pipeRead }

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
        let first = installed.withLock { on in
            defer { on = true }
            return !on
        }
        guard first else { return }
        drain()
        dt_install_wake_handlers(pipeWrite)
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
        installed.withLock { $0 = false }
        dt_remove_wake_handlers()
        dt_remove_fatal_handlers()
    }

    /// The signals that arrived since the last call; the loop is alive, so the stuck-loop
    /// timer starts over.
    func take() -> Taken {
        // Drain first: a signal landing after the drain leaves its byte, so the loop wakes
        // again (at worst once for nothing), and is never missed.
        drain()
        _ = dt_wake_untaken(0, 0)
        var t = Taken()
        t.interrupts = Int(dt_wake_count(dt_wake_slot(SIGINT), 1))
        let hangups = dt_wake_count(dt_wake_slot(SIGHUP), 1)
        let terms = dt_wake_count(dt_wake_slot(SIGTERM), 1)
        t.terminate = hangups > 0 ? SIGHUP : terms > 0 ? SIGTERM : nil
        t.resized = dt_wake_count(dt_wake_slot(SIGWINCH), 1) > 0
        return t
    }

    private func drain() {
        var buf = [UInt8](repeating: 0, count: 64)
        while read(pipeRead, &buf, buf.count) > 0 {}
    }
}
