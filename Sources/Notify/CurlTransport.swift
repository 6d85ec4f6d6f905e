import Checks
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Delivery through the curl program, one child per request. URLSession would bring libcurl
/// and some 30 libraries it links (about 9 MiB) into every dialtone process, while only
/// notifications speak HTTP. HTTPS, proxies from the environment (curl's own `https_proxy`,
/// `no_proxy`), redirects that never leave HTTP(S) nor drop HTTPS, and a hard bound on each
/// request: the child runs in its own process group, stopped whole at the deadline.
public struct CurlTransport: Transport {
    /// Nothing that varies and nothing secret: the URL, headers and body reach curl through
    /// descriptors (a Slack webhook URL is itself a secret), never its argv. `-q` first keeps a
    /// ~/.curlrc out.
    public static let argv = ["curl", "-q", "-sS", "--globoff", "--proto", "=https,http", "--config", "-"]
    public static let missing = "notifications need curl: apt-get install curl"
    /// An answer larger than this is cut short (vendors answer in kilobytes).
    static let maxAnswer = 8 * 1024 * 1024

    let environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    public func send(_ request: HTTPRequest, timeout: Double) -> HTTPOutcome {
        let config: String
        do {
            config = try Self.config(request, timeout: timeout)
        } catch {
            return .failed(error.message)
        }
        guard CheckProcess.resolve("curl", path: environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin") != nil else {
            return .failed(Self.missing)
        }
        guard let cfg = AnonymousFile(Array(config.utf8)), let body = AnonymousFile(request.body), let answer = AnonymousFile([]),
            let headers = AnonymousFile([])
        else { return .failed("cannot make a file for curl: \(String(cString: strerror(errno)))") }
        let finished: CheckProcess.Finished
        do throws(CheckProcess.StartError) {
            // curl's --max-time ends it first; ours is the bound should curl not.
            finished = try CheckProcess().run(
                Self.argv, environment: environment, timeoutSeconds: timeout + 0.5,
                files: [0: cfg.fd, 3: body.fd, 4: answer.fd, 5: headers.fd])
        } catch {
            if case .cannotStart(_, "not found on PATH") = error { return .failed(Self.missing) }
            return .failed(error.description)
        }
        if finished.timedOut { return .timedOut(timeout) }
        // A status lost to another reaper: curl ended, and its header dump says how.
        if let sig = finished.signal { return .failed("curl ended by signal \(sig)") }
        let code = finished.exitCode ?? 0
        if code == 28 { return .timedOut(timeout) }
        guard code == 0 else { return .failed(Self.brief(exit: code)) }
        guard let (status, fields) = Self.lastResponse(headers.contents(limit: 1024 * 1024)) else { return .failed("no response") }
        return .response(status: status, headers: fields, body: answer.contents(limit: Self.maxAnswer))
    }

    /// The request as curl config lines (read from stdin). Every value is quoted and escaped;
    /// a line break, which would start a config line of its own (or a header of its own on the
    /// wire), is refused.
    static func config(_ r: HTTPRequest, timeout: Double) throws(NotifyError) -> String {
        func quoted(_ s: String, _ what: String) throws(NotifyError) -> String {
            if s.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\0" }) {
                throw NotifyError("\(what) holds a line break, not sent")
            }
            return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        let method = r.method.uppercased()
        guard !method.isEmpty, method.allSatisfy({ $0.isLetter && $0.isASCII }) else { throw NotifyError("bad method \(r.method)") }
        let lower = r.url.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else { throw NotifyError("bad URL") }
        var lines = [
            "url = " + (try quoted(r.url, "the URL")),
            String(format: "max-time = %.3f", timeout),
            "max-filesize = \(maxAnswer)",
            // Redirects are followed as URLSession did, never from HTTPS to plain HTTP.
            "location", "max-redirs = 5", "proto-redir = " + (lower.hasPrefix("https://") ? "=https" : "=https,http"),
            "output = \"/dev/fd/4\"", "dump-header = \"/dev/fd/5\"",
        ]
        if !r.body.isEmpty { lines.append("data-binary = \"@/dev/fd/3\"") }
        if method == "HEAD" {
            lines.append("head")
        } else if !(method == "GET" && r.body.isEmpty) && !(method == "POST" && !r.body.isEmpty) {
            lines.append("request = \(method)")
        }
        // curl would wait a second for a 100 Continue before a large body; URLSession did not ask.
        var names: Set<String> = []
        for (name, value) in r.headers.sorted(by: { $0.key < $1.key }) {
            guard !name.isEmpty, name.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 32 && $0 != ":" && $0 != ";" }) else {
                throw NotifyError("bad header name \(name.debugDescription)")
            }
            names.insert(name.lowercased())
            // `Name;` is curl's way to send a header with an empty value (`Name:` removes one).
            lines.append("header = " + (try quoted(value.isEmpty ? name + ";" : name + ": " + value, "header \(name)")))
        }
        if !names.contains("expect") { lines.append("header = \"Expect:\"") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The status and header fields of the last response in a header dump (earlier ones are
    /// redirects, a 100 Continue or a proxy's CONNECT answer). Names lower-cased; a repeated
    /// field's values joined with ", ".
    static func lastResponse(_ dump: [UInt8]) -> (Int, [String: String])? {
        var result: (Int, [String: String])?
        // Split as bytes: "\r\n" is one Character to a String.
        for raw in dump.split(separator: 0x0A) {
            let line = Substring(String(decoding: raw.last == 0x0D ? raw.dropLast() : raw, as: UTF8.self))
            if line.hasPrefix("HTTP/") {
                let parts = line.split(separator: " ", maxSplits: 2)
                guard parts.count >= 2, let status = Int(parts[1]) else { continue }
                result = (status, [:])
            } else if let colon = line.firstIndex(of: ":"), result != nil {
                let name = line[..<colon].lowercased()
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                result!.1[name] = result!.1[name].map { $0 + ", " + value } ?? value
            }
        }
        return result
    }

    /// curl's exit codes as the one-line briefs the journal has always shown.
    static func brief(exit code: Int32) -> String {
        switch code {
        case 5: "proxy not found"
        case 6: "host not found"
        case 7: "connection refused"
        case 1: "redirected off HTTP(S)"
        case 3: "bad URL"
        case 35, 51, 53, 54, 58, 59, 60, 64, 66, 77, 80, 82, 83, 90, 91: "TLS handshake failed"
        case 52, 55, 56: "connection lost"
        case 47: "too many redirects"
        case 63: "answer too large"
        default: "network error (curl exit \(code))"
        }
    }
}

/// A file no name leads to, in /dev/shm (memory) where there is one: what curl reads (its
/// config, a body that may hold a routing key) and writes (the answer) passes through these and
/// is gone when they close, whatever becomes of this process.
final class AnonymousFile {
    let fd: Int32

    init?(_ bytes: [UInt8]) {
        let dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp")
        var template = Array((dir + "/dialtone-curl.XXXXXX").utf8CString)
        fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { return nil }
        unlink(template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            guard n > 0 else {
                close(fd)
                return nil
            }
            done += n
        }
        // curl reads its stdin from where a shared descriptor stands: the start.
        lseek(fd, 0, SEEK_SET)
    }

    deinit { close(fd) }

    /// What the file holds now, at most `limit` bytes.
    func contents(limit: Int) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while out.count < limit {
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(out.count)) }
            guard n > 0 else { break }
            out += chunk[0..<min(n, limit - out.count)]
        }
        return out
    }
}
