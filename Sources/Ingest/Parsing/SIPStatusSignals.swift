import IncidentCore

extension Samples {
    /// The signals of a SIP final status that refused a call: 4xx or 5xx, 503 on its own, and
    /// 486 Busy Here also as call admission control (an SBC refusing what it cannot serve is
    /// a safety net at work, and a carrier's cap shows the same way). Other codes add nothing.
    mutating func appendSIPRefusal(_ status: Int) {
        if (400..<500).contains(status) {
            append(.sip4xx, 1)
            if status == 486 { append(.admissionReject, 1) }
        } else if (500..<600).contains(status) {
            append(.sip5xx, 1)
            if status == 503 { append(.sip503, 1) }
        }
    }
}
