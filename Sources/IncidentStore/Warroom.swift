#if canImport(Glibc)
import Glibc
#endif

/// `dialtone setup-warroom DIR [--group G]`: one directory several logins share.
public enum Warroom {
    /// Creates DIR (setgid and sticky, 3770, owned by `group` when given) and returns advice lines.
    /// Sticky: a member cannot rename or remove another member's incident directory.
    public static func setup(dir: String, group: String?) throws -> [String] {
        try makeDirectories(dir, mode: 0o3770)
        if let group {
            guard let gr = getgrnam(group) else { throw StoreError.noSuchGroup(group) }
            guard chown(dir, uid_t.max, gr.pointee.gr_gid) == 0 else { throw StoreError.errno("cannot set group \(group)", dir) }
        }
        guard chmod(dir, 0o3770) == 0 else { throw StoreError.errno("cannot set mode 3770", dir) }
        var st = stat()
        stat(dir, &st)
        let gname = getgrgid(st.st_gid).map { String(cString: $0.pointee.gr_name) } ?? String(st.st_gid)
        return [
            "war room ready: \(dir) (group \(gname), mode 3770: members read and write, nobody removes what another made, others nothing)",
            "add each responder to group \(gname) (usermod -aG \(gname) LOGIN; they log in again),",
            "then make it everyone's default with one of:",
            "  export DIALTONE_DIR=\(dir)",
            "  echo 'incidents_dir: \(dir)' | sudo tee /etc/dialtone/config.yaml",
        ]
    }
}
