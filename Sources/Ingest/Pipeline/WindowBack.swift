import IncidentCore

#if canImport(Glibc)
import Glibc
#endif

/// Where to start reading a log file so the health windows are full from the first frame:
/// one window back from the newest event, by event time (not the whole file, not just the end).
public enum WindowBack {
    /// Bytes read per probe and from the tail.
    static let probeBytes = 16 * 1024
    static let tailBytes = 256 * 1024

    /// The offset to start at, or nil to start at the end (unreadable or empty file).
    /// Lines without a usable time count as "inside the window", so the search errs towards
    /// reading a little more, never towards an empty window.
    public static func offset(path: String, window: Double, format: LogFormat?, context: ParseContext) -> UInt64? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size > 0 else { return nil }
        let size = UInt64(st.st_size)
        let tailStart = size > UInt64(tailBytes) ? size - UInt64(tailBytes) : 0
        guard let newest = times(fd: fd, at: tailStart, count: tailBytes, skipPartial: tailStart > 0, format: format, context: context).max() else {
            // Nothing with a time near the end: show the tail as raw lines.
            return tailStart
        }
        let target = newest - window
        var lo: UInt64 = 0
        var hi = size
        // Smallest offset whose first timed line is at or after the target.
        while hi - lo > 4096 {
            let mid = lo + (hi - lo) / 2
            let t = times(fd: fd, at: mid, count: probeBytes, skipPartial: true, format: format, context: context).first
            if let t, t < target { lo = mid } else { hi = mid }
        }
        return lo
    }

    /// Event times of the complete lines in `count` bytes at `offset`, in file order.
    static func times(fd: Int32, at offset: UInt64, count: Int, skipPartial: Bool, format: LogFormat?, context: ParseContext) -> [Double] {
        var buf = [UInt8](repeating: 0, count: count)
        let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
        guard n > 0 else { return [] }
        let parser = LineParser(forcedFormat: format, context: context)
        var events: [NormalizedEvent] = []
        var out: [Double] = []
        var start = 0
        if skipPartial {
            guard let nl = buf[0..<n].firstIndex(of: 10) else { return [] }
            start = nl + 1
        }
        buf.withUnsafeBufferPointer { b in
            var i = start
            while i < n {
                guard let nl = b[i..<n].firstIndex(of: 10) else { break }  // the last piece may be cut
                events.removeAll(keepingCapacity: true)
                _ = parser.parse(UnsafeBufferPointer(rebasing: b[i..<nl]), arrivalTime: 0, into: &events)
                for e in events where !e.timeWasInferred && e.time > 0 { out.append(e.time) }
                i = nl + 1
            }
        }
        return out
    }
}
