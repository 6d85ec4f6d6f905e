import TermGrid

/// Terminal-safe text for headless output: nothing from a journal, a playbook or a log reaches
/// the terminal as raw control bytes. One sanitiser for the console and the headless commands.
enum Sanitize {
    /// Headless output stays UTF-8 (it is often piped to files and chat); only control and
    /// bidi characters are replaced. The full-screen console has the ASCII fallback.
    static func line(_ s: String) -> String {
        // Printable ASCII has nothing to replace (a 100,000-line timeline is mostly that).
        if s.utf8.count <= 1 << 16, s.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return s }
        return TerminalSanitizer.sanitize(s, ascii: false, maxColumns: 1 << 16)
    }

    static func block(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false).map { line(String($0)) }.joined(separator: "\n")
    }
}
