/// One run of sanitised text; placeholders stand for something the log contained but that must
/// not reach the terminal (a control character, an escape sequence, a bidi override).
public struct SanitizedSegment: Equatable, Sendable {
    /// Text that is safe to draw.
    public var text: String
    /// True when `text` is a stand-in, to be drawn in the `placeholder` role.
    public var isPlaceholder: Bool

    /// A segment of safe text or of placeholder text.
    public init(_ text: String, placeholder: Bool = false) {
        self.text = text
        self.isPlaceholder = placeholder
    }
}

/// Makes log text safe to draw: no byte from a log reaches the terminal as it came.
///
/// Rules (each decided so the result is visible and its width predictable):
/// - TAB expands to spaces up to the next multiple of `tabWidth`, counted from the string start.
/// - Other C0 controls, NUL and DEL become Control Pictures (`␀`, `␍`, `␡`); `^@` style in ASCII.
/// - ESC sequences (CSI, OSC, DCS, APC, PM, SOS, two-byte ESC) are consumed whole, up to their
///   final byte or their BEL/ST terminator (or a bound), and shown as one placeholder such as
///   `␛[2J` or `␛]0;title␇`; long string payloads are shortened with `…`.
/// - C1 controls (U+0080-U+009F) become `<U+009B>`; the 8-bit introducers consume their sequence.
/// - Bidi controls and other format characters (U+200E/F, U+202A-E, U+2066-9, U+061C, U+200B,
///   U+2060-4, U+FEFF, tag characters) become `<U+202E>`, so a log line cannot reorder or hide text.
/// - ZWJ/ZWNJ and variation selectors are dropped: terminals disagree on the width of the
///   clusters they build, and the layout must know the width.
/// - At most `maxCombining` combining marks follow one base; a mark without a base gets `◌`.
/// - Invalid UTF-8 (bytes input) becomes U+FFFD, shown as a placeholder.
/// - Output stops at `maxColumns` columns with a `…` placeholder.
/// - ASCII mode maps every non-ASCII character to a transliteration or `?`.
/// The input is treated as one line: CR and LF are shown, never obeyed.
public enum TerminalSanitizer {
    /// Tuning for one sanitising pass.
    public struct Options: Sendable, Equatable {
        /// Map every non-ASCII character to ASCII (for terminals without UTF-8).
        public var ascii: Bool
        /// Hard cap on output columns; the rest of the line is replaced by `…`.
        public var maxColumns: Int
        /// Tab stops every this many columns.
        public var tabWidth: Int
        /// Combining marks kept after one base character.
        public var maxCombining: Int
        /// Payload characters of a string sequence (OSC, DCS...) shown before `…`.
        public var maxSequenceShown: Int

        /// Options with sensible defaults for a log line.
        public init(
            ascii: Bool = false, maxColumns: Int = 2048, tabWidth: Int = 8, maxCombining: Int = 2,
            maxSequenceShown: Int = 24
        ) {
            self.ascii = ascii
            self.maxColumns = max(1, maxColumns)
            self.tabWidth = max(1, tabWidth)
            self.maxCombining = max(0, maxCombining)
            self.maxSequenceShown = max(0, maxSequenceShown)
        }
    }

    /// Scalars of an escape-sequence payload consumed before giving up on its terminator.
    static let sequenceBound = 65_536

    /// Sanitised text as one string (placeholders inline).
    public static func sanitize(_ s: String, ascii: Bool = false, maxColumns: Int = 2048) -> String {
        segments(s, options: Options(ascii: ascii, maxColumns: maxColumns)).map(\.text).joined()
    }

    /// Sanitised bytes as one string; invalid UTF-8 becomes U+FFFD.
    public static func sanitize(
        bytes: some Sequence<UInt8>, ascii: Bool = false, maxColumns: Int = 2048
    ) -> String {
        sanitize(String(decoding: Array(bytes), as: UTF8.self), ascii: ascii, maxColumns: maxColumns)
    }

    /// Sanitised bytes as segments, so placeholders can be drawn in their own role.
    public static func segments(
        bytes: some Sequence<UInt8>, options: Options = Options()
    )
        -> [SanitizedSegment]
    {
        segments(String(decoding: Array(bytes), as: UTF8.self), options: options)
    }

    /// Sanitised text as segments, so placeholders can be drawn in their own role.
    public static func segments(_ s: String, options: Options = Options()) -> [SanitizedSegment] {
        var pass = Pass(scalars: Array(s.unicodeScalars), options: options)
        pass.run()
        return pass.out
    }
}

/// One left-to-right pass over the scalars of a line.
private struct Pass {
    let scalars: [Unicode.Scalar]
    let options: TerminalSanitizer.Options
    var out: [SanitizedSegment] = []
    var column = 0
    var marksSinceBase = 0
    var hasBase = false
    var full = false

    init(scalars: [Unicode.Scalar], options: TerminalSanitizer.Options) {
        self.scalars = scalars
        self.options = options
    }

    mutating func run() {
        var i = 0
        while i < scalars.count, !full {
            i = step(at: i)
        }
    }

    /// Handles the scalar at `i` (and any sequence it starts); returns the next index.
    mutating func step(at i: Int) -> Int {
        let u = scalars[i]
        let v = u.value
        switch v {
        case 0x09:
            let spaces = options.tabWidth - column % options.tabWidth
            emitText(String(repeating: " ", count: spaces), width: spaces)
            return i + 1
        case 0x1B:
            return escapeSequence(at: i, introducerLength: 2, shown: options.ascii ? "^[" : "\u{241B}")
        case 0x00..<0x20:
            emitPlaceholder(
                options.ascii
                    ? "^" + String(UnicodeScalar(UInt8(v + 0x40))) : String(UnicodeScalar(0x2400 + v)!))
            return i + 1
        case 0x7F:
            emitPlaceholder(options.ascii ? "^?" : "\u{2421}")
            return i + 1
        case 0x90, 0x98, 0x9B, 0x9D, 0x9E, 0x9F:
            // 8-bit introducers: the same sequences as ESC + a letter, one scalar shorter.
            return escapeSequence(at: i, introducerLength: 1, shown: codePoint(u))
        case 0x80..<0xA0:
            emitPlaceholder(codePoint(u))
            return i + 1
        case 0xFFFD:
            emitPlaceholder(options.ascii ? "?" : "\u{FFFD}")
            return i + 1
        case 0x200C, 0x200D, 0xFE00...0xFE0F, 0xE0100...0xE01EF:
            return i + 1  // joiners and variation selectors: dropped, see the type's notes
        case 0x2028, 0x2029:
            emitPlaceholder(codePoint(u))
            return i + 1
        default:
            break
        }
        if v < 0x80 {
            emitText(String(u), width: 1)
            return i + 1
        }
        let props = u.properties
        switch props.generalCategory {
        case .format:
            emitPlaceholder(codePoint(u))
        case .nonspacingMark, .enclosingMark:
            emitMark(u)
        default:
            if options.ascii {
                emitText(Transliteration.ascii(for: u), width: 1)
            } else {
                emitText(String(u), width: DisplayWidth.of(u))
            }
        }
        return i + 1
    }

    /// Consumes an escape sequence starting at `i` and shows it as one placeholder.
    mutating func escapeSequence(at i: Int, introducerLength: Int, shown: String) -> Int {
        let kindIndex = i + introducerLength - 1
        // For ESC the kind is the next scalar; for an 8-bit introducer it is the scalar itself.
        let kind: UInt32
        if introducerLength == 2 {
            guard kindIndex < scalars.count else {
                emitPlaceholder(shown)
                return i + 1
            }
            kind = scalars[kindIndex].value
        } else {
            kind =
                [0x90: 0x50, 0x98: 0x58, 0x9B: 0x5B, 0x9D: 0x5D, 0x9E: 0x5E, 0x9F: 0x5F][
                    scalars[i].value] ?? 0
        }
        var text = shown
        var j = i + introducerLength
        if introducerLength == 2 { text += printable(scalars[kindIndex]) }
        switch kind {
        case 0x5B:  // CSI: parameters and intermediates, then one final byte
            var count = 0
            while j < scalars.count, (0x20...0x3F).contains(scalars[j].value), count < 64 {
                text += printable(scalars[j])
                j += 1
                count += 1
            }
            if j < scalars.count, (0x40...0x7E).contains(scalars[j].value) {
                text += printable(scalars[j])
                j += 1
            }
        case 0x5D, 0x50, 0x5F, 0x5E, 0x58:  // OSC, DCS, APC, PM, SOS: a string up to BEL or ST
            var payload = 0
            loop: while j < scalars.count, payload < TerminalSanitizer.sequenceBound {
                let v = scalars[j].value
                switch v {
                case 0x07:
                    text += options.ascii ? "^G" : "\u{2407}"
                    j += 1
                    break loop
                case 0x9C:
                    text += codePoint(scalars[j])
                    j += 1
                    break loop
                case 0x1B:
                    if j + 1 < scalars.count, scalars[j + 1].value == 0x5C {
                        text += (options.ascii ? "^[" : "\u{241B}") + "\\"
                        j += 2
                    }
                    break loop  // a bare ESC aborts the string and starts a new sequence
                case 0x18, 0x1A:
                    j += 1  // CAN and SUB cancel the sequence
                    break loop
                default:
                    if payload < options.maxSequenceShown {
                        text += printable(scalars[j])
                    } else if payload == options.maxSequenceShown {
                        text += options.ascii ? "..." : "\u{2026}"
                    }
                    payload += 1
                    j += 1
                }
            }
        default:
            if introducerLength == 2 {
                let first = scalars[kindIndex].value
                if (0x20...0x2F).contains(first) {
                    // nF: intermediates then one final byte (ESC ( B)
                    while j < scalars.count, (0x20...0x2F).contains(scalars[j].value), j - i < 8 {
                        text += printable(scalars[j])
                        j += 1
                    }
                    if j < scalars.count, (0x30...0x7E).contains(scalars[j].value) {
                        text += printable(scalars[j])
                        j += 1
                    }
                } else if !(0x30...0x7E).contains(first) {
                    // ESC followed by something that is not a sequence: show ESC alone.
                    text = shown
                    j = i + 1
                }
            }
        }
        emitPlaceholder(text)
        return j
    }

    /// A payload scalar drawn as printable ASCII, a Control Picture or `?`.
    func printable(_ u: Unicode.Scalar) -> String {
        let v = u.value
        if (0x20...0x7E).contains(v) { return String(u) }
        if v < 0x20 { return options.ascii ? "?" : String(UnicodeScalar(0x2400 + v)!) }
        return "?"
    }

    func codePoint(_ u: Unicode.Scalar) -> String {
        let hex = String(u.value, radix: 16, uppercase: true)
        return "<U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + ">"
    }

    mutating func emitMark(_ u: Unicode.Scalar) {
        if options.ascii { return }  // the base letter is already transliterated
        if !hasBase {
            emitText("\u{25CC}", width: 1)  // dotted circle: the conventional stand-in base
        }
        guard marksSinceBase < options.maxCombining else { return }
        marksSinceBase += 1
        append(String(u), placeholder: false)
    }

    mutating func emitText(_ s: String, width: Int) {
        guard reserve(width) else { return }
        append(s, placeholder: false)
        hasBase = true
        marksSinceBase = 0
    }

    mutating func emitPlaceholder(_ s: String) {
        guard reserve(DisplayWidth.of(s)) else { return }
        append(s, placeholder: true)
        hasBase = false
        marksSinceBase = 0
    }

    /// Claims `width` columns, or ends the line with an ellipsis when the cap is reached.
    mutating func reserve(_ width: Int) -> Bool {
        if column + width <= options.maxColumns - 1 {
            column += width
            return true
        }
        // Keep one column for the ellipsis unless this is exactly the last character.
        full = true
        append(options.ascii ? "~" : "\u{2026}", placeholder: true)
        column += 1
        return false
    }

    mutating func append(_ s: String, placeholder: Bool) {
        if let last = out.last, last.isPlaceholder == placeholder {
            out[out.count - 1].text += s
        } else {
            out.append(SanitizedSegment(s, placeholder: placeholder))
        }
    }
}
