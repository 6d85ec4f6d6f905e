import Foundation

/// Log lines written to take over a terminal or break a reader (issue 7's hostile-input list).
/// Each carries a `HOSTILE-name` marker in plain ASCII so a test can tell the line was shown.
/// Some are raw bytes, some hide the same bytes behind JSON escapes (`\u001b` decodes to a real
/// ESC inside the parser, which is how they would reach a screen).
enum HostileCorpus {
    static let esc = "\u{1B}"

    /// Name and bytes of each line (without its newline). `recent` is the RFC 3339 time the
    /// parseable records carry, so a console's five-minute windows hold them.
    static func lines(recent: String = "2026-11-21T03:00:00Z") -> [(name: String, bytes: [UInt8])] {
        var out: [(String, [UInt8])] = []
        func add(_ name: String, _ text: String) { out.append((name, Array("HOSTILE-\(name) \(text)".utf8))) }
        func addBytes(_ name: String, _ bytes: [UInt8]) { out.append((name, Array("HOSTILE-\(name) ".utf8) + bytes)) }
        // A JSON record: the marker rides in a field of its own so the line stays JSON.
        func addJSON(_ name: String, _ json: String) {
            out.append((name, Array(("{\"marker\":\"HOSTILE-\(name)\"," + json.dropFirst()).utf8)))
        }

        add("csi", "\(esc)[2J\(esc)[H\(esc)[31mred\(esc)[0m \(esc)[6n \(esc)[21t \(esc)[?1049l \(esc)[1;999r scrolled")
        add("osc0", "\(esc)]0;PWNED-TITLE\u{07} title")
        add("osc2", "\(esc)]2;OWNED-TITLE\(esc)\\ title")
        add("osc8", "\(esc)]8;;http://evil.example/\(esc)\\click here\(esc)]8;;\(esc)\\ link")
        add("osc52", "\(esc)]52;c;cm0gLXJmIH4K\u{07} clipboard")
        add("dcs", "\(esc)P+q544e\(esc)\\ \(esc)Ptmux;\(esc)\(esc)]0;PASSTHROUGH\u{07}\(esc)\\ dcs")
        add("apc", "\(esc)_Gf=100,a=T;aGVsbG8=\(esc)\\ kitty graphics")
        add("pm-sos", "\(esc)^private\(esc)\\ \(esc)Xstring\(esc)\\ pm and sos")
        add("reset", "\(esc)c full reset \(esc)#8 align \u{07}bell \u{08}\u{08}back")
        addBytes("c1-raw", [0x9B] + Array("2J".utf8) + [0x9D] + Array("0;C1-TITLE".utf8) + [0x9C, 0x85, 0x8D])
        add("c1-utf8", "\u{9B}2J \u{9D}0;C1UTF8-TITLE\u{9C} \u{90}dcs\u{9C}")
        add("bidi", "\u{202E}evil-bidi\u{202C} \u{2066}iso\u{2069} \u{2067}\u{2068}\u{200F}\u{200E}\u{061C}")
        add("zero-width", String(repeating: "\u{200B}\u{200C}\u{200D}\u{2060}\u{FEFF}", count: 400) + "end")
        add("combining", "a" + String(repeating: "\u{0301}\u{0336}", count: 2500) + " end")
        addBytes("invalid-utf8", [0xC3, 0x28, 0xFF, 0xFE, 0xC0, 0xAF, 0xED, 0xA0, 0x80, 0xF4, 0x90, 0x80, 0x80, 0xE2, 0x82])
        addBytes("nul", Array("before".utf8) + [0, 0, 0] + Array("after".utf8))
        // The same sequences inside JSON, decoded by the parser into real control characters.
        addJSON(
            "json-escapes",
            #"{"call_id":"c\u001b]0;JSON-TITLE\u0007","turn_index":1,"timestamp":"\#(recent)","#
                + #""user_transcript":"\u001b[2J\u202eflip\u009b31m","latency_ms":{"stt":1,"llm":2,"tts":3,"total":6},"#
                + #""error":"\u001b]52;c;Y2xpcA==\u0007 tts voice broke","agent_response":"\u0000\u001bPx\u001b\\"}"#)
        addJSON("json-nested", "{\"deep\":" + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "}")
        addJSON("json-nested-objects", String(repeating: #"{"a":"#, count: 10_000) + "1" + String(repeating: "}", count: 10_000))
        let digits = String(repeating: "9", count: 400)
        addJSON(
            "big-numbers",
            #"{"call_id":"n1","turn_index":\#(digits),"timestamp":"\#(recent)","latency_ms":{"stt":\#(digits),"#
                + #""llm":1e400,"tts":-\#(digits),"total":0.\#(digits)},"asr_confidence":\#(digits)}"#)
        addJSON(
            "year-9999",
            #"{"call_id":"y9999","turn_index":1,"timestamp":"9999-12-31T23:59:59.999Z","latency_ms":{"stt":1,"llm":2,"tts":3,"total":6}}"#)
        add("year-9999-text", "9999-12-31 23:59:59.999 | INFO     | pipecat.services:run:1 - TTFB: 9.9s")
        // Last, so everything before it is shown by the time it is: an 8 MB line.
        addJSON("huge", "{\"call_id\":\"huge\",\"user_transcript\":\"" + String(repeating: "A\u{1B}]0;HUGE\u{07}", count: 8 << 20 / 10) + "\"}")
        return out
    }

    /// Everything a screen or an export must never carry, checked on the bytes written.
    /// Returns one line per violation (empty when clean). `allowCSI` decides which control
    /// sequences the program itself may write (ncurses positions the cursor and sets colours
    /// with CSI; a log line must never add its own).
    static func violations(in bytes: [UInt8], terminal: Bool) -> [String] {
        var problems: [String] = []
        func note(_ what: String, _ at: Int) {
            if problems.count < 20 {
                let lo = max(0, at - 24), hi = min(bytes.count, at + 24)
                let context = String(decoding: bytes[lo..<hi], as: UTF8.self).debugDescription
                problems.append("\(what) at byte \(at): \(context)")
            }
        }
        // Valid UTF-8 throughout: a stray 0x80-0x9F byte is an 8-bit C1 control to a terminal.
        if String(validatingUTF8: bytes.map { CChar(bitPattern: $0) } + [0]) == nil {
            var i = 0
            var iterator = bytes.makeIterator()
            var decoder = UTF8()
            loop: while true {
                switch decoder.decode(&iterator) {
                case .scalarValue(let s): i += String(s).utf8.count
                case .emptyInput: break loop
                case .error:
                    note("invalid UTF-8", i)
                    break loop
                }
            }
        }
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if c == 0x1B {
                guard terminal, i + 1 < bytes.count else {
                    note("ESC", i)
                    i += 1
                    continue
                }
                let k = bytes[i + 1]
                switch k {
                case UInt8(ascii: "["):
                    var j = i + 2
                    while j < bytes.count, (0x20...0x3F).contains(bytes[j]) { j += 1 }
                    guard j < bytes.count else { break }
                    let final = bytes[j]
                    let params = String(decoding: bytes[(i + 2)..<j], as: UTF8.self)
                    // What ncurses writes for xterm-256color: moves, erases, scroll regions,
                    // attributes and colours, modes (cursor, keypad, alternate screen), insert
                    // and delete. Never reports (n, c), window operations (t) or the like.
                    // `22;0;0t` and `23;0;0t` push and pop the window title around the
                    // alternate screen (xterm's smcup/rmcup); no other window operation.
                    let allowed = "HfABCDEFGdJKrmhlPX@LMSTb"
                    if final == UInt8(ascii: "t"), params == "22;0;0" || params == "23;0;0" {
                        // ncurses' own title save and restore
                    } else if !allowed.utf8.contains(final) {
                        note("CSI \(params)\(Character(Unicode.Scalar(final)))", i)
                    } else if final == UInt8(ascii: "r"), params.contains("999") {
                        note("CSI from the log (\(params)r)", i)
                    }
                    i = j + 1
                    continue
                case UInt8(ascii: "("), UInt8(ascii: ")"):
                    i += 3
                    continue
                case UInt8(ascii: "="), UInt8(ascii: ">"), UInt8(ascii: "7"), UInt8(ascii: "8"), UInt8(ascii: "M"):
                    i += 2
                    continue
                default:
                    // OSC ], DCS P, APC _, PM ^, SOS X, RIS c, # and everything else.
                    note("ESC \(Character(Unicode.Scalar(k)))", i)
                    i += 2
                    continue
                }
            }
            if c < 0x20 && !(c == 0x0A || c == 0x0D || c == 0x09 || c == 0x08 || (terminal && (c == 0x0E || c == 0x0F))) {
                note("C0 control 0x\(String(c, radix: 16))", i)
            }
            i += 1
        }
        // Code points: C1, bidi controls, zero-width characters, combining floods.
        var combiningRun = 0
        var offset = 0
        for s in String(decoding: bytes, as: UTF8.self).unicodeScalars {
            let v = s.value
            if (0x80...0x9F).contains(v) { note("C1 U+\(String(v, radix: 16))", offset) }
            if (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F || v == 0x061C {
                note("bidi control U+\(String(v, radix: 16))", offset)
            }
            if (0x200B...0x200D).contains(v) || v == 0x2060 || v == 0xFEFF { note("zero-width U+\(String(v, radix: 16))", offset) }
            if s.properties.generalCategory == .nonspacingMark || s.properties.generalCategory == .enclosingMark {
                combiningRun += 1
                if combiningRun == 5 { note("more than four combining marks in a row", offset) }
            } else {
                combiningRun = 0
            }
            offset += String(s).utf8.count
        }
        return problems
    }
}
