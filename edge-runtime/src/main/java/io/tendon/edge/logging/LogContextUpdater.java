package io.tendon.edge.logging;

import io.tendon.edge.episode.TransitionRecorder;
import io.tendon.edge.step.PolicyStep;
import io.tendon.edge.step.PolicyStepListener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Keeps {@link LogContext} on the running episode and the version of the policy in charge, from
 * each policy step on the step dispatcher thread (never the control thread). The version is that
 * of the last step not under a person's control, as in the per-version meters.
 */
@ApplicationScoped
public class LogContextUpdater implements PolicyStepListener {

    @Inject
    TransitionRecorder recorder;

    @Override
    public void onPolicyStep(PolicyStep step) {
        String version = LogContext.policyVersion();
        if (!step.human) {
            version = step.executed.demonstration ? "demonstrator" : Long.toString(step.executed.policyVersion);
        } else if (version.isEmpty()) {
            version = "none";
        }
        LogContext.update(recorder.episodeId(), version);
    }
}
