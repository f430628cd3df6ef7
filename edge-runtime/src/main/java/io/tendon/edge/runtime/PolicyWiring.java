package io.tendon.edge.runtime;

import io.quarkus.runtime.StartupEvent;
import io.tendon.edge.policy.ActivePolicy;
import io.tendon.edge.policy.Observation;
import io.tendon.edge.policy.ObservationBuffer;
import io.tendon.edge.policy.PolicyRuntime;
import io.tendon.edge.policy.service.PolicyService;
import io.tendon.edge.step.RobotIo;
import io.tendon.edge.step.StepObservation;
import io.tendon.edge.step.StepStartListener;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Connects a loaded policy bundle to the control loop, with either robot: the policy's
 * interpolating target source becomes the loop's policy side, and every policy step's
 * observation s reaches the policy. On the wall or robot clock the control thread hands s to the
 * policy thread through a lock-free buffer; on the simulated clock, which stands still while the
 * policy infers, the control thread runs the policy step itself (lockstep: deterministic, no
 * inference latency, never on a real robot).
 *
 * <p>What the bundle takes is matched by size, and a mismatch stops start-up with the sizes
 * named: its observation features are the robot's features ({@link StepObservation#features})
 * or the transitions' latent ({@link StepObservation#latent}); its state is empty, the layout-1
 * proprioception (12) or proprioception and the wrench summary (24), the way a transition's s is
 * laid out. Runs after both services started.
 */
@ApplicationScoped
public class PolicyWiring {

    private static final Logger LOG = Logger.getLogger(PolicyWiring.class);

    @Inject
    ControlService control;

    @Inject
    PolicyService policy;

    void onStart(@Observes @Priority(jakarta.interceptor.Interceptor.Priority.APPLICATION + 1000) StartupEvent event) {
        if (policy.active().isEmpty()) {
            return;
        }
        ActivePolicy active = policy.active().get();
        ObservationMapping mapping = ObservationMapping.of(control.robot(), policy.observations().featureDim(),
                policy.observations().stateDim());
        StepStartListener feed;
        if ("simulated".equals(control.clock())) {
            policy.stop();
            feed = new LockstepFeed(active, mapping, policy.bundle().orElseThrow().policyHz());
        } else {
            feed = new AsyncFeed(policy.observations(), mapping);
        }
        control.feedPolicy(feed);
        // The policy takes the arm from the first runtime on (with the simulator's demonstrator,
        // the scripted expert demonstrates until then).
        active.onActivate(runtime -> control.policyTakesOver(policy.targets()));
        if (active.current() != null) {
            control.policyTakesOver(policy.targets());
        }
        LOG.infof("policy %s %s the control loop (%s, observation features from the robot's %s)",
                policy.bundle().orElseThrow().policyId(), active.current() != null ? "drives" : "will drive",
                feed instanceof LockstepFeed ? "lockstep on the simulated clock" : "its own thread",
                mapping.fromLatent ? "latent" : "features");
    }

    /** How a step's observation fills the policy's: which vector is the features, what the state holds. */
    record ObservationMapping(boolean fromLatent, int featureDim, int stateDim) {

        static ObservationMapping of(RobotIo robot, int featureDim, int stateDim) {
            boolean fromLatent;
            if (featureDim == robot.featureDim()) {
                fromLatent = false;
            } else if (featureDim == robot.latentDim()) {
                fromLatent = true;
            } else {
                throw new IllegalStateException("the policy bundle takes " + featureDim + " observation features;"
                        + " the robot provides " + robot.featureDim() + " features and a latent of " + robot.latentDim());
            }
            if (stateDim != 0 && stateDim != StepObservation.PROPRIO_DIM
                    && stateDim != StepObservation.PROPRIO_DIM + StepObservation.WRENCH_SUMMARY_DIM) {
                throw new IllegalStateException("the policy bundle takes " + stateDim + " state values; the robot"
                        + " provides proprioception (" + StepObservation.PROPRIO_DIM + ") or proprioception and the"
                        + " wrench summary (" + (StepObservation.PROPRIO_DIM + StepObservation.WRENCH_SUMMARY_DIM) + ")");
            }
            return new ObservationMapping(fromLatent, featureDim, stateDim);
        }

        /** Fills {@code o} from {@code s}; the stamp is the loop's clock. Allocation-free. */
        void fill(long nowNanos, StepObservation s, Observation o) {
            float[] features = fromLatent ? s.latent : s.features;
            System.arraycopy(features, 0, o.features, 0, o.features.length);
            if (stateDim > 0) {
                s.proprio(o.state, 0);
            }
            if (stateDim > StepObservation.PROPRIO_DIM) {
                s.wrenchSummary(o.state, StepObservation.PROPRIO_DIM);
            }
            for (int i = 0; i < 6; i++) {
                o.wrench[i] = (float) s.wrench[i];
            }
            o.stampNanos = nowNanos;
        }
    }

    /** Wall or robot clock: s goes to the policy thread through the observation buffer. */
    static final class AsyncFeed implements StepStartListener {
        private final ObservationBuffer buffer;
        private final ObservationMapping mapping;
        private long sequence;

        AsyncFeed(ObservationBuffer buffer, ObservationMapping mapping) {
            this.buffer = buffer;
            this.mapping = mapping;
        }

        @Override
        public void onStepStart(long nowNanos, boolean episodeStart, StepObservation s) {
            if (!s.featuresPresent) {
                return;
            }
            Observation o = buffer.beginWrite();
            mapping.fill(nowNanos, s, o);
            o.sequence = ++sequence;
            buffer.publish();
        }
    }

    /**
     * Simulated clock: the control thread runs the policy step while simulated time stands still,
     * with whatever runtime is active (a policy update takes over at the next step).
     */
    static final class LockstepFeed implements StepStartListener {
        private static final float[] NO_ACTIONS = new float[0];
        private final ActivePolicy active;
        private final ObservationMapping mapping;
        private final Observation observation;
        private PolicyRuntime lastRuntime;
        private long tick;
        private long stepNanos;

        LockstepFeed(ActivePolicy active, ObservationMapping mapping, double policyHz) {
            this.active = active;
            this.mapping = mapping;
            this.observation = new Observation(mapping.featureDim, mapping.stateDim);
        }

        @Override
        public void onStepStart(long nowNanos, boolean episodeStart, StepObservation s) {
            PolicyRuntime runtime = active.current();
            if (runtime != lastRuntime && runtime != null) {
                // Simulated time stands still while the policy infers: its clock is the step's time.
                runtime.useClock(() -> stepNanos);
            }
            lastRuntime = runtime;
            if (runtime != null) {
                active.pickedUp(runtime);
                if (episodeStart) {
                    runtime.reset(); // no chunk of the last episode may blend into this one
                }
            }
            if (!s.featuresPresent) {
                return;
            }
            stepNanos = nowNanos;
            mapping.fill(nowNanos, s, observation);
            observation.sequence = tick;
            if (runtime == null) {
                active.history().record(observation, NO_ACTIONS, 0, 0);
                tick++;
                return;
            }
            runtime.step(tick++, nowNanos, observation);
        }
    }
}
