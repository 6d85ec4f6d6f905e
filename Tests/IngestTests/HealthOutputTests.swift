import Foundation
import IncidentCore
import Ingest
import Testing

@Suite("Health JSON and text summaries")
struct HealthOutputTests {
    typealias F = HealthFixtures

    private func sampleEngine() -> HealthEngine {
        let engine = HealthEngine(playbook: F.playbook())
        for i in 0..<40 {
            let t = 1000 + Double(i) * 5
            engine.ingest(F.call(t, answered: i % 5 != 0, trunk: "127.0.0.1:5072", call: "c\(i)"))
            let codec = F.event(t, .telephony, trunk: "127.0.0.1:5072", codec: i < 30 ? "PCMU" : "G729", call: "c\(i)")
            engine.ingest(codec)
            engine.ingest(F.event(t, .intelligence, [(.llmRequest, 1), (.llmLatencyMs, 400 + Double(i))]))
            engine.ingest(F.event(t, nil, [(.callEnded, 1), (.callSucceeded, i % 10 == 0 ? 0 : 1)]))
        }
        return engine
    }

    private func parse(_ s: String) throws -> [String: Any] {
        let obj = try JSONSerialization.jsonObject(with: Data(s.utf8))
        return try #require(obj as? [String: Any])
    }

    @Test func summaryJSONHasTheDocumentedShape() throws {
        let engine = sampleEngine()
        let snap = engine.evaluate(at: engine.newestEventTime!)
        let text = HealthEngine.summaryJSON(
            snap, counters: IngestCounters(lines: 170, parsed: 160, unparsed: 8, dropped: 2))
        #expect(!text.contains("\n"))
        let doc = try parse(text)
        #expect(
            Set(doc.keys) == [
                "type", "lines", "parsed", "unparsed", "dropped", "suspected_origin", "onsets", "stacks", "overall",
                "trunks", "codecs", "codec_alerts", "safety_nets",
            ])
        #expect(doc["type"] as? String == "summary")
        #expect(doc["lines"] as? Int == 170)
        #expect(doc["dropped"] as? Int == 2)
        #expect(doc["suspected_origin"] as? String == "telephony")

        let stacks = try #require(doc["stacks"] as? [String: Any])
        #expect(Set(stacks.keys) == ["telephony", "audio", "intelligence", "output"])
        let tel = try #require(stacks["telephony"] as? [String: Any])
        #expect(tel["state"] as? String == "critical")
        let telMetrics = try #require(tel["metrics"] as? [String: Any])
        let asr = try #require(telMetrics["answer_seizure_ratio"] as? [String: Any])
        #expect(Set(asr.keys) == ["value", "state", "samples", "baseline"])
        #expect(asr["value"] as? Double == 80)
        #expect(asr["samples"] as? Int == 40)
        // No audio metrics at all (values null, states no_data), but the codec moved off
        // PCMU on the trunk, which holds Audio at warning.
        let audio = try #require(stacks["audio"] as? [String: Any])
        #expect(audio["state"] as? String == "warning")
        #expect((audio["reason"] as? String)?.contains("changed PCMU -> G729") == true, "\(audio["reason"] ?? "")")
        let alerts = try #require(doc["codec_alerts"] as? [[String: Any]])
        #expect(alerts.count == 1)
        #expect(alerts.first?["trunk"] as? String == "127.0.0.1:5072")
        #expect(alerts.first?["baseline"] as? String == "PCMU" && alerts.first?["current"] as? String == "G729")
        #expect(alerts.first?["calls"] as? Int == 10)
        let mos = try #require((audio["metrics"] as? [String: Any])?["mos_mean"] as? [String: Any])
        #expect(mos["value"] is NSNull)
        #expect(mos["state"] as? String == "no_data")

        // Every *_rate, *_ratio and *_pct is a percentage.
        var checked = 0
        for section in stacks.values.compactMap({ ($0 as? [String: Any])?["metrics"] as? [String: Any] })
            + [((doc["overall"] as? [String: Any])?["metrics"] as? [String: Any]) ?? [:]]
        {
            for (id, v) in section where id.hasSuffix("_rate") || id.hasSuffix("_ratio") || id.hasSuffix("_pct") {
                if let x = (v as? [String: Any])?["value"] as? Double {
                    #expect((0...100).contains(x), "\(id) = \(x)")
                    checked += 1
                }
            }
        }
        #expect(checked >= 3)
        let overall = try #require((doc["overall"] as? [String: Any])?["metrics"] as? [String: Any])
        #expect((overall["call_success_rate"] as? [String: Any])?["value"] as? Double == 90)

        let trunks = try #require(doc["trunks"] as? [String: Any])
        let trunk = try #require(trunks["127.0.0.1:5072"] as? [String: Any])
        #expect(trunk["state"] as? String == "critical")
        #expect((trunk["metrics"] as? [String: Any])?["sip_503"] != nil)
        #expect(doc["codecs"] as? [String: Int] == ["PCMU": 30, "G729": 10])
    }

    @Test func summaryJSONIsDeterministicWithSortedKeys() {
        let engine = sampleEngine()
        let snap = engine.evaluate(at: 1200)
        let a = HealthEngine.summaryJSON(snap, counters: IngestCounters())
        let b = HealthEngine.summaryJSON(engine.evaluate(at: 1200), counters: IngestCounters())
        #expect(a == b)
        #expect(a.hasPrefix("{\"codec_alerts\":[{\"baseline\":\"PCMU\",\"calls\":10,"))
        #expect(a.contains("],\"codecs\":{\"G729\":10,\"PCMU\":30},\"dropped\":0,\"lines\":0,\"onsets\":"))
        let order = [
            "\"codec_alerts\"", "\"codecs\"", "\"dropped\"", "\"lines\"", "\"onsets\"", "\"overall\"", "\"parsed\"", "\"stacks\"",
            "\"suspected_origin\"", "\"trunks\"", "\"type\"", "\"unparsed\"",
        ]
        let positions = order.map { a.range(of: $0)!.lowerBound }
        #expect(positions == positions.sorted())
    }

    @Test func changeJSONAndHostileText() throws {
        let c = HealthChange(
            time: 1234.5, stack: nil, trunk: "evil\u{1B}]0;x\u{07}\"", from: .ok, to: .critical,
            message: "Trunk CRITICAL: line\nbreak")
        let text = HealthEngine.changeJSON(c)
        #expect(!text.contains("\u{1B}"))
        #expect(!text.contains("\n"))
        let doc = try parse(text)
        #expect(doc["type"] as? String == "change")
        #expect(doc["stack"] is NSNull)
        #expect(doc["trunk"] as? String == "evil\u{1B}]0;x\u{07}\"")
        #expect(doc["from"] as? String == "ok")
        #expect(doc["to"] as? String == "critical")
        #expect(doc["time"] as? Double == 1234.5)
        #expect(doc["message"] as? String == "Trunk CRITICAL: line\nbreak")
    }

    @Test func plainTextSummaryHasALinePerStackThenTrunksAndCodecs() {
        let engine = sampleEngine()
        let text = HealthEngine.summaryText(
            engine.evaluate(at: engine.newestEventTime!), counters: IngestCounters(lines: 10, parsed: 9, unparsed: 1))
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0] == "10 lines, 9 parsed, 1 unparsed, 0 dropped; suspected origin: Telephony")
        #expect(lines[1].hasPrefix("Telephony    CRITICAL "))
        #expect(lines[1].contains("answer-seizure ratio 80%"))
        #expect(lines[1].hasSuffix("<- answer-seizure ratio 80% < 90%"))
        #expect(lines[2].hasPrefix("Audio        WARNING "))
        #expect(lines[2].hasSuffix("<- codec on trunk 127.0.0.1:5072 changed PCMU -> G729 (10 calls)"))
        #expect(lines[3].hasPrefix("Intelligence OK "))
        #expect(lines[4].hasPrefix("Output       NO DATA "))
        #expect(lines[5].hasPrefix("Overall "))
        #expect(lines.contains { $0.hasPrefix("Trunk 127.0.0.1:5072 CRITICAL:") })
        #expect(lines.contains("Codecs: PCMU 30, G729 10"))
        #expect(lines.contains("Audio WARNING: codec on trunk 127.0.0.1:5072 changed PCMU -> G729 (10 calls)"))
    }
}
