/// Makes text from a person or a log safe inside GitHub-flavoured Markdown: it cannot open a
/// heading, a table cell, an HTML tag, a code span, a link, a mention or a bare URL, and it
/// carries no control characters. Output is one line.
public enum MarkdownText {
    public static func escape(_ text: String) -> String {
        // First pass: drop controls and invisible format characters, cap combining marks,
        // fold whitespace to single spaces, trim.
        var clean: [Unicode.Scalar] = []
        var marks = 0
        for u in text.unicodeScalars {
            let v = u.value
            let isSpace = v == 0x20 || v == 0x09 || v == 0x0A || v == 0x0D || v == 0xA0
            // Controls (C0, DEL, C1), separators, bidi controls and BOM are never emitted.
            if !isSpace && (v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) || v == 0x2028 || v == 0x2029
                || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F
                || v == 0x061C || v == 0xFEFF)
            {
                continue
            }
            // Zero-width and other invisible format characters (U+200B-D, U+2060-4, soft
            // hyphen, tags): a reader cannot see them, so they only hide what text says.
            let category = u.properties.generalCategory
            if category == .format { continue }
            // A flood of combining marks stacks over the line above and below it: a base
            // character keeps three at most (enough for any real script).
            if category == .nonspacingMark || category == .enclosingMark {
                marks += 1
                if marks > 3 { continue }
            } else {
                marks = 0
            }
            if isSpace {
                if let last = clean.last, last != " " { clean.append(" ") }
            } else {
                clean.append(u)
            }
        }
        while clean.last == " " { clean.removeLast() }

        var out = ""
        out.reserveCapacity(clean.count + 8)
        var i = 0
        // A leading list or block marker would start a nested block inside a list item.
        if let f = clean.first, f == "-" || f == "+" || f == "=" {
            out += "\\"
        }
        var digitsAtStart = true
        while i < clean.count {
            let u = clean[i]
            if digitsAtStart, !("0"..."9").contains(u) {
                digitsAtStart = false
                if i > 0, u == "." || u == ")" { out += "\\" }
            }
            switch u {
            case "\\", "`", "*", "_", "[", "]", "#", "|", "~", "$":
                out += "\\"
                out.unicodeScalars.append(u)
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "@": out += "&#64;"  // no @mentions pinging people from a draft
            case ":" where i + 2 < clean.count && clean[i + 1] == "/" && clean[i + 2] == "/":
                out += "&#58;"  // no bare-URL autolinks from log text
            default: out.unicodeScalars.append(u)
            }
            i += 1
        }
        return out
    }

    /// Escape after redaction (the default for exports) or without it (`--no-redact`).
    public static func safe(_ text: String, redact: Bool) -> String {
        escape(redact ? Redactor.redact(text) : text)
    }
}
