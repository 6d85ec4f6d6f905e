import IncidentCore

#if canImport(Glibc)
import Glibc
#endif

/// Finds playbooks by name or path. Search order: a path (anything with a `/` or ending in
/// `.yaml`), then `$DIALTONE_PLAYBOOKS`, then `$XDG_CONFIG_HOME/dialtone/playbooks/` (a team's
/// own copies win), then `Playbooks/` of the package the running binary was built from, then
/// the copies built into the binary (so a binary copied anywhere still has its playbooks).
///
/// A thresholds overlay (`PlaybookOverlay`, what `dialtone calibrate --save` writes) named for
/// the playbook's `name` in `overlayDir` (`$XDG_CONFIG_HOME/dialtone/overlays/NAME.yaml`) is
/// read over whichever copy of the playbook was found.
public struct PlaybookLocator: Sendable {
    public var searchDirs: [String]
    /// Playbooks by name used when no directory has the file; `BuiltinPlaybooks.yaml` by default.
    public var builtins: [String: String]
    /// Where thresholds overlays are kept; nil reads none.
    public var overlayDir: String?

    public init(searchDirs: [String], builtins: [String: String] = BuiltinPlaybooks.yaml, overlayDir: String? = nil) {
        self.searchDirs = searchDirs
        self.builtins = builtins
        self.overlayDir = overlayDir
    }

    /// The overlay file for the playbook named `name`, whether or not it exists; nil when
    /// there is no overlay directory or the name could not be a file name.
    public func overlayPath(for name: String) -> String? {
        guard let overlayDir, !name.isEmpty, name.utf8.count <= 128,
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else { return nil }
        return overlayDir + "/" + name + ".yaml"
    }

    /// The label a built-in playbook's problems and `playbook check` lines carry instead of a path.
    public static func builtinLabel(_ name: String) -> String { "(built-in) \(name).yaml" }

    public static func standard(_ env: DialtoneEnvironment) -> PlaybookLocator {
        var dirs = [env.configHome + "/dialtone/playbooks"]
        if let d = env.env["DIALTONE_PLAYBOOKS"], !d.isEmpty { dirs.insert(d, at: 0) }
        if let pkg = packageDirectory(containing: "Playbooks") { dirs.append(pkg + "/Playbooks") }
        return PlaybookLocator(searchDirs: dirs, overlayDir: env.configHome + "/dialtone/overlays")
    }

    /// Walks up from the executable (`.build/release/dialtone`) to the package holding `name`.
    public static func packageDirectory(containing name: String) -> String? {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        guard n > 0 else { return nil }
        var dir = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        for _ in 0..<6 {
            guard let slash = dir.lastIndex(of: "/"), slash != dir.startIndex else { return nil }
            dir = String(dir[..<slash])
            var st = stat()
            if stat(dir + "/" + name, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { return dir }
        }
        return nil
    }

    /// Path of the playbook named or given; for a built-in one, its label (not a file).
    public func path(for nameOrPath: String) throws -> String {
        try find(nameOrPath).path
    }

    /// Where the playbook named or given comes from, and its text (read now for files).
    public func read(_ nameOrPath: String) throws -> (path: String, yaml: String) {
        let found = try find(nameOrPath)
        return (found.path, try found.yaml ?? readTextFile(found.path))
    }

    /// A file path (yaml nil) or a built-in copy (its label and text).
    private func find(_ nameOrPath: String) throws -> (path: String, yaml: String?) {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".yaml") || nameOrPath.hasSuffix(".yml") {
            guard access(nameOrPath, R_OK) == 0 else { throw StoreError.playbookNotFound(name: nameOrPath, searched: nil, builtins: []) }
            return (nameOrPath, nil)
        }
        for d in searchDirs {
            for ext in [".yaml", ".yml"] where access(d + "/" + nameOrPath + ext, R_OK) == 0 {
                return (d + "/" + nameOrPath + ext, nil)
            }
        }
        if let yaml = builtins[nameOrPath] { return (Self.builtinLabel(nameOrPath), yaml) }
        throw StoreError.playbookNotFound(name: nameOrPath, searched: searchDirs, builtins: builtins.keys.sorted())
    }

    /// Loads and validates, with the playbook's thresholds overlay when there is one (its path
    /// and text in `overlay`, for the incident's snapshot); problems in either come back as
    /// `FILE:LINE:COLUMN: message` lines.
    public func load(
        _ nameOrPath: String
    ) throws -> (
        playbook: Playbook, yaml: String, path: String, overlay: (path: String, yaml: String)?
    ) {
        let (p, yaml) = try read(nameOrPath)
        let base: Playbook
        do {
            base = try PlaybookLoader.load(yaml: yaml, file: p)
        } catch {
            throw StoreError.playbook(error)
        }
        guard let op = overlayPath(for: base.name), access(op, F_OK) == 0 else { return (base, yaml, p, nil) }
        let text = try readTextFile(op)
        do {
            return (try PlaybookOverlay.apply(yaml: text, file: op, to: base), yaml, p, (op, text))
        } catch {
            throw StoreError.playbook(error)
        }
    }

    /// Names of every playbook found (files and built-ins), first occurrence wins.
    public func available() -> [String] {
        var seen: [String] = Array(builtins.keys)
        for d in searchDirs {
            guard let dp = opendir(d) else { continue }
            defer { closedir(dp) }
            while let ent = readdir(dp) {
                let name = withUnsafePointer(to: ent.pointee.d_name) {
                    $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                }
                guard name.hasSuffix(".yaml") else { continue }
                let base = String(name.dropLast(5))
                if !seen.contains(base) { seen.append(base) }
            }
        }
        return seen.sorted()
    }
}
