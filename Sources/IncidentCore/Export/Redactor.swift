/// Removes secrets and phone numbers from text that came from a person or a log before it goes
/// into an export or a pinned piece of evidence. Conservative: a false positive costs a few
/// characters of context; a leaked key costs a rotation.
public enum Redactor {
    public static let secret = "[REDACTED]"
    public static let phone = "[PHONE]"

    public static func redact(_ text: String) -> String {
        var s = text
        // Header-style credentials first, so their values are gone before narrower rules look.
        s = s.replacing(#/(?i)(authorization|proxy-authorization|x-api-key|api[-_]?key)(["']?\s*[:=]\s*["']?)(bearer\s+|basic\s+|token\s+)?[^\s"',;]+/#) {
            "\($0.output.1)\($0.output.2)\($0.output.3 ?? "")\(secret)"
        }
        s = s.replacing(#/(?i)\b(bearer|token)\s+[A-Za-z0-9._~+\/=-]{8,}/#) { "\($0.output.1) \(secret)" }
        s = s.replacing(#/(?i)\b(password|passwd|pwd|secret|token|access_token|refresh_token|client_secret)(["']?\s*[:=]\s*["']?)[^\s"',;&]+/#) {
            "\($0.output.1)\($0.output.2)\(secret)"
        }
        // Provider keys: OpenAI-style sk-..., Slack xox?-..., AWS access key ids, GitHub tokens.
        s = s.replacing(#/\bsk-[A-Za-z0-9_-]{12,}/#) { _ in secret }
        s = s.replacing(#/\bxox[abprs]-[A-Za-z0-9-]{10,}/#) { _ in secret }
        s = s.replacing(#/\bAKIA[0-9A-Z]{16}\b/#) { _ in secret }
        s = s.replacing(#/\bgh[pousr]_[A-Za-z0-9]{20,}/#) { _ in secret }
        // user:password@ in URLs. The scheme is bounded: unbounded, every letter of a long word
        // started a scan to its end, and a 20,000-letter line took seconds (found while fuzzing
        // the Markdown escaper; see Tests/IncidentCoreTests/Fixtures/fuzz-regressions).
        s = s.replacing(#/([a-zA-Z][a-zA-Z0-9+.-]{0,31}:\/\/[^\s:\/@]+):[^\s@\/]+@/#) { "\($0.output.1):\(secret)@" }
        // The user part of sip:, sips: and tel: URIs is usually a phone number or an account.
        s = s.replacing(#/(?i)\b(sips?):[^\s@:;>"]+@/#) { "\($0.output.1):\(phone)@" }
        s = s.replacing(#/(?i)\btel:\+?[0-9().\- ]{4,}[0-9]/#) { _ in "tel:\(phone)" }
        // E.164 numbers anywhere.
        s = s.replacing(#/\+[1-9][0-9]{6,14}\b/#) { _ in phone }
        return s
    }
}
