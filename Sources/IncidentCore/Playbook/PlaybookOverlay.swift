import Yams

/// A thresholds overlay: a team's own warning and critical lines for some of a playbook's
/// metrics, by id, read over the playbook's (what `dialtone calibrate --save` writes; the
/// runbook says to calibrate thresholds to your own baseline). The shape is the playbook's own
/// `metrics:` list cut down to `id`, `warning`, `critical` and an optional `rationale`, so a
/// proposal can be kept as it is, or its entries copied into a playbook copy. A metric left out
/// keeps the playbook's lines; an entry's rationale, when given, replaces the playbook's (the
/// panel's explanation then says where the line came from).
public enum PlaybookOverlay {
    static let keys = ["id", "warning", "critical", "rationale"]

    /// `playbook` with the overlay's lines, or every issue found in it (unknown metric ids,
    /// thresholds out of order for the metric's direction, wrong types), at its line and column.
    public static func apply(yaml text: String, file: String, to playbook: Playbook) throws(PlaybookLoadError) -> Playbook {
        let log = IssueLog(file: file)
        var out = playbook
        read(text, log: log, into: &out)
        let issues = log.sorted
        guard issues.isEmpty else { throw PlaybookLoadError(issues: issues) }
        return out
    }

    private static func read(_ text: String, log: IssueLog, into playbook: inout Playbook) {
        guard let root = PlaybookLoader.compose(text, log: log, expected: "`metrics:` with ids and lines"),
            let top = Fields(root, what: "the overlay", keys: ["metrics"], log: log)
        else { return }
        var seen = Set<String>()
        for node in top.list("metrics") ?? [] {
            guard var f = Fields(node, what: "overlay metric", keys: keys, log: log), let id = f.text("id", required: true)
            else { continue }
            f.what = "overlay metric '\(clip(id))'"
            guard let index = playbook.metrics.firstIndex(where: { $0.id == id }) else {
                let hint = closest(id, in: playbook.metrics.map(\.id)).map { " (did you mean '\($0)'?)" } ?? ""
                log.add(f.valueMark("id"), "no metric '\(clip(id))' in playbook '\(playbook.name)'\(hint)")
                continue
            }
            guard seen.insert(id).inserted else {
                log.add(f.valueMark("id"), "metric '\(clip(id))' is given twice")
                continue
            }
            let warning = f.number("warning", required: true)
            let critical = f.number("critical", required: true)
            let rationale = f.text("rationale")
            guard let warning, let critical else { continue }
            var m = playbook.metrics[index]
            let ordered = m.direction == .higherIsWorse ? warning < critical : warning > critical
            guard ordered else {
                log.add(
                    f.valueMark("critical"),
                    "thresholds out of order in \(f.what): \(m.direction.rawValue) needs warning \(m.direction == .higherIsWorse ? "<" : ">") critical, found warning \(fmt(warning)) and critical \(fmt(critical))"
                )
                continue
            }
            m.warning = warning
            m.critical = critical
            if let rationale, !rationale.isEmpty { m.rationale = rationale }
            playbook.metrics[index] = m
        }
    }
}
