import IncidentCore

#if canImport(Glibc)
import Glibc
#endif

/// Runs a checklist item's check as the person who asked, and turns the run into what the
/// journal records: the command and output redacted, the excerpt bounded and free of control
/// characters, the verdict of the item's pass rule.
public struct CheckExecution: Sendable {
    public var item: ChecklistItem
    public var spec: CheckSpec
    public var argv: [String]
    /// The command as shown to the person before it runs, and to everyone after.
    public var shownCommand: String
    public var childEnvironment: [String: String]
    public var secrets: [String]
    public var playbookPath: String
    public var playbookSHA256: String
    /// For `${NAME}` thresholds in the pass rule.
    var environment: [String: String]
    var vars: [String: String]

    /// Prepares the run; throws (one line) when the item has no check or a variable is unset.
    public init(
        item: ChecklistItem, playbook: Playbook, playbookPath: String, playbookSHA256: String,
        environment: [String: String]
    ) throws(CheckError) {
        guard let spec = item.check else { throw .unsetVariable("an item without a check: \(item.id)") }
        self.item = item
        self.spec = spec
        self.playbookPath = playbookPath
        self.playbookSHA256 = playbookSHA256
        self.environment = environment
        vars = playbook.vars
        argv = try spec.argv(vars: playbook.vars, environment: environment)
        // A minimal environment: what commands need to run at all, plus the names the check
        // lists. The caller's other variables (tokens of unrelated tools) stay out.
        var env: [String: String] = ["PATH": environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "TZ": "UTC"]
        for k in ["HOME", "USER", "LOGNAME"] { if let v = environment[k] { env[k] = v } }
        for k in spec.env { if let v = environment[k] { env[k] = v } }
        childEnvironment = env
        var secretValues: [String] = []
        for name in spec.variables + spec.env where CheckSpec.isSecretName(name) {
            if let v = environment[name] ?? playbook.vars[name] { secretValues.append(v) }
        }
        secrets = secretValues
        shownCommand = CheckSpec.shown(argv, secrets: secretValues)
    }

    /// Runs the check (blocking). `onOutput` receives the output as it arrives, already made
    /// safe for a terminal and redacted, a line at a time.
    public func run(process: CheckProcess = CheckProcess(), now: Timestamp, onOutput: (String) -> Void = { _ in }) -> CheckOutcome {
        var pending: [UInt8] = []
        let finished: CheckProcess.Finished
        do throws(CheckProcess.StartError) {
            finished = try process.run(argv, environment: childEnvironment, timeoutSeconds: Double(spec.timeoutSeconds)) { chunk in
                pending += chunk
                while let nl = pending.firstIndex(of: 0x0A) {
                    onOutput(safe(Array(pending[..<nl])))
                    pending.removeSubrange(...nl)
                }
            }
        } catch {
            return outcome(.notStarted, durationMs: 0, exit: nil, reason: error.description, output: [])
        }
        if !pending.isEmpty { onOutput(safe(pending)) }
        let text = String(decoding: finished.output, as: UTF8.self)
        let secs = Double(finished.durationMs) / 1000
        if finished.cancelled {
            return outcome(.cancelled, durationMs: finished.durationMs, exit: nil, reason: "cancelled after \(CheckPass.num(secs)) s", output: finished.output)
        }
        if finished.timedOut {
            return outcome(
                .timedOut, durationMs: finished.durationMs, exit: nil, reason: "no result within \(spec.timeoutSeconds) s; stopped", output: finished.output)
        }
        guard let code = finished.exitCode else {
            let why = finished.signal.map { "ended by signal \($0)" } ?? "its exit status was lost"
            return outcome(.failed, durationMs: finished.durationMs, exit: nil, reason: why, output: finished.output)
        }
        let verdict = spec.pass.evaluate(exit: code, output: text, now: now) { name in environment[name] ?? vars[name] }
        return outcome(verdict.passed ? .passed : .failed, durationMs: finished.durationMs, exit: code, reason: redact(verdict.reason), output: finished.output)
    }

    func outcome(_ r: CheckOutcome.Result, durationMs: Int64, exit: Int32?, reason: String, output: [UInt8]) -> CheckOutcome {
        CheckOutcome(
            result: r, command: shownCommand, durationMs: durationMs, exitCode: exit, reason: reason,
            excerpt: excerpt(output), playbookPath: playbookPath, playbookSHA256: playbookSHA256)
    }

    /// The last lines of the output, at most `CheckOutcome.maxExcerptBytes`, each made safe.
    func excerpt(_ output: [UInt8]) -> String {
        let lines = output.split(separator: 0x0A, omittingEmptySubsequences: true).map { safe(Array($0)) }.filter { !$0.isEmpty }
        var kept: [String] = []
        var size = 0
        for line in lines.reversed() {
            let clipped = line.utf8.count > 300 ? String(line.prefix(300)) + "…" : line
            if size + clipped.utf8.count + 1 > CheckOutcome.maxExcerptBytes { break }
            kept.append(clipped)
            size += clipped.utf8.count + 1
        }
        return kept.reversed().joined(separator: "\n")
    }

    /// One line of output: escape sequences and control characters removed, secrets redacted.
    func safe(_ bytes: [UInt8]) -> String { redact(CheckExecution.stripControls(String(decoding: bytes, as: UTF8.self))) }

    func redact(_ s: String) -> String {
        var out = s
        for v in secrets where v.count >= 4 { out = out.replacingOccurrences(of: v, with: Redactor.secret) }
        return Redactor.redact(out)
    }

    /// Drops ANSI escape sequences (CSI and OSC) and every control character but tab.
    public static func stripControls(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        var it = s.unicodeScalars.makeIterator()
        while let u = it.next() {
            if u == "\u{1B}" {
                guard let next = it.next() else { break }
                if next == "[" {
                    while let c = it.next(), !(0x40...0x7E).contains(c.value) {}
                } else if next == "]" {
                    while let c = it.next(), c != "\u{07}", c != "\u{1B}" {}
                }
                continue
            }
            let v = u.value
            if v == 0x09 {
                out.append(" ")
                continue
            }
            if v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) || v == 0x2028 || v == 0x2029 { continue }
            out.append(u)
        }
        return String(out)
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        return self.split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
