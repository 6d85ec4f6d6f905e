import IncidentCore
import TermGrid

/// Running a checklist item's check from the console: `x` asks the run loop to resolve the
/// command, the responder sees it and says y, the output streams into an overlay that never
/// holds the keyboard (Esc hides it, the check goes on; c cancels), and the end is journaled
/// by the responder who ran it.
extension ConsoleReducer {
    static func startCheck(_ s: inout ConsoleState, item: String) -> [Effect] {
        if let c = s.check, c.running {
            s.overlay = .checkOutput(scroll: 0)
            flash(&s, "a check is running (\(c.item)); c cancels it")
            return []
        }
        guard let it = s.playbook.item(item), it.check != nil else {
            flash(&s, "\(item) has no check in playbook \(s.playbook.name)", error: true)
            return []
        }
        return [.prepareCheck(item: item)]
    }

    static func checkAction(_ s: inout ConsoleState, _ a: ConsoleAction) -> [Effect] {
        switch a {
        case .checkPrepared(let item, let command, let source, let error):
            if let error {
                flash(&s, error, error: true)
                return []
            }
            s.overlay = .confirmCheck(item: item, command: command, source: source)
        case .checkOutput(let item, let line):
            guard s.check?.item == item else { return [] }
            s.check?.lines.append(line)
            if let n = s.check?.lines.count, n > CheckView.maxLines { s.check?.lines.removeFirst(n - CheckView.maxLines) }
        case .checkFinished(let item, let outcome):
            guard s.check?.item == item else { return [] }
            s.check?.outcome = outcome
            let effects = record(&s, .checkRun(item: item, outcome: outcome))
            let verdict = EventText.describe(
                JournalEvent(
                    id: "", recordedAt: s.now, actor: s.actor, kind: .checkRun,
                    payload: [
                        "item": .string(item), "result": .string(outcome.result.rawValue), "reason": .string(outcome.reason),
                        "duration_ms": .int(outcome.durationMs), "command": .string(outcome.command),
                    ]))
            let tickHint = outcome.result == .passed && s.incident.checklist[item] == nil ? "; t ticks the item" : ""
            flash(&s, verdict + tickHint, error: outcome.result != .passed)
            return effects
        default: break
        }
        return []
    }

    static func checkOverlayKey(_ s: inout ConsoleState, _ o: Overlay, _ a: KeyAction?, key k: Key) -> [Effect] {
        switch o {
        case .confirmCheck(let item, let command, _):
            if k == .char("y") || k == .char("Y") {
                s.check = CheckView(item: item, command: command)
                s.overlay = .checkOutput(scroll: 0)
                return [.runCheck(item: item)]
            }
            if k == .char("n") || k == .char("N") || k == .escape {
                s.overlay = nil
                flash(&s, "not running the check of \(item)")
            } else {
                nothingHere(&s, k, "y runs the check, n or Esc does not")
            }
        case .checkOutput(let scroll):
            if k == .char("c"), let c = s.check, c.running, !c.cancelling {
                s.check?.cancelling = true
                return [.cancelCheck]
            }
            switch a {
            case .down: s.overlay = .checkOutput(scroll: scroll + 1)
            case .up: s.overlay = .checkOutput(scroll: max(0, scroll - 1))
            case .pageDown: s.overlay = .checkOutput(scroll: scroll + 10)
            case .pageUp: s.overlay = .checkOutput(scroll: max(0, scroll - 10))
            case .redraw: return [.redraw]
            default:
                s.overlay = nil
                if let c = s.check, c.running { flash(&s, "the check of \(c.item) goes on; x on it shows its output") }
            }
        default: break
        }
        return []
    }
}
