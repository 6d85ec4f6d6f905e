import Console
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Actions posted from background threads (ingestion, the journal watcher, journal writes,
/// checks, the outbox), taken by the run loop. Posting into an empty mailbox writes a byte to a
/// pipe the loop polls, so a result wakes the loop at once and an idle loop never polls.
final class Mailbox: Sendable {
    private let items = Mutex<[ConsoleAction]>([])
    private let pipe = WakePipe()

    /// Readable while actions wait.
    var descriptor: Int32 { pipe.readEnd }

    func post(_ a: ConsoleAction) {
        let wasEmpty = items.withLock { items in
            items.append(a)
            return items.count == 1
        }
        if wasEmpty { pipe.wake() }
    }

    /// Everything posted so far, oldest first.
    func take() -> [ConsoleAction] {
        // Drain before taking: a post between the two leaves its byte, so the loop wakes again
        // (at worst once for nothing) and never sleeps on a waiting action.
        pipe.drain()
        return items.withLock { items in
            defer { items = [] }
            return items
        }
    }
}

/// A non-blocking pipe used only to wake a thread blocked in `poll(2)`.
final class WakePipe: Sendable {
    let readEnd: Int32
    let writeEnd: Int32

    init() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
        }
        readEnd = fds[0]
        writeEnd = fds[1]
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    func wake() {
        var b: UInt8 = 1
        _ = write(writeEnd, &b, 1)  // a full pipe already wakes the reader
    }

    func drain() {
        var buf = [UInt8](repeating: 0, count: 64)
        while read(readEnd, &buf, buf.count) > 0 {}
    }
}

/// What `poll(2)` saw on a set of descriptors.
struct PollResult {
    /// Some descriptor hung up or is not open (and has nothing left to read).
    var hungUp: [Int32] = []
}

/// Blocks until one of `fds` is readable or `timeoutMs` passed (a signal may end it early).
func waitReadable(_ fds: [Int32], timeoutMs: Int) -> PollResult {
    var polled = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
    let n = poll(&polled, nfds_t(polled.count), Int32(clamping: timeoutMs))
    var out = PollResult()
    guard n > 0 else { return out }
    let gone = Int16(POLLHUP) | Int16(POLLERR) | Int16(POLLNVAL)
    for p in polled where p.revents & gone != 0 && p.revents & Int16(POLLIN) == 0 { out.hungUp.append(p.fd) }
    return out
}
