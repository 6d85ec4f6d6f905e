/// ASCII stand-ins for the ASCII fallback (terminals or locales without UTF-8).
public enum Transliteration {
    /// Glyphs the console itself draws, mapped so that meaning survives.
    static let table: [UInt32: String] = [
        0x25CF: "*", 0x25D0: "o", 0x25CB: "o", 0x2713: "v", 0x2714: "v", 0x2717: "x",
        0x2718: "x", 0x25B2: "^", 0x25BC: "v", 0x25B6: ">", 0x25C0: "<", 0x2191: "^",
        0x2193: "v", 0x2192: ">", 0x2190: "<", 0x2502: "|", 0x2500: "-", 0x2503: "|",
        0x2501: "-", 0x250C: "+", 0x2510: "+", 0x2514: "+", 0x2518: "+", 0x251C: "+",
        0x2524: "+", 0x252C: "+", 0x2534: "+", 0x253C: "+", 0x256D: "+", 0x256E: "+",
        0x2570: "+", 0x256F: "+", 0x2550: "=", 0x2551: "|", 0x2554: "+", 0x2557: "+",
        0x255A: "+", 0x255D: "+", 0x2026: "~", 0x2018: "'", 0x2019: "'", 0x201C: "\"",
        0x201D: "\"", 0x2013: "-", 0x2014: "-", 0x00A0: " ", 0x00B7: ".", 0x2022: "*",
        0x2588: "#", 0x2591: ".", 0x2592: ":", 0x2593: "#", 0x00D7: "x", 0x00B5: "u",
        0x03BC: "u", 0x2264: "<", 0x2265: ">", 0x00DF: "s", 0x00E6: "e", 0x00C6: "E",
        0x00F8: "o", 0x00D8: "O",
    ]

    /// One ASCII character for `u`: a table entry, the base letter of an accented Latin letter,
    /// or `?`.
    public static func ascii(for u: Unicode.Scalar) -> String {
        if u.isASCII { return String(u) }
        if let mapped = table[u.value] { return mapped }
        // "LATIN SMALL LETTER E WITH ACUTE" -> "e": the stdlib knows names, not decompositions.
        if let name = u.properties.name {
            for (prefix, upper) in [("LATIN SMALL LETTER ", false), ("LATIN CAPITAL LETTER ", true)]
            where name.hasPrefix(prefix) {
                let rest = name.dropFirst(prefix.count)
                if let letter = rest.first, letter.isLetter, letter.isASCII,
                    rest.count == 1 || rest.dropFirst().hasPrefix(" ")
                {
                    return upper ? String(letter) : letter.lowercased()
                }
            }
        }
        return "?"
    }

    /// A whole string in ASCII, one character per grapheme cluster.
    public static func ascii(_ s: String) -> String {
        var out = ""
        for c in s {
            guard let first = c.unicodeScalars.first else { continue }
            out += ascii(for: first)
        }
        return out
    }
}
