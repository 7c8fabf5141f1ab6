import CoreMetrics
import Prometheus

/// The one Prometheus registry of the process, behind swift-metrics. Everything that records through swift-metrics
/// (Vapor's `http_requests_total` and `http_request_duration_seconds`, the jobs' runs, the outbox) lands in it.
enum MetricsRegistry {
    /// Made and bootstrapped on first use, once per process: `MetricsSystem.bootstrap` may run only once, and a
    /// process can hold many applications (the tests make one per test).
    static let shared: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Jobs take from milliseconds (nothing to do) to minutes (a day's planning over many customers).
        factory.durationHistogramBuckets[JobMetrics.durationLabel] = [
            .milliseconds(10), .milliseconds(50), .milliseconds(250), .seconds(1), .seconds(5), .seconds(30),
            .seconds(120), .seconds(600),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// Turns recording on (the first call bootstraps).
    static func bootstrap() { _ = shared }

    /// Everything recorded so far, in Prometheus' text format.
    static func text() -> String { shared.emitToString() }
}
