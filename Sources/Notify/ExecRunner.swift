import Foundation

/// Runs an `exec` channel's command through /bin/sh with the event JSON on stdin. Exit 0 is
/// delivered, 75 (EX_TEMPFAIL) asks for a retry, anything else is a failure not retried; a
/// command still running at the timeout is killed and retried.
enum ExecRunner {
    static func run(_ command: String, input: [UInt8], env: [String: String], timeout: Double) -> AttemptResult {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        p.environment = env
        let stdin = Pipe()
        p.standardInput = stdin
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        let done = DispatchSemaphore(value: 0)
        p.terminationHandler = { _ in done.signal() }
        do {
            try p.run()
        } catch {
            return .permanent("command could not start: /bin/sh, will not retry")
        }
        // The command may not read its stdin; a closed pipe must not kill us.
        signal(SIGPIPE, SIG_IGN)
        try? stdin.fileHandleForWriting.write(contentsOf: Data(input))
        try? stdin.fileHandleForWriting.close()
        if done.wait(timeout: .now() + timeout) == .timedOut {
            p.terminate()
            if done.wait(timeout: .now() + 1) == .timedOut { kill(p.processIdentifier, SIGKILL) }
            return .retry(detail: "command failed: timed out after \(Classify.fmt(timeout))s", after: nil)
        }
        let code = p.terminationStatus
        if p.terminationReason == .exit, code == 0 { return .delivered(detail: "command ran", remoteID: nil, url: nil) }
        if p.terminationReason == .exit, code == 75 { return .retry(detail: "command failed: exit 75 (try again)", after: nil) }
        let how = p.terminationReason == .exit ? "exit \(code)" : "signal \(code)"
        return .permanent("command failed: \(how), will not retry")
    }
}
