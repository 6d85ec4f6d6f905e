import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Why the spool could not take a batch (the request is answered 503, never acknowledged).
public struct SpoolError: Error, CustomStringConvertible {
    public let description: String
}

/// Append-only NDJSON files in one directory: `spool.ndjson` is written, and renamed to
/// `spool-<UTC time>-<seq>.ndjson` when it would pass `fileLimit`; the oldest rotated files
/// are deleted while the directory's spool files total more than `totalLimit`. A reader that
/// follows `spool.ndjson` sees rename rotation, as with any rotated log.
///
/// A batch is written with one lock held, so records of concurrent requests never interleave
/// inside a line; `append` returns only after the bytes are in the file (the kernel's page
/// cache: a crash of dialtone loses nothing acknowledged, a power cut may).
public final class SpoolWriter: @unchecked Sendable {
    public let directory: String
    public let fileLimit: Int
    public let totalLimit: Int
    public static let currentName = "spool.ndjson"

    private let lock = NSLock()
    private var fd: Int32 = -1
    private var size = 0
    private var sequence = 0
    private let groupID: gid_t
    /// Records written since start (what `/healthz` reports and the benchmark counts).
    private var records = 0
    private var rotatedFiles: [(name: String, size: Int)] = []

    public var currentPath: String { directory + "/" + Self.currentName }

    public init(directory: String, fileLimit: Int = 64 << 20, totalLimit: Int = 1 << 30) throws {
        self.directory = directory
        self.fileLimit = max(4096, fileLimit)
        self.totalLimit = max(self.fileLimit * 2, totalLimit)
        var st = stat()
        guard stat(directory, &st) == 0 else {
            throw SpoolError(description: "spool: cannot use directory '\(directory)': \(String(cString: strerror(errno)))")
        }
        guard (st.st_mode & S_IFMT) == S_IFDIR else {
            throw SpoolError(description: "spool: '\(directory)' is not a directory")
        }
        groupID = st.st_gid
        rotatedFiles = Self.listRotated(directory)
        sequence = rotatedFiles.count
        try openCurrent()
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Records written since this writer started.
    public var recordsWritten: Int { lock.withLock { records } }

    /// Writes the encoded records (complete lines) before returning.
    public func append(_ bytes: [UInt8], records n: Int) throws(SpoolError) {
        lock.lock()
        defer { lock.unlock() }
        if size > 0, size + bytes.count > fileLimit { try rotate() }
        guard fd >= 0 else { throw SpoolError(description: "spool: no file open in '\(directory)'") }
        var done = 0
        while done < bytes.count {
            let w = bytes.withUnsafeBytes { raw in
                write(fd, raw.baseAddress! + done, raw.count - done)
            }
            if w < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                // A partial line must not glue itself to the next batch's first record.
                if done > 0 { _ = write(fd, "\n", 1) }
                size += done
                throw SpoolError(description: "spool: write to '\(currentPath)' failed: \(reason)")
            }
            done += w
        }
        size += done
        records += n
    }

    private func openCurrent() throws(SpoolError) {
        let path = currentPath
        let f = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard f >= 0 else {
            throw SpoolError(description: "spool: cannot open '\(path)': \(String(cString: strerror(errno)))")
        }
        // 0640 whatever the umask, in the directory's group so its members may read the spool.
        _ = fchmod(f, 0o640)
        _ = fchown(f, uid_t.max, groupID)
        var st = stat()
        size = fstat(f, &st) == 0 ? Int(st.st_size) : 0
        fd = f
    }

    private func rotate() throws(SpoolError) {
        close(fd)
        fd = -1
        sequence += 1
        let stamp = Self.utcStamp()
        let name = "spool-\(stamp)-\(String(format: "%06d", sequence)).ndjson"
        if rename(currentPath, directory + "/" + name) == 0 {
            rotatedFiles.append((name, size))
        }
        var total = rotatedFiles.reduce(0) { $0 + $1.size }
        while total > totalLimit - fileLimit, !rotatedFiles.isEmpty {
            let old = rotatedFiles.removeFirst()
            unlink(directory + "/" + old.name)
            total -= old.size
        }
        try openCurrent()
    }

    private static func utcStamp() -> String {
        var t = time(nil)
        var tm = tm()
        gmtime_r(&t, &tm)
        return String(
            format: "%04d%02d%02dT%02d%02d%02dZ", Int(tm.tm_year) + 1900, Int(tm.tm_mon) + 1, Int(tm.tm_mday),
            Int(tm.tm_hour), Int(tm.tm_min), Int(tm.tm_sec))
    }

    /// Rotated files already in the directory, oldest first (their names sort by time).
    private static func listRotated(_ dir: String) -> [(name: String, size: Int)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { $0.hasPrefix("spool-") && $0.hasSuffix(".ndjson") }.sorted().map { name in
            var st = stat()
            return (name, stat(dir + "/" + name, &st) == 0 ? Int(st.st_size) : 0)
        }
    }
}
