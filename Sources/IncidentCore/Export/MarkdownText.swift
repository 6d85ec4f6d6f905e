/// Makes text from a person or a log safe inside GitHub-flavoured Markdown: it cannot open a
/// heading, a block quote, a table cell, an HTML tag, a code span, a link, a mention or a bare
/// URL, and it carries no control characters. Backslash escapes only, so the raw file stays
/// readable. Output is one line.
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
            if !isSpace
                && (v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) || v == 0x2028 || v == 0x2029
                    || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F
                    || v == 0x061C || v == 0xFEFF)
            {
                continue
            }
            // Printable ASCII is neither a format character nor a mark: skip the Unicode
            // property lookup that otherwise dominated exporting a long journal.
            if v < 0x80 {
                marks = 0
                if isSpace {
                    if let last = clean.last, last != " " { clean.append(" ") }
                } else {
                    clean.append(u)
                }
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

        // Second pass: backslash escapes (CommonMark lets any ASCII punctuation be escaped), so
        // the raw file reads close to the text; a character is escaped only where it could start
        // something: a block, emphasis, code, a table cell, an HTML tag, a link, an entity, a
        // mention or an autolink.
        // Built as UTF-8 bytes: appending scalar by scalar to a String was a third of the
        // export's time on a long journal.
        var out: [UInt8] = []
        out.reserveCapacity(clean.count + 8)
        let bs = UInt8(ascii: "\\")
        func isAlnum(_ j: Int) -> Bool {
            guard j >= 0, j < clean.count else { return false }
            let v = clean[j].value
            if v < 0x80 { return (v >= 0x30 && v <= 0x39) || ((v | 0x20) >= 0x61 && (v | 0x20) <= 0x7A) }
            return clean[j].properties.isAlphabetic || clean[j].properties.numericType != nil
        }
        // A leading list, block-quote or heading-underline marker would start a block.
        if let f = clean.first, f == "-" || f == "+" || f == "=" || f == ">" {
            out.append(bs)
        }
        var digitsAtStart = true
        var i = 0
        while i < clean.count {
            let u = clean[i]
            if digitsAtStart, !("0"..."9").contains(u) {
                digitsAtStart = false
                if i > 0, u == "." || u == ")" { out.append(bs) }
            }
            switch u {
            case "\\", "`", "*", "[", "]", "#", "|", "~", "$", "@":
                // An escaped `@` cannot start a mention (nor, inside `<...>`, an email autolink).
                out.append(bs)
            case "<" where i + 1 < clean.count && (clean[i + 1].isASCII && clean[i + 1].properties.isAlphabetic || "/!?".unicodeScalars.contains(clean[i + 1])):
                // Only `<` before a letter, `/`, `!` or `?` can open HTML or a URL autolink;
                // `71% < 90%` stays as written.
                out.append(bs)
            case "_" where !(isAlnum(i - 1) && isAlnum(i + 1)):
                // Between letters or digits (snake_case) an underscore never makes emphasis.
                out.append(bs)
            case "&" where startsReference(clean, i):
                out.append(bs)  // `&amp;` typed by a person stays `&amp;`, not `&`
            case ":" where i + 2 < clean.count && clean[i + 1] == "/" && clean[i + 2] == "/":
                out.append(bs)  // no bare-URL autolinks from log text
            case "." where i >= 3 && String(String.UnicodeScalarView(clean[(i - 3)..<i])).lowercased() == "www" && !isAlnum(i - 4):
                out.append(bs)  // nor www. autolinks
            default: break
            }
            if u.isASCII { out.append(UInt8(u.value)) } else { UTF8.encode(u) { out.append($0) } }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// True when the `&` at `i` begins something CommonMark reads as a named entity (`&amp;`);
    /// numeric references (`&#64;`) are already broken by the escaped `#`.
    static func startsReference(_ s: [Unicode.Scalar], _ i: Int) -> Bool {
        var j = i + 1
        let start = j
        while j < s.count, j - start <= 32, s[j].isASCII, s[j].properties.isAlphabetic || ("0"..."9").contains(s[j]) { j += 1 }
        return j > start && j < s.count && s[j] == ";"
    }

    /// Escape after redaction (the default for exports) or without it (`--no-redact`).
    public static func safe(_ text: String, redact: Bool) -> String {
        escape(redact ? Redactor.redact(text) : text)
    }
}
