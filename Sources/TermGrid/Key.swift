/// A key press, decoded from what the terminal library reports.
public enum Key: Equatable, Hashable, Sendable {
    /// A printable character.
    case char(Character)
    /// Arrow and navigation keys.
    case up, down, left, right, pageUp, pageDown, home, end, insert, delete
    /// Editing keys; Shift-Tab is `backTab`, Ctrl-H and DEL are both `backspace`.
    case tab, backTab, enter, escape, backspace
    /// A function key, F1 = `.f(1)`.
    case f(Int)
    /// The terminal changed size; read the new size and re-render.
    case resize
    /// Control plus a key, as a lowercase letter (`.ctrl("c")`) or one of `@ [ \ ] ^ _`.
    case ctrl(Character)
    /// Alt (Meta) plus a printable key: Esc followed at once by the key (`.alt("b")`).
    case alt(Character)
    /// Ctrl plus an arrow, where the terminal reports it (xterm's `kLFT5` / `kRIT5`).
    case ctrlLeft, ctrlRight
}

/// What the terminal library reported: a key code (`get_wch` returned `KEY_CODE_YES`) or a
/// character (`get_wch` returned `OK`).
public enum RawKey: Equatable, Sendable {
    /// A function-key code such as `KEY_UP`.
    case code(Int32)
    /// A wide character, possibly a control character.
    case character(UInt32)
}

/// ncurses key codes. The defaults are the values every ncurses build uses; the curses backend
/// passes the values from its headers so a mismatch cannot go unnoticed.
public struct KeyCodes: Equatable, Sendable {
    // One field per ncurses KEY_* constant, named after it.
    public var down: Int32 = 0o402
    public var up: Int32 = 0o403
    public var left: Int32 = 0o404
    public var right: Int32 = 0o405
    public var home: Int32 = 0o406
    public var backspace: Int32 = 0o407
    public var f0: Int32 = 0o410
    public var deleteChar: Int32 = 0o512
    public var insertChar: Int32 = 0o513
    public var pageDown: Int32 = 0o522
    public var pageUp: Int32 = 0o523
    public var enter: Int32 = 0o527
    public var backTab: Int32 = 0o541
    public var end: Int32 = 0o550
    /// vt220 keypad "Find" and "Select", which some terminals send for Home and End.
    public var find: Int32 = 0o552
    public var select: Int32 = 0o601
    public var resize: Int32 = 0o632
    /// Ctrl-Left / Ctrl-Right: extended codes ncurses assigns at run time (-1: not defined).
    public var ctrlLeft: Int32 = -1
    public var ctrlRight: Int32 = -1

    /// The standard ncurses values.
    public init() {}
}

/// Turns raw terminal input into `Key`s. Pure, so it is tested without a terminal.
public enum KeyDecoder {
    /// The key for one raw input, or nil for input the console does not use.
    public static func decode(_ raw: RawKey, codes: KeyCodes = KeyCodes()) -> Key? {
        switch raw {
        case .code(let c): return decodeCode(c, codes)
        case .character(let v): return decodeCharacter(v)
        }
    }

    /// The key for an escape sequence ncurses did not know (its terminfo lacks it; tmux sends
    /// `ESC [ 1 ~` for Home under xterm-256color): `body` is what followed ESC, e.g. "[1~".
    /// Nil for a sequence that names no key the console uses (it is then dropped whole, never
    /// typed into a prompt).
    public static func escapeSequence(_ body: String) -> Key? {
        switch body {
        case "[1~", "[7~", "[H", "OH": .home
        case "[4~", "[8~", "[F", "OF": .end
        case "[3~": .delete
        case "[2~": .insert
        case "[5~": .pageUp
        case "[6~": .pageDown
        case "[A", "OA": .up
        case "[B", "OB": .down
        case "[C", "OC": .right
        case "[D", "OD": .left
        case "[1;5D", "[5D", "[1;3D": .ctrlLeft
        case "[1;5C", "[5C", "[1;3C": .ctrlRight
        default: nil
        }
    }

    /// True when `c` ends an escape sequence that started with `intro` ("[" or "O").
    public static func endsSequence(_ c: Character, intro: Character) -> Bool {
        guard let v = c.asciiValue else { return true }
        if intro == "O" { return true }  // SS3 carries one final character
        return (0x40...0x7E).contains(v)
    }

    static func decodeCode(_ c: Int32, _ k: KeyCodes) -> Key? {
        switch c {
        case k.up: return .up
        case k.down: return .down
        case k.left: return .left
        case k.right: return .right
        case k.home, k.find: return .home
        case k.end, k.select: return .end
        case k.pageUp: return .pageUp
        case k.pageDown: return .pageDown
        case k.backspace: return .backspace
        case k.deleteChar: return .delete
        case k.insertChar: return .insert
        case k.enter: return .enter
        case k.backTab: return .backTab
        case k.resize: return .resize
        case k.ctrlLeft where c >= 0: return .ctrlLeft
        case k.ctrlRight where c >= 0: return .ctrlRight
        case (k.f0 + 1)...(k.f0 + 63): return .f(Int(c - k.f0))
        default: return nil
        }
    }

    static func decodeCharacter(_ v: UInt32) -> Key? {
        switch v {
        case 0x09: return .tab
        case 0x0A, 0x0D: return .enter
        case 0x1B: return .escape
        case 0x08, 0x7F: return .backspace
        case 0x00: return .ctrl("@")
        case 0x01...0x1A: return .ctrl(Character(UnicodeScalar(v + 0x60)!))
        case 0x1C...0x1F: return .ctrl(Character(UnicodeScalar(v + 0x40)!))
        case 0x80...0x9F: return nil  // C1 controls are never keys
        default:
            guard let scalar = UnicodeScalar(v) else { return nil }
            return .char(Character(scalar))
        }
    }
}
