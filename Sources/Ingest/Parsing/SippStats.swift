import IncidentCore

/// sipp `-trace_stat`: a ';'-separated header naming the counters, then one row per
/// `-fd` period (and one at exit) whose time cells read `2026-12-07<TAB>01:05:43.98<TAB>EPOCH`.
/// Columns are found by name in the header, so sipp versions that add counters still read;
/// rows seen before any header (a file followed from its end) are left unparsed rather than
/// guessed at.
struct SippStatColumns {
    var currentTime = -1
    var successful = -1  // SuccessfulCall(C)
    var failed = -1  // FailedCall(C)
    var current = -1  // CurrentCall
    var count = 0
    /// The cumulative counters of the row before (rows carry running totals; the period
    /// columns reset on every dump, the totals only when sipp restarts).
    var lastSuccessful = 0
    var lastFailed = 0
}

extension LineParser {
    /// `2026-12-07<TAB>01:05:41.475846<TAB>1796605541.475846;...`
    static func isSippStatRow(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        b.count > 40 && ASCII.isDigit(b.at(0)) && b.at(4) == ASCII.minus && b.at(10) == ASCII.tab
            && b.find(byte: ASCII.semicolon, from: 20, to: min(b.count, 48)) != nil
    }

    func sippStatHeader(_ b: UnsafeBufferPointer<UInt8>) -> LineResult {
        var cols = SippStatColumns()
        var i = 0
        var lo = 0
        while lo <= b.count {
            let hi = b.find(byte: ASCII.semicolon, from: lo) ?? b.count
            let cell = Span(lo, hi)
            if cell.count == 11, b.has("CurrentTime", at: lo) { cols.currentTime = i }
            if cell.count == 17, b.has("SuccessfulCall(C)", at: lo) { cols.successful = i }
            if cell.count == 13, b.has("FailedCall(C)", at: lo) { cols.failed = i }
            if cell.count == 11, b.has("CurrentCall", at: lo) { cols.current = i }
            i += 1
            lo = hi + 1
        }
        cols.count = i
        guard cols.successful >= 0, cols.failed >= 0 else {
            sippStat = nil
            return .unparsed
        }
        sippStat = cols
        return .parsed
    }

    /// One statistics row: the calls that ended since the row before, as attempts with their
    /// answers (sipp's "successful call": the scenario ran to its end, which for a caller
    /// scenario is an answered call) and failures.
    func sippStatRow(
        _ b: UnsafeBufferPointer<UInt8>, arrivalTime: Double, into out: inout [NormalizedEvent]
    ) -> LineResult? {
        guard var cols = sippStat else { return nil }
        var cells = [Span]()
        cells.reserveCapacity(cols.count)
        var lo = 0
        while lo <= b.count {
            let hi = b.find(byte: ASCII.semicolon, from: lo) ?? b.count
            cells.append(Span(lo, hi))
            lo = hi + 1
        }
        guard cells.count > max(cols.successful, cols.failed),
            let okTotal = b.integer(b.trimmed(cells[cols.successful])),
            let failTotal = b.integer(b.trimmed(cells[cols.failed])), okTotal >= 0, failTotal >= 0
        else { return .unparsed }
        var raw: Double?
        if cols.currentTime >= 0, cols.currentTime < cells.count {
            let c = cells[cols.currentTime]
            // The epoch seconds after the last TAB of the cell.
            var k = c.hi
            while k > c.lo, b.at(k - 1) != ASCII.tab { k -= 1 }
            raw = b.decimal(Span(k, c.hi)).map(epochSeconds)
        }
        // Totals that went down belong to a new sipp run appended to the file.
        let restarted = okTotal < cols.lastSuccessful || failTotal < cols.lastFailed
        let ok = restarted ? okTotal : okTotal - cols.lastSuccessful
        let failed = restarted ? failTotal : failTotal - cols.lastFailed
        cols.lastSuccessful = okTotal
        cols.lastFailed = failTotal
        sippStat = cols
        let (time, inferred) = stamp(raw, arrival: arrivalTime)
        var s = Samples()
        if ok + failed > 0 {
            s.append(.callAttempt, Double(ok + failed))
            s.append(.callAnswered, Double(ok))
            s.append(.callSucceeded, Double(ok))
            s.append(.callFailed, Double(failed))
            s.append(.callEnded, Double(ok + failed))
        }
        if cols.current >= 0, cols.current < cells.count,
            let active = b.integer(b.trimmed(cells[cols.current])), active >= 0
        {
            s.append(.concurrentCalls, Double(active))
        }
        out.append(
            NormalizedEvent(
                time: time, timeWasInferred: inferred, stack: .telephony, kind: .sipCall,
                level: failed > 0 ? .warning : .info, samples: s,
                summary: "sipp statistics: \(ok + failed) calls ended, \(ok) successful, \(failed) failed"))
        return .parsed
    }
}
