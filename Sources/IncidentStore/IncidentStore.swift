#if canImport(Glibc)
import Glibc
#endif
import IncidentCore

/// An incident as read from disk: its state, the playbook snapshot it was opened with, and any
/// journal lines that could not be read (reported, never fatal).
public struct LoadedIncident: Sendable {
    public var id: String
    public var directory: String
    public var state: IncidentState
    public var playbook: Playbook
    public var problems: [JournalProblem]
}

/// Incidents on disk: `<dir>/<id>/journal.jsonl` plus `playbook.yaml`, the snapshot taken at open.
public struct IncidentStore: Sendable {
    public let root: String
    public init(root: String) { self.root = root }

    public func directory(of id: String) -> String { root + "/" + id }
    public func journal(of id: String) -> JournalFile { JournalFile(path: directory(of: id) + "/journal.jsonl") }

    /// Creates `<root>/<id>/` (setgid 2770 so a war-room group keeps access), snapshots the
    /// playbook and appends the `opened` event. Returns the new id.
    public func create(
        title: String, severity: Int?, playbook: Playbook, playbookYAML: String, sources: [String],
        actor: String, now: Timestamp, rng: inout some RandomNumberGenerator
    ) throws -> String {
        // Validate before touching the disk: bad input writes nothing.
        let draft = try decide(
            .open(title: title, severity: severity, playbook: playbook.name, sources: sources),
            state: IncidentState(id: "new"), playbook: playbook, actor: actor, now: now)
        try makeDirectories(root, mode: 0o2770)
        let base = IncidentIDs.base(title: title, at: now)
        var id = base
        var n = 2
        while mkdir(directory(of: id), 0o2770) != 0 {
            guard errno == EEXIST else { throw StoreError.errno("cannot create incident directory", directory(of: id)) }
            id = "\(base)-\(n)"
            n += 1
        }
        chmod(directory(of: id), 0o2770)
        try writeTextFile(directory(of: id) + "/playbook.yaml", playbookYAML)
        let event = JournalEvent(
            id: ULID.make(at: now, using: &rng), recordedAt: now, actor: actor, role: nil, kind: .opened,
            payload: draft.payload)
        try journal(of: id).withLock { _ in ([JournalCodec.encode(event)], ()) }
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
            let journal = root + "/" + name + "/journal.jsonl"
            if access(journal, R_OK) == 0 {
                out.append(name)
            } else if Glibc.errno == EACCES || Glibc.errno == EPERM, IncidentIDs.looksLikeID(name) {
                // Either the directory cannot be searched or the journal cannot be read. Only
                // names shaped like our ids count: a mount point's closed lost+found is not one.
                closed.append(name)
            }
        }
        return (out.sorted(), closed.sorted())
    }

    /// "permission denied" naming the path, its owner, group and mode, and the usual remedy.
    public static func permissionDenied(_ path: String, what: String) -> StoreError {
        var st = stat()
        var detail = ""
        var group: String?
        if stat(path, &st) == 0 {
            let owner = getpwuid(st.st_uid).map { String(cString: $0.pointee.pw_name) } ?? String(st.st_uid)
            group = getgrgid(st.st_gid).map { String(cString: $0.pointee.gr_name) } ?? String(st.st_gid)
            detail = " (owner \(owner), group \(group!), mode \(String(st.st_mode & 0o7777, radix: 8)))"
        }
        let advice = group.map { "; ask to be added to group \($0) (usermod -aG \($0) LOGIN, then log in again)" } ?? ""
        var e = StoreError("permission denied: cannot read \(what) \(path)\(detail)\(advice)")
        e.reason = "permission denied"
        e.fileName = path.split(separator: "/").last.map(String.init)
        return e
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
            let loaded = all.compactMap { id in (try? load(id)).map { (id, $0.state) } }
            let open = loaded.filter { !$0.1.isResolved }.map(\.0)
            if open.count == 1 { return open[0] }
            if open.isEmpty, latestIfNoneOpen,
                let latest = loaded.max(by: { ($0.1.lastEventAt ?? Timestamp(ms: 0)) < ($1.1.lastEventAt ?? Timestamp(ms: 0)) })
            {
                return latest.0
            }
            if open.isEmpty {
                // An incident this login cannot read may be the open one: say why, not "none".
                if let hidden = closed.last { throw permissionDenied(incident: hidden) }
                if let latest = all.last { throw StoreError("no open incident in \(root); give an id (latest: \(latest))") }
                throw StoreError("no incident in \(root); create one with `dialtone new TITLE`")
            }
            throw StoreError("\(open.count) open incidents (\(open.prefix(5).joined(separator: ", "))); give an id")
        }
        if all.contains(typed) { return typed }
        var matches = all.filter { $0.hasPrefix(typed) }
        if matches.isEmpty { matches = all.filter { IncidentIDs.slug(of: $0).hasPrefix(typed) } }
        if matches.count == 1 { return matches[0] }
        if matches.isEmpty {
            let hidden = closed.filter { $0.hasPrefix(typed) || IncidentIDs.slug(of: $0).hasPrefix(typed) }
            if let h = hidden.first { throw permissionDenied(incident: h) }
        }
        if matches.isEmpty { throw StoreError("no incident matches \"\(typed)\" in \(root)") }
        throw StoreError("\"\(typed)\" matches \(matches.count) incidents (\(matches.prefix(5).joined(separator: ", "))); type more of the id")
    }

    public func load(_ id: String) throws -> LoadedIncident {
        let text = try journal(of: id).read()
        return try makeLoaded(id: id, journalText: text)
    }

    private func makeLoaded(id: String, journalText: String) throws -> LoadedIncident {
        let (events, problems) = JournalCodec.decodeAll(journalText)
        let pbPath = directory(of: id) + "/playbook.yaml"
        let yaml = try readTextFile(pbPath)
        let playbook: Playbook
        do {
            playbook = try PlaybookLoader.load(yaml: yaml, file: pbPath)
        } catch {
            throw StoreError("\(error.issues.first?.description ?? pbPath + ": playbook snapshot does not load")")
        }
        return LoadedIncident(
            id: id, directory: directory(of: id), state: IncidentState.fold(id: id, events: events),
            playbook: playbook, problems: problems)
    }

    /// Records a command: under the journal's lock, reads every event so far, checks the
    /// command against that state, and appends its event with fsync. Returns the event.
    public func record(
        _ cmd: Command, in id: String, actor: String, now: Timestamp, attached: [Playbook] = [],
        rng: inout some RandomNumberGenerator
    ) throws -> JournalEvent {
        try record(cmd, in: id, actor: actor, now: now, attachedFor: { _ in attached }, rng: &rng).event
    }

    /// As above; `attachedFor` picks the other playbooks whose lists are attached, from the state
    /// read under the lock (so one load serves the decision). Also returns the incident's
    /// playbook, for describing the event to the person who asked.
    public func record(
        _ cmd: Command, in id: String, actor: String, now: Timestamp,
        attachedFor: (IncidentState) throws -> [Playbook], rng: inout some RandomNumberGenerator
    ) throws -> (event: JournalEvent, playbook: Playbook) {
        var rngCopy = rng
        defer { rng = rngCopy }
        return try journal(of: id).withLock { text in
            let loaded = try makeLoaded(id: id, journalText: text)
            let draft = try decide(
                cmd, state: loaded.state, playbook: loaded.playbook, actor: actor, now: now,
                attached: try attachedFor(loaded.state))
            let event = JournalEvent(
                id: ULID.make(at: now, using: &rngCopy), recordedAt: now, occurredAt: draft.occurredAt,
                actor: actor, role: loaded.state.role(of: actor), kind: draft.kind, payload: draft.payload)
            return ([JournalCodec.encode(event)], (event, loaded.playbook))
        }
    }

    private func decide(
        _ cmd: Command, state: IncidentState, playbook: Playbook, actor: String, now: Timestamp, attached: [Playbook] = []
    ) throws -> EventDraft {
        do {
            return try Decider.decide(cmd, state: state, playbook: playbook, actor: actor, now: now, attached: attached)
        } catch {
            throw StoreError(error.message)
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
