import Foundation
import Testing

@testable import Checks

/// The process runner on its own: exit codes, merged output, time limits, cancellation.
@Suite("Check process", .serialized)
struct CheckProcessTests {
    let env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]

    @Test func exitCodeAndMergedOutput() throws {
        let f = try CheckProcess().run(["/bin/sh", "-c", "echo out; echo err >&2; exit 3"], environment: env, timeoutSeconds: 5)
        #expect(f.exitCode == 3)
        #expect(!f.timedOut && !f.cancelled)
        let text = String(decoding: f.output, as: UTF8.self)
        #expect(text.contains("out") && text.contains("err"))
    }

    @Test func aHungCommandIsStoppedAtItsTimeLimit() throws {
        let f = try CheckProcess().run(["sleep", "30"], environment: env, timeoutSeconds: 1)
        #expect(f.timedOut)
        #expect(f.exitCode == nil)
        #expect(f.durationMs >= 1000 && f.durationMs < 4000, "took \(f.durationMs) ms")
    }

    @Test func aCommandThatIgnoresSIGTERMIsKilled() throws {
        let f = try CheckProcess().run(["/bin/sh", "-c", "trap '' TERM; sleep 30"], environment: env, timeoutSeconds: 1)
        #expect(f.timedOut)
        #expect(f.durationMs < 5000, "took \(f.durationMs) ms")
    }

    @Test func cancelStopsARun() throws {
        let p = CheckProcess()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { p.cancel() }
        let f = try p.run(["sleep", "30"], environment: env, timeoutSeconds: 20)
        #expect(f.cancelled)
        #expect(!f.timedOut)
        #expect(f.durationMs < 3000)
    }

    @Test func aMissingProgramDoesNotStart() {
        #expect(throws: CheckProcess.StartError.self) {
            _ = try CheckProcess().run(["no-such-program-dialtone"], environment: env, timeoutSeconds: 1)
        }
    }

    @Test func theChildSeesOnlyTheEnvironmentItIsGiven() throws {
        setenv("DIALTONE_TEST_LEAK", "leaked", 1)
        let f = try CheckProcess().run(["/usr/bin/env"], environment: ["PATH": "/usr/bin:/bin", "ONLY": "this"], timeoutSeconds: 5)
        let text = String(decoding: f.output, as: UTF8.self)
        #expect(text.contains("ONLY=this"))
        #expect(!text.contains("DIALTONE_TEST_LEAK"))
    }
}
