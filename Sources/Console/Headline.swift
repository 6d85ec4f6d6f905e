import Ingest
import TermGrid

extension ConsoleRenderer {
    /// The panel's headline: the metric that makes the stack red (or amber), its value and the
    /// threshold it crossed, short enough for a panel ("SIP 5xx 172 ≥10"). A key metric is
    /// preferred, as in the journaled message; nil when no single metric is to blame (a codec
    /// change, a trunk), where the engine's reason is shown instead.
    /// The headline for `room` cells: the threshold, then the value, is left out when the
    /// whole does not fit (narrow panels show them on the metric's own row below).
    static func headline(_ sh: StackHealth?, ascii: Bool, room: Int) -> String? {
        guard let full = headline(sh, ascii: ascii) else { return nil }
        // Whole; without the threshold; the metric's name alone (its row below has the rest).
        var words = full.split(separator: " ")
        for _ in 0..<2 {
            let text = words.joined(separator: " ")
            if DisplayWidth.of(text) <= room { return text }
            words.removeLast()
        }
        return words.joined(separator: " ")
    }

    static func headline(_ sh: StackHealth?, ascii: Bool) -> String? {
        guard let sh, sh.state == .critical || sh.state == .warning else { return nil }
        let culprit = sh.metrics.first { $0.key && $0.state == sh.state } ?? sh.metrics.first { $0.state == sh.state }
        guard let m = culprit, let v = m.value, let t = sh.state == .critical ? m.critical : m.warning else { return nil }
        let op = m.direction == .lowerIsWorse ? (ascii ? "<=" : "≤") : (ascii ? ">=" : "≥")
        return "\(Glyphs.shortLabel(m)) \(Glyphs.value(v, unit: m.unit)) \(op)\(Glyphs.threshold(t, unit: m.unit))"
    }
}
