package io.tendon.edge.update.service;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tendon.edge.update.ShadowCheck;
import io.tendon.schemas.update.UpdateRefusal;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The meters of policy updates on the edge (tendon.edge.policy.updates.*): parts received,
 * updates verified, refused by reason, applied, rolled back; the active version; time from the
 * learner's export to the update running here; the shadow check's deviations.
 */
final class UpdateMetrics {

    final AtomicLong verified = new AtomicLong();
    final AtomicLong applied = new AtomicLong();
    final AtomicLong rolledBack = new AtomicLong();
    final Timer publishToActive;
    private final Map<UpdateRefusal, AtomicLong> refused = new EnumMap<>(UpdateRefusal.class);
    private volatile double shadowPosition;
    private volatile double shadowOrientation;
    private volatile double shadowStiffness;

    private UpdateMetrics(MeterRegistry r) {
        publishToActive = Timer.builder("tendon.edge.policy.updates.publish.to.active")
                .description("From the learner's export of an update to it running on this robot")
                .publishPercentileHistogram().register(r);
    }

    static UpdateMetrics bind(MeterRegistry r, UpdateService service) {
        UpdateMetrics m = new UpdateMetrics(r);
        for (UpdateRefusal reason : UpdateRefusal.values()) {
            AtomicLong count = new AtomicLong();
            m.refused.put(reason, count);
            FunctionCounter.builder("tendon.edge.policy.updates.rejected", count, AtomicLong::get)
                    .tag("reason", reason.label()).description("Policy updates refused, by reason").register(r);
        }
        FunctionCounter.builder("tendon.edge.policy.updates.parts", service,
                s -> s.receiver().map(x -> x.parts.get()).orElse(0L))
                .description("Policy update parts received for this robot's policy").register(r);
        FunctionCounter.builder("tendon.edge.policy.updates.verified", m.verified, AtomicLong::get)
                .description("Updates whose parts, SHA-256 and signature verified").register(r);
        FunctionCounter.builder("tendon.edge.policy.updates.applied", m.applied, AtomicLong::get)
                .description("Updates swapped in").register(r);
        FunctionCounter.builder("tendon.edge.policy.updates.rolled.back", m.rolledBack, AtomicLong::get)
                .description("Rollbacks, automatic and on request").register(r);
        Gauge.builder("tendon.edge.policy.updates.held.bytes", service, UpdateService::heldBytes).baseUnit("bytes")
                .description("Bytes held for incomplete updates").register(r);
        Gauge.builder("tendon.edge.policy.updates.shadow.deviation", m, x -> x.shadowPosition)
                .tag("component", "position_m").description("Largest deviation from the running policy in the last"
                        + " update's shadow check").register(r);
        Gauge.builder("tendon.edge.policy.updates.shadow.deviation", m, x -> x.shadowOrientation)
                .tag("component", "orientation_rad").description("Largest deviation from the running policy in the last"
                        + " update's shadow check").register(r);
        Gauge.builder("tendon.edge.policy.updates.shadow.deviation", m, x -> x.shadowStiffness)
                .tag("component", "stiffness_n_per_m").description("Largest deviation from the running policy in the"
                        + " last update's shadow check").register(r);
        return m;
    }

    void refused(UpdateRefusal reason) {
        refused.get(reason).incrementAndGet();
    }

    void shadow(ShadowCheck.Result r) {
        shadowPosition = r.positionM();
        shadowOrientation = r.orientationRad();
        shadowStiffness = r.stiffnessNPerM();
    }
}
