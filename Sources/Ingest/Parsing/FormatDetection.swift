/// Per-line format detection by cheap byte checks: a leading byte, a few fixed substrings
/// (memmem), never a full parse.
extension LineParser {
    /// The format of one line, or nil when no reader claims it.
    public static func detect(_ line: UnsafeBufferPointer<UInt8>) -> LogFormat? {
        var i = 0
        while i < line.count, line.at(i) == ASCII.space || line.at(i) == ASCII.tab { i += 1 }
        guard i < line.count else { return nil }
        return line.at(i) == ASCII.lbrace ? detectJSON(line) : detectText(line)
    }

    /// Convenience for tests.
    public static func detect(_ line: String) -> LogFormat? {
        var copy = line
        return copy.withUTF8 { detect($0) }
    }

    /// Which member of the JSON family a `{...}` line is, by its distinguishing keys.
    static func detectJSON(_ b: UnsafeBufferPointer<UInt8>) -> LogFormat {
        if isSpoolRecord(b) { return .spool }
        if b.find("\"turn_index\"") != nil, b.find("\"latency_ms\"") != nil { return .turns }
        if b.find("end-of-call-report") != nil { return .vapi }
        if b.find("CallSid") != nil { return .twilio }
        if b.find("\"call_sid\"") != nil, b.find("_edge\"") != nil { return .twilio }
        if b.find("\"event_type\"") != nil, b.find("\"call.") != nil { return .telnyx }
        if b.find("\"disconnection_reason\"") != nil || b.find("\"call_status\"") != nil {
            return .retell
        }
        if b.find("livekit") != nil || b.find(" metrics\"") != nil || liveKitFailureWording(b) != nil {
            return .livekit
        }
        return .json
    }

    /// Which text format a line is: sipp separators, then the leading-time families, then
    /// fixed markers, then logfmt.
    static func detectText(_ b: UnsafeBufferPointer<UInt8>) -> LogFormat? {
        if b.has("-----", at: 0) {
            return sippSeparatorTime(b) != nil || isSippEchoSeparator(b) ? .sipp : nil
        }
        if b.find(": Aborting call on ") != nil || b.has("The following events occurred:", at: 0) {
            return .sipp  // sipp -trace_err (and the copy under -trace_screen's screens)
        }
        if b.has("StartTime;LastResetTime;", at: 0) || isSippStatRow(b) {
            return .sipp  // sipp -trace_stat
        }
        // Pipecat: ISO time with milliseconds, then " | LEVEL | ".
        if b.count > 26, ASCII.isDigit(b.at(0)), b.has(" | ", at: 23) { return .pipecat }
        if b.find("ACC: ") != nil { return .kamailio }
        if b.find("ds_options_callback") != nil || b.find("OPTIONS-Request was finished") != nil {
            return .opensips
        }
        if b.find("livekit") != nil || liveKitFailureWording(b) != nil
            || (b.find("Pipeline ") != nil && b.find(" metrics") != nil)
        {
            return .livekit
        }
        if b.find("sofia") != nil { return .freeswitch }
        if b.find("RTPAUDIOQOS") != nil || b.find("' is now ") != nil { return .asterisk }
        // Asterisk's own prefix: "[Feb  2 11:45:23] LEVEL[pid]".
        if b.count > 16, b.at(0) == ASCII.lbracket, b.monthName(at: 1) != nil { return .asterisk }
        // SIP servers by the shape of their prefixes (no marker word on most of their lines).
        if looksLikeFreeSWITCH(b) { return .freeswitch }
        if looksLikeAsteriskISO(b) { return .asterisk }
        if kamailioPrefix(b, year: 2000) != nil { return .kamailio }
        if openSIPSPrefix(b, year: 2000) != nil { return .opensips }
        if looksLikeLogfmt(b) { return .logfmt }
        return nil
    }

    /// At least two `key=value` pairs, the first one starting the line (after an optional
    /// leading time).
    static func looksLikeLogfmt(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        if let (_, rest) = b.leadingTime(year: 2000) { i = rest }
        var pairs = 0
        var atTokenStart = true
        var keyLen = 0
        var inQuotes = false
        while i < b.count {
            let c = b.at(i)
            if inQuotes {
                if c == ASCII.backslash {
                    i += 1
                } else if c == ASCII.quote {
                    inQuotes = false
                }
            } else if c == ASCII.space || c == ASCII.tab {
                if pairs == 0, keyLen > 0 { return false }  // a bare first word
                atTokenStart = true
                keyLen = 0
            } else if c == ASCII.equals, keyLen > 0 {
                pairs += 1
                keyLen = -1  // the rest of the token is the value
                if i + 1 < b.count, b.at(i + 1) == ASCII.quote {
                    inQuotes = true
                    i += 1
                }
            } else if keyLen >= 0, atTokenStart || keyLen > 0, isKeyByte(c) {
                keyLen += 1
                atTokenStart = false
            } else {
                if pairs == 0 { return false }  // the first token must be a pair
                keyLen = -1
                atTokenStart = false
            }
            i += 1
        }
        return pairs >= 2
    }

    @inline(__always) static func isKeyByte(_ c: UInt8) -> Bool {
        ASCII.isDigit(c) || (c | 0x20) &- 97 < 26 || c == 95 || c == ASCII.dot || c == ASCII.minus
    }
}
