import Foundation
import IncidentCore
import Testing

@testable import Ingest

/// SIP server lines in the shapes their projects' docs and test data show (Fixtures/servers),
/// read without a forced format.
@Suite struct ParserSIPServerShapesTests {
    @Test(arguments: [
        ("[2012-02-13 17:21:54] NOTICE[1638] chan_sip.c: Peer 'x' is now Reachable.", LogFormat.asterisk),
        ("[2012-02-13 17:53:59] NOTICE[1638] chan_iax2.c: Host 1.2.3.4 failed to authenticate as 'a'", .asterisk),
        ("[2026-12-06 21:43:10] ERROR[1642][C-00000004]: rtp_engine.c:489 x: No RTP engine", .asterisk),
        ("885d4ed6-2a41-4c1f-9b0e-6f3c2d7a1e90 2023-10-13 08:37:55.200263 94.73% [DEBUG] mod_sofia.c:463 x", .freeswitch),
        ("2026-05-07 07:26:00.148936 97.00% [DEBUG] switch_core_state_machine.c:59 x", .freeswitch),
        ("2025-01-22 12:01:58.522687 [WARNING] switch_core.c:1 x", .freeswitch),
        ("14(20820) INFO: <script>: new request", .kamailio),
        (" 0(24666) ERROR: tm [t_lookup.c:1438]: t_newtran(): new_t failed", .kamailio),
        ("Dec  6 21:42:52 sbc1 /usr/sbin/kamailio[1067]: INFO: <script>: Sending reply", .kamailio),
        ("DBG:tm:t_lookup_request: start searching: hash=60272, isACK=0", .opensips),
        (" [26498] DBG:uri:has_totag: no totag", .opensips),
        ("Dec  6 21:43:01 sbc2 /usr/sbin/opensips[511]: ERROR:core:parse_first_line: bad", .opensips),
    ])
    func detectedWithoutAForcedFormat(line: String, format: LogFormat) {
        #expect(LineParser.detect(line) == format)
    }

    @Test(arguments: [
        "2026-12-06 21:42:52 hello world", "[2026-12-06 21:42:52] hello", "12(34) nothing here",
        "ERROR: something", "DBG: x", "INFO:Module: x", "885d4ed6-2a41-4c1f-9b0e", "[1234] plain text",
    ])
    func nearMissesAreNotClaimed(line: String) {
        let f = LineParser.detect(line)
        #expect(f != .asterisk && f != .freeswitch && f != .kamailio && f != .opensips)
    }

    @Test func asteriskQualifyCountsInItsWindowByEventTime() throws {
        let r = try ParserFixtures.run(file: "servers/asterisk-canonical.log")
        #expect(r.stats.unparsed == 0)
        #expect(r.stats.lines(of: .asterisk) == 8)
        #expect(r.events.allSatisfy { !$0.timeWasInferred })
        let pings = r.events.filter { $0.kind == .sipOptions }
        #expect(pings.map { $0.samples.value(.optionsFailure) ?? 0 } == [1, 0, 1, 1, 1])
        #expect(pings.map(\.trunk) == ["carrier-a", "carrier-a", "carrier-a", "carrier-b", "carrier-a"])
        // 60 s windows (the default playbook's): the file's last minute holds two misses, the
        // minute after its first miss only that one.
        let metrics = HealthFixtures.metrics(window: 60)
        let engine = HealthEngine(playbook: HealthFixtures.playbook(metrics))
        for e in r.events { engine.ingest(e) }
        func misses(at t: Double) -> Double? {
            engine.evaluate(at: t).stacks.first { $0.stack == .telephony }!.metrics
                .first { $0.id == "options_failures" }?.value
        }
        let first = try #require(pings.first?.time)
        #expect(misses(at: first + 30) == 1)
        #expect(misses(at: r.events.last!.time) == 2)
    }

    @Test func freeswitchUUIDAndCPUShareLines() throws {
        let r = try ParserFixtures.run(file: "servers/freeswitch-uuid.log")
        #expect(r.stats.unparsed == 0)
        #expect(r.stats.lines(of: .freeswitch) == 10)
        // Eight records; the two uuid-led SDP lines belong to the record before them.
        #expect(r.events.count == 8)
        #expect(r.events.allSatisfy { !$0.timeWasInferred })
        #expect(r.events[0].callID == "885d4ed6-2a41-4c1f-9b0e-6f3c2d7a1e90")
        #expect(r.events[0].level == .debug)
        #expect(r.events[0].summary.hasPrefix("mod_sofia.c:463 "))
        // One failed and one good hangup (the DEBUG "hanging up, cause" lines are not calls).
        #expect(r.sum(.callFailed) == 1)
        #expect(r.sum(.callSucceeded) == 1)
        #expect(r.sum(.optionsFailure) == 1)
        #expect(r.events(.sipOptions).first?.trunk == "carrier-a")
    }

    @Test func kamailioStderrAndSyslogLines() throws {
        let r = try ParserFixtures.run(file: "servers/kamailio-stderr.log")
        #expect(r.stats.unparsed == 0)
        #expect(r.stats.lines(of: .kamailio) == 6)
        #expect(r.events.map(\.level) == [.info, .error, .error, .warning, .info, .error])
        #expect(r.events[1].kind == .error && r.events[1].stack == .telephony)
        #expect(r.events[1].summary == "tm [t_lookup.c:1438]: t_newtran(): new_t failed")
        #expect(r.events[0].summary.hasPrefix("<script>: [DEFAULT_ROUTE]"))
        #expect(r.events[4].timeWasInferred == false)
        #expect(r.sum(.sip5xx) == 1)  // the acc record still counts its call
    }

    @Test func openSIPSDebugLines() throws {
        let r = try ParserFixtures.run(file: "servers/opensips-dbg.log")
        #expect(r.stats.unparsed == 0)
        #expect(r.stats.lines(of: .opensips) == 5)
        #expect(r.sum(.optionsFailure) == 2)
        #expect(r.events.map(\.level) == [.warning, .debug, .debug, .error, .warning])
        #expect(r.events[1].summary == "tm:t_lookup_request: start searching: hash=60272, isACK=0")
    }

    @Test func telnyxAnsweredAndHangupGiveCodecAndCauses() throws {
        let r = try ParserFixtures.run(file: "servers/telnyx-webhooks.jsonl")
        #expect(r.stats.unparsed == 0)
        #expect(r.sum(.callAttempt) == 2)
        #expect(r.sum(.callAnswered) == 1)
        #expect(r.sum(.callFailed) == 2)
        #expect(r.sum(.sip5xx) == 1)
        #expect(r.sum(.sip4xx) == 1)
        // The answered call's codec, never the one named on the refused call's hangup.
        #expect(Set(r.events.compactMap(\.codec)) == ["PCMU"])
        #expect(r.events.filter { $0.codec != nil }.allSatisfy { $0.callID == "sess-1" })
        #expect(r.events.contains { $0.summary == "Telnyx call.hangup call_rejected (SIP 503), hung up by callee" })
    }
}
