/// Python's tracebacks, which a text logger (LiveKit's dev mode, loguru) prints on the lines
/// under the record that logged the exception. They belong to that record: read as records
/// of their own, their file paths (`.../livekit/agents/...`) and last line ("...Error: failed
/// to generate LLM completion after 3 attempts") were taken for LiveKit lines, and the
/// failure the record above had counted was counted again.
enum TracebackState: UInt8 {
    case none
    /// Frames: indented lines, until the exception's own line.
    case frames
    /// After the exception's line: a chained exception's traceback may follow.
    case ended
}

extension LineParser {
    /// Whether `b`, a text line that is not blank, is part of a traceback (read, giving
    /// nothing).
    @inline(__always)
    func tracebackLine(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let c = b.at(0)
        if traceback == .none {
            guard c == ASCII.upperT, b.has("Traceback (most recent call last):", at: 0) else { return false }
            traceback = .frames
            return true
        }
        if b.has("Traceback (", at: 0) || b.has("The above exception was the direct cause", at: 0)
            || b.has("During handling of the above exception", at: 0)
        {
            traceback = .frames
            return true
        }
        guard traceback == .frames else {
            traceback = .none
            return false
        }
        if c == ASCII.space || c == ASCII.tab { return true }
        // The exception's line: its dotted type name, then ": message" or nothing.
        traceback = .none
        guard ASCII.isLetter(c) || c == ASCII.underscore else { return false }
        var i = 1
        while i < b.count {
            let d = b.at(i)
            if d == ASCII.colon { break }
            guard ASCII.isLetter(d) || ASCII.isDigit(d) || d == ASCII.underscore || d == ASCII.dot else { return false }
            i += 1
        }
        traceback = .ended
        return true
    }
}
