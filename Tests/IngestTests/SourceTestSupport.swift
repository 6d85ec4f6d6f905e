import Foundation
import Testing

@testable import Ingest

/// A scratch directory removed when the value goes away.
final class TempDir {
    let path: String

    init() {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/dialtone-sources-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }
}

/// Appends raw bytes to a file, creating it, the way a logger with O_APPEND does.
func append(_ path: String, _ bytes: [UInt8]) {
    let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    precondition(fd >= 0, "open \(path)")
    bytes.withUnsafeBytes { _ = write(fd, $0.baseAddress, $0.count) }
    close(fd)
}

func append(_ path: String, _ text: String) { append(path, Array(text.utf8)) }

/// Polls once and returns the delivered lines as strings (lossy for bad UTF-8).
func pollLines(_ follower: FileFollower) -> (lines: [String], result: FileFollower.PollResult) {
    var lines: [String] = []
    let result = follower.poll { line, _ in lines.append(String(decoding: line, as: UTF8.self)) }
    return (lines, result)
}

/// Polls until nothing more is pending in one call.
func pollAll(_ follower: FileFollower) -> [String] {
    var all: [String] = []
    while true {
        let (lines, result) = pollLines(follower)
        all += lines
        if !result.moreAvailable { return all }
    }
}

/// Feeds `chunks` to a splitter and collects (bytes, truncated) per line.
func split(
    _ chunks: [[UInt8]], cap: Int = 1 << 20
) -> (
    lines: [([UInt8], Bool)], splitter: LineSplitter
) {
    let splitter = LineSplitter(maxLineBytes: cap)
    var lines: [([UInt8], Bool)] = []
    for chunk in chunks {
        chunk.withUnsafeBytes { raw in
            splitter.feed(raw) { line, truncated in lines.append((Array(line), truncated)) }
        }
    }
    return (lines, splitter)
}
