/// Removes secrets and phone numbers from text that came from a person or a log before it goes
/// into an export or a pinned piece of evidence. Conservative: a false positive costs a few
/// characters of context; a leaked key costs a rotation.
public enum Redactor {
    public static let secret = "[REDACTED]"
    public static let phone = "[PHONE]"

    // Compiled once: a regex literal is parsed again on every evaluation otherwise, which made
    // exporting a long journal take seconds. Regex is not Sendable; these are never mutated.
    nonisolated(unsafe) static let headerCredential =
        #/(?i)(authorization|proxy-authorization|x-api-key|api[-_]?key)(["']?\s*[:=]\s*["']?)(bearer\s+|basic\s+|token\s+)?[^\s"',;]+/#
    nonisolated(unsafe) static let bearerToken = #/(?i)\b(bearer|token)\s+[A-Za-z0-9._~+\/=-]{8,}/#
    nonisolated(unsafe) static let keyValueSecret =
        #/(?i)\b(password|passwd|pwd|secret|token|access_token|refresh_token|client_secret)(["']?\s*[:=]\s*["']?)[^\s"',;&]+/#
    nonisolated(unsafe) static let providerKey = #/\bsk-[A-Za-z0-9_-]{12,}/#
    nonisolated(unsafe) static let slackToken = #/\bxox[abprs]-[A-Za-z0-9-]{10,}/#
    nonisolated(unsafe) static let awsKeyID = #/\bAKIA[0-9A-Z]{16}\b/#
    nonisolated(unsafe) static let githubToken = #/\bgh[pousr]_[A-Za-z0-9]{20,}/#
    // The scheme is bounded: unbounded, every letter of a long word started a scan to its end,
    // and a 20,000-letter line took seconds (found while fuzzing the Markdown escaper; see
    // Tests/IncidentCoreTests/Fixtures/fuzz-regressions).
    nonisolated(unsafe) static let urlPassword = #/([a-zA-Z][a-zA-Z0-9+.-]{0,31}:\/\/[^\s:\/@]+):[^\s@\/]+@/#
    nonisolated(unsafe) static let sipUser = #/(?i)\b(sips?):[^\s@:;>"]+@/#
    nonisolated(unsafe) static let telURI = #/(?i)\btel:\+?[0-9().\- ]{4,}[0-9]/#
    nonisolated(unsafe) static let e164 = #/\+[1-9][0-9]{6,14}\b/#

    /// The words the rules look for, as bytes once (converting them on every call allocated).
    enum Needle {
        static let w_colonslashslash = Array("://".utf8)
        static let w_at = Array("@".utf8)
        static let w_akia = Array("akia".utf8)
        static let w_api = Array("api".utf8)
        static let w_authorization = Array("authorization".utf8)
        static let w_bearer = Array("bearer".utf8)
        // GitHub tokens: ghp_, gho_, ghu_, ghs_, ghr_ (plain "gh" is in everyday words).
        static let w_gh = ["p", "o", "u", "s", "r"].map { Array("gh\($0)_".utf8) }
        static let w_pass = Array("pass".utf8)
        static let w_pwd = Array("pwd".utf8)
        static let w_secret = Array("secret".utf8)
        static let w_sip = Array("sip".utf8)
        static let w_skdash = Array("sk-".utf8)
        static let w_telcolon = Array("tel:".utf8)
        static let w_token = Array("token".utf8)
        static let w_xox = Array("xox".utf8)
    }

    /// The text's UTF-8 bytes with ASCII letters lower-cased (the rules' words are ASCII).
    static func folded(_ s: String) -> [UInt8] {
        s.utf8.map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 }
    }

    /// Whether `needle` occurs in `hay`.
    static func find(_ needle: [UInt8], in hay: [UInt8]) -> Bool {
        guard let first = needle.first, hay.count >= needle.count else { return needle.isEmpty }
        var i = 0
        let last = hay.count - needle.count
        while i <= last {
            if hay[i] == first {
                var k = 1
                while k < needle.count && hay[i + k] == needle[k] { k += 1 }
                if k == needle.count { return true }
            }
            i += 1
        }
        return false
    }

    /// A `+`, a digit 1-9 and six more digits: the least an E.164 match needs. Notes often
    /// write numbers with spaces (`+1 555 0100`), which the regex would scan for nothing.
    static func mayHoldE164(_ b: [UInt8]) -> Bool {
        var i = 0
        while i + 7 < b.count {
            if b[i] == UInt8(ascii: "+"), b[i + 1] >= UInt8(ascii: "1"), b[i + 1] <= UInt8(ascii: "9") {
                var k = 2
                while k < 8, b[i + k] >= UInt8(ascii: "0"), b[i + k] <= UInt8(ascii: "9") { k += 1 }
                if k == 8 { return true }
            }
            i += 1
        }
        return false
    }

    public static func redact(_ text: String) -> String {
        var s = text
        // Each rule runs only where the words it needs appear (a superset test on the
        // lower-cased text): on a long journal nearly every line has none, and running all
        // twelve regexes on each made the export of 100,000 events take about 19 s.
        // ASCII-folded bytes, searched by hand: Foundation's `contains` bridges to NSString and
        // was half of the export's time once the regexes were skipped.
        var lower = Self.folded(s)
        func has(_ words: [UInt8]...) -> Bool { words.contains { Self.find($0, in: lower) } }
        func apply(_ when: Bool, _ rule: (String) -> String) {
            guard when else { return }
            let before = s
            s = rule(s)
            if s != before { lower = Self.folded(s) }
        }
        // Header-style credentials first, so their values are gone before narrower rules look.
        apply(has(Needle.w_authorization, Needle.w_api)) {
            $0.replacing(Self.headerCredential) { "\($0.output.1)\($0.output.2)\($0.output.3 ?? "")\(secret)" }
        }
        apply(has(Needle.w_bearer, Needle.w_token)) { $0.replacing(Self.bearerToken) { "\($0.output.1) \(secret)" } }
        apply(has(Needle.w_pass, Needle.w_pwd, Needle.w_secret, Needle.w_token)) {
            $0.replacing(Self.keyValueSecret) { "\($0.output.1)\($0.output.2)\(secret)" }
        }
        // Provider keys: OpenAI-style sk-..., Slack xox?-..., AWS access key ids, GitHub tokens.
        apply(has(Needle.w_skdash)) { $0.replacing(Self.providerKey) { _ in secret } }
        apply(has(Needle.w_xox)) { $0.replacing(Self.slackToken) { _ in secret } }
        apply(has(Needle.w_akia)) { $0.replacing(Self.awsKeyID) { _ in secret } }
        apply(Needle.w_gh.contains { Self.find($0, in: lower) }) { $0.replacing(Self.githubToken) { _ in secret } }
        // user:password@ in URLs (the scheme is bounded: see urlPassword).
        apply(has(Needle.w_colonslashslash) && has(Needle.w_at)) { $0.replacing(Self.urlPassword) { "\($0.output.1):\(secret)@" } }
        // The user part of sip:, sips: and tel: URIs is usually a phone number or an account.
        apply(has(Needle.w_sip) && has(Needle.w_at)) { $0.replacing(Self.sipUser) { "\($0.output.1):\(phone)@" } }
        apply(has(Needle.w_telcolon)) { $0.replacing(Self.telURI) { _ in "tel:\(phone)" } }
        // E.164 numbers anywhere.
        apply(Self.mayHoldE164(lower)) { $0.replacing(Self.e164) { _ in phone } }
        return s
    }
}
