/// Groups error texts into templates by masking what varies between occurrences of the same
/// fault: numbers, ids, hex, quoted values and long tokens become `<*>`, so that
/// `tts: voice_id 'aria-v3' not found (404)` and the same error for another voice share one
/// signature. Three-digit numbers from 100 to 599 stay: they are HTTP and SIP status codes,
/// which tell faults apart rather than occurrences.
public enum ErrorTemplate {
    public static let mask = "<*>"
    /// Signatures are cut to this many bytes (a template is for reading at a glance).
    static let maxBytes = 160

    public static func signature(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(min(text.utf8.count, maxBytes) + 4)
        var token: [UInt8] = []
        let bytes = Array(text.utf8)
        var i = 0
        func flush() {
            guard !token.isEmpty else { return }
            if masks(token) { appendMask() } else { out += token }
            token.removeAll(keepingCapacity: true)
        }
        func appendMask() {
            // Runs of masked values ("<*> <*>", "<*>:<*>") read as one.
            if out.count >= 3 && out.suffix(3).elementsEqual(Array(mask.utf8)) { return }
            if out.count >= 4 && out.suffix(4).dropLast().elementsEqual(Array(mask.utf8))
                && isSeparator(out.last!) && out.last! != 0x28 && out.last! != 0x29
            {
                out.removeLast()
                return
            }
            out += Array(mask.utf8)
        }
        while i < bytes.count && out.count < maxBytes {
            let b = bytes[i]
            if b == 0x27 || b == 0x22 || b == 0x60 {  // ' " `
                // A quoted value is masked whole when its quote closes on the line.
                if let close = bytes[(i + 1)...].firstIndex(of: b), close - i <= 200 {
                    flush()
                    appendMask()
                    i = close + 1
                    continue
                }
            }
            if isSeparator(b) {
                flush()
                // Whitespace of any kind reads as one space.
                if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
                    if let l = out.last, l != 0x20 { out.append(0x20) }
                } else {
                    out.append(b)
                }
            } else {
                token.append(b)
            }
            i += 1
        }
        flush()
        while out.last == 0x20 { out.removeLast() }
        if out.count > maxBytes { out.removeLast(out.count - maxBytes) }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isSeparator(_ b: UInt8) -> Bool {
        switch b {
        case 0x20, 0x09, 0x0A, 0x0D, 0x2C, 0x3B, 0x28, 0x29, 0x5B, 0x5D, 0x7B, 0x7D, 0x3D, 0x3A, 0x3C, 0x3E:
            return true  // space, tab, newlines , ; ( ) [ ] { } = : < >
        default:
            return false
        }
    }

    /// Whether a token is a value that varies (and so is masked).
    private static func masks(_ t: [UInt8]) -> Bool {
        var digits = 0
        var hex = 0
        var upper = 0
        var lower = 0
        for b in t {
            if b >= 0x30 && b <= 0x39 {
                digits += 1
                hex += 1
            } else if (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46) {
                hex += 1
            }
            if b >= 0x41 && b <= 0x5A { upper += 1 }
            if b >= 0x61 && b <= 0x7A { lower += 1 }
        }
        if digits == t.count {
            // A status code stays; every other number is a value.
            if t.count == 3, let v = Int(String(decoding: t, as: UTF8.self)), v >= 100 && v <= 599 { return false }
            return true
        }
        // Ids, versions, addresses, durations with units: two digits or more.
        if digits >= 2 { return true }
        // Hex strings (hashes, request ids) with at least one digit.
        if digits >= 1 && hex == t.count && t.count >= 6 { return true }
        // Long mixed-case tokens: keys, session tokens.
        if t.count >= 20 && upper > 0 && lower > 0 { return true }
        // A word with one digit is a name (`gpt-4o-mini`, `sonic-2`); a long one an id.
        return digits >= 1 && t.count >= 16
    }
}
