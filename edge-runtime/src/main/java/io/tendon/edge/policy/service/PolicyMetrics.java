package io.tendon.edge.policy.service;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tendon.edge.control.LatencyHistogram;
import io.tendon.edge.metrics.LatencyHistograms;
import io.tendon.edge.policy.ActivePolicy;
import io.tendon.edge.policy.LatencyStats;
import io.tendon.edge.policy.PolicyBundle;
import io.tendon.edge.policy.PolicyInstruments;
import io.tendon.edge.policy.PolicyStats;
import java.util.Map;
import java.util.TreeMap;

/**
 * The policy's Micrometer meters (tendon.edge.policy.*). Every meter reads counters the policy
 * thread keeps in plain fields, at scrape time: recording on the policy thread stays
 * allocation-free.
 */
final class PolicyMetrics {

    private PolicyMetrics() {
    }

    /** No bundle: the active flag only. */
    static void bindIdle(MeterRegistry registry) {
        Gauge.builder("tendon.edge.policy.active", () -> 0).description("1 when a policy bundle is loaded")
                .register(registry);
    }

    static void bind(MeterRegistry registry, PolicyService service) {
        ActivePolicy active = service.active().orElseThrow();
        PolicyBundle bundle = service.bundle().orElseThrow();
        PolicyInstruments in = active.instruments();
        PolicyStats s = in.stats;
        String policyId = bundle.policyId();
        Gauge.builder("tendon.edge.policy.active", active, a -> a.current() != null ? 1 : 0)
                .description("1 while a policy runs (a bundle whose head arrives by update: once it did)")
                .register(registry);
        Gauge.builder("tendon.edge.policy.bundle.info", () -> 1)
                .description("The configured bundle (value 1; its identity in the tags)")
                .tag("policy_id", policyId)
                .tag("version", Long.toString(bundle.version()))
                .tag("mode", bundle.mode.name())
                .tag("provider", service.runtime().map(r -> r.provider().name()).orElse("none"))
                .register(registry);
        Gauge.builder("tendon.edge.policy.bundle.version", bundle, PolicyBundle::version)
                .description("Version of the configured bundle").tag("policy_id", policyId).register(registry);
        Gauge.builder("tendon.edge.policy.active.version", active, a -> a.current() == null ? 0 : a.current().version())
                .description("Version of the policy running now: the bundle's, or the applied update's (0: none)")
                .tag("policy_id", policyId).register(registry);
        // Histograms (buckets, sum, count) read from the policy thread's own buckets at scrape time.
        new LatencyHistograms("tendon_edge_policy_graph_latency", "ONNX Runtime run time of one graph call", "graph")
                .addEach(() -> histograms(in.graphs())).registerWith(registry);
        for (Map.Entry<String, LatencyStats> e : in.graphs().entrySet()) {
            Gauge.builder("tendon.edge.policy.graph.latency.max", e.getValue(), x -> x.maxNanos() / 1e9)
                    .baseUnit("seconds").description("Longest ONNX Runtime run of one graph call since start")
                    .tag("graph", e.getKey()).register(registry);
        }
        new LatencyHistograms("tendon_edge_policy_inference_latency",
                "Inference of one step: every graph of the mode with its inputs and outputs")
                .add(in.inference.histogram).registerWith(registry);
        new LatencyHistograms("tendon_edge_policy_step_latency",
                "A published step: inference, checks, ensembling, the plan")
                .add(in.step.histogram).registerWith(registry);
        Gauge.builder("tendon.edge.policy.rate", s, PolicyStats::achievedRateHz).baseUnit("hertz")
                .description("Policy ticks per second achieved over the last second").register(registry);
        Gauge.builder("tendon.edge.policy.rate.target", service, x -> 1e9 / x.periodNanos()).baseUnit("hertz")
                .description("Configured policy rate").register(registry);
        counter(registry, "tendon.edge.policy.steps", s, PolicyStats::steps, "Policy steps run on an observation");
        counter(registry, "tendon.edge.policy.plans.published", s, PolicyStats::published,
                "Plans handed to the control loop");
        counter(registry, "tendon.edge.policy.deadline.misses", s, PolicyStats::misses,
                "Steps that finished after their deadline (discarded; control kept its plan)");
        counter(registry, "tendon.edge.policy.actions.nonfinite", s, PolicyStats::nonFinite,
                "Steps refused for NaN or infinite actions");
        counter(registry, "tendon.edge.policy.actions.clamped", s, PolicyStats::clampedComponents,
                "Action components clamped to the bundle's bounds");
        counter(registry, "tendon.edge.policy.observations.stale", s, PolicyStats::staleObservations,
                "Ticks skipped because the newest observation was too old");
        counter(registry, "tendon.edge.policy.failures", s, PolicyStats::failures, "Steps ONNX Runtime failed");
        FunctionCounter.builder("tendon.edge.policy.ticks.skipped", service, PolicyService::skippedTicks)
                .description("Ticks skipped because a step overran them").register(registry);
        Gauge.builder("tendon.edge.policy.inference.delay.control.steps", s,
                PolicyStats::lastInferenceDelayControlSteps)
                .description("Observation-to-available delay of the latest chunk, in control steps").register(registry);
        Gauge.builder("tendon.edge.policy.inference.delay.control.steps.max", s,
                PolicyStats::maxInferenceDelayControlSteps)
                .description("Largest observation-to-available delay of a chunk, in control steps").register(registry);
        Gauge.builder("tendon.edge.policy.inference.delay.control.steps.mean", s,
                PolicyStats::meanInferenceDelayControlSteps)
                .description("Mean observation-to-available delay of a chunk, in control steps").register(registry);
    }

    private static Map<String, LatencyHistogram> histograms(Map<String, LatencyStats> graphs) {
        Map<String, LatencyHistogram> m = new TreeMap<>();
        graphs.forEach((graph, stats) -> m.put(graph, stats.histogram));
        return m;
    }

    private static void counter(MeterRegistry registry, String name, PolicyStats s,
            java.util.function.ToDoubleFunction<PolicyStats> f, String description) {
        FunctionCounter.builder(name, s, f).description(description).register(registry);
    }
}
