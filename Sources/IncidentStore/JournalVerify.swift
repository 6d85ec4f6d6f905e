import IncidentCore

#if canImport(Glibc)
import Glibc
#endif

/// What `verify` found in one segment.
public struct SegmentReport: Sendable, Equatable {
    public var file: String
    public var authorship: Authorship
    public var events: Int
    /// 1-based line where the hash chain first fails, and why.
    public var chainBreak: (line: Int, reason: String)?
    /// An unterminated fragment after the last line (an append that never finished).
    public var tornTail: Int?
    /// Lines that are not events at all.
    public var unreadable: [Int] = []
    /// Events whose claimed actor is not the segment's owner.
    public var untrusted: [Int] = []

    public var intact: Bool {
        chainBreak == nil && unreadable.isEmpty && untrusted.isEmpty && !Self.isMismatch(authorship)
    }

    static func isMismatch(_ a: Authorship) -> Bool {
        if case .mismatch = a { return true }
        return false
    }

    public static func == (a: SegmentReport, b: SegmentReport) -> Bool {
        a.file == b.file && a.events == b.events && a.chainBreak?.line == b.chainBreak?.line && a.tornTail == b.tornTail
            && a.unreadable == b.unreadable && a.untrusted == b.untrusted
    }

    public var description: String {
        var parts = ["\(file): \(events) event\(events == 1 ? "" : "s")"]
        switch authorship {
        case .legacy: parts.append("legacy, authorship unchecked, no hash chain")
        case .owner: break
        default: parts.append(authorship.description)
        }
        if authorship != .legacy {
            if let b = chainBreak { parts.append("chain BROKEN at line \(b.line): \(b.reason)") } else { parts.append("chain intact") }
        }
        if !unreadable.isEmpty { parts.append("unreadable line\(unreadable.count == 1 ? "" : "s") \(Self.list(unreadable))") }
        if !untrusted.isEmpty { parts.append("actor not the owner on line\(untrusted.count == 1 ? "" : "s") \(Self.list(untrusted))") }
        if let t = tornTail { parts.append("torn tail at line \(t) (an append that never finished; cut off by its owner's next append)") }
        return parts.joined(separator: "; ")
    }

    static func list(_ a: [Int]) -> String {
        a.prefix(5).map(String.init).joined(separator: ", ") + (a.count > 5 ? " and \(a.count - 5) more" : "")
    }
}

/// The whole incident's check.
public struct VerifyReport: Sendable {
    public var segments: [SegmentReport]
    /// Segments some login recorded seeing that are no longer there.
    public var missing: [String]

    public var intact: Bool { missing.isEmpty && segments.allSatisfy(\.intact) }
    public var events: Int { segments.reduce(0) { $0 + $1.events } }
    public var hasLegacy: Bool { segments.contains { $0.authorship == .legacy } }

    public var summary: String {
        let n = segments.count
        let base = "\(n) segment\(n == 1 ? "" : "s"), \(events) events"
        if intact { return base + (hasLegacy ? ": intact (the legacy journal.jsonl has no chain; authorship unchecked)" : ": hash chains intact") }
        var bad = segments.filter { !$0.intact }.map(\.file)
        bad += missing.map { "\($0) (missing)" }
        return base + ": NOT intact: " + bad.joined(separator: ", ")
    }

    public var lines: [String] { segments.map(\.description) + missing.map { "\($0): MISSING (recorded as seen, no longer present)" } }

    /// One sentence for the postmortem's header.
    public var exportLine: String {
        "Journal check (dialtone verify): \(summary)."
    }
}

extension IncidentStore {
    /// Reads every segment from its start and checks its hash chain, against this login's
    /// snapshot too (it remembers the hash of the last line it read in each segment, which
    /// catches an edit of a segment's last line, the one no later line vouches for).
    public func verify(_ id: String) throws -> VerifyReport {
        let layout = layout(of: id)
        guard layout.exists else { throw StoreError.notAnIncident(directory: directory(of: id)) }
        let known = snapshotFile(id).read(id: id, layout: layout)?.cursors ?? [:]
        return try JournalWriter.withLock(layout, exclusive: false) {
            let listed = SegmentFiles.list(layout, root: root)
            var reports: [SegmentReport] = []
            for s in listed {
                let bytes = try SegmentFiles.read(s.path, from: 0, to: s.size)
                reports.append(Self.check(bytes, s, remembered: known[s.file]))
            }
            let present = Set(
                listed.compactMap { s -> String? in
                    let parts = s.file.split(separator: "/")
                    return parts.count == 3 ? String(parts[1]) : nil
                })
            let missing = Manifest.all(layout).subtracting(present).sorted().map { IncidentLayout.file($0) }
            return VerifyReport(segments: reports, missing: missing)
        }
    }

    static func check(_ bytes: [UInt8], _ s: SegmentStat, remembered: SegmentCursor?) -> SegmentReport {
        var r = SegmentReport(file: s.file, authorship: s.authorship, events: 0)
        var expected: String? = nil
        var lineNo = 0
        bytes.withUnsafeBufferPointer { buf in
            var start = 0
            while start < buf.count {
                var end = start
                while end < buf.count, buf[end] != 0x0A { end += 1 }
                if end == buf.count {
                    r.tornTail = lineNo + 1
                    break
                }
                lineNo += 1
                let line = UnsafeBufferPointer(rebasing: buf[start..<end])
                let hash = SHA256.hex(line)
                if let e = try? JournalCodec.decode(bytes: line) {
                    r.events += 1
                    if SegmentChunk.distrust(e, s) != nil { r.untrusted.append(lineNo) }
                    if s.authorship != .legacy, r.chainBreak == nil, e.prev != expected {
                        r.chainBreak = (
                            lineNo,
                            lineNo == 1
                                ? "the first line names a previous line (lines were removed from the start)"
                                : "line \(lineNo - 1) was edited, or lines were removed or inserted before this one"
                        )
                    }
                } else {
                    r.unreadable.append(lineNo)
                    if s.authorship != .legacy, r.chainBreak == nil { r.chainBreak = (lineNo, "not an event (edited or corrupted)") }
                }
                if let m = remembered, Int64(end + 1) == m.offset, let h = m.lastHash, h != hash, r.chainBreak == nil, s.authorship != .legacy {
                    r.chainBreak = (lineNo, "edited after this login last read it (its hash changed)")
                }
                expected = hash
                start = end + 1
            }
        }
        if let m = remembered, Int64(bytes.count) < m.offset, r.chainBreak == nil, s.authorship != .legacy {
            r.chainBreak = (lineNo + 1, "truncated: this login read \(m.lines) lines here before, now \(lineNo)")
        }
        return r
    }
}
