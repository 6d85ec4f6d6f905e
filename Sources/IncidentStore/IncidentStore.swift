import Foundation
import IncidentCore

#if canImport(Glibc)
import Glibc
import Synchronization
#endif

/// An incident as read from disk: its state, the playbook snapshot it was opened with, and any
/// journal lines that could not be read or not be trusted (reported, never fatal).
public struct LoadedIncident: Sendable {
    public var id: String
    public var directory: String
    public var state: IncidentState
    public var playbook: Playbook
    public var problems: [JournalProblem]
    /// The files the journal was read from, with their authorship.
    public var segments: [SegmentStat]
}

/// What `list` and id resolution need, read from the fold snapshot when it is current.
public struct IncidentSummary: Sendable {
    public var id: String
    /// The fold without its event list.
    public var state: IncidentState
    public var eventCount: Int
    public var lastEventAt: Timestamp?
}

/// Incidents on disk: `<dir>/<id>/` holds `playbook.yaml` (the snapshot taken at open) and the
/// journal (see IncidentLayout). Folds are kept per process and brought up to date from each
/// segment's offset; copies of a store share them.
public struct IncidentStore: Sendable {
    public let root: String
    /// Stamps what is recorded when the caller gives no time.
    public let clock: any TimeSource
    let folds = FoldRegistry()
    public init(root: String, clock: any TimeSource = SystemTime()) {
        self.root = root
        self.clock = clock
    }

    public func directory(of id: String) -> String { root + "/" + id }
    public func layout(of id: String) -> IncidentLayout { IncidentLayout(directory: directory(of: id)) }
    /// The pre-segment journal file of an incident (read only; kept for old incidents).
    public func journal(of id: String) -> JournalFile { JournalFile(path: layout(of: id).legacy) }

    /// Creates `<root>/<id>/` (setgid so a war-room group keeps access, sticky so nobody renames
    /// or removes what another made: 3770), snapshots the
    /// playbook (and its thresholds overlay, `playbook-overlay.yaml`, when one was read over it)
    /// and appends the `opened` event to the creator's segment. Returns the new id.
    public func create(
        title: String, severity: Int?, playbook: Playbook, playbookYAML: String, overlayYAML: String? = nil,
        sources: [String], actor: String, now: Timestamp? = nil, rng: inout some RandomNumberGenerator
    ) throws -> String {
        let now = now ?? clock.now()
        try authorize(actor)
        // Validate before touching the disk: bad input writes nothing.
        let draft = try decide(
            .open(title: title, severity: severity, playbook: playbook.name, sources: sources),
            state: IncidentState(id: "new"), playbook: playbook, actor: actor, now: now)
        try makeDirectories(root, mode: 0o3770)
        let base = IncidentIDs.base(title: title, at: now)
        var id = base
        var n = 2
        while mkdir(directory(of: id), 0o3770) != 0 {
            guard errno == EEXIST else { throw StoreError.errno("cannot create incident directory", directory(of: id)) }
            id = "\(base)-\(n)"
            n += 1
        }
        chmod(directory(of: id), 0o3770)
        try writeTextFile(directory(of: id) + "/playbook.yaml", playbookYAML)
        if let overlayYAML { try writeTextFile(directory(of: id) + "/" + Self.overlayFile, overlayYAML) }
        let fold = folds.fold(id, layout: layout(of: id), root: root)
        fold.lock.lock()
        defer { fold.lock.unlock() }
        try JournalWriter.withLock(layout(of: id), exclusive: true) {
            try fold.refresh(needEvents: true, snapshot: nil)
            fold.playbook = playbook
            let event = JournalEvent(
                id: ULID.make(at: now, using: &rng), recordedAt: now, actor: actor, role: nil, kind: .opened,
                payload: draft.payload)
            try JournalWriter.append(event, login: actor, fold: fold)
        }
        cache(fold)
        return id
    }

    /// Every readable incident id under the root, sorted (ids start with the date, so oldest
    /// first). Use `scan()` to learn about the ones permissions hide.
    public func ids() -> [String] { (try? scan())?.ids ?? [] }

    /// The incidents under the root: those this login can read, sorted, and those it cannot
    /// (their directory or journal is closed to it). A root that does not exist yet holds none;
    /// one this login may not read throws "permission denied", never "no incidents".
    public func scan() throws -> (ids: [String], unreadable: [String]) {
        guard let d = opendir(root) else {
            let err = Glibc.errno
            if err == ENOENT { return ([], []) }
            if err == EACCES || err == EPERM { throw Self.permissionDenied(root, what: "incidents directory") }
            throw StoreError.errno("cannot read incidents directory", root)
        }
        defer { closedir(d) }
        var out: [String] = []
        var closed: [String] = []
        while let ent = readdir(d) {
            let name = withUnsafePointer(to: ent.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name.hasPrefix(".") { continue }
            let dir = root + "/" + name
            if access(dir, R_OK | X_OK) != 0 {
                // The directory cannot be searched. Only names shaped like our ids count: a
                // mount point's closed lost+found is not one.
                if Glibc.errno == EACCES || Glibc.errno == EPERM, IncidentIDs.looksLikeID(name) { closed.append(name) }
                continue
            }
            if layout(of: name).exists { out.append(name) }
        }
        return (out.sorted(), closed.sorted())
    }

    /// "permission denied" naming the path, its owner, group and mode, and the usual remedy.
    public static func permissionDenied(_ path: String, what: String) -> StoreError {
        var st = stat()
        guard stat(path, &st) == 0 else { return .permissionDenied(path: path, what: what, owner: nil, group: nil, mode: nil) }
        let owner = getpwuid(st.st_uid).map { String(cString: $0.pointee.pw_name) } ?? String(st.st_uid)
        let group = getgrgid(st.st_gid).map { String(cString: $0.pointee.gr_name) } ?? String(st.st_gid)
        return .permissionDenied(path: path, what: what, owner: owner, group: group, mode: UInt32(st.st_mode & 0o7777))
    }

    /// The error for an incident whose directory or journal this login may not read.
    public func permissionDenied(incident id: String) -> StoreError {
        let dir = directory(of: id)
        // Name the directory when it is the one closed; otherwise the journal inside it.
        let path = access(dir, X_OK) != 0 ? dir : dir + "/journal.jsonl"
        return Self.permissionDenied(path, what: path == dir ? "incident directory" : "journal")
    }

    /// Resolves what a person typed: an exact id, a unique prefix of an id, or a unique prefix
    /// of the slug after the date (`sip` for `20261121-sip-trunk-503`). Nil means "the only open
    /// incident".
    /// With `latestIfNoneOpen` (read-only commands such as export), no id and no open incident
    /// means the incident with the newest event: exporting right after resolving just works.
    public func resolve(_ typed: String?, latestIfNoneOpen: Bool = false) throws -> String {
        let (all, closed) = try scan()
        guard let typed, !typed.isEmpty else {
            let loaded = all.compactMap { id in try? summary(id) }
            let open = loaded.filter { !$0.state.isResolved }.map(\.id)
            if open.count == 1 { return open[0] }
            if open.isEmpty, latestIfNoneOpen,
                let latest = loaded.max(by: { ($0.lastEventAt ?? Timestamp(ms: 0)) < ($1.lastEventAt ?? Timestamp(ms: 0)) })
            {
                return latest.id
            }
            if open.isEmpty {
                // An incident this login cannot read may be the open one: say why, not "none".
                if let hidden = closed.last { throw permissionDenied(incident: hidden) }
                if let latest = all.last { throw StoreError.noOpenIncident(root: root, latest: latest) }
                throw StoreError.noOpenIncident(root: root, latest: nil)
            }
            throw StoreError.ambiguous(typed: nil, matches: open)
        }
        if all.contains(typed) { return typed }
        var matches = all.filter { $0.hasPrefix(typed) }
        if matches.isEmpty { matches = all.filter { IncidentIDs.slug(of: $0).hasPrefix(typed) } }
        if matches.count == 1 { return matches[0] }
        if matches.isEmpty {
            let hidden = closed.filter { $0.hasPrefix(typed) || IncidentIDs.slug(of: $0).hasPrefix(typed) }
            if let h = hidden.first { throw permissionDenied(incident: h) }
        }
        if matches.isEmpty { throw StoreError.noMatch(typed: typed, root: root) }
        throw StoreError.ambiguous(typed: typed, matches: matches)
    }

    /// This process's fold of `id`, brought up to date under the shared journal lock, and
    /// returned with its own lock held (the caller unlocks).
    private func refreshed(_ id: String, needEvents: Bool, snapshot: FoldCache?) throws -> IncidentFold {
        let fold = folds.fold(id, layout: layout(of: id), root: root)
        fold.lock.lock()
        do {
            guard layout(of: id).exists else { throw StoreError.notAnIncident(directory: directory(of: id)) }
            try JournalWriter.withLock(layout(of: id), exclusive: false) {
                try fold.refresh(needEvents: needEvents, snapshot: snapshot)
            }
        } catch {
            fold.lock.unlock()
            throw error
        }
        return fold
    }

    /// The whole incident: every segment read (from this process's fold when it has one) under
    /// the shared lock, so no append is half seen.
    public func load(_ id: String) throws -> LoadedIncident {
        let fold = try refreshed(id, needEvents: true, snapshot: nil)
        defer { fold.lock.unlock() }
        let pb = try playbook(fold)
        cache(fold)
        return LoadedIncident(
            id: id, directory: directory(of: id), state: fold.state, playbook: pb, problems: fold.problems,
            segments: fold.segments)
    }

    /// The fold with its events but without reading the playbook snapshot (stats across many
    /// incidents need the record, not the playbook each was opened with).
    public func state(_ id: String) throws -> IncidentState {
        let fold = try refreshed(id, needEvents: true, snapshot: nil)
        defer { fold.lock.unlock() }
        return fold.state
    }

    /// The fold without its event list, from the snapshot when it is current.
    public func summary(_ id: String) throws -> IncidentSummary {
        let fold = try refreshed(id, needEvents: false, snapshot: snapshotFile(id))
        defer { fold.lock.unlock() }
        cache(fold)
        return IncidentSummary(id: id, state: fold.state, eventCount: fold.eventCount, lastEventAt: fold.lastKey.map { Timestamp(ms: $0.ms) })
    }

    func snapshotFile(_ id: String) -> FoldCache {
        FoldCache(path: layout(of: id).fold(Logins.current))
    }

    /// Writes the snapshot when the fold moved past it (best effort).
    private func cache(_ fold: IncidentFold) {
        let snap = fold.snapshot
        guard fold.cachedCursors != snap.cursors else { return }
        snapshotFile(fold.id).write(id: fold.id, snap)
        fold.cachedCursors = snap.cursors
    }

    private func playbook(_ fold: IncidentFold) throws -> Playbook {
        if let p = fold.playbook { return p }
        let pbPath = directory(of: fold.id) + "/playbook.yaml"
        let yaml = try readTextFile(pbPath)
        var p: Playbook
        do {
            p = try PlaybookLoader.load(yaml: yaml, file: pbPath)
        } catch {
            throw StoreError.playbookSnapshot(path: pbPath, error)
        }
        let overlayPath = directory(of: fold.id) + "/" + Self.overlayFile
        if access(overlayPath, F_OK) == 0 {
            do {
                p = try PlaybookOverlay.apply(yaml: try readTextFile(overlayPath), file: overlayPath, to: p)
            } catch let e as PlaybookLoadError {
                throw StoreError.playbookSnapshot(path: overlayPath, e)
            }
        }
        fold.playbook = p
        return p
    }

    /// The snapshot of the thresholds overlay read over the playbook at open.
    public static let overlayFile = "playbook-overlay.yaml"

    /// Records a command: under the incident's lock, brings the fold up to date, checks the
    /// command against it, and appends its event to the actor's segment with fsync.
    public func record(
        _ cmd: Command, in id: String, actor: String, now: Timestamp? = nil, attached: [Playbook] = [],
        automatic: Bool = false, rng: inout some RandomNumberGenerator
    ) throws -> JournalEvent {
        try record(cmd, in: id, actor: actor, now: now, automatic: automatic, attachedFor: { _ in attached }, rng: &rng).event
    }

    /// As above; `attachedFor` picks the other playbooks whose lists are attached, from the state
    /// read under the lock. Also returns the incident's playbook, for describing the event to
    /// the person who asked. `automatic` records on the console's behalf: the event goes to
    /// `actor`'s segment, shown as `dialtone`, flagged automatic.
    public func record(
        _ cmd: Command, in id: String, actor: String, now: Timestamp? = nil, automatic: Bool = false,
        attachedFor: (IncidentState) throws -> [Playbook], rng: inout some RandomNumberGenerator
    ) throws -> (event: JournalEvent, playbook: Playbook) {
        let now = now ?? clock.now()
        try authorize(actor)
        let fold = folds.fold(id, layout: layout(of: id), root: root)
        fold.lock.lock()
        defer { fold.lock.unlock() }
        guard layout(of: id).exists else { throw StoreError.notAnIncident(directory: directory(of: id)) }
        let result: (JournalEvent, Playbook) = try JournalWriter.withLock(layout(of: id), exclusive: true) {
            try fold.refresh(needEvents: Self.needsEvents(cmd), snapshot: snapshotFile(id))
            let pb = try playbook(fold)
            let shownAs = automatic ? automaticActor : actor
            let draft = try decide(
                cmd, state: fold.state, playbook: pb, actor: shownAs, now: now, attached: try attachedFor(fold.state))
            // Merge order is (time, id): never stamp before the newest event, and within its
            // millisecond take the next id, so this event sorts after everything it was checked against.
            var at = now
            if let k = fold.lastKey, k.ms > at.ms { at = Timestamp(ms: k.ms) }
            var eid = ULID.make(at: at, using: &rng)
            if let k = fold.lastKey, k.ms == at.ms, eid <= k.id { eid = ULID.successor(k.id) }
            let event = JournalEvent(
                id: eid, recordedAt: at, occurredAt: draft.occurredAt, actor: shownAs,
                role: automatic ? nil : fold.state.role(of: actor), kind: draft.kind, payload: draft.payload,
                automatic: automatic)
            let written = try JournalWriter.append(event, login: actor, fold: fold)
            return (written, pb)
        }
        cache(fold)
        return result
    }

    /// Commands whose check looks at the event list (the rest need only the fold's fields).
    static func needsEvents(_ cmd: Command) -> Bool {
        switch cmd {
        case .amend, .star: return true
        default: return false
        }
    }

    /// `--as` may only name someone else where it cannot lie: for root, or in an incidents
    /// directory the caller alone controls (tests, the demo).
    public func authorize(_ actor: String) throws {
        guard Logins.isSafeName(actor) else {
            throw StoreError.actor("actor \"\(actor.prefix(64))\"", reason: "not a login name (letters, digits, . _ -)")
        }
        let me = Logins.current
        if actor == me || geteuid() == 0 { return }
        if Logins.soleOwner(of: root) == geteuid() { return }
        throw StoreError.actor(
            "--as \(actor)", reason: "refused: you are \(me), and \(root) is shared (--as is only for root or in a directory you alone own)")
    }

    private func decide(
        _ cmd: Command, state: IncidentState, playbook: Playbook, actor: String, now: Timestamp, attached: [Playbook] = []
    ) throws -> EventDraft {
        do {
            return try Decider.decide(cmd, state: state, playbook: playbook, actor: actor, now: now, attached: attached)
        } catch {
            throw StoreError.refused(error)
        }
    }
}

/// This process's folds, one per incident directory.
final class FoldRegistry: Sendable {
    private let folds = Mutex<[String: IncidentFold]>([:])

    func fold(_ id: String, layout: IncidentLayout, root: String) -> IncidentFold {
        folds.withLock { folds in
            if let f = folds[layout.directory] { return f }
            let f = IncidentFold(id: id, layout: layout, root: root)
            folds[layout.directory] = f
            return f
        }
    }
}

/// Short, typeable incident ids: the UTC date, then a slug of the title (`20261121-sip-trunk-503`).
public enum IncidentIDs {
    public static func base(title: String, at: Timestamp) -> String {
        let date = at.dateOnly.replacingAll("-", with: "")
        let s = slugify(title)
        return s.isEmpty ? date + "-incident" : date + "-" + s
    }

    public static func slugify(_ title: String) -> String {
        var words: [String] = []
        var cur = ""
        for u in title.lowercased().unicodeScalars {
            if ("a"..."z").contains(u) || ("0"..."9").contains(u) {
                cur.unicodeScalars.append(u)
            } else if !cur.isEmpty {
                words.append(cur)
                cur = ""
            }
        }
        if !cur.isEmpty { words.append(cur) }
        var out = ""
        for w in words.prefix(4) {
            let next = out.isEmpty ? w : out + "-" + w
            if next.count > 28 { break }
            out = next
        }
        return out
    }

    /// True for names of the form `YYYYMMDD-...`, as `base` makes them.
    public static func looksLikeID(_ name: String) -> Bool {
        let b = Array(name.utf8)
        return b.count > 9 && b[8] == UInt8(ascii: "-") && b[0..<8].allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    /// The part after the date.
    public static func slug(of id: String) -> String {
        guard let dash = id.firstIndex(of: "-") else { return id }
        return String(id[id.index(after: dash)...])
    }
}

extension String {
    func replacingAll(_ a: Character, with b: String) -> String {
        var out = ""
        for c in self { if c == a { out += b } else { out.append(c) } }
        return out
    }
}
