package io.tendon.edge.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tendon.edge.step.EpisodeOutcome;
import io.tendon.edge.step.PolicyStep;
import io.tendon.edge.step.PolicyStepListener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Episodes, successes and interventions per policy version, so "is version 12 better than 11"
 * is one query ({@code tendon_edge_policy_version_episodes_total{outcome="success"}} over all
 * episodes of a version). Runs on the step dispatcher thread (a {@link PolicyStepListener}), never
 * on the control thread.
 *
 * <p>Which version an episode counts for: the version of the policy that made the targets of its
 * last step not under a person's control ({@code demonstrator} for the simulator's scripted
 * expert, {@code none} when nothing but a person acted). An episode during which an update was
 * swapped in counts for the new version. Labels of the {@value #MAX_VERSIONS} most recently seen
 * versions are kept; older ones are removed from the registry, which bounds the series a
 * long-running robot exports.
 */
@ApplicationScoped
public class PolicyVersionMeters implements PolicyStepListener {

    static final int MAX_VERSIONS = 32;
    public static final String DEMONSTRATOR = "demonstrator";
    public static final String NONE = "none";

    @Inject
    MeterRegistry registry;

    /** Per version label, in order of last use. */
    private final Map<String, VersionMeters> versions = new LinkedHashMap<>(16, 0.75f, true);
    private long episodeIndex = -1;
    private String version = NONE;
    private boolean intervened;

    private final class VersionMeters {
        final List<Meter> meters = new ArrayList<>();
        final Counter success;
        final Counter failure;
        final Counter timeout;
        final Counter intervenedEpisodes;
        final Counter steps;
        final Counter humanSteps;

        VersionMeters(String v) {
            success = episodes(v, "success");
            failure = episodes(v, "failure");
            timeout = episodes(v, "timeout");
            intervenedEpisodes = add(Counter.builder("tendon.edge.policy.version.episodes.intervened")
                    .description("Ended episodes in which a person took over at least once, by policy version")
                    .tag("policy_version", v).register(registry));
            steps = add(Counter.builder("tendon.edge.policy.version.steps")
                    .description("Policy steps, by the version of the policy in charge").tag("policy_version", v)
                    .register(registry));
            humanSteps = add(Counter.builder("tendon.edge.policy.version.intervention.steps")
                    .description("Policy steps under a person's control, by the version of the policy they took over from")
                    .tag("policy_version", v).register(registry));
        }

        private Counter episodes(String v, String outcome) {
            return add(Counter.builder("tendon.edge.policy.version.episodes")
                    .description("Ended episodes by outcome and policy version").tag("policy_version", v)
                    .tag("outcome", outcome).register(registry));
        }

        private Counter add(Counter c) {
            meters.add(c);
            return c;
        }
    }

    @Override
    public synchronized void onPolicyStep(PolicyStep step) {
        if (step.episodeIndex != episodeIndex) {
            episodeIndex = step.episodeIndex;
            intervened = false;
        }
        if (!step.human) {
            version = step.executed.demonstration ? DEMONSTRATOR : Long.toString(step.executed.policyVersion);
        }
        VersionMeters m = meters(version);
        m.steps.increment();
        if (step.human) {
            intervened = true;
            m.humanSteps.increment();
        }
        if (step.outcome != EpisodeOutcome.RUNNING) {
            switch (step.outcome) {
                case EpisodeOutcome.SUCCESS -> m.success.increment();
                case EpisodeOutcome.FAILURE -> m.failure.increment();
                default -> m.timeout.increment();
            }
            if (intervened) {
                m.intervenedEpisodes.increment();
            }
        }
    }

    /** The version label the current episode counts for. Any thread. */
    public synchronized String currentVersion() {
        return version;
    }

    private VersionMeters meters(String v) {
        VersionMeters m = versions.get(v);
        if (m == null) {
            if (versions.size() >= MAX_VERSIONS) {
                String eldest = versions.keySet().iterator().next();
                versions.remove(eldest).meters.forEach(registry::remove);
            }
            m = new VersionMeters(v);
            versions.put(v, m);
        }
        return m;
    }
}
