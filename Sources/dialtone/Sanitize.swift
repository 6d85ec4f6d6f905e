import TermGrid

/// Terminal-safe text for headless output: nothing from a journal, a playbook or a log reaches
/// the terminal as raw control bytes. One sanitiser for the console and the headless commands.
enum Sanitize {
    /// Headless output stays UTF-8 (it is often piped to files and chat); only control and
    /// bidi characters are replaced. The full-screen console has the ASCII fallback.
    static func line(_ s: String) -> String {
        TerminalSanitizer.sanitize(s, ascii: false, maxColumns: 1 << 16)
    }

    static func block(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false).map { line(String($0)) }.joined(separator: "\n")
    }
}
