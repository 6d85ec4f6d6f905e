import Notify
import Testing

@Suite("notify: answers as the vendors give them")
struct ClassifyTests {
    let sp = Channel(name: "status", type: .statuspage)
    let slack = Channel(name: "s", type: .slack)

    @Test func unauthorizedIsNotRetried() {
        let r = Classify.outcome(
            .response(status: 401, headers: [:], body: Array(#"{"error":"Could not authenticate"}"#.utf8)), channel: sp, what: "update", now: 0)
        #expect(r == .permanent("Statuspage update failed: 401 Unauthorized (Could not authenticate), will not retry"))
    }

    @Test func serverErrorsAndRateLimitsAreRetriedHonouringRetryAfter() {
        #expect(
            Classify.outcome(.response(status: 500, headers: [:], body: []), channel: slack, what: "post", now: 0)
                == .retry(detail: "Slack post failed: 500 Internal Server Error", after: nil))
        #expect(
            Classify.outcome(.response(status: 429, headers: ["retry-after": "7"], body: []), channel: slack, what: "post", now: 0)
                == .retry(detail: "Slack post failed: 429 Too Many Requests", after: 7))
        // An HTTP date, 30 s after "now".
        #expect(Classify.retryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now: 784_111_747) == 30)
        #expect(Classify.retryAfter("soon", now: 0) == nil)
    }

    @Test func backoffDoublesToACap() {
        #expect(Classify.backoff(attempts: 1) == 2)
        #expect(Classify.backoff(attempts: 3) == 8)
        #expect(Classify.backoff(attempts: 20) == 300)
    }

    @Test func aTimeoutIsRetried() {
        #expect(Classify.outcome(.timedOut(1), channel: slack, what: "post", now: 0) == .retry(detail: "Slack post failed: timed out after 1s", after: nil))
    }
}
