import IncidentCore
import TermGrid
import Testing

@testable import Console

/// The whole-state helper fails when it should, and says where the states part.
@Suite("Console test store")
struct ConsoleTestStoreTests {
    @Test func aChangeTheTestDidNotStateFails() {
        var store = ConsoleTestStore(Fixture.consoleState(.healthy))
        withKnownIssue {
            store.press(.char("R"))  // moves the focus and remembers where it was
        } matching: { issue in
            let text = "\(issue)"
            return text.contains("state after key R differs") && text.contains("-   focus: .panels") && text.contains("+   focus: .runbook")
        }
    }

    @Test func aStatedChangeThatDidNotHappenFails() {
        var store = ConsoleTestStore(Fixture.consoleState(.healthy))
        withKnownIssue {
            store.press(.tab) {
                $0.focus = .log
                $0.log.raw = true
            }
        } matching: { issue in
            "\(issue)".contains("-     raw: true")
        }
    }

    @Test func effectsAreComparedToo() {
        var store = ConsoleTestStore(Fixture.consoleState(.healthy))
        withKnownIssue {
            store.press(.ctrl("l"))  // asks for a redraw
        } matching: { issue in
            "\(issue)".contains("effects of key Ctrl-L differ")
        }
        withKnownIssue {
            store.press(.tab, effects: [.redraw]) { $0.focus = .log }
        } matching: { issue in
            "\(issue)".contains("effects of key Tab differ")
        }
    }

    @Test func typingComparesOnceAtTheEnd() {
        var store = ConsoleTestStore(Fixture.consoleState(.healthy))
        store.press(.char("a")) { $0.prompt = Prompt(kind: .note) }
        withKnownIssue {
            store.type("ab") { $0.prompt?.text = "a" }
        } matching: { issue in
            "\(issue)".contains("state after typing \"ab\" differs")
        }
    }
}
