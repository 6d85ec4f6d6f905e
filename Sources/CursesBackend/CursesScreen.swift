import CNcursesw
import Foundation
import TermGrid

/// Why the screen could not start.
public enum CursesError: Error, Equatable, CustomStringConvertible {
    /// `newterm` failed, usually an unknown `TERM`.
    case cannotStartTerminal(term: String)
    /// The headless output or input could not be opened.
    case cannotOpenDevNull
    /// The terminal type cannot move the cursor (`TERM=dumb`, a printing terminal).
    case cannotAddressCursor(term: String)

    /// One line for the user.
    public var description: String {
        switch self {
        case .cannotStartTerminal(let term):
            return
                "cannot start the terminal (TERM=\(term.isEmpty ? "unset" : term)); try TERM=xterm-256color"
        case .cannotOpenDevNull:
            return "cannot open /dev/null for a headless screen"
        case .cannotAddressCursor(let term):
            return
                "TERM=\(term) cannot move the cursor, so the full-screen console cannot run on it; use a terminal such as TERM=xterm-256color, or the headless commands (dialtone watch, note, status)"
        }
    }
}

/// A full-screen ncurses session that shows `Grid`s and reports keys, resizes and signals as
/// `ScreenEvent`s. It knows nothing of incidents. Use from one thread.
public final class CursesScreen: Screen {
    /// Where the screen draws.
    public enum Terminal: Equatable, Sendable {
        /// The real terminal on stdin/stdout, with signal handling.
        case tty
        /// A terminal of the given type writing to /dev/null: for tests. No signal handling.
        case headless(term: String)
    }

    /// True when characters are drawn ASCII-only.
    public let ascii: Bool
    /// Colours in use; 0 when colour is off (NO_COLOR, a mono terminal, or refused).
    public private(set) var colors: Int = 0
    private var screen: OpaquePointer?
    private var window: UnsafeMutablePointer<WINDOW>?
    private var styles: [StyleRole: ResolvedStyle] = [:]
    private var attrsByRole: [StyleRole: attr_t] = [:]
    private var lastGrid: Grid?
    private var outFile: UnsafeMutablePointer<FILE>?
    private var inFile: UnsafeMutablePointer<FILE>?
    private let terminal: Terminal
    private var ended = false
    private var pendingKey: Key?
    /// Signals taken from the guard and not yet returned by `nextEvent`.
    private var pendingEvents: [ScreenEvent] = []
    private var keyCodes: KeyCodes = {
        var k = KeyCodes()
        k.down = KEY_DOWN
        k.up = KEY_UP
        k.left = KEY_LEFT
        k.right = KEY_RIGHT
        k.home = KEY_HOME
        k.backspace = KEY_BACKSPACE
        k.f0 = KEY_F0
        k.deleteChar = KEY_DC
        k.insertChar = KEY_IC
        k.pageDown = KEY_NPAGE
        k.pageUp = KEY_PPAGE
        k.enter = KEY_ENTER
        k.backTab = KEY_BTAB
        k.end = KEY_END
        k.find = KEY_FIND
        k.select = KEY_SELECT
        k.resize = KEY_RESIZE
        return k
    }()

    /// True when the user's locale is UTF-8 (sets the locale from the environment first).
    /// When false, start the screen with `ascii: true`.
    public static func localeIsUTF8() -> Bool {
        setlocale(LC_ALL, "")
        return dt_codeset_is_utf8() != 0
    }

    /// Starts ncurses.
    /// - Parameters:
    ///   - ascii: draw ASCII only (see `localeIsUTF8`).
    ///   - theme: role styles; resolved for the terminal's colour count.
    ///   - useColor: false for attributes only; defaults to honouring `NO_COLOR`.
    ///   - terminal: the real terminal, or a headless one for tests.
    public init(
        ascii: Bool, theme: Theme,
        useColor: Bool = !ColorPlan.noColorRequested(environment: ProcessInfo.processInfo.environment),
        terminal: Terminal = .tty
    ) throws {
        self.ascii = ascii
        self.terminal = terminal
        // Without this, ncurses assumes the C locale and wide characters turn to garbage.
        setlocale(LC_ALL, "")
        let termName: String
        switch terminal {
        case .tty:
            termName = ProcessInfo.processInfo.environment["TERM"] ?? ""
            SignalGuard.shared.saveTerminalModes()
            SignalGuard.shared.install()
            screen = newterm(nil, dt_stdout(), dt_stdin())
        case .headless(let term):
            termName = term
            guard let out = fopen("/dev/null", "w"), let inp = fopen("/dev/null", "r") else {
                throw CursesError.cannotOpenDevNull
            }
            outFile = out
            inFile = inp
            screen = newterm(term, out, inp)
        }
        guard let screen else {
            if terminal == .tty { SignalGuard.shared.uninstall() }
            closeFiles()
            throw CursesError.cannotStartTerminal(term: termName)
        }
        set_term(screen)
        // A terminal without cursor addressing would get a garbled screen: refuse it before
        // anything is drawn.
        let cup = tigetstr("cup")
        if cup == nil || Int(bitPattern: cup) == -1 {
            endwin()  // gives the tty its modes back (newterm changed them)
            delscreen(screen)
            self.screen = nil
            if terminal == .tty { SignalGuard.shared.uninstall() }
            closeFiles()
            ended = true
            throw CursesError.cannotAddressCursor(term: termName)
        }
        window = dt_stdscr()
        cbreak()
        // Ctrl-C must not make the tty throw away keys typed before it and not yet read.
        noqiflush()
        noecho()
        nonl()
        keypad(window, true)
        // Let ncurses scroll with the terminal's line insert/delete when a pane's lines move up
        // (the log pane under a flood): far fewer bytes than repainting every row.
        idlok(window, true)
        curs_set(0)
        set_escdelay(25)  // the default makes Esc feel dead for a second
        setUpColors(theme: theme, useColor: useColor)
        // Ctrl-arrows have no fixed codes: ncurses numbers the terminal's extended keys.
        for (cap, path) in [("kLFT5", \KeyCodes.ctrlLeft), ("kRIT5", \KeyCodes.ctrlRight)] {
            guard let seq = tigetstr(cap), Int(bitPattern: seq) != -1 else { continue }
            let code = key_defined(seq)
            if code > 0 { keyCodes[keyPath: path] = code }
        }
        if terminal == .tty {
            SignalGuard.shared.armCrashRestore(restoreBytes: Self.restoreBytes())
        }
    }

    deinit { end() }

    private func setUpColors(theme: Theme, useColor: Bool) {
        var palette = 0
        var defaultsAllowed = false
        if useColor, has_colors() {
            start_color()
            defaultsAllowed = use_default_colors() == OK
            palette = Int(dt_COLORS())
        }
        colors = palette
        styles = ColorPlan.resolve(theme, colors: palette, useColor: useColor && palette >= 8)
        let maxPairs = Int(dt_COLOR_PAIRS())
        for (role, var style) in styles {
            if style.pair > 0 {
                if !defaultsAllowed {
                    // Without default colours, -1 is not accepted: use white on black.
                    if style.fg < 0 { style.fg = Int16(COLOR_WHITE) }
                    if style.bg < 0 { style.bg = Int16(COLOR_BLACK) }
                }
                if Int(style.pair) >= maxPairs || init_pair(style.pair, style.fg, style.bg) != OK {
                    style.pair = 0
                }
                styles[role] = style
            }
            var a = dt_A_NORMAL()
            if style.bold { a |= dt_A_BOLD() }
            if style.dim { a |= dt_A_DIM() }
            if style.reverse { a |= dt_A_REVERSE() }
            if style.underline { a |= dt_A_UNDERLINE() }
            attrsByRole[role] = a
        }
    }

    /// The terminal size in columns and rows.
    public func size() -> (w: Int, h: Int) {
        guard let window else { return (0, 0) }
        var y: Int32 = 0
        var x: Int32 = 0
        dt_getmaxyx(window, &y, &x)
        return (Int(x), Int(y))
    }

    /// Copies the grid to the screen and updates the terminal. Only cells that changed since
    /// the last draw are copied; ncurses then sends only what changed on the terminal.
    public func draw(_ grid: Grid) {
        guard let window, !ended else { return }
        let (w, h) = size()
        var previous = lastGrid
        if previous?.width != grid.width || previous?.height != grid.height {
            werase(window)
            previous = nil
        }
        for y in 0..<min(grid.height, h) {
            for x in 0..<min(grid.width, w) {
                let cell = grid[x, y]
                if let previous, previous[x, y] == cell { continue }
                if cell.isContinuation { continue }  // drawn by the wide character on its left
                var shown = cell
                if cell.width == 2, x + 1 >= w { shown = .blank(cell.role) }  // no half glyphs
                put(shown, x: x, y: y)
            }
        }
        lastGrid = grid
        wnoutrefresh(window)
        doupdate()
    }

    private func put(_ cell: Cell, x: Int, y: Int) {
        guard let window else { return }
        var scalars: [wchar_t] = []
        for u in cell.char.unicodeScalars.prefix(Int(CCHARW_MAX) - 1) {
            let v = u.value
            // A last guard for cells written without `Grid.put`: nothing a terminal would obey
            // leaves this function, and ASCII mode sends ASCII only.
            if v < 0x20 || (0x7F...0x9F).contains(v) {
                scalars = [0x3F]
                break
            }
            if ascii, v > 0x7E {
                let mapped = Transliteration.ascii(for: u).unicodeScalars.first?.value ?? 0x3F
                scalars = [wchar_t(bitPattern: scalars.isEmpty ? mapped : 0x3F)]
                break
            }
            scalars.append(wchar_t(bitPattern: v))
        }
        if scalars.isEmpty { scalars = [0x20] }
        scalars.append(0)
        var attrs = attrsByRole[cell.role] ?? dt_A_NORMAL()
        if cell.bold { attrs |= dt_A_BOLD() }
        if cell.reverse { attrs |= dt_A_REVERSE() }
        if cell.underline { attrs |= dt_A_UNDERLINE() }
        let pair = Int32(styles[cell.role]?.pair ?? 0)
        // The bottom-right cell returns ERR after drawing (the cursor cannot advance); harmless.
        _ = dt_put_cluster(window, Int32(y), Int32(x), scalars, attrs, pair)
    }

    /// The terminal's input and the signal pipe (none for a headless screen, which has no input).
    public var descriptors: [Int32] {
        terminal == .tty && !ended ? [STDIN_FILENO, SignalGuard.shared.descriptor] : []
    }

    /// The next key, resize or signal without waiting; nil when none is waiting. Keys that
    /// ncurses already read ahead come out here even when the descriptor shows nothing, so call
    /// until nil before polling again.
    public func nextEvent() -> ScreenEvent? {
        guard let window, !ended else { return nil }
        if terminal == .tty { takeSignals(window) }
        if !pendingEvents.isEmpty { return pendingEvents.removeFirst() }
        return readKey(window)
    }

    /// The next key or resize ncurses has, without waiting.
    private func readKey(_ window: UnsafeMutablePointer<WINDOW>) -> ScreenEvent? {
        if let k = pendingKey {
            pendingKey = nil
            return .key(k)
        }
        wtimeout(window, 0)
        while true {
            var wc: wint_t = 0
            let rc = wget_wch(window, &wc)
            guard rc == OK || rc == KEY_CODE_YES else { return nil }
            let raw: RawKey = rc == KEY_CODE_YES ? .code(Int32(bitPattern: wc)) : .character(UInt32(wc))
            guard let key = KeyDecoder.decode(raw, codes: keyCodes) else { continue }  // a key the console does not use
            if key == .resize {
                lastGrid = nil
                return .resized
            }
            if key == .escape {
                if let k = altKey(window) { return .key(k) }
                continue  // an escape sequence for no key the console uses
            }
            return .key(key)
        }
    }

    /// Ctrl-C and requests to end become events; a resize is applied here, on the screen's
    /// thread (ncurses is not thread-safe), and comes back from ncurses as KEY_RESIZE.
    private func takeSignals(_ window: UnsafeMutablePointer<WINDOW>) {
        let taken = SignalGuard.shared.take()
        if taken.resized { applyTerminalSize() }
        if taken.interrupts > 0 || taken.terminate != nil {
            // The tty raised Ctrl-C after queueing the keys typed before it: those come first,
            // so "a, half a note, Ctrl-C" asks over the prompt with the text in it.
            while let e = readKey(window) { pendingEvents.append(e) }
        }
        pendingEvents += Array(repeating: .interrupt, count: taken.interrupts)
        if let sig = taken.terminate { pendingEvents.append(.terminate(signal: sig)) }
    }

    private func applyTerminalSize() {
        var rows: Int32 = 0
        var cols: Int32 = 0
        if dt_winsize(STDOUT_FILENO, &rows, &cols) == 0, rows > 0, cols > 0 {
            resizeterm(rows, cols)  // also queues KEY_RESIZE
            lastGrid = nil
        }
    }

    /// Esc with a printable key right behind it (already waiting) is Alt plus that key; any
    /// other key behind it is kept for the next read.
    private func altKey(_ window: UnsafeMutablePointer<WINDOW>) -> Key? {
        wtimeout(window, 0)
        var wc: wint_t = 0
        let rc = wget_wch(window, &wc)
        guard rc == OK || rc == KEY_CODE_YES else { return .escape }
        let raw: RawKey = rc == KEY_CODE_YES ? .code(Int32(bitPattern: wc)) : .character(UInt32(wc))
        let next = KeyDecoder.decode(raw, codes: keyCodes)
        if case .char(let intro)? = next, intro == "[" || intro == "O" {
            // A sequence ncurses did not decode: read it whole (it is already waiting), so its
            // bytes are never typed, and name the key when it is one we know.
            var body = String(intro)
            while body.count < 16 {
                var c: wint_t = 0
                guard wget_wch(window, &c) == OK, let u = Unicode.Scalar(UInt32(c)) else { break }
                let ch = Character(u)
                body.append(ch)
                if KeyDecoder.endsSequence(ch, intro: intro) { break }
            }
            return KeyDecoder.escapeSequence(body)  // nil: dropped
        }
        if case .char(let c)? = next { return .alt(c) }
        pendingKey = next
        return .escape
    }

    /// Forgets what the terminal shows: the next draw clears it and repaints every cell, at
    /// the terminal's current size (Ctrl-L, or after another program wrote over the screen).
    public func invalidate() {
        guard let window, !ended else { return }
        if terminal == .tty { applyTerminalSize() }
        lastGrid = nil
        clearok(window, true)
    }

    /// Ends the session and restores the terminal. Safe to call twice.
    public func end() {
        guard !ended else { return }
        ended = true
        endwin()
        if let screen { delscreen(screen) }
        screen = nil
        window = nil
        if terminal == .tty { SignalGuard.shared.uninstall() }
        closeFiles()
    }

    private func closeFiles() {
        if let outFile { fclose(outFile) }
        if let inFile { fclose(inFile) }
        outFile = nil
        inFile = nil
    }

    /// What a cell on the screen holds, read back with `mvin_wch`: for headless tests.
    public func screenCell(x: Int, y: Int) -> (text: String, bold: Bool, reverse: Bool, pair: Int)? {
        guard let window, !ended else { return nil }
        var buffer = [wchar_t](repeating: 0, count: Int(CCHARW_MAX) + 1)
        var attrs: attr_t = 0
        var pair: Int32 = 0
        guard dt_read_cell(window, Int32(y), Int32(x), &buffer, &attrs, &pair) == OK else { return nil }
        var text = ""
        for w in buffer {
            if w == 0 { break }
            if let u = Unicode.Scalar(UInt32(bitPattern: w)) { text.unicodeScalars.append(u) }
        }
        return (text, attrs & dt_A_BOLD() != 0, attrs & dt_A_REVERSE() != 0, Int(pair))
    }

    /// Terminfo strings that reset attributes, show the cursor, leave keypad-transmit mode and
    /// leave the alternate screen, written by the signal and crash handlers (endwin cannot run
    /// there).
    static func restoreBytes() -> [UInt8] {
        var out: [UInt8] = []
        for cap in ["sgr0", "cnorm", "rmkx", "rmcup"] {
            guard let p = tigetstr(cap), Int(bitPattern: p) != -1 else { continue }
            out.append(contentsOf: Array(String(cString: p).utf8))
        }
        out.append(contentsOf: Array("\r\n".utf8))
        return out
    }
}
