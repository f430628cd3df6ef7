package io.tendon.edge.runtime;

import io.tendon.edge.step.PolicyStep;
import io.tendon.edge.step.PolicyStepListener;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.List;

/** A CDI policy-step listener, as the lead's transition recorder will be: keeps the newest steps. */
@ApplicationScoped
public class RecordingStepListener implements PolicyStepListener {

    private final ArrayDeque<PolicyStep> steps = new ArrayDeque<>();

    @Override
    public synchronized void onPolicyStep(PolicyStep step) {
        PolicyStep copy = step.copy();
        steps.addLast(copy);
        while (steps.size() > 5000) {
            steps.removeFirst();
        }
    }

    public synchronized List<PolicyStep> snapshot() {
        return new ArrayList<>(steps);
    }

    public synchronized void clear() {
        steps.clear();
    }
}
