import Foundation
import IncidentCore

#if canImport(Glibc)
import Glibc
#endif

/// How far one segment has been read.
struct SegmentCursor: Sendable, Equatable {
    var inode: UInt64
    var offset: Int64
    var lines: Int
    var lastHash: String?
}

/// An incident's fold kept in memory, brought up to date from each segment's last read offset:
/// a process that appends again and again (the console) reads only what is new. `complete`
/// is false for a fold seeded from the on-disk snapshot, which has no event list: enough to
/// check most commands, and upgraded by a full read when the event list is needed.
final class IncidentFold: @unchecked Sendable {
    let id: String
    let layout: IncidentLayout
    let root: String
    let lock = NSLock()
    private(set) var state: IncidentState
    private(set) var complete = false
    private(set) var cursors: [String: SegmentCursor] = [:]
    private(set) var lastKey: EventKey?
    private(set) var eventCount = 0
    private(set) var problems: [JournalProblem] = []
    private(set) var segments: [SegmentStat] = []
    /// Events applied by the last refresh, in merge order (for the tail); nil after a rebuild.
    private(set) var lastDelivered: [JournalEvent]? = []
    var playbook: Playbook?
    /// The cursors the snapshot file on disk was last written (or read) with.
    var cachedCursors: [String: SegmentCursor]?
    /// Segment files already in this login's `seen` list.
    var seenRecorded: Set<String> = []
    private var loaded = false

    init(id: String, layout: IncidentLayout, root: String) {
        self.id = id
        self.layout = layout
        self.root = root
        state = IncidentState(id: id)
    }

    /// Brings the fold up to date with what is on disk. With `needEvents`, a fold seeded
    /// without its event list is rebuilt from every segment. `snapshot` seeds a fresh fold
    /// from the cache file when there is one.
    func refresh(needEvents: Bool, snapshot: FoldCache?) throws {
        let listed = SegmentFiles.list(layout, root: root)
        segments = listed
        if !loaded || (needEvents && !complete) {
            if !needEvents, !loaded, let snap = snapshot?.read(id: id, layout: layout), seed(snap, listed) {
                loaded = true
                try catchUp(listed, light: true)
                return
            }
            try rebuild(listed)
            return
        }
        try catchUp(listed, light: !complete)
    }

    private func seed(_ snap: FoldCache.Snapshot, _ listed: [SegmentStat]) -> Bool {
        for (file, c) in snap.cursors {
            guard let s = listed.first(where: { $0.file == file }), s.inode == c.inode, s.size >= c.offset else { return false }
        }
        state = snap.state
        cursors = snap.cursors
        lastKey = snap.lastKey
        eventCount = snap.eventCount
        cachedCursors = snap.cursors
        complete = false
        problems = []
        return true
    }

    /// Reads every segment from its start and folds the merge.
    private func rebuild(_ listed: [SegmentStat]) throws {
        var all: [JournalEvent] = []
        var probs: [JournalProblem] = []
        var cur: [String: SegmentCursor] = [:]
        var legacyCount = 0
        for s in listed {
            let bytes = try SegmentFiles.read(s.path, from: 0, to: s.size)
            let c = SegmentChunk.decode(bytes, firstLine: 1, segment: s, reportTorn: true)
            all += c.events
            if s.authorship == .legacy { legacyCount = c.events.count }
            probs += c.problems
            cur[s.file] = SegmentCursor(inode: s.inode, offset: Int64(c.consumed), lines: c.lines, lastHash: c.lastHash)
        }
        let sorted = Self.merge(all, legacyCount: legacyCount)
        state = IncidentState.fold(id: id, events: sorted)
        cursors = cur
        lastKey = sorted.map(EventKey.init).max()
        eventCount = sorted.count
        problems = probs
        complete = true
        loaded = true
        lastDelivered = nil
    }

    /// The merge: by recording time, then id. Lines of the legacy file come first among
    /// equal times and keep their file order (its ids were never made monotonic).
    static func merge(_ events: [JournalEvent], legacyCount: Int) -> [JournalEvent] {
        // Usually one segment, or several already in order: check before sorting anything.
        var sorted = true
        for i in events.indices.dropFirst() {
            let a = events[i - 1], b = events[i]
            if a.recordedAt.ms > b.recordedAt.ms || (a.recordedAt.ms == b.recordedAt.ms && i > legacyCount && a.id >= b.id) {
                sorted = false
                break
            }
        }
        if sorted { return events }
        var order = Array(events.indices)
        order.sort { i, j in
            let a = events[i], b = events[j]
            if a.recordedAt.ms != b.recordedAt.ms { return a.recordedAt.ms < b.recordedAt.ms }
            let la = i < legacyCount, lb = j < legacyCount
            if la != lb { return la }
            if la { return i < j }
            return a.id != b.id ? a.id < b.id : i < j
        }
        return order.map { events[$0] }
    }

    /// Reads what each segment gained since its cursor and applies it in merge order; falls
    /// back to a rebuild when a segment was replaced or cut, or when something new sorts before
    /// what is already folded (a clock that went back; another host's segment).
    private func catchUp(_ listed: [SegmentStat], light: Bool) throws {
        var fresh: [JournalEvent] = []
        var newCursors = cursors
        var newProblems: [JournalProblem] = []
        for s in listed {
            let c = cursors[s.file] ?? SegmentCursor(inode: s.inode, offset: 0, lines: 0, lastHash: nil)
            guard c.inode == s.inode, s.size >= c.offset else { return try rebuild(listed) }
            guard s.size > c.offset else {
                newCursors[s.file] = c
                continue
            }
            let bytes = try SegmentFiles.read(s.path, from: c.offset, to: s.size)
            let chunk = SegmentChunk.decode(bytes, firstLine: c.lines + 1, segment: s, reportTorn: false)
            fresh += chunk.events
            newProblems += chunk.problems
            newCursors[s.file] = SegmentCursor(
                inode: s.inode, offset: c.offset + Int64(chunk.consumed), lines: c.lines + chunk.lines,
                lastHash: chunk.lastHash ?? c.lastHash)
        }
        if cursors.keys.contains(where: { k in !listed.contains { $0.file == k } }) {
            return try rebuild(listed)  // a segment disappeared
        }
        fresh.sort { EventKey($0) < EventKey($1) }
        if let first = fresh.first, let lastKey, EventKey(first) <= lastKey { return try rebuild(listed) }
        // A strike replays the event list, which a light fold does not have.
        if light, fresh.contains(where: { $0.kind == .amendment && $0.payload["strike"]?.bool == true }) {
            return try rebuild(listed)
        }
        for e in fresh { state.apply(e) }
        if let last = fresh.last { lastKey = EventKey(last) }
        eventCount += fresh.count
        cursors = newCursors
        problems += newProblems
        lastDelivered = fresh
    }

    /// Records an event this process appended (under the lock, right after its write).
    func appended(_ e: JournalEvent, segment file: String, inode: UInt64, endOffset: Int64, lineHash: String) {
        state.apply(e)
        lastKey = EventKey(e)
        eventCount += 1
        var c = cursors[file] ?? SegmentCursor(inode: inode, offset: 0, lines: 0, lastHash: nil)
        c.inode = inode
        c.offset = endOffset
        c.lines += 1
        c.lastHash = lineHash
        cursors[file] = c
    }

    /// The cursor of one segment after a torn fragment there was cut off or ended.
    func adjust(segment file: String, inode: UInt64, offset: Int64, lines: Int, lastHash: String?) {
        cursors[file] = SegmentCursor(inode: inode, offset: offset, lines: lines, lastHash: lastHash)
    }

    /// A separate fold at the same point (a tail that goes on from what a load read).
    func clone() -> IncidentFold {
        let f = IncidentFold(id: id, layout: layout, root: root)
        f.state = state
        f.complete = complete
        f.cursors = cursors
        f.lastKey = lastKey
        f.eventCount = eventCount
        f.segments = segments
        f.playbook = playbook
        f.loaded = loaded
        f.lastDelivered = []
        return f
    }

    var snapshot: FoldCache.Snapshot {
        FoldCache.Snapshot(state: state, cursors: cursors, lastKey: lastKey, eventCount: eventCount)
    }
}
