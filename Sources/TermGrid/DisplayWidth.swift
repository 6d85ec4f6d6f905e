/// Terminal column widths computed in Swift.
///
/// glibc `wcwidth` is not reliable here: it returns -1 for CJK and emoji in the C locale that
/// tests and some servers run in, so the console would lay out differently from what the
/// terminal draws. The rules follow Markus Kuhn's wcwidth: East Asian Wide/Fullwidth and emoji
/// presentation take two columns; nonspacing and enclosing marks, format characters and the
/// zero-width set take none; everything else takes one.
public enum DisplayWidth {
    /// Columns taken by one grapheme cluster (0, 1 or 2).
    public static func of(_ c: Character) -> Int {
        var scalars = c.unicodeScalars.makeIterator()
        guard let first = scalars.next() else { return 0 }
        let base = of(first)
        // A base followed by VS16 asks for emoji presentation, which terminals draw two wide.
        if base == 1, c.unicodeScalars.contains(where: { $0.value == 0xFE0F }),
            first.properties.isEmoji
        {
            return 2
        }
        if base == 0 {
            // A cluster whose first scalar is zero-width (a lone mark) still occupies what
            // its widest scalar occupies.
            return c.unicodeScalars.map(of).max() ?? 0
        }
        return base
    }

    /// Columns taken by a string: the sum over its grapheme clusters.
    public static func of(_ s: String) -> Int {
        var total = 0
        for c in s { total += of(c) }
        return total
    }

    /// Columns taken by one scalar on its own.
    public static func of(_ u: Unicode.Scalar) -> Int {
        let v = u.value
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return 0 }  // controls draw nothing
        if v < 0x300 { return 1 }  // fast path for Latin text
        if isZeroWidth(u) { return 0 }
        if isWide(v) || u.properties.isEmojiPresentation { return 2 }
        return 1
    }

    /// Scalars that take no column of their own.
    public static func isZeroWidth(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        switch v {
        case 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x206F, 0xFEFF, 0xFE00...0xFE0F,
            0xE0100...0xE01EF, 0x1160...0x11FF, 0xD7B0...0xD7FF:
            return true
        case 0x00AD:
            return false  // soft hyphen: terminals show it
        default:
            break
        }
        switch u.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format:
            return true
        default:
            return false
        }
    }

    /// East Asian Wide (W) and Fullwidth (F) blocks that are not covered by emoji presentation.
    private static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F,  // Hangul Jamo leading consonants
            0x2329...0x232A,
            0x2E80...0x303E,  // CJK radicals, punctuation
            0x3041...0x33FF,  // kana, CJK compatibility
            0x3400...0x4DBF,  // CJK extension A
            0x4E00...0x9FFF,  // CJK unified ideographs
            0xA000...0xA4CF,  // Yi
            0xA960...0xA97F,  // Hangul Jamo extended A
            0xAC00...0xD7A3,  // Hangul syllables
            0xF900...0xFAFF,  // CJK compatibility ideographs
            0xFE10...0xFE19,  // vertical forms
            0xFE30...0xFE6F,  // CJK compatibility forms, small forms
            0xFF00...0xFF60,  // fullwidth forms
            0xFFE0...0xFFE6,
            0x16FE0...0x16FE4,
            0x17000...0x18CFF,  // Tangut
            0x1B000...0x1B2FF,  // kana supplement, Nushu
            0x1F200...0x1F2FF,  // enclosed ideographic supplement
            0x20000...0x2FFFD,  // CJK extensions B-F
            0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}
