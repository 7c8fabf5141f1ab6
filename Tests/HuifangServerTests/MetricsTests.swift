import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import HuifangServer

/// `/metrics`: Prometheus' scrape of requests, the jobs' runs and the outbox, for the token or a listed address only.
/// One registry serves the whole process, so every figure is compared before and after, never read as a total;
/// the suite runs its tests one at a time because the outbox gauges are set from the scraping test's database.
@Suite(.serialized) struct MetricsTests {
    static let token = "metrics-token-0123456789"
    static let withToken = ["HUIFANG_METRICS_TOKEN": token]

    @Test func requestsByRouteAndStatusRiseWithEachRequest() async throws {
        try await withHuifang(Self.withToken) { app in
            let tester = try app.testing()
            let before = try await scrape(tester)
            let health = ["method": "GET", "path": "/healthz", "status": "200"]
            for _ in 1...3 { try await tester.test(.GET, "/healthz") { #expect($0.status == .ok) } }
            let after = try await scrape(tester)
            #expect(value(after, "http_requests_total", health) - value(before, "http_requests_total", health) >= 3)
            let count = "http_request_duration_seconds_count"
            #expect(value(after, count, health) - value(before, count, health) >= 3, "latency histogram")
            #expect(after.contains("http_request_duration_seconds_bucket{"), "with its buckets")
        }
    }

    @Test func aDeliveryRunIsCountedWithItsDurationAndTheOutboxGaugeFollowsTheQueue() async throws {
        try await withHuifang(Self.withToken) { app in
            let tester = try app.testing()
            try await app.db.sql.insert(into: MailMessage.schema)
                .columns(
                    "channel", "to_address", "subject", "body", "status", "attempts", "created_at", "next_attempt_at"
                )
                .values(
                    SQLBind("sms"), SQLBind("+8613800000000"), SQLBind(""), SQLBind("回访"), SQLBind("pending"),
                    SQLBind(0), SQLBind(0.0), SQLBind(0.0)
                ).run()
            let pending = ["channel": "sms", "status": "pending"]
            let sent = ["channel": "sms", "status": "sent"]
            let before = try await scrape(tester)
            #expect(value(before, "huifang_outbox_messages", pending) == 1, "the queue's length")
            #expect(value(before, "huifang_outbox_messages", sent) == 0)
            #expect(value(before, "huifang_outbox_messages", ["channel": "email", "status": "failed"]) == 0)

            let ok = ["job": "outbox delivery", "outcome": "ok"]
            let job = PeriodicJob.delivery(every: 3600)
            try await job.didBootAsync(app)  // runs at once, then waits an hour
            var after = before
            // The counters belong to the process, which other tests' jobs share; the gauge is read from this app's
            // database at each scrape. So wait for both: a run counted and this app's message sent.
            let giveUp = ContinuousClock.now.advanced(by: .seconds(300))  // a loaded machine may take minutes
            while ContinuousClock.now < giveUp,
                value(after, "huifang_job_runs_total", ok) <= value(before, "huifang_job_runs_total", ok)
                    || value(after, "huifang_outbox_messages", sent) != 1
            {
                try await Task.sleep(for: .milliseconds(10))
                after = try await scrape(tester)
            }
            await job.shutdownAsync(app)
            #expect(value(after, "huifang_job_runs_total", ok) > value(before, "huifang_job_runs_total", ok))
            let durations = "huifang_job_duration_seconds_count"
            let delivery = ["job": "outbox delivery"]
            #expect(value(after, durations, delivery) > value(before, durations, delivery), "its duration")
            #expect(value(after, "huifang_outbox_messages", pending) == 0)
            #expect(value(after, "huifang_outbox_messages", sent) == 1)
            let sends = ["result": "sent"]
            #expect(
                value(after, "huifang_outbox_sends_total", sends) > value(before, "huifang_outbox_sends_total", sends))
        }
    }

    @Test func withoutTheTokenOrWithAWrongOneItIsNotThere() async throws {
        try await withHuifang(Self.withToken) { app in
            let tester = try app.testing()
            try await tester.test(.GET, "/metrics") { #expect($0.status == .notFound) }
            try await tester.test(.GET, "/metrics", headers: bearer("metrics-token-wrong-456789")) {
                #expect($0.status == .notFound)
                #expect(!$0.body.string.contains("http_requests_total"))
            }
            try await tester.test(.GET, "/metrics", headers: bearer(Self.token)) {
                #expect($0.status == .ok)
                #expect($0.headers.contentType?.subType == "plain")
            }
        }
    }

    @Test func aListedAddressNeedsNoTokenAndAnotherIsRefused() async throws {
        try await withHuifang(["HUIFANG_METRICS_ALLOW": "127.0.0.1"]) { app in
            // HEAD: the answer without its body, which holds every metric of the whole test run (over 1 MB).
            #expect(try await live(app).sendRequest(.HEAD, "/metrics").status == .ok)
            // The in-memory tester has no peer address: not a listed one.
            try await app.testing().test(.GET, "/metrics") { #expect($0.status == .notFound) }
        }
        try await withHuifang(["HUIFANG_METRICS_ALLOW": "10.9.9.9, 192.0.2.0/24"]) { app in
            #expect(try await live(app).sendRequest(.HEAD, "/metrics").status == .notFound)
            let claimed = try await live(app).sendRequest(.HEAD, "/metrics", headers: ["X-Forwarded-For": "10.9.9.9"])
            #expect(claimed.status == .notFound, "no proxy is trusted, so the header is the client's own claim")
        }
    }

    @Test func offUnlessConfiguredAndBadSettingsStopStartUp() async throws {
        try await withHuifang { app in
            try await app.testing().test(.GET, "/metrics", headers: bearer(Self.token)) {
                #expect($0.status == .notFound)
            }
        }
        #expect(throws: ConfigurationError.self) {
            try HuifangConfig.load(environment: ["HUIFANG_METRICS_TOKEN": "short"])
        }
        #expect(throws: ConfigurationError.self) {
            try HuifangConfig.load(environment: ["HUIFANG_METRICS_ALLOW": "127.0.0.1, example.com"])
        }
    }

    private func scrape(_ tester: any TestingApplicationTester) async throws -> String {
        var text = ""
        try await tester.test(.GET, "/metrics", headers: bearer(Self.token)) { response in
            #expect(response.status == .ok)
            text = response.body.string
        }
        return text
    }

    /// The sample of `name` whose labels include `labels`; 0 when there is none yet.
    private func value(_ text: String, _ name: String, _ labels: [String: String]) -> Double {
        for line in text.split(separator: "\n") where line.hasPrefix(name + "{") {
            guard let close = line.lastIndex(of: "}") else { continue }
            let set = line[line.index(line.startIndex, offsetBy: name.count)...close]
            guard labels.allSatisfy({ set.contains("\($0.key)=\"\($0.value)\"") }) else { continue }
            return Double(line[line.index(after: close)...].trimmingCharacters(in: .whitespaces)) ?? .nan
        }
        return 0
    }
}
