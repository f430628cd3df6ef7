package io.tendon.edge.runtime;

import io.quarkus.runtime.StartupEvent;
import io.tendon.edge.config.EdgeConfig;
import io.tendon.edge.policy.Observation;
import io.tendon.edge.policy.ObservationBuffer;
import io.tendon.edge.policy.service.PolicyService;
import io.tendon.edge.sim.PolicyStep;
import io.tendon.edge.sim.PolicyStepListener;
import io.tendon.edge.sim.SimFeatures;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Connects a loaded policy bundle to the control loop: its interpolating target source
 * becomes the loop's policy side, and with the simulator every policy step's observation
 * (SimFeatures: 21 features, proprioception as state, the wrench) goes to the policy thread.
 * Runs after both services started.
 */
@ApplicationScoped
public class PolicyWiring implements PolicyStepListener {

    private static final Logger LOG = Logger.getLogger(PolicyWiring.class);

    @Inject
    EdgeConfig config;

    @Inject
    ControlService control;

    @Inject
    PolicyService policy;

    private volatile ObservationBuffer observations;
    private final float[] features = new float[SimFeatures.OBSERVATION_DIM];
    private final float[] proprio = new float[SimFeatures.PROPRIO_DIM];
    private long sequence;

    void onStart(@Observes @Priority(jakarta.interceptor.Interceptor.Priority.APPLICATION + 1000) StartupEvent event) {
        if (policy.runtime().isEmpty()) {
            return;
        }
        if (config.bridge().equals("sim")) {
            ObservationBuffer buffer = policy.observations();
            if (buffer.featureDim() != SimFeatures.OBSERVATION_DIM
                    || (buffer.stateDim() != 0 && buffer.stateDim() != SimFeatures.PROPRIO_DIM)) {
                throw new IllegalStateException("the policy bundle takes " + buffer.featureDim() + " features and "
                        + buffer.stateDim() + " state values; the simulator provides " + SimFeatures.OBSERVATION_DIM
                        + " features and " + SimFeatures.PROPRIO_DIM + " state values (see SimFeatures)");
            }
            observations = buffer;
        }
        control.policyTargets().use(policy.targets());
        LOG.infof("policy %s drives the control loop", policy.runtime().get().bundle().policyId());
    }

    @Override
    public void onPolicyStep(PolicyStep step) {
        ObservationBuffer buffer = observations;
        if (buffer == null || step.terminated || step.truncated) {
            return;
        }
        Observation o = buffer.beginWrite();
        SimFeatures.observation(step.nextObservation, features);
        System.arraycopy(features, 0, o.features, 0, features.length);
        if (o.state.length > 0) {
            SimFeatures.proprio(step.nextObservation, proprio);
            System.arraycopy(proprio, 0, o.state, 0, proprio.length);
        }
        for (int i = 0; i < 6; i++) {
            o.wrench[i] = (float) step.nextObservation.wrench[i];
        }
        o.stampNanos = System.nanoTime();
        o.sequence = ++sequence;
        buffer.publish();
    }
}
