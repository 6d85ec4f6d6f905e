import IncidentCore
import Yams

#if canImport(Glibc)
import Glibc
#endif

/// Where things live, resolved from flags, environment and config files. Kept as a value so
/// tests can pass their own environment instead of touching the process's.
public struct DialtoneEnvironment: Sendable {
    public var env: [String: String]
    public var home: String

    public init(env: [String: String]) {
        self.env = env
        self.home = env["HOME"] ?? "/tmp"
    }

    public static func current() -> DialtoneEnvironment {
        var d: [String: String] = [:]
        var p = environ
        while let c = p.pointee {
            let s = String(cString: c)
            if let eq = s.firstIndex(of: "=") { d[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
            p += 1
        }
        return DialtoneEnvironment(env: d)
    }

    public var configHome: String { env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config" }
    public var stateHome: String { env["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.local/state" }

    /// Config files, system first, user last (the user's wins).
    public var configFiles: [String] { ["/etc/dialtone/config.yaml", configHome + "/dialtone/config.yaml"] }

    /// `--dir`, else `$DIALTONE_DIR`, else `incidents_dir` from a config file, else the XDG state dir.
    public func incidentsDir(flag: String?) throws -> String {
        if let flag, !flag.isEmpty { return flag }
        if let d = env["DIALTONE_DIR"], !d.isEmpty { return d }
        let cfg = try Config.load(files: configFiles)
        if let d = cfg.incidentsDir { return d }
        return stateHome + "/dialtone/incidents"
    }

    /// The login name events are attributed to: `--as`, else the account running the process.
    public func actor(flag: String?) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return env["USER"] ?? "unknown"
    }
}

/// `config.yaml`: a few settings, all optional.
public struct Config: Sendable, Equatable {
    public var incidentsDir: String?
    public var theme: String?
    /// Key remapping for the console: action name -> key.
    public var keys: [String: String] = [:]
    /// The text of the config file holding the `notify:` section, and its path (the Notify
    /// module reads the section from it, so errors name the file's own lines); a later file's
    /// section replaces an earlier one whole.
    public var notifyText: String?
    public var notifyFile: String?

    public init(incidentsDir: String? = nil, theme: String? = nil, keys: [String: String] = [:]) {
        self.incidentsDir = incidentsDir
        self.theme = theme
        self.keys = keys
    }

    static let knownKeys: Set<String> = ["incidents_dir", "theme", "keys", "notify"]

    /// Reads each existing file in order; later files override earlier ones.
    public static func load(files: [String]) throws -> Config {
        var c = Config()
        for f in files {
            guard access(f, F_OK) == 0 else { continue }
            guard let text = try? readTextFile(f) else { throw StoreError.config(file: f, line: nil, reason: "cannot read config file") }
            let parsed = try parse(text, file: f)
            if let d = parsed.incidentsDir { c.incidentsDir = d }
            if let t = parsed.theme { c.theme = t }
            c.keys.merge(parsed.keys) { _, new in new }
            if parsed.notifyText != nil {
                c.notifyText = parsed.notifyText
                c.notifyFile = f
            }
        }
        return c
    }

    /// Bounds checked before libyaml sees a config file (a config is a few lines, 2 deep).
    static let maxBytes = 64 << 10
    static let maxDepth = 16

    public static func parse(_ text: String, file: String) throws -> Config {
        guard text.utf8.count <= maxBytes else {
            throw StoreError.config(file: file, line: nil, reason: "config file is over \(maxBytes / 1024) KiB; refusing to parse")
        }
        if let deep = YAMLNesting.tooDeep(text, maxDepth: maxDepth) {
            throw StoreError.config(file: file, line: deep.line, reason: "nesting deeper than \(maxDepth) levels; refusing to parse")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let e as YamlError {
            throw StoreError.config(file: file, line: nil, reason: "not valid YAML: \(String(describing: e).split(separator: "\n").first ?? "")")
        }
        guard let node else { return Config() }
        guard let map = node.mapping else { throw StoreError.config(file: file, line: node.mark?.line ?? 1, reason: "config must be a mapping") }
        var c = Config()
        for (k, v) in map {
            let key = k.string ?? ""
            let line = k.mark?.line ?? 0
            guard knownKeys.contains(key) else {
                throw StoreError.config(file: file, line: line, reason: "unknown key \"\(key)\" (known: \(knownKeys.sorted().joined(separator: ", ")))")
            }
            switch key {
            case "incidents_dir":
                guard let s = v.string else { throw StoreError.config(file: file, line: line, reason: "incidents_dir must be a path") }
                c.incidentsDir = s
            case "theme":
                guard let s = v.string else { throw StoreError.config(file: file, line: line, reason: "theme must be a name or path") }
                c.theme = s
            case "keys":
                guard let m = v.mapping else { throw StoreError.config(file: file, line: line, reason: "keys must be a mapping of action: key") }
                for (a, b) in m {
                    guard let an = a.string, let bn = b.string else {
                        throw StoreError.config(file: file, line: a.mark?.line ?? line, reason: "keys entries must be strings")
                    }
                    c.keys[an] = bn
                }
            case "notify":
                guard v.mapping != nil else { throw StoreError.config(file: file, line: line, reason: "notify must be a mapping (channels:, rules:)") }
                c.notifyText = text
                c.notifyFile = file
            default: break
            }
        }
        return c
    }
}

/// Reads a whole text file (invalid UTF-8 is replaced, never fatal).
public func readTextFile(_ path: String) throws -> String {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw StoreError.errno("cannot open", path) }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            throw StoreError.errno("read failed", path)
        }
        if n == 0 { break }
        bytes.append(contentsOf: buf[0..<n])
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Writes a file with the given mode (created group-shared, never world-readable).
public func writeTextFile(_ path: String, _ text: String, mode: mode_t = 0o660) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
    guard fd >= 0 else { throw StoreError.errno("cannot create", path) }
    defer { close(fd) }
    fchmod(fd, mode)  // umask must not widen or narrow what the war room needs
    var data = Array(text.utf8)
    var off = 0
    while off < data.count {
        let n = data.withUnsafeMutableBytes { write(fd, $0.baseAddress! + off, $0.count - off) }
        if n < 0 {
            if errno == EINTR { continue }
            throw StoreError.errno("write failed", path)
        }
        off += n
    }
    guard fsync(fd) == 0 else { throw StoreError.errno("fsync failed", path) }
}

/// `mkdir -p` with a mode for the directories it creates.
public func makeDirectories(_ path: String, mode: mode_t) throws {
    var partial = path.hasPrefix("/") ? "" : "."
    for comp in path.split(separator: "/") {
        partial += "/" + comp
        if mkdir(partial, mode) == 0 {
            chmod(partial, mode)  // mkdir applies the umask; the war room needs the exact mode
        } else if errno != EEXIST {
            throw StoreError.errno("cannot create directory", partial)
        }
    }
}
