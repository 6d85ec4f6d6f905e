import Yams

/// `check:` on a checklist item: the command, its time limit and the pass rule, each problem
/// reported at its line.
extension PlaybookDecoder {
    static func isVariableName(_ s: String) -> Bool {
        guard let f = s.first, f.isASCII, f.isLetter || f == "_" else { return false }
        return s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }

    func check(_ node: Node, in owner: String) -> CheckSpec? {
        guard let f = Fields(node, what: "check of \(owner)", keys: ["run", "timeout_seconds", "pass", "env"], log: log) else { return nil }
        guard let run = f.strings("run", required: true) else { return nil }
        if run.isEmpty {
            log.add(f.valueMark("run"), "'run' in \(f.what) needs the command and its arguments")
            return nil
        }
        var ok = true
        for (arg, mark) in run {
            for name in CheckSpec.references(in: arg) where !Self.isVariableName(name) {
                log.add(mark, "'run' in \(f.what): ${\(clip(name))} is not a variable name (letters, digits, '_')")
                ok = false
            }
            if arg.contains("${"), CheckSpec.references(in: arg).isEmpty {
                log.add(mark, "'run' in \(f.what): an unclosed ${ in '\(clip(arg))'")
                ok = false
            }
        }
        if let first = run.first?.0, first.contains(" "), run.count == 1 {
            log.add(
                f.valueMark("run"),
                "'run' in \(f.what) is a list of arguments, not a shell line: write [\(first.split(separator: " ").map { String($0) }.joined(separator: ", "))]"
            )
            ok = false
        }
        let timeout = f.int("timeout_seconds", in: 1...600) ?? 10
        let env = (f.strings("env") ?? []).compactMap { (name, mark) -> String? in
            if Self.isVariableName(name) { return name }
            log.add(mark, "'env' in \(f.what) must list variable names, found '\(clip(name))'")
            return nil
        }
        let pass = f.node("pass").flatMap { passRule($0, in: f.what) } ?? CheckPass()
        guard ok else { return nil }
        return CheckSpec(run: run.map(\.0), timeoutSeconds: timeout, pass: pass, env: env)
    }

    func passRule(_ node: Node, in owner: String) -> CheckPass? {
        let keys = ["exit", "stdout_matches", "json", "below", "above", "equals", "not", "all", "date", "days_above"]
        guard let f = Fields(node, what: "pass rule of \(owner)", keys: keys, log: log) else { return nil }
        var p = CheckPass()
        if let e = f.int("exit", in: 0...255) { p.exit = Int32(e) }
        if let re = f.text("stdout_matches") {
            if (try? Regex(re)) == nil {
                log.add(f.valueMark("stdout_matches"), "'stdout_matches' in \(f.what) is not a valid regular expression: '\(clip(re))'")
            } else {
                p.stdoutMatches = re
            }
        }
        if let path = f.text("json") {
            func threshold(_ k: String) -> String? {
                guard let t = f.text(k) else { return nil }
                let refs = CheckSpec.references(in: t)
                if Double(t) != nil || (refs.count == 1 && t == "${\(refs[0])}" && Self.isVariableName(refs[0])) { return t }
                log.add(f.valueMark(k), "'\(k)' in \(f.what) must be a number or ${NAME}, found '\(clip(t))'")
                return nil
            }
            let tests: [CheckPass.JSONCondition.Test] = [
                threshold("below").map { .below($0) }, threshold("above").map { .above($0) },
                f.text("equals").map { .equals($0) }, f.text("not").map { .not($0) },
            ].compactMap { $0 }
            if tests.isEmpty {
                log.add(f.valueMark("json"), "'json' in \(f.what) needs one of below, above, equals or not")
            }
            p.json += tests.map { CheckPass.JSONCondition(path: path, test: $0) }
        } else {
            for k in ["below", "above", "equals", "not"] where f.has(k) {
                log.add(f.keyMark(k), "'\(k)' in \(f.what) compares a JSON value: name it with 'json: PATH'")
            }
        }
        if let pattern = f.text("date") {
            if let re = try? Regex(pattern), pattern.contains("(") {
                _ = re
                p.date = CheckPass.DateCondition(pattern: pattern, daysAbove: f.number("days_above") ?? 0)
            } else {
                log.add(f.valueMark("date"), "'date' in \(f.what) must be a regular expression with one (group) around the date")
            }
        }
        for sub in f.list("all") ?? [] {
            guard let r = passRule(sub, in: owner) else { continue }
            if r.exit != 0 { p.exit = r.exit }
            p.stdoutMatches = p.stdoutMatches ?? r.stdoutMatches
            p.json += r.json
            p.date = p.date ?? r.date
        }
        return p
    }
}
