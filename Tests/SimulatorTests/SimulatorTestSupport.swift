import Foundation
import IncidentCore
import Ingest
import Simulator

let simStart = 1_772_460_000.0

/// The shipped playbook, read once.
let shippedPlaybook: Playbook = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let path = root.appendingPathComponent("Playbooks/voice-agent.yaml").path
    let yaml = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    return (try? PlaybookLoader.load(yaml: yaml, file: path)) ?? Playbook(name: "missing", title: "missing")
}()

/// Writes everything the buffer holds to a fresh directory and reads it back the way
/// `dialtone watch --once` does, returning the final window's health.
func health(of buffer: FleetBuffer) throws -> HealthSnapshot {
    let dir = NSTemporaryDirectory() + "dialtone-sim-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var specs: [SourceSpec] = []
    for f in FleetFile.allCases {
        try buffer.text(f).write(toFile: dir + "/" + f.fileName, atomically: true, encoding: .utf8)
        specs.append(try SourceSpec.parse(f.sourceSpec(in: dir)))
    }
    let context = ParseContext(timeZone: TimeZone(identifier: "UTC")!)
    return OnceIngest.run(specs: specs, playbook: shippedPlaybook, context: context).snapshot
}

func states(_ s: HealthSnapshot) -> [StackID: String] {
    var out: [StackID: String] = [:]
    for st in s.stacks { out[st.stack] = st.state.rawValue }
    return out
}
