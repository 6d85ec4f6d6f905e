import IncidentCore

/// The line prefixes SIP servers write, recognised by shape rather than by a marker word:
/// FreeSWITCH's optional call uuid, time and CPU idle share; Asterisk's bracketed ISO time;
/// Kamailio's `rank(pid) LEVEL:`; OpenSIPS's `LEVEL:module:function:`.
extension LineParser {
    /// `885d4ed6-2a41-4c1f-9b0e-6f3c2d7a1e90 ` at `i`: a call uuid (8-4-4-4-12 hex).
    static func uuidPrefix(_ b: UnsafeBufferPointer<UInt8>, at i: Int = 0) -> Bool {
        guard b.count > i + 36, b.at(i + 36) == ASCII.space else { return false }
        for k in 0..<36 {
            let c = b.at(i + k)
            if k == 8 || k == 13 || k == 18 || k == 23 {
                if c != ASCII.minus { return false }
            } else if !(ASCII.isDigit(c) || (c | 0x20) &- 97 < 6) {
                return false
            }
        }
        return true
    }

    /// Where FreeSWITCH's `[LEVEL]` starts after an ISO time at `i` (and the optional
    /// `94.73% ` CPU idle share), or nil when the line does not have that shape.
    static func freeswitchLevelStart(_ b: UnsafeBufferPointer<UInt8>, afterTime end: Int) -> Int? {
        var i = end
        while i < b.count, b.at(i) == ASCII.space { i += 1 }
        var k = i
        while k < b.count, ASCII.isDigit(b.at(k)) || b.at(k) == ASCII.dot { k += 1 }
        if k > i, k < b.count, b.at(k) == 37 /* % */ {
            i = k + 1
            while i < b.count, b.at(i) == ASCII.space { i += 1 }
        }
        guard i + 2 < b.count, b.at(i) == ASCII.lbracket, b.at(i + 1) &- 65 < 26 else { return nil }
        return i
    }

    /// Whether the line is FreeSWITCH's: a uuid-led line, or an ISO time with six fraction
    /// digits followed by the CPU share or a `[LEVEL]`.
    static func looksLikeFreeSWITCH(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        if uuidPrefix(b) { return true }
        guard b.count > 30, ASCII.isDigit(b.at(0)), b.at(4) == ASCII.minus, b.at(19) == ASCII.dot,
            let w = b.isoTime(at: 0), w.end == 26
        else { return false }
        return freeswitchLevelStart(b, afterTime: w.end) != nil
    }

    /// `[2012-02-13 17:21:54] NOTICE[1638] chan_sip.c: ...`: Asterisk's own bracketed time,
    /// then an upper-case level word directly followed by `[`.
    static func looksLikeAsteriskISO(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard b.count > 24, b.at(0) == ASCII.lbracket, ASCII.isDigit(b.at(1)),
            let (_, rest) = b.leadingTime(year: 2000)
        else { return false }
        var i = rest
        while i < b.count, b.at(i) &- 65 < 26 { i += 1 }
        return i > rest && i < b.count && b.at(i) == ASCII.lbracket
    }

    /// Kamailio's level word and where its message starts: stderr's `14(20820) INFO: ...`
    /// (optionally after a syslog prefix), or syslog's `kamailio[1067]: INFO: ...`.
    static func kamailioPrefix(
        _ b: UnsafeBufferPointer<UInt8>, year: Int
    )
        -> (level: LogLevel, msg: Int, time: WallTime?)?
    {
        var i = 0
        var time: WallTime?
        if let (w, rest) = b.leadingTime(year: year) {
            time = w
            // host, then the program name with its optional [pid] and a colon
            guard let k = b.find("kamailio", from: rest, to: min(b.count, rest + 80)),
                let colon = b.find(": ", from: k)
            else { return nil }
            i = colon + 2
        }
        while i < b.count, b.at(i) == ASCII.space { i += 1 }
        // rank(pid)
        var k = i
        while k < b.count, ASCII.isDigit(b.at(k)) { k += 1 }
        if k > i, k < b.count, b.at(k) == 40 /* ( */ {
            guard let close = b.find(byte: 41, from: k, to: min(b.count, k + 12)) else { return nil }
            i = close + 1
            while i < b.count, b.at(i) == ASCII.space { i += 1 }
        } else if time == nil {
            return nil  // a bare stderr line must start with rank(pid)
        }
        var e = i
        while e < b.count, b.at(e) &- 65 < 26 { e += 1 }
        guard e > i, e + 1 < b.count, b.at(e) == ASCII.colon, b.at(e + 1) == ASCII.space else {
            return nil
        }
        let level: LogLevel
        if e - i == 3, b.has("BUG", at: i) {
            level = .critical
        } else if let l = levelWord(b, Span(i, e)) {
            level = l
        } else {
            return nil
        }
        return (level, e + 2, time)
    }

    /// OpenSIPS's `DBG:dispatcher:ds_options_callback: ...` (after an optional syslog prefix
    /// or `[pid] `): the level and where `module:function: message` starts.
    static func openSIPSPrefix(
        _ b: UnsafeBufferPointer<UInt8>, year: Int
    )
        -> (level: LogLevel, body: Int, time: WallTime?)?
    {
        var i = 0
        var time: WallTime?
        if let (w, rest) = b.leadingTime(year: year) {
            time = w
            guard let k = b.find("opensips", from: rest, to: min(b.count, rest + 80)),
                let colon = b.find(": ", from: k)
            else { return nil }
            i = colon + 2
        }
        while i < b.count, b.at(i) == ASCII.space { i += 1 }
        if i < b.count, b.at(i) == ASCII.lbracket,
            let close = b.find(byte: ASCII.rbracket, from: i, to: min(b.count, i + 12))
        {
            i = close + 1
            while i < b.count, b.at(i) == ASCII.space { i += 1 }
        }
        var e = i
        while e < b.count, b.at(e) &- 65 < 26 { e += 1 }
        // LEVEL:module: with a lower-case module name, no space after the colon
        guard e > i, e + 2 < b.count, b.at(e) == ASCII.colon, b.at(e + 1) &- 97 < 26 else {
            return nil
        }
        var m = e + 1
        while m < b.count, b.at(m) &- 97 < 26 || b.at(m) == 95 || ASCII.isDigit(b.at(m)) { m += 1 }
        guard m < b.count, b.at(m) == ASCII.colon else { return nil }
        let level: LogLevel
        if e - i == 3, b.has("DBG", at: i) {
            level = .debug
        } else if let l = levelWord(b, Span(i, e)) {
            level = l
        } else {
            return nil
        }
        return (level, e + 1, time)
    }
}
