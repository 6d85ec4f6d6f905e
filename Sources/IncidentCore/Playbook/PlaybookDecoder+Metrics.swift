import Yams

extension PlaybookDecoder {
    static let metricKeys = [
        "id", "name", "scope", "unit", "aggregation", "signal", "numerator", "denominator", "below",
        "window_seconds", "direction", "warning", "critical", "min_samples", "key", "rationale",
    ]

    /// Units the console knows how to print.
    static let units = ["ms", "%", "score", "count", "calls", "per_min"]

    func metric(_ node: Node) -> MetricDefinition? {
        guard var f = Fields(node, what: "metric", keys: Self.metricKeys, log: log) else { return nil }
        let id = f.text("id", required: true)
        if let id {
            f.what = "metric '\(id)'"
            // Metric ids become JSON keys and evidence references: keep them snake_case.
            if id.isEmpty || !id.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) {
                log.add(f.valueMark("id"), "metric id '\(clip(id))' must be lower-case letters, digits and '_'")
            }
        }
        let name = f.text("name", required: true)
        let scope = f.choice("scope", MetricScope.self, required: true, noun: "scope")
        let unit = f.text("unit", required: true)
        if let unit, !Self.units.contains(unit) {
            log.add(f.valueMark("unit"), "unknown unit '\(clip(unit))' in \(f.what) (expected one of: \(Self.units.joined(separator: ", ")))")
        }
        let aggregation = f.choice("aggregation", Aggregation.self, required: true, noun: "aggregation")
        let signal = f.choice("signal", Signal.self, noun: "signal")
        let numerator = f.choice("numerator", Signal.self, noun: "signal")
        let denominator = f.choice("denominator", Signal.self, noun: "signal")
        let below = f.number("below")
        let direction = f.choice("direction", Direction.self, noun: "direction") ?? .higherIsWorse
        let warning = f.number("warning")
        let critical = f.number("critical")
        let rationale = f.text("rationale", required: true)

        if let aggregation { checkInputs(f, aggregation) }
        if let warning, let critical {
            switch direction {
            case .higherIsWorse where !(warning < critical):
                log.add(
                    f.valueMark("critical"),
                    "thresholds out of order in \(f.what): higher_is_worse needs warning < critical, found warning \(fmt(warning)) and critical \(fmt(critical))"
                )
            case .lowerIsWorse where !(warning > critical):
                log.add(
                    f.valueMark("critical"),
                    "thresholds out of order in \(f.what): lower_is_worse needs warning > critical, found warning \(fmt(warning)) and critical \(fmt(critical))"
                )
            default: break
            }
        }
        let m = MetricDefinition(
            id: id ?? "", name: name ?? "", scope: scope ?? .overall, unit: unit ?? "",
            aggregation: aggregation ?? .count, signal: signal, numerator: numerator, denominator: denominator,
            below: below, windowSeconds: f.int("window_seconds", in: 1...86_400) ?? 300, direction: direction,
            warning: warning, critical: critical, minSamples: f.int("min_samples", in: 1...1_000_000) ?? 1,
            key: f.bool("key") ?? false, rationale: rationale ?? "")
        guard let id, name != nil, scope != nil, aggregation != nil else { return nil }
        marks.metrics.append((id, f.valueMark("id")))
        return m
    }

    /// Each aggregation reads exactly the inputs it needs; anything else is a mistake worth naming.
    private func checkInputs(_ f: Fields, _ aggregation: Aggregation) {
        let name = aggregation.rawValue
        if aggregation == .ratio {
            for key in ["numerator", "denominator"] where !f.has(key) {
                log.add(f.keyMark("aggregation"), "\(f.what) uses ratio, which needs '\(key)'")
            }
            if f.has("signal") {
                log.add(f.keyMark("signal"), "\(f.what) uses ratio: name 'numerator' and 'denominator' instead of 'signal'")
            }
        } else {
            if !f.has("signal") {
                log.add(f.keyMark("aggregation"), "\(f.what) uses \(name), which needs 'signal'")
            }
            for key in ["numerator", "denominator"] where f.has(key) {
                log.add(f.keyMark(key), "'\(key)' in \(f.what) only applies to ratio, not \(name)")
            }
        }
        if aggregation == .shareBelow, !f.has("below") {
            log.add(f.keyMark("aggregation"), "\(f.what) uses share_below, which needs 'below'")
        }
        if aggregation != .shareBelow, f.has("below") {
            log.add(f.keyMark("below"), "'below' in \(f.what) only applies to share_below, not \(name)")
        }
    }
}

/// Numbers in messages without a trailing ".0".
func fmt(_ x: Double) -> String {
    x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
}
