/// Semantic style roles. Widgets say what a cell means; a theme decides how that looks, so a
/// colour-blind or monochrome theme can change every traffic light without touching a widget.
public enum StyleRole: String, CaseIterable, Sendable, Hashable {
    case text, dim, accent, info, title, border, selection
    case ok, warning, critical, noData
    case levelDebug, levelInfo, levelWarning, levelError, levelCritical
    case stackTelephony, stackAudio, stackIntelligence, stackOutput
    /// Visible stand-ins for control characters and escape sequences found in log text.
    case placeholder

    /// The spelling used in theme files (`no-data`, `level-error`, `stack-audio`).
    public var themeKey: String {
        var out = ""
        for ch in rawValue {
            if ch.isUppercase {
                out += "-" + ch.lowercased()
            } else {
                out.append(ch)
            }
        }
        return out
    }

    /// The role for a theme-file key, accepting both `no-data` and `noData`.
    public init?(themeKey: String) {
        if let direct = StyleRole(rawValue: themeKey) {
            self = direct
            return
        }
        guard let match = StyleRole.allCases.first(where: { $0.themeKey == themeKey }) else {
            return nil
        }
        self = match
    }
}
