#if canImport(Glibc)
import Glibc
import Synchronization

/// A regular file mapped read-only for `watch --once`: parsing threads read lines straight
/// from the page cache, with no `read(2)` copy and no copy into run buffers.
///
/// - Only the file's size when opened is read (a `--once` snapshot); bytes appended later
///   are not.
/// - Pages count toward RSS once touched, so the reader gives them back (`release(below:)`)
///   as soon as the runs over them are ingested: resident memory stays a few runs wide.
/// - A file truncated while mapped would raise SIGBUS on the pages past its new end; a
///   handler maps zero-filled memory there instead (those lines then read as garbage and
///   `truncatedWhileReading` is set), so a log rotated by copy-and-truncate never crashes
///   the reader.
final class MappedFile: @unchecked Sendable {
    let base: UnsafePointer<UInt8>
    let size: Int
    private let mapping: UnsafeMutableRawPointer
    private let pageSize: Int
    static let releaseStep = 4 << 20
    /// Bytes below this were given back.
    private var released = 0
    private let guardSlot: Int

    /// Nil when `path` is not a regular non-empty file or cannot be opened or mapped (the
    /// caller then reads it with `read(2)`, which reports any error).
    init?(path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size > 0,
            UInt64(info.st_size) < UInt64(Int.max / 2)
        else { return nil }
        let length = Int(info.st_size)
        guard let m = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), m != MAP_FAILED else {
            return nil
        }
        guard let slot = BusGuard.register(lo: Int(bitPattern: m), hi: Int(bitPattern: m) + length)
        else {
            munmap(m, length)
            return nil
        }
        _ = madvise(m, length, MADV_SEQUENTIAL)
        mapping = m
        base = UnsafePointer(m.assumingMemoryBound(to: UInt8.self))
        size = length
        pageSize = max(4096, Int(sysconf(Int32(_SC_PAGESIZE))))
        guardSlot = slot
    }

    deinit {
        munmap(mapping, size)
        BusGuard.unregister(guardSlot)
    }

    /// Whether a page of this mapping had to be replaced by zeros (the file shrank).
    var truncatedWhileReading: Bool { BusGuard.tripped(guardSlot) }

    /// Drops the pages wholly below `offset` from this process (they stay in the page
    /// cache); reading them again faults them back in.
    func release(below offset: Int) {
        let end = min(offset, size) / pageSize * pageSize
        // In steps of a few megabytes: every call makes the kernel flush the other
        // threads' TLBs.
        guard end - released >= Self.releaseStep || (offset >= size && end > released) else {
            return
        }
        _ = madvise(mapping + released, end - released, MADV_DONTNEED)
        released = end
    }
}

/// The SIGBUS handler's table of mapped ranges. Registration takes a lock; the handler only
/// reads (a signal handler must not lock), and a slot is published by writing its end
/// before its start.
enum BusGuard {
    static let slots = 32
    /// lo, hi, tripped for each slot; lo == 0 means free.
    nonisolated(unsafe) private static let table: UnsafeMutablePointer<Int> = {
        let p = UnsafeMutablePointer<Int>.allocate(capacity: 3 * slots)
        p.initialize(repeating: 0, count: 3 * slots)
        return p
    }()
    /// Whether the handler is installed; held while a slot is taken or freed.
    private static let installed = Mutex(false)
    nonisolated(unsafe) fileprivate static var previous = sigaction()

    static func register(lo: Int, hi: Int) -> Int? {
        installed.withLock { installed in
            if !installed {
                var action = sigaction()
                action.__sigaction_handler.sa_sigaction = busHandler
                action.sa_flags = SA_SIGINFO
                sigemptyset(&action.sa_mask)
                guard sigaction(SIGBUS, &action, &previous) == 0 else { return nil }
                installed = true
            }
            for i in 0..<slots where table[3 * i] == 0 {
                table[3 * i + 2] = 0
                table[3 * i + 1] = hi
                table[3 * i] = lo
                return i
            }
            return nil
        }
    }

    static func unregister(_ i: Int) {
        installed.withLock { _ in table[3 * i] = 0 }
    }

    static func tripped(_ i: Int) -> Bool { table[3 * i + 2] != 0 }

    /// The slot holding `address`, if any (called from the handler).
    fileprivate static func slot(holding address: Int) -> Int? {
        for i in 0..<slots {
            let lo = table[3 * i]
            if lo != 0 && address >= lo && address < table[3 * i + 1] { return i }
        }
        return nil
    }

    fileprivate static func trip(_ i: Int) { table[3 * i + 2] = 1 }
}

/// Maps a zero page over a faulting page of a registered mapping; any other SIGBUS goes
/// to the previous handler (by default the process dies, as it would have).
private func busHandler(
    _ signal: Int32, _ info: UnsafeMutablePointer<siginfo_t>?, _ context: UnsafeMutableRawPointer?
) {
    if let info, let addr = info.pointee._sifields._sigfault.si_addr {
        let a = Int(bitPattern: addr)
        if let slot = BusGuard.slot(holding: a) {
            let page = 4096
            let start = UnsafeMutableRawPointer(bitPattern: a & ~(page - 1))
            let m = mmap(start, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)
            if m != MAP_FAILED {
                BusGuard.trip(slot)
                return
            }
        }
    }
    // Not ours: put the previous disposition back and return, so the fault repeats
    // under it.
    sigaction(SIGBUS, &BusGuard.previous, nil)
}
#else
/// Reading by mapping is Linux-only; elsewhere runs are read with `read(2)`.
final class MappedFile: @unchecked Sendable {
    let base: UnsafePointer<UInt8>
    let size: Int
    init?(path: String) { return nil }
    var truncatedWhileReading: Bool { false }
    func release(below offset: Int) {}
}
#endif
