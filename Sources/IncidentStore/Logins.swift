import Foundation

#if canImport(Glibc)
import Glibc
import Synchronization
#endif

/// Logins and file owners: who the file system says wrote a segment.
public enum Logins {
    /// The login of the effective user (the account this process runs as).
    public static var current: String { name(of: geteuid()) ?? String(geteuid()) }

    /// Memoised: a list of 1,000 incidents asks about the same few owners thousands of times,
    /// and each lookup may read /etc/passwd.
    public static func name(of uid: uid_t) -> String? {
        memo.withLock { memo in
            if let n = memo.names[uid] { return n }
            guard let pw = getpwuid(uid), let n = pw.pointee.pw_name else { return nil }
            let s = String(cString: n)
            memo.names[uid] = s
            return s
        }
    }

    private struct Memo {
        var names: [uid_t: String] = [:]
        var sole: [String: uid_t?] = [:]
    }
    private static let memo = Mutex(Memo())

    public static func uid(of name: String) -> uid_t? {
        guard let pw = getpwnam(name) else { return nil }
        return pw.pointee.pw_uid
    }

    /// A login usable as a segment's file name: letters, digits, `.`, `_`, `-`, not starting
    /// with a dot or dash, at most 64 bytes (what useradd accepts, roughly).
    public static func isSafeName(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard !b.isEmpty, b.count <= 64, b[0] != UInt8(ascii: "."), b[0] != UInt8(ascii: "-") else { return false }
        return b.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x5F || c == 0x2D
        }
    }

    /// The uid that alone controls `dir`, or nil when others can write there: the owner, when
    /// neither its group nor others may write, or when its group holds nobody but the owner
    /// (a user-private group). In such a directory every file is the owner's say anyway, so
    /// `--as` cannot make one login pass for another.
    public static func soleOwner(of dir: String) -> uid_t? {
        if let known = memo.withLock({ $0.sole[dir] }) { return known }
        let v = computeSoleOwner(dir)
        guard access(dir, F_OK) == 0 else { return v }  // not made yet: ask again later
        memo.withLock { $0.sole[dir] = v }
        return v
    }

    private static func computeSoleOwner(_ dir: String) -> uid_t? {
        var st = stat()
        guard stat(dir, &st) == 0 else {
            // Not made yet: whoever controls the nearest directory that exists will own it.
            guard let slash = dir.lastIndex(of: "/"), slash != dir.startIndex else { return nil }
            return computeSoleOwner(String(dir[..<slash]))
        }
        if st.st_mode & 0o022 == 0 { return st.st_uid }
        if st.st_mode & 0o002 == 0, groupHoldsOnly(st.st_gid, st.st_uid) { return st.st_uid }
        // Inside a directory only its owner may enter (mkdtemp's 0700, the demo's), nobody
        // else can reach the files at all.
        var path = dir
        while let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            path = String(path[..<slash])
            var up = stat()
            guard stat(path, &up) == 0 else { return nil }
            if up.st_mode & 0o077 == 0, up.st_uid == st.st_uid { return up.st_uid }
        }
        return nil
    }

    private static func groupHoldsOnly(_ gid: gid_t, _ uid: uid_t) -> Bool {
        let owner: String? = getpwuid(uid).flatMap { $0.pointee.pw_name.map { String(cString: $0) } }
        if let gr = getgrgid(gid), var mem = gr.pointee.gr_mem {
            while let m = mem.pointee {
                if String(cString: m) != owner { return false }
                mem += 1
            }
        }
        // Members by primary group are not listed in gr_mem.
        setpwent()
        defer { endpwent() }
        while let pw = getpwent() {
            if pw.pointee.pw_gid == gid, pw.pointee.pw_uid != uid { return false }
        }
        return true
    }
}
