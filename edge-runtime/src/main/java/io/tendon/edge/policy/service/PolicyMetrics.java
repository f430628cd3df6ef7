package io.tendon.edge.policy.service;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tendon.edge.policy.LatencyStats;
import io.tendon.edge.policy.PolicyRuntime;
import io.tendon.edge.policy.PolicyStats;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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

    static void bind(MeterRegistry registry, PolicyRuntime runtime, PolicyService service) {
        PolicyStats s = runtime.stats();
        String policyId = runtime.bundle().policyId();
        Gauge.builder("tendon.edge.policy.active", () -> 1).description("1 when a policy bundle is loaded")
                .register(registry);
        Gauge.builder("tendon.edge.policy.bundle.info", () -> 1)
                .description("The active bundle (value 1; its identity in the tags)")
                .tag("policy_id", policyId)
                .tag("version", Long.toString(runtime.bundle().version()))
                .tag("mode", runtime.bundle().mode.name())
                .tag("provider", runtime.provider().name())
                .register(registry);
        Gauge.builder("tendon.edge.policy.bundle.version", runtime, r -> r.bundle().version())
                .description("Version of the active bundle").tag("policy_id", policyId).register(registry);
        for (Map.Entry<String, LatencyStats> e : runtime.graphLatencies().entrySet()) {
            LatencyStats l = e.getValue();
            FunctionTimer.builder("tendon.edge.policy.graph.latency", l, LatencyStats::count,
                    LatencyStats::totalNanos, TimeUnit.NANOSECONDS)
                    .description("ONNX Runtime run time of one graph call").tag("graph", e.getKey()).register(registry);
            Gauge.builder("tendon.edge.policy.graph.latency.p99", l, x -> x.quantileNanos(0.99) / 1e9)
                    .baseUnit("seconds").description("99th percentile of the last 1024 runs")
                    .tag("graph", e.getKey()).register(registry);
            Gauge.builder("tendon.edge.policy.graph.latency.max", l, x -> x.maxNanos() / 1e9)
                    .baseUnit("seconds").tag("graph", e.getKey()).register(registry);
        }
        FunctionTimer.builder("tendon.edge.policy.inference.latency", runtime.inferenceLatency(), LatencyStats::count,
                LatencyStats::totalNanos, TimeUnit.NANOSECONDS)
                .description("Inference of one step: every graph of the mode with its inputs and outputs").register(registry);
        FunctionTimer.builder("tendon.edge.policy.step.latency", runtime.stepLatency(), LatencyStats::count,
                LatencyStats::totalNanos, TimeUnit.NANOSECONDS)
                .description("A published step: inference, checks, ensembling, the plan").register(registry);
        Gauge.builder("tendon.edge.policy.rate", s, PolicyStats::achievedRateHz).baseUnit("hertz")
                .description("Policy ticks per second achieved over the last second").register(registry);
        Gauge.builder("tendon.edge.policy.rate.target", runtime, r -> 1e9 / r.periodNanos()).baseUnit("hertz")
                .register(registry);
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
                PolicyStats::maxInferenceDelayControlSteps).register(registry);
        Gauge.builder("tendon.edge.policy.inference.delay.control.steps.mean", s,
                PolicyStats::meanInferenceDelayControlSteps).register(registry);
    }

    private static void counter(MeterRegistry registry, String name, PolicyStats s,
            java.util.function.ToDoubleFunction<PolicyStats> f, String description) {
        FunctionCounter.builder(name, s, f).description(description).register(registry);
    }
}
