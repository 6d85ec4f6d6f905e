/// Terminal-safe text for headless output: nothing from a journal, a playbook or a log reaches
/// the terminal as raw control bytes.
enum Sanitize {
    static func line(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            let v = u.value
            if v == 0x0A || v == 0x0D || v == 0x09 {
                out += " "
            } else if v < 0x20 {
                out += "^" + String(UnicodeScalar(UInt8(v + 0x40)))
            } else if v == 0x7F || (0x80...0x9F).contains(v) || (0x202A...0x202E).contains(v)
                || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F || v == 0x061C
            {
                out += "<U+" + String(v, radix: 16, uppercase: true) + ">"
            } else {
                out.unicodeScalars.append(u)
            }
        }
        return out
    }

    static func block(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false).map { line(String($0)) }.joined(separator: "\n")
    }
}
