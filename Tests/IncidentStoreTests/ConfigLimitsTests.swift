import Foundation
import Testing

@testable import IncidentStore

/// Config files go to libyaml only within size and nesting bounds.
@Suite("Config input limits")
struct ConfigLimitsTests {
    static func message(_ text: String) -> String? {
        do {
            _ = try Config.parse(text, file: "c.yaml")
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func oversizedConfigIsRefused() {
        let text = "theme: mono\n" + String(repeating: "# pad\n", count: Config.maxBytes / 6 + 1)
        #expect(Self.message(text) == "c.yaml: config file is over 64 KiB; refusing to parse")
        #expect(Self.message("theme: mono\n# small\n") == nil)
    }

    @Test func deepNestingIsRefusedWithItsLine() {
        #expect(
            Self.message("theme: mono\nkeys: " + String(repeating: "[", count: 10_000) + "\n")
                == "c.yaml:2: nesting deeper than 16 levels; refusing to parse")
        #expect(Self.message("keys:\n  quit: Q\n") == nil)
    }
}
